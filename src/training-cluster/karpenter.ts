import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { componentTags, dependsOnAcrossStacks, fail, MlopsStack, validateProps } from "../core";
import { registerManifest } from "../core/manifest";
import type { KarpenterResources } from "./autoscaling";
import type { GpuNodePoolOptions, IGpuNodePoolHost } from "./contract";
import { CapacityType, CpuArchitecture, GpuAmiType, GpuInstance, GpuInstanceInfo } from "./gpu-instances";
import { GpuTaint, NodeLabels } from "./labels";
import { karpenterPoolOptionsSchema } from "./private/karpenter-schema";
import { inClusterScope } from "./private/in-cluster-scope";

const CAPACITY: Record<string, string> = {
  [CapacityType.ON_DEMAND]: "on-demand",
  [CapacityType.SPOT]: "spot",
  [CapacityType.CAPACITY_BLOCK]: "reserved",
};

/** Props of {@link KarpenterGpuPool}: its options, the cluster and Karpenter's installation. */
export interface KarpenterGpuPoolProps extends GpuNodePoolOptions {
  /** The cluster the pool's nodes join. */
  readonly cluster: IGpuNodePoolHost;
  /** Karpenter on that cluster. */
  readonly karpenter: KarpenterResources;
  /** The stack of the `NodePool` and `EC2NodeClass` (later than the one that installs the CRDs). */
  readonly nodePoolStack: MlopsStack;
  /** `amiSelectorTerms` alias of the nodes. */
  readonly amiAlias: string;
}

/**
 * A GPU pool of Karpenter: an `EC2NodeClass` (AMI, subnets, security group, encrypted volumes, IMDSv2
 * with hop limit 1, reservations) and a `NodePool` (instance types, capacity type, the labels and taint of
 * a managed pool, a `nvidia.com/gpu` limit, consolidation only of empty nodes). Create it with
 * `TrainingCluster.addKarpenterGpuPool` (or `gpuNodePools` on a cluster with `ClusterAutoscaling.karpenter()`).
 */
export class KarpenterGpuPool extends Construct {
  /** The pool name (also the name of its NodePool and EC2NodeClass). */
  public readonly poolName: string;
  /** The GPU instance type information (of the first instance type; all share model and count). */
  public readonly gpu: GpuInstanceInfo;
  /** The pool's instance types. */
  public readonly instanceTypes: string[];
  /** The node labels. */
  public readonly labels: Record<string, string>;
  /** The `karpenter.sh/capacity-type` the pool launches: `on-demand`, `spot` or `reserved`. */
  public readonly capacityType: string;
  /** Most GPUs the pool's nodes hold at once (`limits.nvidia.com/gpu`). */
  public readonly gpuLimit: number;
  /** The `EC2NodeClass` custom resource. */
  public readonly nodeClass: Manifest;
  /** The `NodePool` custom resource. */
  public readonly nodePool: Manifest;

