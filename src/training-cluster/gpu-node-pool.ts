import { Construct } from "constructs";
import { z } from "zod";
import { AutoscalingGroupTagA as AutoscalingGroupTag } from "@cdktf/provider-aws/lib/autoscaling-group-tag";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { PlacementGroup } from "@cdktf/provider-aws/lib/placement-group";
import { check, componentTags, fail, fitName, MlopsStack, NameRules, physicalName, validateProps } from "../core";
import { CpuArchitecture, GpuInstance, GpuInstanceInfo } from "./gpu-instances";
import { managedNodeGroup } from "./private/node-group";
import type { TrainingCluster } from "./training-cluster";

/** EKS AMI types for NVIDIA GPU nodes. Amazon Linux 2 GPU AMIs reached end of support on 2025-11-26 and are refused. */
export enum GpuAmiType {
  /** Amazon Linux 2023 with NVIDIA drivers, x86_64. The NVIDIA device plugin is installed by the library. */
  AL2023_X86_64_NVIDIA = "AL2023_x86_64_NVIDIA",
  /** Amazon Linux 2023 with NVIDIA drivers, arm64 (g5g). */
  AL2023_ARM_64_NVIDIA = "AL2023_ARM_64_NVIDIA",
  /** Bottlerocket with NVIDIA drivers and its own device plugin, x86_64. */
  BOTTLEROCKET_X86_64_NVIDIA = "BOTTLEROCKET_x86_64_NVIDIA",
  /** Bottlerocket with NVIDIA drivers and its own device plugin, arm64. */
  BOTTLEROCKET_ARM_64_NVIDIA = "BOTTLEROCKET_ARM_64_NVIDIA",
}

/** How the pool's instances are bought. */
export enum CapacityType {
  ON_DEMAND = "ON_DEMAND",
  SPOT = "SPOT",
}

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

/** The taint every GPU node carries, so that only pods asking for GPUs land on them. */
export const GPU_TAINT = { key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" } as const;

/** Label keys the library puts on nodes. */
export const NodeLabels = {
  pool: "cdktf-mlops/pool",
  gpuModel: "cdktf-mlops/gpu-model",
  gpuCount: "cdktf-mlops/gpu-count",
  amiFamily: "cdktf-mlops/ami-family",
  /** The label the NVIDIA device plugin's node affinity looks for. */
  gpuPresent: "nvidia.com/gpu.present",
  /** The label Cluster Autoscaler reads to know a node's GPUs are still being set up. */
  accelerator: "k8s.amazonaws.com/accelerator",
} as const;

const RESERVED_LABEL_PREFIXES = ["cdktf-mlops/", "nvidia.com/", "k8s.amazonaws.com/", "kubernetes.io/", "k8s.io/", "eks.amazonaws.com/"];

export const gpuNodePoolOptionsSchema = z
  .object({
    name: check.matching(/^[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?$/, "must be a lowercase DNS label of at most 20 characters"),
    instanceTypes: z
      .array(
        z.string().refine((t) => GpuInstance.tryLookup(t) !== undefined, {
          message: "is not a known NVIDIA GPU instance type (see GpuInstance.all())",
        }),
      )
      .min(1, { message: "must name at least one instance type" })
      .max(20, { message: "must name at most 20 instance types" })
      .refine((a) => new Set(a).size === a.length, { message: "must not name an instance type twice" }),
    amiType: z
      .string()
      .refine((v) => v !== "AL2_x86_64_GPU", {
        message: "is an Amazon Linux 2 GPU AMI, which reached end of support on 2025-11-26: use AL2023_x86_64_NVIDIA",
      })
      .pipe(z.enum(GpuAmiType, { message: `must be one of ${Object.values(GpuAmiType).join(", ")}` }))
      .optional(),
    capacityType: z.enum(CapacityType, { message: "must be ON_DEMAND or SPOT" }).optional(),
    minSize: check.int(0, 1000).optional(),
    maxSize: check.int(1, 1000).optional(),
    rootVolumeSizeGiB: check.int(50, 16384).optional(),
    efa: z.boolean().optional(),
    capacityReservationId: check.matching(/^cr-[0-9a-f]{8,17}$/, "must be a capacity reservation id (cr-...)").optional(),
    labels: z
      .record(
        z.string().refine((k) => !RESERVED_LABEL_PREFIXES.some((p) => k.startsWith(p)), {
          message: `label keys must not use the reserved prefixes ${RESERVED_LABEL_PREFIXES.join(", ")}`,
        }),
        z.string().max(63),
      )
      .optional(),
    subnetIds: z.array(z.string()).min(1).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const min = p.minSize ?? 0;
    const max = p.maxSize ?? 2;
    if (max < min) ctx.addIssue({ code: "custom", path: ["maxSize"], message: `must be >= minSize (${min})` });
    const infos = p.instanceTypes.map((t) => GpuInstance.tryLookup(t)).filter((i): i is GpuInstanceInfo => !!i);
    if (infos.length !== p.instanceTypes.length) return;
    const first = infos[0];
    infos.forEach((info, i) => {
      if (info.gpuModel !== first.gpuModel || info.gpuCount !== first.gpuCount || info.architecture !== first.architecture) {
        ctx.addIssue({
          code: "custom",
          path: ["instanceTypes", i],
          message: `must have the GPU model, GPU count and architecture of ${first.instanceType} (${first.gpuCount}x ${first.gpuModel}, ${first.architecture})`,
        });
      }
    });
    if (p.amiType) {
      const amiArch = p.amiType.includes("ARM_64") ? CpuArchitecture.ARM64 : CpuArchitecture.X86_64;
      if (amiArch !== first.architecture) {
        ctx.addIssue({ code: "custom", path: ["amiType"], message: `is for ${amiArch}, but the instance types are ${first.architecture}` });
      }
    }
    if (p.efa) {
      infos.forEach((info, i) => {
        if (!info.efa) ctx.addIssue({ code: "custom", path: ["instanceTypes", i], message: "does not support EFA (efa: true)" });
      });
    }
    if (p.capacityReservationId && p.capacityType === CapacityType.SPOT) {
      ctx.addIssue({ code: "custom", path: ["capacityReservationId"], message: "needs capacityType ON_DEMAND, not SPOT" });
    }
  }) satisfies z.ZodType<GpuNodePoolOptions>;

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
      [NodeLabels.pool]: p.name,
      [NodeLabels.gpuModel]: this.gpu.gpuModel,
      [NodeLabels.gpuCount]: String(this.gpu.gpuCount),
      [NodeLabels.amiFamily]: bottlerocket ? "bottlerocket" : "al2023",
      [NodeLabels.gpuPresent]: "true",
      [NodeLabels.accelerator]: `nvidia-${this.gpu.gpuModel.toLowerCase()}`,
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
      taints: [{ ...GPU_TAINT }],
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
      dependsOn: cluster.nodeDependencies,
      launchTemplateExtras: extras,
    });
    this.nodeGroup = parts.nodeGroup;
    this.launchTemplate = parts.launchTemplate;

    // Managed node groups do not copy their labels and taints to the Auto Scaling group, which is
    // what Cluster Autoscaler reads to build a node from nothing: tag the group directly.
    const templateTags: Record<string, string> = {
      "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": String(this.gpu.gpuCount),
      [`k8s.io/cluster-autoscaler/node-template/taint/${GPU_TAINT.key}`]: `${GPU_TAINT.value}:NoSchedule`,
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

    if (!bottlerocket) cluster.ensureNvidiaDevicePlugin();
  }
}
