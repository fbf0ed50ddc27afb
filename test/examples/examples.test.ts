import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { buildReferencePlatform } from "../../examples/reference-platform/main";
import { newApp, resources, synthApp, TfDoc } from "../helpers";
import { violations } from "../invariants";
import { EXAMPLES } from "../example-apps";

function synthesize(build: (app: App) => unknown): Record<string, TfDoc> {
  const app = newApp();
  build(app);
  return synthApp(app);
}

function rawFiles(build: (app: App) => unknown): Record<string, string> {
  const app = newApp();
  build(app);
  app.synth();
  const dir = path.join(app.outdir, "stacks");
  return Object.fromEntries(fs.readdirSync(dir).map((s) => [s, fs.readFileSync(path.join(dir, s, "cdk.tf.json"), "utf8")]));
}

describe.each(Object.entries(EXAMPLES))("examples/%s", (name, build) => {
  const docs = synthesize(build);
  const addressFile = path.join(__dirname, "__addresses__", `${name}.txt`);

  test.each(Object.keys(docs))("stack %s keeps every invariant (encryption, IMDSv2, private endpoints, tags, IAM, protected data)", (stack) => {
    expect(violations(docs[stack])).toEqual([]);
  });

  test("physical names are unique across the app's stacks (S3 names are global, IAM names per account)", () => {
    const named: [string, string][] = [
      ["aws_s3_bucket", "bucket"],
      ["aws_iam_role", "name"],
      ["aws_kms_alias", "name"],
      ["aws_eks_cluster", "name"],
      ["aws_db_instance", "identifier"],
      ["aws_dynamodb_table", "name"],
      ["aws_sns_topic", "name"],
      ["aws_sqs_queue", "name"],
      ["aws_lambda_function", "function_name"],
      ["aws_cloudwatch_log_group", "name"],
      ["aws_ecr_repository", "name"],
    ];
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const [stack, doc] of Object.entries(docs)) {
      for (const [type, arg] of named) {
        for (const r of resources(doc, type)) {
          const key = `${type} ${r.values[arg]}`;
          if (seen.has(key)) twice.push(`${key}: ${seen.get(key)} and ${stack} ${r.address}`);
          else seen.set(key, `${stack} ${r.address}`);
        }
      }
    }
    expect(twice).toEqual([]);
    expect(seen.size).toBeGreaterThan(10);
  });

  test("synthesis is reproducible byte for byte", () => {
    expect(rawFiles(build)).toEqual(rawFiles(build));
  });

  test("resource addresses match the committed list (a change moves users' resources: update it deliberately)", () => {
    const actual = Object.entries(docs)
      .flatMap(([stack, doc]) => resources(doc).map((r) => `${stack} ${r.address}`))
      .sort()
      .join("\n")
      .concat("\n");
    if (process.env.UPDATE_ADDRESSES === "1") fs.writeFileSync(addressFile, actual);
    expect(actual).toBe(fs.readFileSync(addressFile, "utf8"));
  });
});

describe("examples/reference-platform holds the platform of the design on the Kubernetes-native engines", () => {
  const docs = synthesize(buildReferencePlatform);
  const doc = docs["ml-platform"];
  const kube = docs["ml-platform-kubernetes"];

  test("the cluster, its GPU pools and the team namespaces", () => {
    expect(resources(doc, "aws_eks_cluster")).toHaveLength(1);
    expect(
      resources(doc, "aws_eks_node_group")
        .map((n) => n.values.node_group_name_prefix)
        .sort(),
    ).toEqual(["acme-ml-training-a100-", "acme-ml-training-l4-spot-", "acme-ml-training-system-"]);
    expect(
      resources(kube, "kubernetes_namespace_v1")
        .map((n) => n.values.metadata.name)
        .sort(),
    ).toEqual(["fraud", "search", "feast"].sort());
  });

  test("the platform stack holds only AWS resources: it deploys without reaching the Kubernetes API", () => {
    const kinds = Object.keys(doc.resource ?? {});
    expect(kinds.filter((t) => t.startsWith("kubernetes_") || t.startsWith("helm_"))).toEqual([]);
    expect(Object.keys(doc.provider ?? {})).toEqual(["aws"]);
    expect(Object.keys(kube.provider ?? {}).sort()).toEqual(["aws", "helm", "kubernetes"]);
  });

  test("the Helm releases of the cluster, the registry, the feature store and KServe", () => {
    expect(
      resources(kube, "helm_release")
        .map((r) => r.values.chart)
        .sort(),
    ).toEqual([
      "aws-efa-k8s-device-plugin",
      "aws-load-balancer-controller",
      "cert-manager",
      "cluster-autoscaler",
      "external-secrets",
      "feast-feature-server",
      "kserve-crd",
      "kserve-resources",
      "kserve-runtime-configs",
      "metrics-server",
      "mlflow",
      "nvidia-device-plugin",
      "reloader",
    ]);
  });

  test("the fraud model is served on KServe from the workloads stack, which deploys after the platform", () => {
    const app = newApp();
    const { workloads, platform, platformKubernetes } = buildReferencePlatform(app);
    const docs = synthApp(app);
    expect(resources(docs["ml-workloads"], "kubernetes_manifest").map((m) => m.values.manifest.kind)).toEqual(["InferenceService"]);
    expect(resources(docs["ml-platform"], "kubernetes_manifest")).toHaveLength(0);
    expect(resources(docs["ml-platform-kubernetes"], "kubernetes_manifest")).toHaveLength(0);
    expect(workloads.dependencies).toContain(platform);
    // The InferenceService's namespace waits for KServe's runtimes, installed by the in-cluster stack.
    expect(workloads.dependencies).toContain(platformKubernetes);
  });
});

