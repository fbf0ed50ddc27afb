import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { PrometheusScraper } from "@cdktf/provider-aws/lib/prometheus-scraper";
import type { PrometheusWorkspace } from "@cdktf/provider-aws/lib/prometheus-workspace";
import type { PrometheusWorkspaceConfiguration } from "@cdktf/provider-aws/lib/prometheus-workspace-configuration";
import type { Release } from "@cdktf/provider-helm/lib/release";

/** Options of {@link ClusterObservability.cloudWatch}. */
export interface CloudWatchObservabilityOptions {
  /**
   * Retention of the Container Insights log groups (`application`, `dataplane`, `host`, `performance`), days.
   * @default - the cluster's `logRetentionDays` (90 unless set)
   */
  readonly logRetentionDays?: number;
  /**
   * Version of the `amazon-cloudwatch-observability` add-on (3.1.0 or later: Pod Identity).
   * @default - EKS's default version of the add-on for the cluster's Kubernetes version
   */
  readonly addonVersion?: string;
}

/** What {@link ClusterObservability.cloudWatch} built on a cluster. */
export interface CloudWatchObservabilityResources {
  /** The `amazon-cloudwatch-observability` add-on. */
  readonly addon: EksAddon;
  /** The Pod Identity role of the `cloudwatch-agent` ServiceAccount (CloudWatchAgentServerPolicy). */
  readonly role: IamRole;
  /** The Container Insights log groups by their last path segment (`application`, `dataplane`, `host`, `performance`). */
  readonly logGroups: Record<string, CloudwatchLogGroup>;
}

/** Options of {@link ClusterObservability.prometheus}. */
export interface PrometheusObservabilityOptions {
  /**
   * How often the managed scraper collects every target, seconds (30 or more: the managed collector's minimum).
   * @default 30
   * @see https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-collector-how-to.html#AMP-collector-limits
   */
  readonly scrapeIntervalSeconds?: number;
  /**
   * Retention of the workspace's log group (`/aws/vendedlogs/prometheus/<cluster>`: rule, alert manager and
   * ingestion errors), days.
   * @default - the cluster's `logRetentionDays` (90 unless set)
   */
  readonly logRetentionDays?: number;
  /**
   * How long the workspace keeps metrics, days (1 to 1095). Storage is billed per GB-month: a shorter retention
   * costs less.
   * @default - AMP's default, 150 days (no workspace configuration is made)
   * @see https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-workspace-configuration.html
   */
  readonly metricsRetentionDays?: number;
}

/** What {@link ClusterObservability.prometheus} built on a cluster. */
export interface PrometheusObservabilityResources {
  /** The Amazon Managed Service for Prometheus workspace (alias: the cluster name), encrypted with `key`. */
  readonly workspace: PrometheusWorkspace;
  /** The workspace's configuration, with `metricsRetentionDays`. */
  readonly workspaceConfiguration?: PrometheusWorkspaceConfiguration;
  /** The workspace's own customer managed key. */
  readonly key: KmsKey;
  /** The workspace's log group. */
  readonly logGroup: CloudwatchLogGroup;
  /** The AMP managed collector that scrapes the cluster and writes to the workspace. */
  readonly scraper: PrometheusScraper;
  /** The scrape configuration given to the scraper (YAML). */
  readonly scrapeConfiguration: string;
  /** The role the scraper starts from (trusts `scraper.aps.amazonaws.com` of this account). */
  readonly scraperSourceRole: IamRole;
  /** The role the scraper writes with (`aps:RemoteWrite` on the workspace; trusts `scraperSourceRole`). */
  readonly scraperTargetRole: IamRole;
  /** NVIDIA's DCGM exporter (a DaemonSet on the GPU nodes only). */
  readonly dcgmExporter: Release;
}

/**
 * How the cluster's telemetry is collected: the kind of metrics and logs the platform dashboard, the
 * idle-GPU alarms and the README's cost figures rely on. Build one with {@link ClusterObservability.cloudWatch}
 * (the default), {@link ClusterObservability.prometheus} or {@link ClusterObservability.none}.
 */
export class ClusterObservability {
  /**
   * CloudWatch Container Insights with enhanced observability, installed as the EKS add-on
   * `amazon-cloudwatch-observability` (CloudWatch agent and Fluent Bit DaemonSets; NVIDIA GPU metrics through
   * the DCGM exporter the add-on runs on GPU nodes). The agent's ServiceAccount `amazon-cloudwatch/cloudwatch-agent`
   * gets a Pod Identity role with `CloudWatchAgentServerPolicy`; the four log groups the add-on writes are
   * created first, with the cluster's KMS key and a retention (the add-on would create them unencrypted and
   * kept forever).
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/install-CloudWatch-Observability-EKS-addon.html
   */
  public static cloudWatch(options: CloudWatchObservabilityOptions = {}): ClusterObservability {
    return new ClusterObservability("cloudwatch", options);
  }

  /**
   * Prometheus metrics in an Amazon Managed Service for Prometheus (AMP) workspace of the cluster, collected by an
   * AMP managed collector (agentless: no Prometheus server or agent runs in the cluster):
   * - NVIDIA's DCGM exporter chart as a DaemonSet on the GPU nodes only (node selector `nvidia.com/gpu.present=true`,
   *   tolerating the GPU taint), its ServiceMonitor off;
   * - the workspace, encrypted with a customer managed key of its own, its logs in a KMS-encrypted log group with a retention;
   * - the scraper, in the cluster's private subnets with the cluster security group, writing through a pair of roles
   *   (AWS requires a role configuration for a workspace with a customer managed key). It discovers its targets with
   *   `kubernetes_sd_configs` and relabelling, so no ServiceMonitor or PodMonitor CRD is needed (and no custom
   *   resource meets the plan-time trap): the DCGM exporter's pods; KServe predictor pods with `prometheus.io/port`
   *   and `prometheus.io/path` (the library's KServe endpoints set them on such a cluster, with the runtime's port, and
   *   a NetworkPolicy that lets the scraper in); and any pod annotated `prometheus.io/scrape: "true"` (your jobs; the
   *   library's MLflow and Feast, which turn their metrics on for such a cluster).
   *
   * EKS gives the scraper its access entry itself (the cluster's authentication mode is `API`). AMP is not a
   * CloudWatch metric source: the platform dashboard shows a pointer to the workspace and its usage, and the idle-GPU
   * alarms (CloudWatch) are not made for this cluster.
   * @see https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-collector-how-to.html
   */
  public static prometheus(options: PrometheusObservabilityOptions = {}): ClusterObservability {
    return new ClusterObservability("prometheus", {}, options);
  }

  /** No telemetry installed by the library (bring your own; the platform dashboard then shows no GPU metrics of this cluster). */
  public static none(): ClusterObservability {
    return new ClusterObservability("none", {}, {});
  }

  private constructor(
    /** `cloudwatch`, `prometheus` or `none`. */
    public readonly kind: string,
    /** The options of the CloudWatch choice. */
    public readonly cloudWatchOptions: CloudWatchObservabilityOptions,
    /** The options of the Prometheus choice. */
    public readonly prometheusOptions: PrometheusObservabilityOptions = {},
  ) {}
}
