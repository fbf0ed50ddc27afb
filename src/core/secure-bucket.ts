import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { policyDocument, PolicyStatement, setPolicyStatements } from "./iam";
import { claimUniqueName, fitName, NameRules, physicalName } from "./naming";
import { applyRemovalPolicy, RemovalPolicy } from "./removal-policy";
import { mlopsStackOf } from "./stack-context";
import { LIBRARY_SUPPRESSIONS, recordSuppression } from "./suppressions";
import type { IKmsKeyRef } from "./refs";
import { componentTags } from "./tags";
import { z } from "zod";
import { isKmsKeyRef } from "./refs";
import { check, validateProps } from "./validation";
import type { ShapeOf } from "./validation";

/** Props of {@link SecureBucket}. */
export interface SecureBucketProps {
  /** The `mlops:component` tag. */
  readonly component: string;
  /**
   * KMS key of the objects (SSE-KMS with an S3 bucket key). Left out, SSE-S3 (AES256) is used, which
   * only a bucket that receives S3 server access logs should do.
   * @default - SSE-S3
   */
  readonly kmsKey?: IKmsKeyRef;
  /**
   * Send S3 server access logs to the stack's access-log bucket.
   * @default true
   */
  readonly accessLogs?: boolean;
  /**
   * Days after which noncurrent object versions are deleted.
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Let S3 server access logging of this account write into the bucket (for the stack's log bucket).
   * @default false
   */
  readonly receivesAccessLogs?: boolean;
  /**
   * Days after which current objects expire (for data kept only for a while, such as captured payloads).
   * @default - objects do not expire
   */
  readonly expireObjectsAfterDays?: number;
  /**
   * More statements of the bucket policy (besides the TLS-only deny).
   * @default - none
   */
  readonly policyStatements?: PolicyStatement[];
  /**
   * What happens to the bucket when it is removed from the code.
   * @default - the stack's removal policy
   */
  readonly removalPolicy?: RemovalPolicy;
}

const statementSchema = z
  .object({
    sid: z.string().regex(/^[A-Za-z0-9]*$/, { message: "must be letters and digits only (an IAM statement id)" }),
    effect: z.enum(["Allow", "Deny"]).optional(),
    actions: z.array(z.string().min(1)).min(1, { message: "must name at least one action" }),
    resources: z.array(z.string().min(1)).min(1).optional(),
    principals: z.array(z.object({ type: z.string().min(1), identifiers: z.array(z.string().min(1)).min(1) }).strict()).optional(),
    conditions: z.array(z.object({ test: z.string().min(1), variable: z.string().min(1), values: z.array(z.string()).min(1) }).strict()).optional(),
  })
  .strict();

const schema = z
  .object({
    component: z.string().min(1).max(256),
    kmsKey: z.custom<IKmsKeyRef>(isKmsKeyRef, { message: "must be a KmsKey or KmsKeyRef.fromKeyArn(...)" }).optional(),
    accessLogs: z.boolean().optional(),
    noncurrentVersionExpirationDays: check.int(1, 36500).optional(),
    receivesAccessLogs: z.boolean().optional(),
    expireObjectsAfterDays: check.int(1, 36500).optional(),
    policyStatements: z.array(statementSchema).optional(),
    removalPolicy: z.enum(RemovalPolicy).optional(),
  })
  .strict() satisfies ShapeOf<SecureBucketProps>;

/**
 * An S3 bucket as the library ships every bucket: a name unique to account and region, versioning,
 * encryption (SSE-KMS with a bucket key), all public access blocked, bucket-owner-enforced
 * ownership (no ACLs), a policy that denies requests without TLS, deletion of noncurrent versions,
 * access logs to the stack's log bucket, and `prevent_destroy` under RETAIN (never `force_destroy`).
 */
