import { Construct } from "constructs";
import { AutoscalingGroupTagA as AutoscalingGroupTag } from "@cdktf/provider-aws/lib/autoscaling-group-tag";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { PlacementGroup } from "@cdktf/provider-aws/lib/placement-group";
import { componentTags, fail, fitName, MlopsStack, NameRules, physicalName, validateProps } from "../core";
import { CapacityType, CpuArchitecture, GpuAmiType, GpuInstance, GpuInstanceInfo } from "./gpu-instances";
import { gpuNodePoolOptionsSchema } from "./private/schemas";
import { managedNodeGroup } from "./private/node-group";
import type { TrainingCluster } from "./training-cluster";

/** Options of one GPU node pool. */
export interface GpuNodePoolOptions {
  /** Pool name: a lowercase DNS label of at most 20 characters, the value of the `cdktf-mlops/pool` label. */
  readonly name: string;
  /**
   * NVIDIA GPU instance types (see {@link GpuInstance}); all of one GPU model, GPU count and architecture,
   * so that the labels and the autoscaler's node template are true of every node.
   */
  readonly instanceTypes: string[];
  /**
   * AMI type.
   * @default GpuAmiType.AL2023_X86_64_NVIDIA (AL2023_ARM_64_NVIDIA for arm64 instance types)
   */
  readonly amiType?: GpuAmiType;
  /**
   * On-demand or spot.
   * @default CapacityType.ON_DEMAND
   */
  readonly capacityType?: CapacityType;
  /**
   * Fewest nodes. 0 lets the pool scale to zero when no GPU pod waits.
   * @default 0
   */
  readonly minSize?: number;
  /**
   * Most nodes.
   * @default 2
   */
  readonly maxSize?: number;
  /**
   * Size of the volume that holds container images (root volume on AL2023, data volume on Bottlerocket), GiB.
   * @default 200
   */
  readonly rootVolumeSizeGiB?: number;
  /**
   * Attach an Elastic Fabric Adapter and place the nodes in a cluster placement group in the first
   * private subnet, for multi-node training.
   * @default false
   */
  readonly efa?: boolean;
  /**
   * Id of an On-Demand Capacity Reservation the nodes launch into (on-demand pools only).
   * @default - no reservation
   */
  readonly capacityReservationId?: string;
  /**
   * Extra Kubernetes labels of the nodes.
   * @default - only the library's labels
   */
  readonly labels?: Record<string, string>;
  /**
   * Subnets of the pool.
   * @default - the cluster's private subnets (the first only, with EFA)
   */
  readonly subnetIds?: string[];
}

/** Props of {@link GpuNodePool}: its options and the cluster it joins. */
export interface GpuNodePoolProps extends GpuNodePoolOptions {
  /** The cluster the pool joins. */
  readonly cluster: TrainingCluster;
}

/** The taint every GPU node carries, so that only pods asking for GPUs land on them: `nvidia.com/gpu=true:NoSchedule`. */
export class GpuTaint {
  public static readonly KEY = "nvidia.com/gpu";
  public static readonly VALUE = "true";
  /** As the EKS API spells it. */
  public static readonly EFFECT = "NO_SCHEDULE";
  private constructor() {}
}

/** Label keys the library puts on nodes, for node selectors and affinities. */
export class NodeLabels {
  /** The pool name (`system` for the system node group). */
  public static readonly POOL = "cdktf-mlops/pool";
  /** The GPU model, e.g. `A100`. */
  public static readonly GPU_MODEL = "cdktf-mlops/gpu-model";
  /** GPUs per node. */
  public static readonly GPU_COUNT = "cdktf-mlops/gpu-count";
  /** `al2023` or `bottlerocket`. */
  public static readonly AMI_FAMILY = "cdktf-mlops/ami-family";
  /** The label the NVIDIA device plugin's node affinity looks for. */
  public static readonly GPU_PRESENT = "nvidia.com/gpu.present";
  /** The label Cluster Autoscaler reads to know a node's GPUs are still being set up. */
  public static readonly ACCELERATOR = "k8s.amazonaws.com/accelerator";
  /** `true` on nodes of pools with an Elastic Fabric Adapter. */
  public static readonly EFA = "cdktf-mlops/efa";
  private constructor() {}
}

/**
 * A managed node group of NVIDIA GPU nodes: tainted `nvidia.com/gpu=true:NoSchedule`, labelled with
 * pool, GPU model and count, scaling from zero through Cluster Autoscaler node-template tags on its
 * Auto Scaling group. Create it with {@link TrainingCluster.addGpuNodePool}.
 */
export class GpuNodePool extends Construct {
  /** The pool name. */
  public readonly poolName: string;
  /** The GPU instance type information (of the first instance type; all share model and count). */
  public readonly gpu: GpuInstanceInfo;
  /** The AMI type. */
  public readonly amiType: GpuAmiType;
  /** The managed node group. */
  public readonly nodeGroup: EksNodeGroup;
  /** Its launch template. */
  public readonly launchTemplate: LaunchTemplate;
  /** The cluster placement group, with EFA. */
  public readonly placementGroup?: PlacementGroup;
  /** Cluster Autoscaler node-template tags on the node group's Auto Scaling group, by tag key. */
  public readonly autoscalerTags: Record<string, AutoscalingGroupTag>;
  /** The node labels. */
  public readonly labels: Record<string, string>;

