// The contract of the training-cluster family: what other families consume of a cluster, and the
// options its constructs and private builders share. Types only: it imports no construct of the
// family, so that everything can import it without a cycle.
import type { ITerraformDependable, TerraformStack } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import type { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import type { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { ClusterProviders, IClusterEndpoint, MlopsStack } from "../core";
import type { INetwork } from "../network";
import type { CapacityType, GpuAmiType } from "./gpu-instances";
import type { PoolPlacement } from "./placement";

/** Options of {@link TrainingCluster.addPodIdentityAssociation}. */
export interface PodIdentityAssociationOptions {
  /** Namespace of the ServiceAccount. */
  readonly namespace: string;
  /** Name of the ServiceAccount. */
  readonly serviceAccount: string;
  /** ARN of the role its pods get (trusting `pods.eks.amazonaws.com`). */
  readonly roleArn: string;
  /**
   * Tags of the association.
   * @default - the `mlops:component` tag of the training cluster
   */
  readonly tags?: Record<string, string>;
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
   * On-demand, spot, or a Capacity Block for ML (with its `capacityReservationId` and exactly one instance type).
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
   * Attach one Elastic Fabric Adapter per network card of the instance type (card 0 EFA with ENA, the others
   * EFA-only) in an EFA security group of the pool, in one subnet (the first), for multi-node training.
   * @default false
   */
  readonly efa?: boolean;
  /**
   * Id of the On-Demand Capacity Reservation (on-demand pools) or Capacity Block (`CAPACITY_BLOCK`) the nodes launch into.
   * @default - no reservation
   */
  readonly capacityReservationId?: string;
  /**
   * Tags that select the On-Demand Capacity Reservations or Capacity Blocks for ML the nodes launch into
   * (Karpenter only: a managed node group takes one `capacityReservationId`).
   * @default - no selection by tags
   */
  readonly capacityReservationTags?: Record<string, string>;
  /**
   * Where the nodes are placed.
   * @default - PoolPlacement.cluster() with EFA and no reservation, PoolPlacement.none() otherwise
   */
  readonly placement?: PoolPlacement;
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

/** A team of the platform: a namespace of its own with a GPU quota. */
export interface TeamOptions {
  /** Team name: the namespace name and the `mlops:team` label. A lowercase DNS label of at most 63 characters. */
  readonly name: string;
  /** Most GPUs the team's pods may request at once (`requests.nvidia.com/gpu`). */
  readonly gpuQuota: number;
  /**
   * Most CPU the team's pods may request at once, in cores.
   * @default - no CPU quota
   */
  readonly cpuQuota?: number;
  /**
   * Most memory the team's pods may request at once, GiB.
   * @default - no memory quota
   */
  readonly memoryQuotaGiB?: number;
  /**
   * Pod Security Standard enforced in the namespace.
   * @default "baseline" (with warnings and audit at "restricted")
   */
  readonly podSecurity?: string;
}

/**
 * An EKS cluster as the ML layer consumes it: the model registry, feature store, serving endpoints
 * and drift alarms take one of these, whether the library created the cluster ({@link TrainingCluster})
 * or it exists already ({@link TrainingCluster.fromClusterAttributes}).
 */
export interface ITrainingCluster extends IClusterEndpoint {
  /** The Kubernetes version (`major.minor`). */
  readonly kubernetesVersion: string;
  /** The VPC and private subnets of the cluster. */
  readonly network: INetwork;
  /** The cluster security group (EKS-managed: control plane and managed nodes). */
  readonly clusterSecurityGroupId: string;
  /** ARN of the cluster's IAM OIDC provider, for IRSA. */
  readonly oidcProviderArn: string;
  /** The cluster's OIDC issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/...`). */
  readonly oidcIssuerUrl: string;
  /** The stack of what the library installs on the cluster. */
  readonly kubernetesStack: MlopsStack;
  /** Whether pods that request `nvidia.com/gpu` can be scheduled (GPU nodes with the library's taint and labels). */
  readonly hasGpuNodes: boolean;
  /**
   * Whether the cluster enforces Kubernetes NetworkPolicies (the VPC CNI's network policy agent, or
   * Calico, Cilium, ...): then the components of the ML layer put a default-deny NetworkPolicy and an
   * allow-list in their namespaces.
   */
  readonly networkPolicies: boolean;
  /**
   * Whether the cluster's telemetry scrapes pods annotated `prometheus.io/scrape` (the AMP managed collector of
   * `ClusterObservability.prometheus()`, from the VPC): components then annotate their pods and let it in.
   */
  readonly scrapesPodMetrics: boolean;
  /** What in-cluster workloads on the system nodes wait for (the library's system node group; nothing for an imported cluster). */
  readonly systemNodeDependencies: ITerraformDependable[];
  /** What workloads that need cluster DNS wait for (the CoreDNS add-on; nothing for an imported cluster). */
  readonly clusterDnsDependencies: ITerraformDependable[];
  /** What Pod Identity associations wait for (the agent add-on; nothing for an imported cluster). */
  readonly podIdentityAgentDependencies: ITerraformDependable[];
  /** Kubernetes and Helm providers for the cluster in the stack of `scope`. */
  connect(scope: IConstruct): ClusterProviders;
  /** Gives the pods of one ServiceAccount an IAM role through EKS Pod Identity. */
  addPodIdentityAssociation(scope: Construct, id: string, options: PodIdentityAssociationOptions): EksPodIdentityAssociation;
  /** Installs External Secrets Operator once and returns its release. */
  ensureExternalSecrets(): Release;
  /** Installs Stakater Reloader once and returns its release. */
  ensureReloader(): Release;
  /** Lets External Secrets Operator read one Secrets Manager secret (and decrypt it with its key, when it has a customer managed one). */
  grantExternalSecretRead(scope: Construct, id: string, secretArn: string, kmsKeyArn?: string): IamRolePolicy;
  /** Installs the AWS Load Balancer Controller once (IngressClass `alb`) and returns its release. */
  ensureLoadBalancerController(): Release;
  /** The construct under which what `owner` installs on the cluster is created. @internal */
  _inClusterScope(owner: IConstruct): Construct;
  /** The stack in which what `owner` installs on the cluster ends up. @internal */
  _inClusterStackOf(owner: IConstruct): TerraformStack;
}

/** What a {@link GpuNodePool} needs of the cluster it joins: a cluster the library created. */
export interface IGpuNodePoolHost extends ITrainingCluster {
  /** The cluster name as a reference to the cluster resource, for the arguments that name it. */
  readonly clusterNameReference: string;
  /** ARN of the IAM role of the nodes. */
  readonly nodeRoleArn: string;
  /** ARN of the KMS key of node volumes. */
  readonly kmsKeyArn: string;
  /** What a node group must wait for (the add-ons that nodes need to join). @internal */
  readonly _nodeDependencies: ITerraformDependable[];
  /** Installs the NVIDIA device plugin once. @internal */
  _ensureNvidiaDevicePlugin(): Release;
  /** Installs the AWS EFA device plugin once. @internal */
  _ensureEfaDevicePlugin(): Release;
}

/** A cluster made elsewhere (terraform-aws-modules/eks, eksctl, another stack), for {@link TrainingCluster.fromClusterAttributes}. */
export interface TrainingClusterAttributes {
  /** The EKS cluster name. */
  readonly clusterName: string;
  /** The API server URL. */
  readonly clusterEndpoint: string;
  /** The base64 certificate authority data of the API server. */
  readonly clusterCertificateAuthorityData: string;
  /** ARN of the cluster's IAM OIDC provider (for IRSA). */
  readonly oidcProviderArn: string;
  /** The cluster's OIDC issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/...`). */
  readonly oidcIssuerUrl: string;
  /** The cluster security group (`vpc_config[0].cluster_security_group_id`). */
  readonly clusterSecurityGroupId: string;
  /** The cluster's VPC. */
  readonly vpcId: string;
  /** Private subnets of the cluster (databases and endpoints of the ML layer go there). */
  readonly privateSubnetIds: string[];
  /**
   * Public subnets of the VPC.
   * @default - none
   */
  readonly publicSubnetIds?: string[];
  /**
   * The Kubernetes version (`major.minor`).
   * @default "1.36"
   */
  readonly kubernetesVersion?: string;
  /**
   * Whether the cluster has GPU nodes that run an NVIDIA device plugin, labelled `nvidia.com/gpu.present=true`
   * and tainted `nvidia.com/gpu=true:NoSchedule` as the library's pools are (GPU serving endpoints are placed
   * on them). The library installs no device plugin and no autoscaler on an imported cluster.
   * @default false
   */
  readonly gpuNodes?: boolean;
  /**
   * Whether the cluster enforces NetworkPolicies (the VPC CNI add-on with `enableNetworkPolicy: "true"`,
   * Calico, Cilium, ...). Then the ML layer's namespaces get a default-deny ingress NetworkPolicy and an
   * allow-list (kube-system, team namespaces, load balancers); without an enforcing agent such policies
   * would do nothing, so none are made.
   * @default false
   */
  readonly networkPolicies?: boolean;
  /**
   * The stack of what the library installs on the cluster (see `TrainingClusterProps.kubernetesStack`).
   * @default - the stack of the import
   */
  readonly kubernetesStack?: MlopsStack;
}
