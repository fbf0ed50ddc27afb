import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { componentTags, encryptedLogGroup } from "../../core";
import type { ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { CloudWatchObservabilityOptions, CloudWatchObservabilityResources } from "../observability";

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
