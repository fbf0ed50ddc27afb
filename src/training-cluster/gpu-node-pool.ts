import { Construct } from "constructs";
import { AutoscalingGroupTagA as AutoscalingGroupTag } from "@cdktf/provider-aws/lib/autoscaling-group-tag";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { LaunchTemplate, LaunchTemplateConfig, LaunchTemplateNetworkInterfaces } from "@cdktf/provider-aws/lib/launch-template";
import { PlacementGroup } from "@cdktf/provider-aws/lib/placement-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { componentTags, fail, fitName, MlopsStack, NameRule, NameRules, physicalName, stableHash, validateProps } from "../core";
import { registerManifest } from "../core/manifest";
import { CapacityType, CpuArchitecture, GpuAmiType, GpuInstance, GpuInstanceInfo } from "./gpu-instances";
import { gpuNodePoolOptionsSchema } from "./private/schemas";
import { managedNodeGroup } from "./private/node-group";
import type { GpuNodePoolOptions, IGpuNodePoolHost } from "./contract";
import { GpuTaint, NodeLabels } from "./labels";
import { PoolPlacement } from "./placement";

/** Security group names: up to 255 characters (the library keeps to letters, digits, `-` and `_`). */
const SECURITY_GROUP_NAME: NameRule = { maxLength: 255, allowed: /[A-Za-z0-9_-]/, lowercase: false };

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
  /** The pool's instance types. */
  public readonly instanceTypes: string[];
  /** The AMI type. */
  public readonly amiType: GpuAmiType;
  /** The managed node group. */
  public readonly nodeGroup: EksNodeGroup;
  /** Its launch template. */
  public readonly launchTemplate: LaunchTemplate;
  /** The cluster placement group the pool created (`PoolPlacement.cluster()`, the default with EFA and no reservation). */
  public readonly placementGroup?: PlacementGroup;
  /** Where the nodes are placed (the default resolved). */
  public readonly placement: PoolPlacement;
  /** The EFA security group (all traffic to and from itself), with EFA. */
  public readonly efaSecurityGroup?: SecurityGroup;
  /** The EFA interfaces of each node, one per network card (0 without EFA). */
  public readonly efaInterfaces: number;
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
    const stack = MlopsStack.of(this);
    this.poolName = p.name;
    this.gpu = GpuInstance.of(p.instanceTypes[0]);
    this.instanceTypes = [...p.instanceTypes];
    const arm = this.gpu.architecture === CpuArchitecture.ARM64;
    this.amiType = (p.amiType as GpuAmiType | undefined) ?? (arm ? GpuAmiType.AL2023_ARM_64_NVIDIA : GpuAmiType.AL2023_X86_64_NVIDIA);
    const bottlerocket = this.amiType.startsWith("BOTTLEROCKET");
    const capacityType = p.capacityType ?? CapacityType.ON_DEMAND;
    const capacityBlock = capacityType === CapacityType.CAPACITY_BLOCK;
    const minSize = p.minSize ?? 0;
    const maxSize = p.maxSize ?? 2;
    const tags = componentTags("training-cluster");
    // A reservation (On-Demand Capacity Reservation or Capacity Block) is in its own place: no placement
    // group of the pool's own unless asked for (the schema refuses the combinations AWS cannot launch).
    const reserved = !!p.capacityReservationId || capacityBlock;
    this.placement = (p.placement as PoolPlacement | undefined) ?? (p.efa && !reserved ? PoolPlacement.cluster() : PoolPlacement.none());
    // Every EFA interface of every node: one per network card of the instance type (the smallest count
    // when the pool names several types of one GPU shape).
    this.efaInterfaces = p.efa ? Math.min(...p.instanceTypes.map((t) => GpuInstance.of(t).maxEfaInterfaces)) : 0;
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
      efaInterfaces: this.efaInterfaces,
      placement: this.placement.kind,
      ...(this.placement.groupName !== undefined ? { placementGroupName: this.placement.groupName } : {}),
      ...(p.capacityReservationId ? { capacityReservationId: p.capacityReservationId } : {}),
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
    const extras: { -readonly [K in keyof LaunchTemplateConfig]?: LaunchTemplateConfig[K] } = {};
    // A cluster placement group lives in one availability zone, and so do the EFA nodes: the pool takes one subnet.
    if (p.efa || this.placement.kind !== "none") subnetIds = [subnetIds[0]];
    if (this.placement.kind === "cluster") {
      this.placementGroup = new PlacementGroup(this, "PlacementGroup", {
        name: physicalName(this, stack.platformName, NameRules.placementGroup),
        strategy: "cluster",
        tags,
      });
      extras.placement = { groupName: this.placementGroup.name };
    } else if (this.placement.kind === "existing") {
      extras.placement = { groupName: this.placement.groupName };
    }
    if (p.efa) {
      this.efaSecurityGroup = this.efaSecurityGroupOf(cluster, `${cluster.clusterName}-${p.name}-efa`, tags);
      extras.networkInterfaces = efaNetworkInterfaces(this.efaInterfaces, [cluster.clusterSecurityGroupId, this.efaSecurityGroup.id]);
    }
    if (p.capacityReservationId) {
      extras.capacityReservationSpecification = { capacityReservationTarget: { capacityReservationId: p.capacityReservationId } };
    }
    if (capacityBlock) {
      // The block's instance type goes on the launch template, none on the node group (EKS user guide,
      // "Create a managed node group with Capacity Blocks for ML").
      extras.instanceMarketOptions = { marketType: "capacity-block" };
      extras.instanceType = p.instanceTypes[0];
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
      instanceTypes: capacityBlock ? undefined : p.instanceTypes,
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
      ...(p.efa ? { "k8s.io/cluster-autoscaler/node-template/resources/vpc.amazonaws.com/efa": String(this.efaInterfaces) } : {}),
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

  /**
   * The EFA security group of the pool: EFA's OS-bypass traffic flows only between interfaces of a group
   * that allows all inbound and outbound traffic to and from itself (EC2 user guide, "Get started with EFA",
   * step 1: prepare an EFA-enabled security group). Every EFA interface of the pool's nodes is in it, and in
   * the cluster security group.
   */
  private efaSecurityGroupOf(cluster: IGpuNodePoolHost, rawName: string, tags: Record<string, string>): SecurityGroup {
    const name = fitName(rawName, SECURITY_GROUP_NAME);
    const sg = new SecurityGroup(this, "EfaSecurityGroup", {
      name,
      description: "EFA traffic between the nodes of one GPU pool (cdktf-mlops)",
      vpcId: cluster.network.vpcId,
      tags: { ...tags, Name: name },
    });
    new VpcSecurityGroupIngressRule(this, "EfaIngressFromSelf", {
      securityGroupId: sg.id,
      description: "All traffic from the pool's EFA interfaces",
      ipProtocol: "-1",
      referencedSecurityGroupId: sg.id,
      tags,
    });
    new VpcSecurityGroupEgressRule(this, "EfaEgressToSelf", {
      securityGroupId: sg.id,
      description: "All traffic to the pool's EFA interfaces",
      ipProtocol: "-1",
      referencedSecurityGroupId: sg.id,
      tags,
    });
    return sg;
  }
}

/**
 * One EFA interface per network card (EC2 user guide, "Maximize network bandwidth on Amazon EC2 instances
 * with multiple network cards"): card 0, device 0, an EFA with ENA, the node's primary interface and IP
 * address (the interface of single-card types); every other card, device 0, an EFA-only interface, which
 * takes no IP address from the subnet (EFA-only interfaces cannot be primary, and every EFA instance type
 * accepts them as secondary interfaces).
 */
function efaNetworkInterfaces(count: number, securityGroups: string[]): LaunchTemplateNetworkInterfaces[] {
  return Array.from({ length: count }, (_, card) => ({
    deviceIndex: 0,
    networkCardIndex: card,
    interfaceType: card === 0 ? "efa" : "efa-only",
    deleteOnTermination: "true",
    securityGroups,
  }));
}
