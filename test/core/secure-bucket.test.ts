import { RemovalPolicy, SecureBucket } from "../../src";
import { newStack, policyStatements, ref, resource, resources, synth } from "../helpers";

describe("SecureBucket", () => {
  const stack = newStack();
  new SecureBucket(stack, "artifacts", { component: "model-registry", kmsKey: stack.kmsKey });
  const doc = synth(stack);
  const bucket = resource(doc, "aws_s3_bucket", "artifacts/Resource");
  const byBucket = (type: string) => resources(doc, type).find((r) => r.values.bucket === ref(bucket, "id"))!;

  test("is named for platform, path, account and region, is never force-destroyed and is protected", () => {
    expect(bucket.values.bucket).toBe("acme-ml-artifacts-${data.aws_caller_identity.CallerIdentity.account_id}-eu-west-1");
    expect(bucket.values.force_destroy).toBe(false);
    expect(bucket.values.lifecycle).toEqual({ prevent_destroy: true });
  });

  test("is versioned, KMS-encrypted with a bucket key, private and without ACLs", () => {
    expect(byBucket("aws_s3_bucket_versioning").values.versioning_configuration).toEqual({ status: "Enabled" });
    expect(byBucket("aws_s3_bucket_server_side_encryption_configuration").values.rule).toEqual([
      {
        apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: "${aws_kms_key.PlatformKey.arn}" },
        bucket_key_enabled: true,
      },
    ]);
    expect(byBucket("aws_s3_bucket_public_access_block").values).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(byBucket("aws_s3_bucket_ownership_controls").values.rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
  });

  test("denies requests without TLS and expires noncurrent versions", () => {
    const [tls] = policyStatements(doc, byBucket("aws_s3_bucket_policy").values.policy);
    expect(tls).toMatchObject({
      effect: "Deny",
      actions: ["s3:*"],
      resources: [ref(bucket, "arn"), `${ref(bucket, "arn")}/*`],
      condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    });
    expect(byBucket("aws_s3_bucket_lifecycle_configuration").values.rule[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 90 }]);
  });

  test("logs access to the stack's log bucket, which uses SSE-S3, accepts S3 logging and does not log to itself", () => {
    const logBucket = resource(doc, "aws_s3_bucket", "AccessLogBucket/Resource");
    expect(byBucket("aws_s3_bucket_logging").values.target_bucket).toBe(ref(logBucket, "id"));
    const logEncryption = resources(doc, "aws_s3_bucket_server_side_encryption_configuration").find((r) => r.values.bucket === ref(logBucket, "id"))!;
    expect(logEncryption.values.rule[0].apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "AES256" });
    expect(resources(doc, "aws_s3_bucket_logging").map((l) => l.values.bucket)).not.toContain(ref(logBucket, "id"));
    const logPolicy = resources(doc, "aws_s3_bucket_policy").find((r) => r.values.bucket === ref(logBucket, "id"))!;
    const statements = policyStatements(doc, logPolicy.values.policy);
    expect(statements[1]).toMatchObject({
      sid: "AllowS3ServerAccessLogsOfThisAccount",
      principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
      resources: [`${ref(logBucket, "arn")}/*`],
    });
  });

  test("GIVEN DESTROY THEN no prevent_destroy, and still no force_destroy", () => {
    const s = newStack();
    new SecureBucket(s, "scratch", { component: "x", kmsKey: s.kmsKey, removalPolicy: RemovalPolicy.DESTROY });
    const b = resource(synth(s), "aws_s3_bucket", "scratch/Resource").values;
    expect(b.lifecycle).toBeUndefined();
    expect(b.force_destroy).toBe(false);
  });
});
