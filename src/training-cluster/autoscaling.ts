import type { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import type { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import type { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { MlopsStack } from "../core";

/**
 * The AMI alias of Karpenter GPU nodes when {@link KarpenterOptions.amiAlias} is left out: the EKS-optimized
 * Amazon Linux 2023 release v20260714 (awslabs/amazon-eks-ami CHANGELOG), pinned so that a new AMI release
 * does not drift (and so replace) every GPU node; Karpenter picks that release's NVIDIA variant for GPU
 * instance types. Move it deliberately, like a chart pin.
 */
export const KARPENTER_DEFAULT_AMI_ALIAS = "al2023@v20260714";

/** Options of {@link ClusterAutoscaling.karpenter}. */
export interface KarpenterOptions {
  /**
   * The stack of the pools' `NodePool` and `EC2NodeClass` custom resources. They cannot be planned before
   * the Karpenter CRDs exist, so they live in a stack that deploys after the one that installs the chart
   * (the cluster's `kubernetesStack`), as KServe's InferenceServices do: `cdktf deploy '*'` applies the
   * stacks in order. Required once the cluster has a GPU pool.
   * @default - none: adding a GPU pool is refused until a stack is named
   */
  readonly nodePoolStack?: MlopsStack;
  /**
   * `amiSelectorTerms` alias of the GPU nodes (`al2023@<release>`), for every pool.
   * @default "al2023@v20260714" ({@link KARPENTER_DEFAULT_AMI_ALIAS})
   */
  readonly amiAlias?: string;
  /**
   * Karpenter's node repair (feature gate `nodeRepair`, alpha in 1.14): replaces nodes whose conditions
   * (set by the `eks-node-monitoring-agent` add-on, GPU XID errors included) stay unhealthy.
   * @default true
   */
  readonly nodeRepair?: boolean;
}

/**
 * How a {@link TrainingCluster}'s GPU pools scale: managed node groups with Cluster Autoscaler (the default),
 * or Karpenter. The system node group stays a managed node group either way.
 */
export class ClusterAutoscaling {
  /** Managed node groups scaled by Cluster Autoscaler (from zero, through node-template tags). */
  public static clusterAutoscaler(): ClusterAutoscaling {
    return new ClusterAutoscaling("cluster-autoscaler", {});
  }

  /**
   * Karpenter: each GPU pool becomes an `EC2NodeClass` and a `NodePool` with the labels and taints of a
   * managed pool; the controller runs on the system nodes with a Pod Identity role, an interruption queue
   * under KMS and its EventBridge rules.
   */
  public static karpenter(options: KarpenterOptions = {}): ClusterAutoscaling {
    return new ClusterAutoscaling("karpenter", options);
  }

  private constructor(
    /** `cluster-autoscaler` or `karpenter`. */
    public readonly kind: string,
    /** The Karpenter options (empty for Cluster Autoscaler). */
    public readonly karpenterOptions: KarpenterOptions,
  ) {}
}

/** What the library builds to run Karpenter on a cluster (`TrainingCluster.karpenter`). */
export interface KarpenterResources {
  /** The IAM role of the nodes Karpenter launches (its own, with an EC2_LINUX access entry). */
  readonly nodeRole: IamRole;
  /** The access entry that lets the nodes join the cluster. */
  readonly nodeAccessEntry: EksAccessEntry;
  /** The controller's Pod Identity role. */
  readonly controllerRole: IamRole;
  /** The controller's Pod Identity association (`kube-system/karpenter`). */
  readonly podIdentityAssociation: EksPodIdentityAssociation;
  /** The interruption queue (`settings.interruptionQueue`). */
  readonly interruptionQueue: SqsQueue;
  /** The queue's key, which EventBridge may use. */
  readonly interruptionQueueKey: KmsKey;
  /** The EventBridge rules feeding the queue, by event (`SpotInterruption`, `Rebalance`, `InstanceStateChange`, `ScheduledChange`, `CapacityReservationInterruption`). */
  readonly interruptionRules: Record<string, CloudwatchEventRule>;
  /** The release of the Karpenter CRDs (`karpenter-crd`). */
  readonly crdRelease: Release;
  /** The controller's release (`karpenter`). */
  readonly release: Release;
}
