import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";

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

/**
 * How the cluster's telemetry is collected: the kind of metrics and logs the platform dashboard, the
 * idle-GPU alarms and the README's cost figures rely on. Build one with {@link ClusterObservability.cloudWatch}
 * (the default) or {@link ClusterObservability.none}.
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

  /** No telemetry installed by the library (bring your own; the platform dashboard then shows no GPU metrics of this cluster). */
  public static none(): ClusterObservability {
    return new ClusterObservability("none", {});
  }

  private constructor(
    /** `cloudwatch` or `none`. */
    public readonly kind: string,
    /** The options of the CloudWatch choice. */
    public readonly cloudWatchOptions: CloudWatchObservabilityOptions,
  ) {}
}