  constructor(scope: Construct, id: string, props: KarpenterGpuPoolProps) {
    super(scope, id);
    const { cluster, karpenter, nodePoolStack, amiAlias, ...options } = props;
    if (!cluster) fail(this, "KarpenterGpuPool", "cluster", "is required");
    const p = validateProps(this, "KarpenterGpuPool", karpenterPoolOptionsSchema, options);
    // The CRDs come with the chart, in the cluster's in-cluster stack: the custom resources must be planned after it.
    const crdStack = cluster._inClusterStackOf(cluster);
    if (!MlopsStack.isMlopsStack(nodePoolStack) || nodePoolStack.node.root !== this.node.root) {
      fail(this, "KarpenterGpuPool", "nodePoolStack", "must be an MlopsStack of the cluster's app");
    }
    if (nodePoolStack === TerraformStack.of(this)) {
      fail(
        this,
        "KarpenterGpuPool",
        "nodePoolStack",
        `(${nodePoolStack.node.id}) is the cluster's own stack, which deploys before the Karpenter CRDs exist: name a stack that deploys after ${crdStack.node.id} (new MlopsStack(app, "ml-workloads", ...))`,
      );
    }
    if (nodePoolStack === crdStack) {
      fail(
        this,
        "KarpenterGpuPool",
        "nodePoolStack",
        `(${nodePoolStack.node.id}) is the stack that installs the Karpenter CRDs: a NodePool cannot be planned before its CRD exists. Name a separate stack (new MlopsStack(app, "ml-workloads", ...)) in ClusterAutoscaling.karpenter({ nodePoolStack })`,
      );
    }
    this.poolName = p.name;
    this.gpu = GpuInstance.of(p.instanceTypes[0]);
    this.instanceTypes = [...p.instanceTypes];
    const capacityType = p.capacityType ?? CapacityType.ON_DEMAND;
    // A pool with a reservation launches into it only (as a managed pool with a reservation target does).
    this.capacityType = p.capacityReservationId || p.capacityReservationTags ? "reserved" : CAPACITY[capacityType];
    const maxSize = p.maxSize ?? 2;
    this.gpuLimit = maxSize * this.gpu.gpuCount;
    registerManifest(this, "GpuNodePool", {
      cluster: cluster.node.path,
      autoscaler: "karpenter",
      name: p.name,
      instanceTypes: p.instanceTypes,
      gpuModel: this.gpu.gpuModel,
      gpuCount: this.gpu.gpuCount,
      gpuMemoryGiB: this.gpu.gpuMemoryGiB,
      capacityType,
      minSize: 0,
      maxSize,
      efa: !!p.efa,
    });

    this.labels = {
      ...p.labels,
      [NodeLabels.POOL]: p.name,
      [NodeLabels.GPU_MODEL]: this.gpu.gpuModel,
      [NodeLabels.GPU_COUNT]: String(this.gpu.gpuCount),
      [NodeLabels.AMI_FAMILY]: "al2023",
      [NodeLabels.GPU_PRESENT]: "true",
      [NodeLabels.ACCELERATOR]: `nvidia-${this.gpu.gpuModel.toLowerCase()}`,
      ...(p.efa ? { [NodeLabels.EFA]: "true" } : {}),
    };

    const kube = inClusterScope(this, TerraformStack.of(this), nodePoolStack);
    const k8s = cluster.connect(kube).kubernetes;
    const after = dependsOnAcrossStacks(kube, [karpenter.crdRelease, karpenter.release]);
    const subnetIds = p.subnetIds ?? cluster.network.privateSubnetIds;
    const reservation = p.capacityReservationId
      ? [{ id: p.capacityReservationId }]
      : p.capacityReservationTags
        ? [{ tags: p.capacityReservationTags }]
        : undefined;
    const placement = p.placement as { kind: string; groupName?: string } | undefined;
    const volumeSize = p.rootVolumeSizeGiB ?? 200;
    this.nodeClass = new Manifest(kube, "NodeClass", {
      provider: k8s,
      manifest: {
        apiVersion: "karpenter.k8s.aws/v1",
        kind: "EC2NodeClass",
        metadata: { name: p.name },
        spec: {
          role: karpenter.nodeRole.name,
          amiSelectorTerms: [{ alias: amiAlias }],
          subnetSelectorTerms: subnetIds.map((subnet) => ({ id: subnet })),
          securityGroupSelectorTerms: [{ id: cluster.clusterSecurityGroupId }],
          // Pods cannot use the node's credentials: IMDSv2 only, one hop.
          metadataOptions: { httpEndpoint: "enabled", httpProtocolIPv6: "disabled", httpPutResponseHopLimit: 1, httpTokens: "required" },
          blockDeviceMappings: [
            {
              deviceName: "/dev/xvda",
              rootVolume: true,
              ebs: {
                volumeSize: `${volumeSize}Gi`,
                volumeType: "gp3",
                iops: 3000,
                throughput: 125,
                encrypted: true,
                kmsKeyID: cluster.kmsKeyArn,
                deleteOnTermination: true,
              },
            },
          ],
          ...(reservation ? { capacityReservationSelectorTerms: reservation } : {}),
          ...(placement?.kind === "existing" ? { placementGroupSelector: { name: placement.groupName } } : {}),
          detailedMonitoring: true,
          tags: { ...componentTags("training-cluster"), Name: `${cluster.clusterName}-${p.name}` },
        },
      },
      dependsOn: after,
    });

    const arch = this.gpu.architecture === CpuArchitecture.ARM64 ? "arm64" : "amd64";
    this.nodePool = new Manifest(kube, "NodePool", {
      provider: k8s,
      manifest: {
        apiVersion: "karpenter.sh/v1",
        kind: "NodePool",
        metadata: { name: p.name },
        spec: {
          template: {
            metadata: { labels: this.labels },
            spec: {
              nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: p.name },
              requirements: [
                { key: "node.kubernetes.io/instance-type", operator: "In", values: p.instanceTypes },
                { key: "karpenter.sh/capacity-type", operator: "In", values: [this.capacityType] },
                { key: "kubernetes.io/arch", operator: "In", values: [arch] },
              ],
              taints: [{ key: GpuTaint.KEY, value: GpuTaint.VALUE, effect: "NoSchedule" }],
              // A training node is never expired under a running job; new AMIs arrive by drift, which
              // waits for pods annotated karpenter.sh/do-not-disrupt.
              expireAfter: "Never",
            },
          },
          // Only empty nodes are consolidated: a running job is never moved to pack nodes tighter.
          disruption: { consolidationPolicy: "WhenEmpty", consolidateAfter: "10m" },
          limits: { "nvidia.com/gpu": String(this.gpuLimit) },
        },
      },
      dependsOn: [...after, this.nodeClass],
    });

    if (p.amiType === undefined || p.amiType === GpuAmiType.AL2023_X86_64_NVIDIA || p.amiType === GpuAmiType.AL2023_ARM_64_NVIDIA) {
      cluster._ensureNvidiaDevicePlugin();
    }
    if (p.efa) cluster._ensureEfaDevicePlugin();
  }
}
