import { Construct } from "constructs";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { PrometheusScraper } from "@cdktf/provider-aws/lib/prometheus-scraper";
import { PrometheusWorkspace } from "@cdktf/provider-aws/lib/prometheus-workspace";
import { PrometheusWorkspaceConfiguration } from "@cdktf/provider-aws/lib/prometheus-workspace-configuration";
import {
  claimUniqueName,
  componentTags,
  createRole,
  customerManagedKey,
  encryptedLogGroup,
  fitName,
  LOG_RETENTION_DAYS,
  MlopsStack,
  NameRules,
  physicalName,
  pinnedHelmRelease,
  Pins,
  policyDocument,
} from "../../core";
import { GpuTaint, NodeLabels } from "../labels";
import type { ITerraformDependable } from "cdktf";
import type { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import type {
  ClusterObservability,
  CloudWatchObservabilityOptions,
  CloudWatchObservabilityResources,
  PrometheusObservabilityOptions,
  PrometheusObservabilityResources,
} from "../observability";

/** What a telemetry choice needs of the cluster it is installed on. */
export interface IObservabilityHost {
  readonly clusterName: string;
  /** The cluster name as a reference to the cluster resource. */
  readonly clusterNameReference: string;
  readonly kmsKeyArn: string;
  readonly logRetentionDays: number;
  /** What the add-on waits for: the system nodes (its pods must run for it to become ACTIVE) and the Pod Identity agent. */
  readonly addonDependencies: ITerraformDependable[];
  /** The cluster's construct: AWS resources go under it. */
  readonly scope: Construct;
  /** Creates a Pod Identity role of the cluster. */
  podIdentityRole(id: string, suffix: string, managedPolicies: Record<string, string>): { role: IamRole; attachments: ITerraformDependable[] };
  readonly partition: string;
}

/** The EKS add-on of Container Insights with enhanced observability. */
export const CLOUDWATCH_ADDON = "amazon-cloudwatch-observability";
/** Namespace and ServiceAccount of the add-on's CloudWatch agent. */
export const CLOUDWATCH_AGENT = { namespace: "amazon-cloudwatch", serviceAccount: "cloudwatch-agent" } as const;
/** The log groups Container Insights writes: `/aws/containerinsights/<cluster>/<one of these>`. */
export const CONTAINER_INSIGHTS_LOG_GROUPS = ["application", "dataplane", "host", "performance"] as const;

/** The add-on, its Pod Identity role and its log groups (created before the add-on, with KMS and a retention). */
export function cloudWatchObservability(host: IObservabilityHost, o: CloudWatchObservabilityOptions): CloudWatchObservabilityResources {
  const tags = componentTags("training-cluster");
  const logGroups: Record<string, CloudwatchLogGroup> = {};
  for (const kind of CONTAINER_INSIGHTS_LOG_GROUPS) {
    logGroups[kind] = encryptedLogGroup(host.scope, `ContainerInsightsLogs-${kind}`, {
      name: `/aws/containerinsights/${host.clusterName}/${kind}`,
      retentionDays: o.logRetentionDays ?? host.logRetentionDays,
      kmsKeyArn: host.kmsKeyArn,
      tags,
    });
  }
  const { role, attachments } = host.podIdentityRole("CloudWatchAgentRole", "cloudwatch-agent", {
    CloudWatchAgentServerPolicy: `arn:${host.partition}:iam::aws:policy/CloudWatchAgentServerPolicy`,
  });
  const addon = new EksAddon(host.scope, `Addon-${CLOUDWATCH_ADDON}`, {
    clusterName: host.clusterNameReference,
    addonName: CLOUDWATCH_ADDON,
    addonVersion: o.addonVersion,
    resolveConflictsOnCreate: "OVERWRITE",
    resolveConflictsOnUpdate: "PRESERVE",
    podIdentityAssociation: [{ serviceAccount: CLOUDWATCH_AGENT.serviceAccount, roleArn: role.arn }],
    tags,
    dependsOn: [...host.addonDependencies, ...Object.values(logGroups), ...attachments],
  });
  return { addon, role, logGroups };
}

// --- Prometheus: DCGM exporter, AMP workspace, AMP managed collector ----------------------------------

/** What the Prometheus choice needs of the cluster. */
export interface IPrometheusHost {
  readonly clusterName: string;
  readonly kmsKeyArn: string;
  readonly logRetentionDays: number;
  /** The cluster's construct: AWS resources go under it. */
  readonly scope: Construct;
  readonly partition: string;
  /** The cluster's ARN (a reference). */
  readonly clusterArn: string;
  /** Subnets of the scraper's network interfaces: the cluster's private subnets (two AZs or more). */
  readonly subnetIds: string[];
  /** The cluster security group: the scraper's interfaces join it, whose self rule reaches every node and pod. */
  readonly securityGroupId: string;
  /** The cluster's in-cluster scope (the Helm release). */
  readonly kube: Construct;
  readonly helm: HelmProvider;
  /** What the DCGM exporter's release waits for. */
  readonly helmDependencies: ITerraformDependable[];
}

/** Namespace of the DCGM exporter. */
export const DCGM_EXPORTER = { namespace: "kube-system", release: "dcgm-exporter", port: 9400 } as const;

/** The scrape jobs of the managed collector, by name. */
export const SCRAPE_JOBS = { dcgm: "dcgm-exporter", kserve: "kserve-inference-services", annotated: "annotated-pods" } as const;

/** The smallest scrape interval the managed collector accepts, seconds. */
export const MIN_SCRAPE_INTERVAL_SECONDS = 30;

/** The longest retention an AMP workspace accepts, days (three years). */
export const MAX_METRICS_RETENTION_DAYS = 1095;

/** Problems of an observability choice's options (checked by the cluster's schema). */
export function observabilityProblems(o: ClusterObservability): string[] {
  const problems: string[] = [];
  const retention = (v: number | undefined) => v === undefined || (LOG_RETENTION_DAYS as readonly number[]).includes(v);
  if (!retention(o.cloudWatchOptions.logRetentionDays) || !retention(o.prometheusOptions.logRetentionDays)) {
    problems.push(`logRetentionDays must be one of CloudWatch Logs' retention values (${LOG_RETENTION_DAYS.join(", ")})`);
  }
  const interval = o.prometheusOptions.scrapeIntervalSeconds;
  if (interval !== undefined && !(Number.isInteger(interval) && interval >= MIN_SCRAPE_INTERVAL_SECONDS)) {
    problems.push(
      `scrapeIntervalSeconds (${interval}) must be a whole number >= ${MIN_SCRAPE_INTERVAL_SECONDS} (the AMP managed collector's minimum)`,
    );
  }
  const days = o.prometheusOptions.metricsRetentionDays;
  if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= MAX_METRICS_RETENTION_DAYS)) {
    problems.push(`metricsRetentionDays (${days}) must be a whole number from 1 to ${MAX_METRICS_RETENTION_DAYS} (AMP's longest retention)`);
  }
  return problems;
}

