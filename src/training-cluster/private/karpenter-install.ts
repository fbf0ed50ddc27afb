import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import {
  componentTags,
  createRole,
  customerManagedKey,
  dependsOnAcrossStacks,
  fitName,
  MlopsStack,
  NameRules,
  once,
  physicalName,
  pinnedHelmRelease,
  Pins,
  policyDocument,
} from "../../core";
import type { KarpenterResources } from "../autoscaling";
import { NodeLabels } from "../labels";
import type { AddonHost } from "./addons";
import { podIdentityRole } from "./addons";
import { karpenterControllerStatements } from "./karpenter-policy";

/** Namespace and ServiceAccount of the Karpenter controller (the namespace Karpenter's guide installs it in). */
export const KARPENTER = { namespace: "kube-system", serviceAccount: "karpenter" } as const;

/**
 * The EventBridge rules of Karpenter's published template (website/content/en/docs/getting-started/getting-started-with-karpenter/cloudformation.yaml at v1.14.1) that feed the
 * interruption queue, by construct id: each event lets the controller drain a node before EC2 takes it.
 */
export const INTERRUPTION_EVENTS: Record<string, { source: string; detailType: string }> = {
  SpotInterruption: { source: "aws.ec2", detailType: "EC2 Spot Instance Interruption Warning" },
  Rebalance: { source: "aws.ec2", detailType: "EC2 Instance Rebalance Recommendation" },
  InstanceStateChange: { source: "aws.ec2", detailType: "EC2 Instance State-change Notification" },
  ScheduledChange: { source: "aws.health", detailType: "AWS Health Event" },
  // Capacity Blocks and interruptible reservations end with this warning.
  CapacityReservationInterruption: { source: "aws.ec2", detailType: "EC2 Capacity Reservation Instance Interruption Warning" },
};

/** What the installation needs of the cluster beyond the add-on host. */
export interface KarpenterInstallSpec {
  readonly host: AddonHost;
  /** The cluster name as a reference to the cluster resource. */
  readonly clusterNameReference: string;
  readonly clusterEndpoint: string;
  readonly region: string;
  /** ARN of the key of the nodes' volumes (the cluster key). */
  readonly volumeKeyArn: string;
  readonly nodeRepair: boolean;
}

/**
 * Karpenter on the cluster, once: its own node role with an EC2_LINUX access entry (the managed node
 * groups' role has one that EKS made, and a second entry for one role fails with 409), the interruption
 * queue under a key of its own (EventBridge must be let to use it) with the template's rules, the
 * controller's Pod Identity role, and the two charts (CRDs first, so that an upgrade of the pin upgrades
 * them too: Helm never upgrades a chart's `crds/`).
 */
export function karpenterInstallation(spec: KarpenterInstallSpec): KarpenterResources {
  const { host } = spec;
  const existing = host.awsScope.node.tryFindChild("Karpenter") as KarpenterParts | undefined;
  if (existing) return existing.resources;
  return new KarpenterParts(host.awsScope, "Karpenter", spec).resources;
}

class KarpenterParts extends Construct {
  public readonly resources: KarpenterResources;

  constructor(scope: Construct, id: string, spec: KarpenterInstallSpec) {
    super(scope, id);
    const { host } = spec;
    const stack = MlopsStack.of(scope);
    const tags = componentTags("training-cluster");
    const partition = stack.partition;
    const account = stack.accountId;
    const clusterName = host.cluster.clusterName;

    const nodeRole = createRole(this, "NodeRole", {
      name: physicalName(host.awsScope, host.platformName, NameRules.iamRole, "karpenter-node"),
      trust: { services: ["ec2.amazonaws.com"] },
      managedPolicies: {
        WorkerNodePolicy: `arn:${partition}:iam::aws:policy/AmazonEKSWorkerNodePolicy`,
        EcrPullOnly: `arn:${partition}:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly`,
      },
      tags,
    });
    const nodeAccessEntry = new EksAccessEntry(this, "NodeAccessEntry", {
      clusterName: spec.clusterNameReference,
      principalArn: nodeRole.role.arn,
      type: "EC2_LINUX",
      tags,
    });

    // --- interruption queue ------------------------------------------------------------------
    const queueName = fitName(`${clusterName}-karpenter`, { maxLength: 80, allowed: /[A-Za-z0-9_-]/, lowercase: false });
    const queueArn = `arn:${partition}:sqs:${spec.region}:${account}:${queueName}`;
    const queueKey = customerManagedKey(this, "QueueKey", {
      description: `Karpenter interruption queue of ${clusterName} (cdktf-mlops)`,
      account,
      partition,
      policyId: "QueueKeyPolicy",
      statements: [
        {
          // EventBridge encrypts the events it sends to the queue; SQS names the queue in the context.
          sid: "AllowEventBridgeToSendToTheQueue",
          principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
          actions: ["kms:GenerateDataKey", "kms:Decrypt"],
          resources: ["*"],
          conditions: [{ test: "StringEquals", variable: "kms:EncryptionContext:aws:sqs:arn", values: [queueArn] }],
        },
      ],
      removalPolicy: stack.removalPolicy,
      tags,
    });
    const queue = new SqsQueue(this, "InterruptionQueue", {
      name: queueName,
      // Karpenter's template: an interruption warning older than five minutes is of no use.
      messageRetentionSeconds: 300,
      kmsMasterKeyId: queueKey.arn,
      tags,
    });
    const queuePolicyDocument = policyDocument(this, "InterruptionQueuePolicyDocument", [
      {
        sid: "EventBridgeOfThisAccountSends",
        principals: [{ type: "Service", identifiers: ["events.amazonaws.com", "sqs.amazonaws.com"] }],
        actions: ["sqs:SendMessage"],
        resources: [queue.arn],
        conditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [account] }],
      },
      {
        sid: "DenyHTTP",
        effect: "Deny",
        principals: [{ type: "AWS", identifiers: ["*"] }],
        actions: ["sqs:*"],
        resources: [queue.arn],
        conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
    ]);
    const queuePolicy = new SqsQueuePolicy(this, "InterruptionQueuePolicy", { queueUrl: queue.url, policy: queuePolicyDocument.json });
    const rules: Record<string, CloudwatchEventRule> = {};
    for (const [ruleId, event] of Object.entries(INTERRUPTION_EVENTS)) {
      const rule = new CloudwatchEventRule(this, `${ruleId}Rule`, {
        name: fitName(`${clusterName}-karpenter-${ruleId}`, { maxLength: 64, allowed: /[A-Za-z0-9._-]/, lowercase: false }),
        description: `${event.detailType} to Karpenter's interruption queue of ${clusterName}`,
        eventPattern: JSON.stringify({ source: [event.source], "detail-type": [event.detailType] }),
        tags,
      });
      new CloudwatchEventTarget(this, `${ruleId}Target`, { rule: rule.name, targetId: "KarpenterInterruptionQueueTarget", arn: queue.arn });
      rules[ruleId] = rule;
    }

