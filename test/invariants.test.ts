import { buildReferencePlatform } from "../examples/reference-platform/main";
import { newApp, synthApp, TfDoc } from "./helpers";
import { violations as violationsOf } from "./invariants";

describe("the invariants catch what they are for", () => {
  // Every stack of the reference platform: its AWS resources, what it installs on the cluster, the workloads.
  const base = (() => {
    const app = newApp();
    buildReferencePlatform(app);
    return synthApp(app);
  })();
  type Docs = Record<string, TfDoc>;
  const copy = () => JSON.parse(JSON.stringify(base)) as Docs;
  /** The first resource of `type` in any stack. */
  const first = (d: Docs, type: string) => Object.values(d).flatMap((x) => Object.values(x.resource?.[type] ?? {}))[0] as Record<string, any>;
  /** The policy documents of every stack. */
  const policyDocs = (d: Docs) => Object.values(d).flatMap((x) => Object.values(x.data?.aws_iam_policy_document ?? {})) as any[];
  const violations = (d: Docs) => Object.values(d).flatMap((x) => violationsOf(x));
  const doc = copy;

  test("the unmodified reference platform has none", () => {
    expect(violations(doc())).toEqual([]);
  });

  test("IMDSv1", () => {
    const d = doc();
    first(d, "aws_launch_template").metadata_options.http_tokens = "optional";
    expect(violations(d)).toEqual([expect.stringContaining("IMDSv2 not required")]);
  });

  test("an unencrypted log group", () => {
    const d = doc();
    delete first(d, "aws_cloudwatch_log_group").kms_key_id;
    expect(violations(d)).toEqual([expect.stringContaining("log group not encrypted with KMS")]);
  });

  test("a public endpoint open to all", () => {
    const d = doc();
    Object.assign(first(d, "aws_eks_cluster").vpc_config, { endpoint_public_access: true, public_access_cidrs: ["0.0.0.0/0"] });
    expect(violations(d)).toEqual([expect.stringContaining("public endpoint without an allow-list")]);
  });

  test("a wildcard action on every resource", () => {
    const d = doc();
    const policy = policyDocs(d).find((p: any) => p.statement[0].sid === "WriteFlowLogsToItsLogGroup")!;
    (policy as any).statement[0].actions = ["s3:*"];
    (policy as any).statement[0].resources = ["*"];
    expect(violations(d)).toEqual(expect.arrayContaining([expect.stringContaining("allows s3:* on every resource")]));
  });

  test("an unpinned chart and an undefined", () => {
    const d = doc();
    first(d, "helm_release").version = "";
    first(d, "aws_vpc").tags.Name = "undefined";
    expect(violations(d)).toEqual(expect.arrayContaining([expect.stringContaining("chart version not pinned"), "a string contains undefined"]));
  });

  test("a database open to the internet, without protection", () => {
    const d = doc();
    Object.assign(first(d, "aws_db_instance"), { publicly_accessible: true, deletion_protection: false });
    expect(violations(d)).toEqual([
      expect.stringContaining("database publicly accessible"),
      expect.stringContaining("database without deletion protection"),
    ]);
  });

  test("a bucket that can be force-destroyed, a table without point-in-time recovery", () => {
    const d = doc();
    first(d, "aws_s3_bucket").force_destroy = true;
    first(d, "aws_dynamodb_table").point_in_time_recovery = { enabled: false };
    expect(violations(d)).toEqual(
      expect.arrayContaining([expect.stringContaining("force_destroy"), expect.stringContaining("point-in-time recovery")]),
    );
  });

  test("a password in the document", () => {
    const d = doc();
    first(d, "aws_db_instance").password = "hunter2hunter2";
    expect(violations(d)).toEqual(expect.arrayContaining([expect.stringContaining("a password argument")]));
  });

  test("a cluster named by a literal string, an association that does not wait for the agent", () => {
    const d = doc();
    first(d, "aws_eks_pod_identity_association").cluster_name = "acme-ml-training";
    first(d, "aws_eks_pod_identity_association").depends_on = [];
    expect(violations(d)).toEqual([
      expect.stringContaining("cluster_name is not a reference to the cluster (acme-ml-training)"),
      expect.stringContaining("does not wait for the Pod Identity agent"),
    ]);
  });

  test("a ListBucket limited by a plain StringLike on s3:prefix (HeadBucket refused)", () => {
    const d = doc();
    const policy = policyDocs(d).find((p: any) => p.statement.some((s: any) => s.sid === "ListTheRegistryPrefix"))!;
    (policy as any).statement.find((s: any) => s.sid === "ListTheRegistryPrefix").condition[0].test = "StringLike";
    expect(violations(d)).toEqual([expect.stringContaining("ListTheRegistryPrefix limits s3:ListBucket by s3:prefix")]);
  });

  test("a key policy that names the Auto Scaling service-linked role", () => {
    const d = doc();
    const policy = policyDocs(d).find((p: any) => p.statement.some((s: any) => s.sid === "AllowAutoScalingToUseKeyForEbs"))!;
    (policy as any).statement.find((s: any) => s.sid === "AllowAutoScalingToUseKeyForEbs").principals[0].identifiers = [
      "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
    ];
    expect(violations(d)).toEqual([expect.stringContaining("names the service-linked role")]);
  });
});
