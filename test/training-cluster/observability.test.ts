import { Aspects } from "cdktf";
import { ClusterObservability, GuardrailPack, MlopsGuardrails, TrainingCluster, TrainingClusterProps } from "../../src";
import * as chartKeys from "../fixtures/chart-values-keys.json";
import { GpuTaint, NodeLabels } from "../../src/training-cluster/labels";
import { helmValues, newApp, newStack, policyStatements, ref, resource, resources, synth, validationError } from "../helpers";
import { violations } from "../invariants";

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
      /observability.*must be ClusterObservability.cloudWatch\(...\), ClusterObservability.prometheus\(...\) or ClusterObservability.none\(\)/,
    );
  });
});

/** Keys of `values` that the chart's values.yaml lacks (children of a free-form map such as `nodeSelector: {}` pass). */
function unknownKeys(values: Record<string, unknown>, known: string[]): string[] {
  // [key path, parent path]: parents are tracked, since keys such as `nvidia.com/gpu.present` contain dots.
  const paths = (v: Record<string, unknown>, parent = "", depth = 2): [string, string][] =>
    Object.entries(v).flatMap(([k, x]): [string, string][] => {
      const path = parent ? `${parent}.${k}` : k;
      const nested = x && typeof x === "object" && !Array.isArray(x) && depth > 1 ? paths(x as Record<string, unknown>, path, depth - 1) : [];
      return [[path, parent], ...nested];
    });
  return paths(values)
    .filter(([k, parent]) => !known.includes(k) && !(parent && known.includes(parent) && !known.some((x) => x.startsWith(`${parent}.`))))
    .map(([k]) => k);
}

