import * as fs from "fs";
import * as path from "path";
import { buildReferencePlatform } from "../../examples/reference-platform/main";
import { newApp, resources, synthApp, TfDoc } from "../helpers";
import { violations } from "../invariants";

const ADDRESSES = path.join(__dirname, "__addresses__", "reference-platform.txt");

function synthesize(): Record<string, TfDoc> {
  const app = newApp();
  buildReferencePlatform(app);
  return synthApp(app);
}

function rawFiles(): Record<string, string> {
  const app = newApp();
  buildReferencePlatform(app);
  app.synth();
  const dir = path.join(app.outdir, "stacks");
  return Object.fromEntries(fs.readdirSync(dir).map((s) => [s, fs.readFileSync(path.join(dir, s, "cdk.tf.json"), "utf8")]));
}

describe("examples/reference-platform", () => {
  const docs = synthesize();

  test("holds the cluster, its GPU pools, the Helm releases and the team namespaces", () => {
    const doc = docs["ml-platform"];
    expect(resources(doc, "aws_eks_cluster")).toHaveLength(1);
    expect(resources(doc, "aws_eks_node_group").map((n) => n.values.node_group_name_prefix).sort()).toEqual([
      "acme-ml-training-a100-",
      "acme-ml-training-l4-spot-",
      "acme-ml-training-system-",
    ]);
    expect(resources(doc, "helm_release").map((r) => r.values.chart).sort()).toEqual([
      "cluster-autoscaler",
      "metrics-server",
      "nvidia-device-plugin",
    ]);
    expect(resources(doc, "kubernetes_namespace_v1").map((n) => n.values.metadata.name).sort()).toEqual(["fraud", "search"]);
  });

  test.each(Object.keys(docs))("stack %s keeps every invariant (encryption, IMDSv2, private endpoint, tags, IAM)", (stack) => {
    expect(violations(docs[stack])).toEqual([]);
  });

  test("synthesis is reproducible byte for byte", () => {
    expect(rawFiles()).toEqual(rawFiles());
  });

  test("resource addresses match the committed list (a change moves users' resources: update it deliberately)", () => {
    const actual = Object.entries(docs)
      .flatMap(([stack, doc]) => resources(doc).map((r) => `${stack} ${r.address}`))
      .sort()
      .join("\n")
      .concat("\n");
    if (process.env.UPDATE_ADDRESSES === "1") fs.writeFileSync(ADDRESSES, actual);
    expect(actual).toBe(fs.readFileSync(ADDRESSES, "utf8"));
  });
});

describe("the invariants catch what they are for", () => {
  const doc = () => JSON.parse(JSON.stringify(synthesize()["ml-platform"])) as TfDoc;
  const first = (d: TfDoc, type: string) => Object.values(d.resource![type])[0] as Record<string, any>;

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
    expect(violations(d)).toEqual(
      expect.arrayContaining([expect.stringContaining("allows s3:* on every resource")]),
    );
  });

  test("an unpinned chart and an undefined", () => {
    const d = doc();
    first(d, "helm_release").version = "";
    first(d, "aws_vpc").tags.Name = "undefined";
    expect(violations(d)).toEqual(
      expect.arrayContaining([expect.stringContaining("chart version not pinned"), "a string contains undefined"]),
    );
  });
});