  constructor(scope: Construct, id: string, props: GpuNodePoolProps) {
    super(scope, id);
    const { cluster, ...options } = props;
    if (!cluster) fail(this, "GpuNodePool", "cluster", "is required");
    const p = validateProps(this, "GpuNodePool", gpuNodePoolOptionsSchema, options);
    const stack = MlopsStack.of(this);
    this.poolName = p.name;
    this.gpu = GpuInstance.of(p.instanceTypes[0]);
    const arm = this.gpu.architecture === CpuArchitecture.ARM64;
    this.amiType = (p.amiType as GpuAmiType | undefined) ?? (arm ? GpuAmiType.AL2023_ARM_64_NVIDIA : GpuAmiType.AL2023_X86_64_NVIDIA);
    const bottlerocket = this.amiType.startsWith("BOTTLEROCKET");
    const capacityType = p.capacityType ?? CapacityType.ON_DEMAND;
    const minSize = p.minSize ?? 0;
    const maxSize = p.maxSize ?? 2;
    const tags = componentTags("training-cluster");
    // Named after the cluster and the pool, so that a node group reads as `acme-ml-training-a100-<suffix>`.
    const name = fitName(`${cluster.clusterName}-${p.name}`, NameRules.nodeGroupPrefix);

    this.labels = {
      ...p.labels,
      [NodeLabels.POOL]: p.name,
      [NodeLabels.GPU_MODEL]: this.gpu.gpuModel,
      [NodeLabels.GPU_COUNT]: String(this.gpu.gpuCount),
      [NodeLabels.AMI_FAMILY]: bottlerocket ? "bottlerocket" : "al2023",
      [NodeLabels.GPU_PRESENT]: "true",
      [NodeLabels.ACCELERATOR]: `nvidia-${this.gpu.gpuModel.toLowerCase()}`,
      ...(p.efa ? { [NodeLabels.EFA]: "true" } : {}),
    };

    let subnetIds = p.subnetIds ?? cluster.network.privateSubnetIds;
    let extras = {};
    if (p.efa) {
      // A cluster placement group lives in one availability zone: the pool takes one subnet.
      subnetIds = [subnetIds[0]];
      this.placementGroup = new PlacementGroup(this, "PlacementGroup", {
        name: physicalName(this, stack.platformName, NameRules.placementGroup),
        strategy: "cluster",
        tags,
      });
      extras = {
        placement: { groupName: this.placementGroup.name },
        networkInterfaces: [
          {
            deviceIndex: 0,
            networkCardIndex: 0,
            interfaceType: "efa",
            deleteOnTermination: "true",
            securityGroups: [cluster.cluster.vpcConfig.clusterSecurityGroupId],
          },
        ],
      };
    }
    if (p.capacityReservationId) {
      extras = {
        ...extras,
        capacityReservationSpecification: { capacityReservationTarget: { capacityReservationId: p.capacityReservationId } },
      };
    }

    const volumeSize = p.rootVolumeSizeGiB ?? 200;
    const parts = managedNodeGroup(this, {
      clusterName: cluster.clusterName,
      namePrefix: `${name}-`,
      launchTemplateNamePrefix: `${fitName(`${cluster.clusterName}-${p.name}`, NameRules.launchTemplatePrefix)}-`,
      nodeRoleArn: cluster.nodeRole.arn,
      subnetIds,
      amiType: this.amiType,
      capacityType,
      instanceTypes: p.instanceTypes,
      minSize,
      maxSize,
      labels: this.labels,
      taints: [{ key: GpuTaint.KEY, value: GpuTaint.VALUE, effect: GpuTaint.EFFECT }],
      // Bottlerocket keeps images on its second volume; its first holds only the OS.
      blockDevices: bottlerocket
        ? [
            { deviceName: "/dev/xvda", sizeGiB: 4 },
            { deviceName: "/dev/xvdb", sizeGiB: volumeSize },
          ]
        : [{ deviceName: "/dev/xvda", sizeGiB: volumeSize }],
      kmsKeyArn: cluster.kmsKeyArn,
      tags,
      instanceTags: { ...tags, Name: name },
      dependsOn: cluster._nodeDependencies,
      launchTemplateExtras: extras,
    });
    this.nodeGroup = parts.nodeGroup;
    this.launchTemplate = parts.launchTemplate;

    // Managed node groups do not copy their labels and taints to the Auto Scaling group, which is
    // what Cluster Autoscaler reads to build a node from nothing: tag the group directly.
    const templateTags: Record<string, string> = {
      "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": String(this.gpu.gpuCount),
      [`k8s.io/cluster-autoscaler/node-template/taint/${GpuTaint.KEY}`]: `${GpuTaint.VALUE}:NoSchedule`,
      ...(p.efa ? { "k8s.io/cluster-autoscaler/node-template/resources/vpc.amazonaws.com/efa": "1" } : {}),
    };
    for (const [k, v] of Object.entries(this.labels)) templateTags[`k8s.io/cluster-autoscaler/node-template/label/${k}`] = v;
    const asgName = this.nodeGroup.resources.get(0).autoscalingGroups.get(0).name;
    this.autoscalerTags = {};
    Object.keys(templateTags)
      .sort()
      .forEach((key) => {
        const idPart = key.replace("k8s.io/cluster-autoscaler/node-template/", "").replace(/[^A-Za-z0-9]+/g, "-");
        this.autoscalerTags[key] = new AutoscalingGroupTag(this, `AutoscalerTag-${idPart}`, {
          autoscalingGroupName: asgName,
          tag: { key, value: templateTags[key], propagateAtLaunch: false },
        });
      });

    if (!bottlerocket) cluster._ensureNvidiaDevicePlugin();
    if (p.efa) cluster._ensureEfaDevicePlugin();
  }
}