describe("TrainingCluster observability: Prometheus (DCGM exporter, AMP workspace, managed collector)", () => {
  const { cluster, doc } = build({
    observability: ClusterObservability.prometheus(),
    gpuNodePools: [{ name: "a100", instanceTypes: ["p4d.24xlarge"], maxSize: 2 }],
  });
  const prom = cluster.prometheusObservability!;
  const workspace = resource(doc, "aws_prometheus_workspace", "training/PrometheusWorkspace");
  const scraper = resource(doc, "aws_prometheus_scraper", "training/PrometheusScraper");
  const key = resource(doc, "aws_kms_key", "training/PrometheusKey");
  const source = resource(doc, "aws_iam_role", "training/PrometheusScraperSourceRole/Role");
  const target = resource(doc, "aws_iam_role", "training/PrometheusScraperTargetRole/Role");
  const dcgm = resource(doc, "helm_release", "training/DcgmExporter");
  const config = JSON.parse(scraper.values.scrape_configuration);

  test("installs no CloudWatch add-on, and says which choice it is", () => {
    expect(cluster.observability.kind).toBe("prometheus");
    expect(cluster.cloudWatchObservability).toBeUndefined();
    expect(resources(doc, "aws_eks_addon").map((a) => a.values.addon_name)).not.toContain("amazon-cloudwatch-observability");
  });

  test("the workspace is encrypted with a key of its own, which AMP of this account may use through the service only", () => {
    expect(workspace.values.kms_key_arn).toBe(ref(key, "arn"));
    expect(workspace.values.alias).toBe("acme-ml-training");
    expect(key.values.enable_key_rotation).toBe(true);
    const amp = policyStatements(doc, key.values.policy).find((s) => s.sid === "AllowManagedPrometheusOfThisAccount")!;
    expect(amp.actions).toEqual(["kms:DescribeKey", "kms:CreateGrant", "kms:GenerateDataKey", "kms:Decrypt"]);
    expect(amp.condition).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ test: "StringEquals", variable: "kms:ViaService", values: ["aps.eu-west-1.amazonaws.com"] }),
        expect.objectContaining({ test: "StringEquals", variable: "kms:CallerAccount" }),
      ]),
    );
    // The collector tags its destination AMPAgentlessScraper: declared, it is no drift.
    expect(workspace.values.tags).toMatchObject({ AMPAgentlessScraper: "" });
  });

  test("the workspace logs to a KMS-encrypted log group with the cluster's retention", () => {
    const group = resource(doc, "aws_cloudwatch_log_group", "training/PrometheusLogs");
    expect(group.values).toMatchObject({
      name: "/aws/vendedlogs/prometheus/acme-ml-training",
      retention_in_days: 90,
      kms_key_id: "${aws_kms_key.PlatformKey.arn}",
    });
    expect(workspace.values.logging_configuration).toEqual({ log_group_arn: `${ref(group, "arn")}:*` });
  });

  test("the scraper watches the cluster from its private subnets with the cluster security group, into the workspace", () => {
    const eks = scraper.values.source[0].eks[0];
    expect(eks.cluster_arn).toBe(ref(resource(doc, "aws_eks_cluster", "training/Resource"), "arn"));
    expect(eks.security_group_ids).toEqual([
      `\${aws_eks_cluster.${resource(doc, "aws_eks_cluster", "training/Resource").name}.vpc_config[0].cluster_security_group_id}`,
    ]);
    expect(eks.subnet_ids.length).toBeGreaterThanOrEqual(2);
    expect(scraper.values.destination).toEqual([{ amp: [{ workspace_arn: ref(workspace, "arn") }] }]);
    expect(scraper.values.role_configuration).toEqual([{ source_role_arn: ref(source, "arn"), target_role_arn: ref(target, "arn") }]);
  });

  test("the source role trusts this account's scrapers; the target role trusts the source role and may only write to the workspace", () => {
    const trust = policyStatements(doc, source.values.assume_role_policy)[0];
    expect(trust.principals).toEqual([{ type: "Service", identifiers: ["scraper.aps.amazonaws.com"] }]);
    expect(trust.condition).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ test: "ArnLike", variable: "aws:SourceArn", values: [expect.stringMatching(/:aps:eu-west-1:.*:scraper\/\*$/)] }),
      ]),
    );
    const targetTrust = policyStatements(doc, target.values.assume_role_policy)[0];
    expect(targetTrust.principals).toEqual([{ type: "AWS", identifiers: [ref(source, "arn")] }]);
    expect(targetTrust.condition[0]).toMatchObject({ test: "StringLike", variable: "sts:ExternalId" });
    const policy = resource(doc, "aws_iam_role_policy", "training/PrometheusScraperTargetRole/Policy");
    const statements = policyStatements(doc, policy.values.policy);
    expect(statements).toEqual([
      expect.objectContaining({ actions: ["aps:RemoteWrite"], resources: [ref(workspace, "arn")] }),
      expect.objectContaining({ actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [ref(key, "arn")] }),
    ]);
    expect(scraper.values.depends_on).toContain(policy.address);
    expect(prom.scraperTargetRole.node.path).toContain("PrometheusScraperTargetRole");
  });

  test("the scrape configuration is Prometheus YAML with the DCGM, KServe and annotated-pod jobs, no interval under 30 s", () => {
    const yaml = require("js-yaml") as { load(text: string): unknown };
    expect(yaml.load(scraper.values.scrape_configuration)).toEqual(config);
    expect(config.global).toEqual({ scrape_interval: "30s", external_labels: { cluster: "acme-ml-training" } });
    expect(config.scrape_configs.map((j: { job_name: string }) => j.job_name)).toEqual([
      "dcgm-exporter",
      "kserve-inference-services",
      "annotated-pods",
    ]);
    for (const job of config.scrape_configs) expect(job.kubernetes_sd_configs).toEqual([{ role: "pod" }]);
    const [dcgmJob, kserveJob, annotated] = config.scrape_configs;
    expect(dcgmJob.relabel_configs).toEqual(
      expect.arrayContaining([
        { source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], action: "keep", regex: "dcgm-exporter" },
        { source_labels: ["__meta_kubernetes_pod_container_port_name"], action: "keep", regex: "metrics" },
      ]),
    );
    // The exporter's namespace/pod labels (the GPU's workload) are not pushed aside by the target's own.
    expect(dcgmJob.relabel_configs.map((r: { target_label?: string }) => r.target_label).filter(Boolean)).toEqual(["node"]);
    expect(kserveJob.relabel_configs[0]).toEqual({
      source_labels: ["__meta_kubernetes_pod_label_serving_kserve_io_inferenceservice"],
      action: "keep",
      regex: ".+",
    });
    // The annotated job leaves the KServe and DCGM pods to their own jobs: no series twice.
    expect(annotated.relabel_configs.filter((r: { action?: string }) => r.action === "drop")).toHaveLength(2);
    // The port rewrite keeps the pod IP and takes the annotated port.
    const rewrite = kserveJob.relabel_configs.find((r: { target_label?: string }) => r.target_label === "__address__");
    expect(new RegExp(`^${rewrite.regex}$`).exec("10.0.1.7:8080;8082")!.slice(1)).toEqual(["10.0.1.7", "8082"]);
    expect(prom.scrapeConfiguration).toBe(scraper.values.scrape_configuration);
  });

  test("makes no access entry or RBAC for the scraper: EKS creates its access entry and policy itself (authentication mode API)", () => {
    expect(resource(doc, "aws_eks_cluster", "training/Resource").values.access_config.authentication_mode).toBe("API");
    expect(resources(doc, "aws_eks_access_entry")).toEqual([]);
    expect(resources(doc, "kubernetes_cluster_role_binding_v1")).toEqual([]);
  });

  test("the DCGM exporter runs only on GPU nodes, tolerates their taint, and makes no ServiceMonitor", () => {
    const values = helmValues(dcgm);
    expect(dcgm.values).toMatchObject({
      repository: "https://nvidia.github.io/dcgm-exporter/helm-charts",
      chart: "dcgm-exporter",
      version: "4.8.2",
      namespace: "kube-system",
    });
    expect(values.nodeSelector).toEqual({ [NodeLabels.GPU_PRESENT]: "true" });
    expect(values.tolerations).toEqual([{ key: GpuTaint.KEY, operator: "Exists", effect: "NoSchedule" }]);
    expect(values.serviceMonitor).toEqual({ enabled: false });
    // Every GPU node carries the label the selector names.
    expect(cluster.gpuNodePools.a100.labels[NodeLabels.GPU_PRESENT]).toBe("true");
    expect(dcgm.values.depends_on).toEqual([resource(doc, "aws_eks_node_group", "SystemNodes/Resource").address]);
  });

  test("the DCGM exporter's values keys exist in the pinned chart's values.yaml", () => {
    const keys = (chartKeys as unknown as Record<string, { keys: string[] }>).dcgmExporter.keys;
    expect(unknownKeys(helmValues(dcgm), keys)).toEqual([]);
    expect(unknownKeys({ serviceMonitor: { enable: false } }, keys)).toEqual(["serviceMonitor.enable"]);
  });

  test("keeps metrics for AMP's default unless told, and for metricsRetentionDays when told", () => {
    expect(resources(doc, "aws_prometheus_workspace_configuration")).toEqual([]);
    const { doc: d, cluster: c } = build({ observability: ClusterObservability.prometheus({ metricsRetentionDays: 30 }) });
    const conf = resource(d, "aws_prometheus_workspace_configuration", "PrometheusWorkspaceConfiguration");
    expect(conf.values).toMatchObject({
      retention_period_in_days: 30,
      workspace_id: ref(resource(d, "aws_prometheus_workspace", "PrometheusWorkspace"), "id"),
    });
    expect(c.prometheusObservability!.workspaceConfiguration).toBeDefined();
    expect(() => build({ observability: ClusterObservability.prometheus({ metricsRetentionDays: 1096 }) })).toThrow(
      /metricsRetentionDays \(1096\) must be a whole number from 1 to 1095/,
    );
  });

  test("takes its own scrape interval and log retention", () => {
    const { doc: d } = build({ observability: ClusterObservability.prometheus({ scrapeIntervalSeconds: 60, logRetentionDays: 30 }) });
    const c = JSON.parse(resource(d, "aws_prometheus_scraper", "PrometheusScraper").values.scrape_configuration);
    expect(c.global.scrape_interval).toBe("60s");
    expect(resource(d, "aws_cloudwatch_log_group", "PrometheusLogs").values.retention_in_days).toBe(30);
  });

  test("refuses a scrape interval under the collector's minimum, and a retention CloudWatch Logs does not offer", () => {
    expect(validationError(() => build({ observability: ClusterObservability.prometheus({ scrapeIntervalSeconds: 15 }) })).message).toMatch(
      /observability.*scrapeIntervalSeconds \(15\) must be a whole number >= 30/,
    );
    expect(() => build({ observability: ClusterObservability.prometheus({ logRetentionDays: 42 }) })).toThrow(/logRetentionDays must be one of/);
  });

  test("the invariants hold (encryption, retention, no public access)", () => {
    expect(violations(doc)).toEqual([]);
  });
});

test("GIVEN the Prometheus choice with every guardrail pack on THEN no unsuppressed finding", () => {
  const app = newApp();
  const stack = newStack({}, app);
  new TrainingCluster(stack, "training", {
    privateEndpointCidrs: ["10.100.0.0/16"],
    observability: ClusterObservability.prometheus(),
    gpuNodePools: [{ name: "a100", instanceTypes: ["p4d.24xlarge"], maxSize: 2 }],
  });
  const guardrails = new MlopsGuardrails({ packs: [GuardrailPack.SECURITY, GuardrailPack.COST, GuardrailPack.DATA_PROTECTION] });
  Aspects.of(app).add(guardrails);
  app.synth();
  expect(guardrails.findings.filter((f) => !f.suppressedReason).map((f) => `${f.ruleId} ${f.constructPath}: ${f.message}`)).toEqual([]);
});