export class SecureBucket extends Construct {
  public readonly bucket: S3Bucket;
  public readonly bucketName: string;
  public readonly bucketArn: string;
  public readonly versioning: S3BucketVersioningA;
  public readonly encryption: S3BucketServerSideEncryptionConfigurationA;
  public readonly publicAccessBlock: S3BucketPublicAccessBlock;
  public readonly ownershipControls: S3BucketOwnershipControls;
  public readonly policy: S3BucketPolicy;
  public readonly lifecycle: S3BucketLifecycleConfiguration;
  public readonly logging?: S3BucketLoggingA;
  /** ARN of the KMS key of the objects, when SSE-KMS. */
  public readonly kmsKeyArn?: string;
  private readonly policyStatements: PolicyStatement[];
  private readonly policyDocument: DataAwsIamPolicyDocument;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    validateProps(this, "SecureBucket", schema, props);
    const stack = mlopsStackOf(this);
    const tags = componentTags(props.component);
    // S3 names are global: the account id and region make them unique; 63 characters in all.
    const suffix = `-${stack.accountId}-${stack.region}`;
    // The account id is 12 digits; with the region and two dashes the base has what is left of 63.
    const rule = { maxLength: 63 - 14 - stack.region.length, allowed: /[a-z0-9-]/, lowercase: true };
    const base = claimUniqueName(
      this,
      `s3:${stack.region}`,
      fitName(physicalName(this, stack.platformName, NameRules.generic).toLowerCase(), rule),
      (stackId) => fitName(physicalName(this, `${stack.platformName}-${stackId}`, NameRules.generic).toLowerCase(), rule),
    );
    this.bucket = new S3Bucket(this, "Resource", { bucket: `${base}${suffix}`, forceDestroy: false, tags });
    applyRemovalPolicy(this.bucket, props.removalPolicy ?? stack.removalPolicy);
    if (props.receivesAccessLogs && !props.kmsKey) recordSuppression(this, "S3-KMS", LIBRARY_SUPPRESSIONS["S3-KMS"]);
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;
    this.kmsKeyArn = props.kmsKey?.arn;

    this.ownershipControls = new S3BucketOwnershipControls(this, "Ownership", {
      bucket: this.bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    this.publicAccessBlock = new S3BucketPublicAccessBlock(this, "PublicAccessBlock", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    this.versioning = new S3BucketVersioningA(this, "Versioning", {
      bucket: this.bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    this.encryption = new S3BucketServerSideEncryptionConfigurationA(this, "Encryption", {
      bucket: this.bucket.id,
      rule: [
        props.kmsKey
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKey.arn }, bucketKeyEnabled: true }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    });
    this.lifecycle = new S3BucketLifecycleConfiguration(this, "Lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationDays ?? 90 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
        ...(props.expireObjectsAfterDays
          ? [{ id: "expire-objects", status: "Enabled", filter: [{}], expiration: [{ days: props.expireObjectsAfterDays }] }]
          : []),
      ],
      dependsOn: [this.versioning],
    });
    this.policyStatements = [
      {
        sid: "DenyRequestsWithoutTls",
        effect: "Deny",
        principals: [{ type: "AWS", identifiers: ["*"] }],
        actions: ["s3:*"],
        resources: [this.bucket.arn, `${this.bucket.arn}/*`],
        conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
      ...(props.receivesAccessLogs
        ? [
            {
              sid: "AllowS3ServerAccessLogsOfThisAccount",
              principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
              actions: ["s3:PutObject"],
              resources: [`${this.bucket.arn}/*`],
              conditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [stack.accountId] }],
            },
          ]
        : []),
      ...(props.policyStatements ?? []),
    ];
    this.policyDocument = policyDocument(this, "PolicyDocument", this.policyStatements);
    this.policy = new S3BucketPolicy(this, "Policy", {
      bucket: this.bucket.id,
      policy: this.policyDocument.json,
      dependsOn: [this.publicAccessBlock],
    });
    if (props.accessLogs ?? true) {
      const logs = stack.accessLogBucket;
      this.logging = new S3BucketLoggingA(this, "AccessLogs", {
        bucket: this.bucket.id,
        targetBucket: logs.bucket.id,
        targetPrefix: `${base}/`,
      });
    }
  }

  /** Adds statements to the bucket policy (for a service that starts writing into the bucket later, such as ELB access logs). */
  public addToResourcePolicy(...statements: PolicyStatement[]): void {
    this.policyStatements.push(...statements);
    setPolicyStatements(this.policyDocument, this.policyStatements);
  }
}
