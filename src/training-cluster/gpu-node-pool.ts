import { Construct } from "constructs";
import { AutoscalingGroupTagA as AutoscalingGroupTag } from "@cdktf/provider-aws/lib/autoscaling-group-tag";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { PlacementGroup } from "@cdktf/provider-aws/lib/placement-group";
import { componentTags, fail, fitName, MlopsStack, NameRules, physicalName, stableHash, validateProps } from "../core";
import { registerManifest } from "../core/manifest";
import { CapacityType, CpuArchitecture, GpuAmiType, GpuInstance, GpuInstanceInfo } from "./gpu-instances";
import { gpuNodePoolOptionsSchema } from "./private/schemas";
import { managedNodeGroup } from "./private/node-group";
import type { GpuNodePoolOptions, IGpuNodePoolHost } from "./contract";
import { GpuTaint, NodeLabels } from "./labels";

/** Props of {@link GpuNodePool}: its options and the cluster it joins. */
export interface GpuNodePoolProps extends GpuNodePoolOptions {
  /** The cluster the pool joins (a {@link TrainingCluster}). */
  readonly cluster: IGpuNodePoolHost;
}

/**
 * A managed node group of NVIDIA GPU nodes: tainted `nvidia.com/gpu=true:NoSchedule`, labelled with
 * pool, GPU model and count, scaling from zero through Cluster Autoscaler node-template tags on its
 * Auto Scaling group. Create it with `TrainingCluster.addGpuNodePool`.
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
    if (p.capacityReservationTags) {
      fail(
        this,
        "GpuNodePool",
        "capacityReservationTags",
        "selects reservations by tags, which only Karpenter does: a managed node group takes one capacityReservationId",
      );
    }
    if (p.capacityType === CapacityType.CAPACITY_BLOCK) fail(this, "GpuNodePool", "capacityType", "CAPACITY_BLOCK is not supported yet");
    if (p.placement) fail(this, "GpuNodePool", "placement", "is not supported yet");
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
    registerManifest(this, "GpuNodePool", {
      cluster: cluster.node.path,
      name: p.name,
      instanceTypes: p.instanceTypes,
      gpuModel: this.gpu.gpuModel,
      gpuCount: this.gpu.gpuCount,
      gpuMemoryGiB: this.gpu.gpuMemoryGiB,
      capacityType,
      minSize,
      maxSize,
      efa: !!p.efa,
    });
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
            securityGroups: [cluster.clusterSecurityGroupId],
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
      clusterName: cluster.clusterNameReference,
      namePrefix: `${name}-`,
      launchTemplateNamePrefix: `${fitName(`${cluster.clusterName}-${p.name}`, NameRules.launchTemplatePrefix)}-`,
      nodeRoleArn: cluster.nodeRoleArn,
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
        const plain = key.replace("k8s.io/cluster-autoscaler/node-template/", "").replace(/[^A-Za-z0-9]+/g, "-");
        // Label keys that differ only in punctuation (a_b, a-b) share a plain id: the later gets a hash of its key.
        const idPart = this.node.tryFindChild(`AutoscalerTag-${plain}`) ? `${plain}-${stableHash(key)}` : plain;
        this.autoscalerTags[key] = new AutoscalingGroupTag(this, `AutoscalerTag-${idPart}`, {
          autoscalingGroupName: asgName,
          tag: { key, value: templateTags[key], propagateAtLaunch: false },
        });
      });

    if (!bottlerocket) cluster._ensureNvidiaDevicePlugin();
    if (p.efa) cluster._ensureEfaDevicePlugin();
  }
}