describe("examples/sagemaker-platform uses the SageMaker engines", () => {
  const doc = synthesize(EXAMPLES["sagemaker-platform"])["ml-platform-sagemaker"];

  test("model package group, managed MLflow, feature groups; no MLflow or Feast on the cluster", () => {
    expect(resources(doc, "aws_sagemaker_model_package_group")).toHaveLength(1);
    expect(resources(doc, "aws_sagemaker_mlflow_tracking_server")).toHaveLength(1);
    expect(resources(doc, "aws_sagemaker_feature_group")).toHaveLength(2);
    expect(resources(doc, "helm_release").map((r) => r.values.chart)).not.toEqual(expect.arrayContaining(["mlflow"]));
    expect(resources(doc, "aws_db_instance")).toHaveLength(0);
    expect(resources(doc, "aws_glue_catalog_table")).toHaveLength(0);
  });
});

describe("examples/existing-cluster puts the ML layer on a cluster made elsewhere", () => {
  const docs = synthesize(EXAMPLES["existing-cluster"]);
  const all = Object.values(docs);

  test("no cluster, node group, VPC or add-on is created: the cluster is read with data sources", () => {
    for (const type of ["aws_eks_cluster", "aws_eks_node_group", "aws_vpc", "aws_eks_addon", "aws_launch_template"]) {
      expect(all.flatMap((d) => resources(d, type))).toEqual([]);
    }
    expect(resources(docs["ml-layer"], "aws_eks_cluster", "data")).toHaveLength(1);
  });

  test("MLflow, Feast, KServe and the drift job are there, as on a created cluster", () => {
    expect(
      resources(docs["ml-layer-kubernetes"], "helm_release")
        .map((r) => r.values.chart)
        .sort(),
    ).toEqual(
      [
        "cert-manager",
        "external-secrets",
        "feast-feature-server",
        "kserve-crd",
        "kserve-resources",
        "kserve-runtime-configs",
        "mlflow",
        "reloader",
      ].sort(),
    );
    expect(resources(docs["ml-serving"], "kubernetes_manifest").map((m) => m.values.manifest.kind)).toEqual(["InferenceService"]);
    expect(resources(docs["ml-serving"], "aws_lambda_function")).toHaveLength(1);
  });

  test("the associations, the database's ingress and IRSA use the imported cluster's attributes", () => {
    const cluster = "${data.aws_eks_cluster.ExistingCluster.name}";
    for (const a of resources(docs["ml-layer"], "aws_eks_pod_identity_association")) expect(a.values.cluster_name).toBe(cluster);
    const ingress = resources(docs["ml-layer"], "aws_vpc_security_group_ingress_rule").find((r) => r.values.from_port === 5432)!;
    expect(ingress.values.referenced_security_group_id).toBe("${data.aws_eks_cluster.ExistingCluster.vpc_config[0].cluster_security_group_id}");
  });

  test("grants reach roles the team already has: one read by a data source, one known by ARN", () => {
    const policies = resources(docs["ml-layer"], "aws_iam_role_policy").map((p) => p.values.role);
    expect(policies).toContain("${data.aws_iam_role.CiRole.name}");
    expect(policies).toContain("fraud-scoring");
  });
});