    // --- controller ----------------------------------------------------------------------------
    const controllerRole = podIdentityRole(host, "KarpenterControllerRole", "karpenter", {
      statements: [
        ...karpenterControllerStatements({
          partition,
          region: spec.region,
          account,
          clusterName,
          nodeRoleArn: nodeRole.role.arn,
          queueArn: queue.arn,
          queueKeyArn: queueKey.arn,
        }),
        {
          // EC2 encrypts the volumes of the instances Karpenter launches with the caller's permissions.
          sid: "EncryptNodeVolumesWithTheClusterKey",
          actions: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
          resources: [spec.volumeKeyArn],
          conditions: [{ test: "StringEquals", variable: "kms:ViaService", values: [`ec2.${spec.region}.amazonaws.com`] }],
        },
      ],
    });
    const association = host.cluster.addPodIdentityAssociation(host.awsScope, "KarpenterPodIdentity", {
      namespace: KARPENTER.namespace,
      serviceAccount: KARPENTER.serviceAccount,
      roleArn: controllerRole.arn,
    });

    const helm = host.cluster.connect(host.kube).helm;
    const crds = once(host.kube, "KarpenterCrd", () =>
      pinnedHelmRelease(host.kube, "KarpenterCrd", {
        chart: Pins.charts.karpenterCrd,
        name: "karpenter-crd",
        namespace: KARPENTER.namespace,
        provider: helm,
        values: {},
        dependsOn: dependsOnAcrossStacks(host.kube, host.cluster.systemNodeDependencies),
      }),
    );
    const release = once(host.kube, "KarpenterController", () => {
      const r = pinnedHelmRelease(host.kube, "KarpenterController", {
        chart: Pins.charts.karpenter,
        name: "karpenter",
        namespace: KARPENTER.namespace,
        provider: helm,
        values: {
          serviceAccount: { create: true, name: KARPENTER.serviceAccount },
          replicas: 2,
          nodeSelector: { [NodeLabels.POOL]: "system" },
          settings: {
            clusterName,
            clusterEndpoint: spec.clusterEndpoint,
            interruptionQueue: queue.name,
            featureGates: { nodeRepair: spec.nodeRepair, reservedCapacity: true },
          },
          controller: {
            // Pod Identity gives the credentials; the region is set so that the controller need not ask
            // the instance metadata service (IMDSv2 with hop limit 1 on the nodes).
            env: [{ name: "AWS_REGION", value: spec.region }],
            resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "1Gi" } },
          },
        },
        dependsOn: dependsOnAcrossStacks(host.kube, [
          ...host.cluster.systemNodeDependencies,
          ...host.cluster.clusterDnsDependencies,
          association,
          nodeAccessEntry,
          queuePolicy,
          crds,
        ]),
      });
      // The CRDs come from the karpenter-crd release above.
      r.skipCrds = true;
      return r;
    });

    this.resources = {
      nodeRole: nodeRole.role,
      nodeAccessEntry,
      controllerRole,
      podIdentityAssociation: association,
      interruptionQueue: queue,
      interruptionQueueKey: queueKey,
      interruptionRules: rules,
      crdRelease: crds,
      release,
    };
  }
}
