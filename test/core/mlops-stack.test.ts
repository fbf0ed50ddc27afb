import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { MlopsStack, MlopsValidationError, RemovalPolicy } from "../../src";
import { newApp, newStack, policyStatements, resource, resources, synth } from "../helpers";

describe("MlopsStack", () => {
  test("GIVEN region, name and tags WHEN synthesized THEN the AWS provider carries the platform's default tags", () => {
    const stack = newStack({ tags: { "cost-center": "ml" } });
    const doc = synth(stack);
    expect(doc.provider!.aws).toEqual([
      {
        region: "eu-west-1",
        default_tags: [{ tags: { "cost-center": "ml", "mlops:platform": "acme-ml", "mlops:managed-by": "cdktf-mlops" } }],
      },
    ]);
  });

  test("GIVEN no backend THEN local state uses a relative path (no absolute path in the JSON)", () => {
    const doc = synth(newStack());
    expect(doc.terraform!.backend).toEqual({ local: { path: "../../../terraform.platform.tfstate" } });
    expect(JSON.stringify(doc)).not.toContain(process.cwd());
  });

  test("GIVEN an S3 backend THEN state is encrypted, keyed by platform and stack, and locked with use_lockfile", () => {
    const doc = synth(newStack({ backend: { bucket: "acme-tf-state" } }));
    expect(doc.terraform!.backend).toEqual({
      s3: { bucket: "acme-tf-state", key: "acme-ml/platform.tfstate", region: "eu-west-1", encrypt: true, use_lockfile: true },
    });
  });

  test("the platform KMS key is created on first use, with rotation, a 30-day window and prevent_destroy", () => {
    const stack = newStack();
    expect(resources(synth(stack), "aws_kms_key")).toHaveLength(0);
    const key = stack.kmsKey;
    expect(stack.kmsKey).toBe(key);
    const doc = synth(stack);
    const k = resource(doc, "aws_kms_key", "platform/PlatformKey");
    expect(k.values).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30, lifecycle: { prevent_destroy: true } });
    expect(resource(doc, "aws_kms_alias", "PlatformKeyAlias").values.name).toBe("alias/acme-ml-platform");
  });

  test("the key policy lets CloudWatch Logs of this account use the key, and names no principal that may not exist", () => {
    const stack = newStack();
    void stack.kmsKey;
    const doc = synth(stack);
    const statements = policyStatements(doc, resource(doc, "aws_kms_key", "PlatformKey").values.policy);
    // A stack that launches no nodes has no statement for EC2 Auto Scaling.
    expect(statements.map((s) => s.sid)).toEqual(["EnableIamPoliciesOfTheAccount", "AllowCloudWatchLogsOfThisAccount"]);
    const logs = statements[1];
    expect(logs.principals[0].identifiers[0]).toMatch(/^logs\.eu-west-1\./);
    expect(logs.condition[0]).toMatchObject({ test: "ArnLike", variable: "kms:EncryptionContext:aws:logs:arn" });
  });

  test("WHEN nodes are launched with the key THEN the Auto Scaling service-linked role is matched by aws:PrincipalArn, not named", () => {
    const stack = newStack();
    stack._allowAutoScalingToUsePlatformKey();
    stack._allowAutoScalingToUsePlatformKey(); // once per stack
    const doc = synth(stack);
    const statements = policyStatements(doc, resource(doc, "aws_kms_key", "PlatformKey").values.policy);
    expect(statements.map((s) => s.sid)).toEqual([
      "EnableIamPoliciesOfTheAccount",
      "AllowCloudWatchLogsOfThisAccount",
      "AllowAutoScalingToUseKeyForEbs",
      "AllowAutoScalingToGrantForEbs",
    ]);
    for (const s of statements.slice(2)) {
      expect(s.principals).toEqual([{ type: "AWS", identifiers: ["*"] }]);
      expect(s.condition[0]).toMatchObject({ test: "StringEquals", variable: "aws:PrincipalArn" });
      expect(s.condition[0].values[0]).toMatch(/:role\/aws-service-role\/autoscaling\.amazonaws\.com\/AWSServiceRoleForAutoScaling$/);
    }
    expect(statements[3].condition[1]).toEqual({ test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] });
  });

  test("GIVEN removalPolicy DESTROY THEN the key has no prevent_destroy", () => {
    const stack = newStack({ removalPolicy: RemovalPolicy.DESTROY });
    void stack.kmsKey;
    expect(resource(synth(stack), "aws_kms_key", "PlatformKey").values.lifecycle).toBeUndefined();
  });

  test("MlopsStack.of finds the enclosing stack and fails clearly outside one", () => {
    const stack = newStack();
    const inner = new Construct(new Construct(stack, "a"), "b");
    expect(MlopsStack.of(inner)).toBe(stack);
    const plain = new TerraformStack(newApp(), "plain");
    expect(() => MlopsStack.of(new Construct(plain, "x"))).toThrow("plain/x: cdktf-mlops constructs must be created inside an MlopsStack");
  });

  describe("rejects bad props", () => {
    test.each([
      [{ region: "Europe" }, 'MlopsStack platform: region ("Europe") must be an AWS region such as eu-west-1'],
      [{ name: "Acme_ML" }, 'MlopsStack platform: name ("Acme_ML") must be 2-24 characters of lowercase letters'],
      [{ tags: { "aws:owner": "x" } }, "must not start with 'aws:'"],
      [{ backend: { bucket: "Bad_Bucket" } }, 'MlopsStack platform: backend.bucket ("Bad_Bucket") must be an S3 bucket name'],
      [{ allowedAccountIds: ["123"] }, 'allowedAccountIds[0] ("123") must be a 12-digit AWS account id'],
      [{ regoin: "eu-west-1" }, 'MlopsStack platform: has unknown field(s) "regoin"'],
    ])("%j", (bad, message) => {
      expect(() => newStack(bad as never)).toThrow(MlopsValidationError);
      expect(() => newStack(bad as never)).toThrow(message);
    });
  });
});
