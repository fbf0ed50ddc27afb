import { ClusterObservability, TrainingCluster, TrainingClusterProps } from "../../src";
import { newStack, policyStatements, ref, resource, resources, synth } from "../helpers";

function build(props: TrainingClusterProps = {}) {
  const stack = newStack();
  const cluster = new TrainingCluster(stack, "training", props);
  return { stack, cluster, doc: synth(stack) };
}

describe("TrainingCluster observability: CloudWatch (the default)", () => {
  const { cluster, doc } = build();
  const addon = resource(doc, "aws_eks_addon", "Addon-amazon-cloudwatch-observability");
  const role = resource(doc, "aws_iam_role", "training/CloudWatchAgentRole/Role");

  test("installs the amazon-cloudwatch-observability add-on on the cluster, at EKS's default version", () => {
    expect(cluster.observability.kind).toBe("cloudwatch");
    expect(addon.values).toMatchObject({
      addon_name: "amazon-cloudwatch-observability",
      cluster_name: ref(resource(doc, "aws_eks_cluster", "training/Resource"), "name"),
    });
    expect(addon.values.addon_version).toBeUndefined();
    expect(cluster.addons["amazon-cloudwatch-observability"]).toBe(cluster.cloudWatchObservability!.addon);
  });

  test("gives the agent's ServiceAccount a Pod Identity role with CloudWatchAgentServerPolicy only", () => {
    expect(addon.values.pod_identity_association).toEqual([{ service_account: "cloudwatch-agent", role_arn: ref(role, "arn") }]);
    expect(role.values.name).toBe("acme-ml-training-cloudwatch-agent");
    const trust = policyStatements(doc, role.values.assume_role_policy);
    expect(trust[0]).toMatchObject({
      actions: ["sts:AssumeRole", "sts:TagSession"],
      principals: [{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }],
    });
    const attachments = resources(doc, "aws_iam_role_policy_attachment").filter((a) => a.values.role === ref(role, "name"));
    expect(attachments.map((a) => a.values.policy_arn)).toEqual([
      "arn:${data.aws_partition.Partition.partition}:iam::aws:policy/CloudWatchAgentServerPolicy",
    ]);
  });

  test("creates the four Container Insights log groups first, with the cluster's KMS key and retention", () => {
    const groups = resources(doc, "aws_cloudwatch_log_group").filter((g) => g.values.name.startsWith("/aws/containerinsights/"));
    expect(groups.map((g) => g.values.name).sort()).toEqual(
      ["application", "dataplane", "host", "performance"].map((k) => `/aws/containerinsights/acme-ml-training/${k}`),
    );
    for (const g of groups) {
      expect(g.values).toMatchObject({ kms_key_id: "${aws_kms_key.PlatformKey.arn}", retention_in_days: 90 });
      expect(addon.values.depends_on).toContain(g.address);
    }
  });

  test("waits for the system nodes, the Pod Identity agent and the role's policy", () => {
    expect(addon.values.depends_on).toEqual(
      expect.arrayContaining([
        resource(doc, "aws_eks_node_group", "SystemNodes/Resource").address,
        resource(doc, "aws_eks_addon", "Addon-eks-pod-identity-agent").address,
        resource(doc, "aws_iam_role_policy_attachment", "CloudWatchAgentRole/AttachCloudWatchAgentServerPolicy").address,
      ]),
    );
  });

  test("takes its own retention and add-on version", () => {
    const { doc: d } = build({
      logRetentionDays: 30,
      observability: ClusterObservability.cloudWatch({ logRetentionDays: 14, addonVersion: "v4.4.0-eksbuild.1" }),
    });
    expect(resource(d, "aws_cloudwatch_log_group", "ContainerInsightsLogs-performance").values.retention_in_days).toBe(14);
    expect(resource(d, "aws_cloudwatch_log_group", "ControlPlaneLogs").values.retention_in_days).toBe(30);
    expect(resource(d, "aws_eks_addon", "Addon-amazon-cloudwatch-observability").values.addon_version).toBe("v4.4.0-eksbuild.1");
  });

  test("follows the cluster's logRetentionDays when it has none of its own", () => {
    const { doc: d } = build({ logRetentionDays: 365 });
    expect(resource(d, "aws_cloudwatch_log_group", "ContainerInsightsLogs-application").values.retention_in_days).toBe(365);
  });
});

describe("TrainingCluster observability: none", () => {
  test("installs no telemetry", () => {
    const { cluster, doc } = build({ observability: ClusterObservability.none() });
    expect(cluster.cloudWatchObservability).toBeUndefined();
    expect(resources(doc, "aws_eks_addon").map((a) => a.values.addon_name)).not.toContain("amazon-cloudwatch-observability");
    expect(resources(doc, "aws_cloudwatch_log_group").filter((g) => g.values.name.startsWith("/aws/containerinsights/"))).toEqual([]);
  });
});

describe("TrainingCluster observability: validation", () => {
  test("refuses a retention CloudWatch Logs does not offer", () => {
    expect(() => build({ observability: ClusterObservability.cloudWatch({ logRetentionDays: 42 }) })).toThrow(
      /TrainingCluster platform\/training: observability.*logRetentionDays must be one of CloudWatch Logs' retention values/,
    );
  });

  test("refuses anything but a ClusterObservability", () => {
    expect(() => build({ observability: { kind: "cloudwatch" } as unknown as ClusterObservability })).toThrow(
      /observability.*must be ClusterObservability.cloudWatch\(...\) or ClusterObservability.none\(\)/,
    );
  });
});