/** Relabelling that keeps the pod's namespace, name and node as labels. */
const POD_LABELS = [
  { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
  { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
  { source_labels: ["__meta_kubernetes_pod_node_name"], target_label: "node" },
];

/** Sends the scrape to the port and path the pod's `prometheus.io/port` and `prometheus.io/path` annotations name. */
const ANNOTATED_PORT_AND_PATH = [
  {
    source_labels: ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
    action: "replace",
    regex: "([^:]+)(?::\\d+)?;(\\d+)",
    replacement: "$1:$2",
    target_label: "__address__",
  },
  { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_path"], action: "replace", regex: "(.+)", target_label: "__metrics_path__" },
];

/**
 * The scrape configuration of the managed collector: Prometheus' `scrape_config` with `kubernetes_sd_configs`
 * (the only discovery the collector supports), as JSON (valid YAML, as the library's Helm values are).
 */
export function scrapeConfiguration(clusterName: string, intervalSeconds: number): string {
  const KSERVE_LABEL = "__meta_kubernetes_pod_label_serving_kserve_io_inferenceservice";
  const config = {
    global: { scrape_interval: `${intervalSeconds}s`, external_labels: { cluster: clusterName } },
    scrape_configs: [
      {
        // NVIDIA's DCGM exporter: its pods (chart label app.kubernetes.io/name), the container port named metrics.
        job_name: SCRAPE_JOBS.dcgm,
        kubernetes_sd_configs: [{ role: "pod" }],
        relabel_configs: [
          { source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], action: "keep", regex: "dcgm-exporter" },
          { source_labels: ["__meta_kubernetes_pod_container_port_name"], action: "keep", regex: "metrics" },
          // Only the node: the exporter's own `namespace`, `pod` and `container` labels name the workload using
          // each GPU, and target labels of the same names would push them aside (to `exported_namespace`, ...).
          { source_labels: ["__meta_kubernetes_pod_node_name"], target_label: "node" },
        ],
      },
      {
        // KServe predictor pods annotated with prometheus.io/port and prometheus.io/path (ServingEndpoint sets them
        // on such a cluster; in Standard mode KServe's own enable-prometheus-scraping would name the queue-proxy's 9091).
        job_name: SCRAPE_JOBS.kserve,
        kubernetes_sd_configs: [{ role: "pod" }],
        relabel_configs: [
          { source_labels: [KSERVE_LABEL], action: "keep", regex: ".+" },
          { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_port"], action: "keep", regex: "\\d+" },
          ...ANNOTATED_PORT_AND_PATH,
          { source_labels: [KSERVE_LABEL], target_label: "inferenceservice" },
          ...POD_LABELS,
        ],
      },
      {
        // Any other pod annotated prometheus.io/scrape: "true" (Feast, MLflow, training jobs).
        job_name: SCRAPE_JOBS.annotated,
        kubernetes_sd_configs: [{ role: "pod" }],
        relabel_configs: [
          { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], action: "keep", regex: "true" },
          { source_labels: [KSERVE_LABEL], action: "drop", regex: ".+" },
          { source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], action: "drop", regex: "dcgm-exporter" },
          ...ANNOTATED_PORT_AND_PATH,
          ...POD_LABELS,
        ],
      },
    ],
  };
  return JSON.stringify(config, null, 2);
}

/**
 * The DCGM exporter, the AMP workspace (own key, logs with retention) and the managed collector writing to it
 * through a source and a target role (AWS requires a role configuration for a workspace with a customer managed key).
 */
export function prometheusObservability(host: IPrometheusHost, o: PrometheusObservabilityOptions): PrometheusObservabilityResources {
  const stack = MlopsStack.of(host.scope);
  const tags = componentTags("training-cluster");
  const account = stack.accountId;
  const region = stack.region;
  const partition = host.partition;

  // --- DCGM exporter: only on GPU nodes, tolerating their taint ------------------------------------------
  const dcgmExporter = pinnedHelmRelease(host.kube, "DcgmExporter", {
    chart: Pins.charts.dcgmExporter,
    name: DCGM_EXPORTER.release,
    namespace: DCGM_EXPORTER.namespace,
    provider: host.helm,
    values: {
      // No ServiceMonitor: its CRD is not installed; the managed collector finds the pods itself.
      serviceMonitor: { enabled: false },
      nodeSelector: { [NodeLabels.GPU_PRESENT]: "true" },
      tolerations: [{ key: GpuTaint.KEY, operator: "Exists", effect: "NoSchedule" }],
    },
    // A DaemonSet on pools of zero nodes is ready at once: wait only for the system nodes.
    dependsOn: host.helmDependencies,
  });

  // --- workspace: its own key, logs encrypted and kept ------------------------------------------------------
  const key = customerManagedKey(host.scope, "PrometheusKey", {
    description: `Amazon Managed Service for Prometheus workspace of ${host.clusterName} (cdktf-mlops)`,
    account,
    partition,
    policyId: "PrometheusKeyPolicy",
    statements: [
      {
        // AMP creates its grants (GenerateDataKey, Decrypt, DescribeKey) with the caller's rights, through the service.
        sid: "AllowManagedPrometheusOfThisAccount",
        principals: [{ type: "AWS", identifiers: ["*"] }],
        actions: ["kms:DescribeKey", "kms:CreateGrant", "kms:GenerateDataKey", "kms:Decrypt"],
        resources: ["*"],
        conditions: [
          { test: "StringEquals", variable: "kms:ViaService", values: [`aps.${region}.amazonaws.com`] },
          { test: "StringEquals", variable: "kms:CallerAccount", values: [account] },
        ],
      },
    ],
    removalPolicy: stack.removalPolicy,
    tags,
  });
  const logGroup = encryptedLogGroup(host.scope, "PrometheusLogs", {
    name: `/aws/vendedlogs/prometheus/${host.clusterName}`,
    retentionDays: o.logRetentionDays ?? host.logRetentionDays,
    kmsKeyArn: host.kmsKeyArn,
    tags,
  });
  const workspace = new PrometheusWorkspace(host.scope, "PrometheusWorkspace", {
    alias: host.clusterName,
    kmsKeyArn: key.arn,
    loggingConfiguration: { logGroupArn: `${logGroup.arn}:*` },
    // The managed collector tags its destination so; declared here, the tag is no drift.
    tags: { ...tags, AMPAgentlessScraper: "" },
  });

  const workspaceConfiguration =
    o.metricsRetentionDays === undefined
      ? undefined
      : new PrometheusWorkspaceConfiguration(host.scope, "PrometheusWorkspaceConfiguration", {
          workspaceId: workspace.id,
          retentionPeriodInDays: o.metricsRetentionDays,
        });

  // --- the collector's roles ----------------------------------------------------------------------------------
  // The scraper's ARN is known only after it exists, and the roles must exist before it: the conditions name
  // this account's scrapers of this region.
  const scrapers = `arn:${partition}:aps:${region}:${account}:scraper/*`;
  const source = createRole(host.scope, "PrometheusScraperSourceRole", {
    name: physicalName(host.scope, stack.platformName, NameRules.iamRole, "amp-scraper-source"),
    trust: {
      services: ["scraper.aps.amazonaws.com"],
      conditions: [
        { test: "ArnLike", variable: "aws:SourceArn", values: [scrapers] },
        { test: "StringEquals", variable: "aws:SourceAccount", values: [account] },
      ],
    },
    tags,
  }).role;
  const targetScope = new Construct(host.scope, "PrometheusScraperTargetRole");
  const targetTrust = policyDocument(targetScope, "AssumeRolePolicy", [
    {
      sid: "TheScraperSourceRoleForThisAccountsScrapers",
      actions: ["sts:AssumeRole"],
      principals: [{ type: "AWS", identifiers: [source.arn] }],
      conditions: [{ test: "StringLike", variable: "sts:ExternalId", values: [scrapers] }],
    },
  ]);
  const targetName = physicalName(host.scope, stack.platformName, NameRules.iamRole, "amp-scraper-target");
  const target = new IamRole(targetScope, "Role", {
    name: claimUniqueName(targetScope, "iam-role", targetName, (stackId) => fitName(`${targetName}-${stackId}`, NameRules.iamRole)),
    assumeRolePolicy: targetTrust.json,
    tags,
  });
  const targetPolicy = new IamRolePolicy(targetScope, "Policy", {
    name: target.name,
    role: target.id,
    policy: policyDocument(targetScope, "PolicyDocument", [
      { sid: "RemoteWriteToTheClustersWorkspace", actions: ["aps:RemoteWrite"], resources: [workspace.arn] },
      { sid: "EncryptWithTheWorkspaceKey", actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [key.arn] },
    ]).json,
  });

  // --- the collector ----------------------------------------------------------------------------------------------
  const config = scrapeConfiguration(host.clusterName, o.scrapeIntervalSeconds ?? MIN_SCRAPE_INTERVAL_SECONDS);
  const scraper = new PrometheusScraper(host.scope, "PrometheusScraper", {
    alias: host.clusterName,
    source: [{ eks: [{ clusterArn: host.clusterArn, subnetIds: host.subnetIds, securityGroupIds: [host.securityGroupId] }] }],
    destination: [{ amp: [{ workspaceArn: workspace.arn }] }],
    roleConfiguration: [{ sourceRoleArn: source.arn, targetRoleArn: target.arn }],
    scrapeConfiguration: config,
    tags,
    dependsOn: [targetPolicy],
  });
  return {
    workspace,
    workspaceConfiguration,
    key,
    logGroup,
    scraper,
    scrapeConfiguration: config,
    scraperSourceRole: source,
    scraperTargetRole: target,
    dcgmExporter,
  };
}
