import { buildReferencePlatform } from "../examples/reference-platform/main";
import { newApp, synthApp, TfDoc } from "./helpers";
import { violations } from "./invariants";

function mergeDocs(...docs: TfDoc[]): TfDoc {
  const out: TfDoc = { resource: {}, data: {} };
  for (const d of docs) {
    for (const kind of ["resource", "data"] as const) {
      for (const [type, byName] of Object.entries(d[kind] ?? {})) out[kind]![type] = { ...out[kind]![type], ...byName };
    }
  }
  return out;
}

describe("the invariants catch what they are for", () => {
  const base = (() => {
    const app = newApp();
    buildReferencePlatform(app);
    // The platform's AWS resources and what it installs on the cluster, as one document.
    const docs = synthApp(app);
    return mergeDocs(docs["ml-platform"], docs["ml-platform-kubernetes"]);
  })();
  const doc = () => JSON.parse(JSON.stringify(base)) as TfDoc;
  const first = (d: TfDoc, type: string) => Object.values(d.resource![type])[0] as Record<string, any>;

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
    const policy = Object.values(d.data!.aws_iam_policy_document).find((p: any) => p.statement[0].sid === "WriteFlowLogsToItsLogGroup")!;
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
});
