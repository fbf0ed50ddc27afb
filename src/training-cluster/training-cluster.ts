import { Construct, IConstruct } from "constructs";
import { Annotations, Aspects, dependable, IAspect, ITerraformDependable, TerraformOutput, TerraformResource, TerraformStack } from "cdktf";
import { z } from "zod";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { EksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Release } from "@cdktf/provider-helm/lib/release";
import { PriorityClassV1 } from "@cdktf/provider-kubernetes/lib/priority-class-v1";
import {
  check,
  ClusterProviders,
  componentTags,
  connectCluster,
  createRole,
  dependsOnAcrossStacks,
  encryptedLogGroup,
  existingClusterProviders,
  allIssues,
  fail,
  fitName,
  isDeployTimeValue,
  IKmsKeyRef,
  isKmsKeyRef,
  LOG_RETENTION_DAYS,
  MlopsStack,
  NameRules,
  physicalName,
  pinnedHelmRelease,
  Pins,
  POD_IDENTITY_TRUST,
  PolicyStatement,
  RemovalPolicy,
  validateProps,
} from "../core";
import { registerManifest } from "../core/manifest";
import { INetwork, MlopsNetwork } from "../network";
import type {
  GpuNodePoolOptions,
  IGpuNodePoolHost,
  ITrainingCluster,
  PodIdentityAssociationOptions,
  TeamOptions,
  TrainingClusterAttributes,
} from "./contract";
import { GpuNodePool } from "./gpu-node-pool";
import { ClusterAutoscaling, KARPENTER_DEFAULT_AMI_ALIAS, KarpenterResources } from "./autoscaling";
import { KarpenterGpuPool } from "./karpenter";
import { karpenterInstallation } from "./private/karpenter-install";
import { karpenterPoolOptionsSchema } from "./private/karpenter-schema";
import { NodeLabels } from "./labels";
import { gpuNodePoolOptionsSchema, teamOptionsSchema } from "./private/schemas";
import { DEFAULT_KUBERNETES_VERSION, EXTENDED_ONLY_VERSIONS, KUBERNETES_VERSIONS } from "./private/charts";
import { ImportedTrainingCluster } from "./imported-cluster";
import { inClusterScope } from "./private/in-cluster-scope";
import * as addons from "./private/addons";
import { managedNodeGroup } from "./private/node-group";
import { ClusterObservability, CloudWatchObservabilityResources, PrometheusObservabilityResources } from "./observability";
import { CLOUDWATCH_ADDON, cloudWatchObservability, observabilityProblems, prometheusObservability } from "./private/observability";
import { TeamNamespace } from "./team-namespace";
import type { ShapeOf } from "../core";

/** What EKS does when a cluster's Kubernetes version leaves standard support. */
export enum UpgradeSupportType {
  /** Upgrade automatically at the end of standard support: no extended-support billing. */
  STANDARD = "STANDARD",
  /** Stay on the version in extended support, billed as such. */
  EXTENDED = "EXTENDED",
}

/** Props of {@link TrainingCluster}. */
export interface TrainingClusterProps {
  /**
   * EKS cluster name.
   * @default - `<platform name>-<construct path>`, e.g. `acme-ml-training`
   */
  readonly clusterName?: string;
  /**
   * Kubernetes version, `1.33` to `1.36`.
   * @default "1.36" (the newest version in EKS standard support when this release was made)
   */
  readonly kubernetesVersion?: string;
  /**
   * What EKS does at the end of the version's standard support.
   * @default UpgradeSupportType.STANDARD
   */
  readonly upgradeSupportType?: UpgradeSupportType;
  /**
   * The VPC and subnets. Use `MlopsNetwork.fromExisting(...)` for a VPC you already have.
   * @default - a new {@link MlopsNetwork} with its defaults (3 AZs, NAT per AZ, VPC endpoints)
   */
  readonly network?: INetwork;
  /**
   * CIDR blocks allowed to reach a public API endpoint. Left out, the API endpoint is private only.
   * `0.0.0.0/0` is refused: name the networks.
   * @default - no public endpoint
   */
  readonly publicEndpointCidrs?: string[];
  /**
   * CIDR blocks of the machine that runs `cdktf deploy` from outside the VPC (a CI runner's or a
   * laptop's public address, `/32`), for the first deploy of a new cluster. While set, the API endpoint
   * is public and open to these blocks only (besides `publicEndpointCidrs`); leave it out in the next
   * deploy of the cluster's stack and the endpoint is private again (an in-place update). See the
   * README's "First deploy".
   * @default - no bootstrap access
   */
  readonly deployerCidrs?: string[];
  /**
   * The stack that holds what the library installs on the cluster (Helm releases, namespaces, jobs,
   * and the Kubernetes and Helm providers that reach the API), away from the cluster's AWS resources.
   * Then the cluster's stack deploys without reaching the API (from any runner, and also while the
   * cluster is being replaced), and the in-cluster stack deploys after it, from wherever the API is
   * reachable. The providers of that stack are configured from the cluster stack's outputs, which are
   * known when it is planned.
   * @default - the cluster's own stack
   */
  readonly kubernetesStack?: MlopsStack;
  /**
   * CIDR blocks inside or connected to the VPC (CI runners, VPN) allowed to reach the private API
   * endpoint on port 443. Terraform itself needs this to install the cluster's charts when it runs
   * outside the cluster's nodes.
   * @default - only the cluster's own nodes and control plane
   */
  readonly privateEndpointCidrs?: string[];
  /**
   * IAM role ARNs given cluster-admin through EKS access entries (`AmazonEKSClusterAdminPolicy`).
   * Do not list the role that creates the cluster while `clusterCreatorAdmin` is true: EKS gives it an
   * entry of its own, and a second one for the same role fails (409 `ResourceInUseException`).
   * @default - none besides the cluster creator
   */
  readonly adminRoleArns?: string[];
  /**
   * Give the identity that creates the cluster cluster-admin. Terraform needs it to install the
   * cluster's Helm charts and namespaces. Changing it later replaces the cluster.
   * @default true
   */
  readonly clusterCreatorAdmin?: boolean;
  /**
   * Retention of the control-plane logs, days.
   * @default 90
   */
  readonly logRetentionDays?: number;
  /**
   * KMS key for Kubernetes secrets, logs and node volumes.
   * @default - the stack's platform key
   */
  readonly kmsKey?: IKmsKeyRef;
  /**
   * Instance types of the on-demand system node group that runs the controllers.
   * @default ["m7i.large"]
   */
  readonly systemNodeInstanceTypes?: string[];
  /**
   * Fewest system nodes.
   * @default 2
   */
  readonly systemNodeMinSize?: number;
  /**
   * Most system nodes.
   * @default 4
   */
  readonly systemNodeMaxSize?: number;
  /**
   * GPU node pools; more with {@link TrainingCluster.addGpuNodePool}.
   * @default - none
   */
  readonly gpuNodePools?: GpuNodePoolOptions[];
  /**
   * Team namespaces with GPU quotas; more with {@link TrainingCluster.addTeam}.
   * @default - none
   */
  readonly teams?: TeamOptions[];
  /**
   * Versions of EKS managed add-ons by add-on name (`vpc-cni`, `coredns`, `kube-proxy`,
   * `aws-ebs-csi-driver`, `eks-pod-identity-agent`, `eks-node-monitoring-agent`).
   * @default - EKS's default version of each add-on for the cluster's Kubernetes version
   */
  readonly addonVersions?: Record<string, string>;
  /**
   * Deletion protection of the EKS cluster.
   * @default - true when the stack's removal policy is RETAIN
   */
  readonly deletionProtection?: boolean;
  /**
   * How the cluster's metrics and logs (GPU utilization, memory and power per node included) are collected.
   * @default ClusterObservability.cloudWatch() (Container Insights with enhanced observability)
   */
  readonly observability?: ClusterObservability;
  /**
   * What scales the GPU pools: managed node groups with Cluster Autoscaler, or Karpenter (`NodePool` and
   * `EC2NodeClass` per pool). The system node group stays a managed node group, scaled by Cluster Autoscaler.
   * @default ClusterAutoscaling.clusterAutoscaler()
   */
  readonly autoscaling?: ClusterAutoscaling;
  /**
   * Enforce Kubernetes NetworkPolicies: the VPC CNI add-on runs its network policy agent
   * (`enableNetworkPolicy: "true"`), and the namespaces of the ML layer (serving, MLflow, Feast) get a
   * default-deny ingress policy with an allow-list (kube-system, team namespaces, their load balancer).
   * Set false if another agent enforces NetworkPolicies on your nodes or none should.
   * @default true
   * @see https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html
   */
  readonly networkPolicies?: boolean;
}

/** Makes every resource of `stack` that talks to `cluster`'s API depend on the rules that open the API to Terraform. */
class AfterApiAccess implements IAspect {
  constructor(
    private readonly cluster: TrainingCluster,
    private readonly stack: TerraformStack,
  ) {}

  public visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource) || TerraformStack.of(node) !== this.stack) return;
    const providers = existingClusterProviders(this.stack, this.cluster);
    if (!providers || (node.provider !== providers.kubernetes && node.provider !== providers.helm)) return;
    node.dependsOn = [...(node.dependsOn ?? []), ...this.cluster.apiAccess.map((rule) => dependable(rule))];
  }
}

/** CIDR blocks allowed to the public API endpoint: at least one, never the whole internet. */
function publicAccessCidrs(instead: string, orElse: string) {
  return z
    .array(check.cidr(0, 32).refine((c) => c !== "0.0.0.0/0", { message: `opens the API server to the whole internet: ${instead}` }))
    .min(1, { message: `must name at least one CIDR block, ${orElse}` })
    .optional();
}

const ADDONS = ["vpc-cni", "kube-proxy", "eks-pod-identity-agent", "coredns", "aws-ebs-csi-driver", "eks-node-monitoring-agent"] as const;

const KARPENTER_NEEDS_STACK =
  "has GPU pools but no nodePoolStack (ClusterAutoscaling.karpenter): their NodePool and EC2NodeClass cannot be planned before the Karpenter CRDs exist, so they live in a stack that deploys after the chart's. Name it: ClusterAutoscaling.karpenter({ nodePoolStack: workloads })";

const schema = z
  .object({
    clusterName: check
      .matching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, "must be 1-100 characters: letters, digits, '-' and '_', starting alphanumeric")
      .optional(),
    kubernetesVersion: z
      .string()
      .refine((v) => Object.prototype.hasOwnProperty.call(KUBERNETES_VERSIONS, v), {
        message: `must be one of ${Object.keys(KUBERNETES_VERSIONS).join(", ")}`,
      })
      .optional(),
    upgradeSupportType: z.enum(UpgradeSupportType, { message: "must be STANDARD or EXTENDED" }).optional(),
    network: z
      .custom<INetwork>((n) => !!n && typeof n === "object" && "vpcId" in n && "privateSubnetIds" in n, {
        message: "must be an INetwork (an MlopsNetwork or MlopsNetwork.fromExisting(...))",
      })
      .refine((n) => !Array.isArray(n.privateSubnetIds) || n.privateSubnetIds.some(isDeployTimeValue) || n.privateSubnetIds.length >= 2, {
        message: "must have at least two private subnets (EKS needs subnets in two availability zones)",
      })
      .optional(),
    publicEndpointCidrs: publicAccessCidrs("name the networks that need it", "or be left out for a private endpoint"),
    privateEndpointCidrs: check.synthTime(z.array(check.cidr(0, 32)), "each CIDR block gets its own security group rule").optional(),
    deployerCidrs: publicAccessCidrs("name the deploying machine's address (/32)", "or be left out"),
    kubernetesStack: z.custom<MlopsStack>((st) => MlopsStack.isMlopsStack(st), { message: "must be an MlopsStack" }).optional(),
    adminRoleArns: check
      .synthTime(z.array(check.roleArn()), "each role gets its own access entry")
      .refine((a) => new Set(a).size === a.length, { message: "must not name a role twice (a second access entry for one role fails with 409)" })
      .optional(),
    clusterCreatorAdmin: z.boolean().optional(),
    logRetentionDays: z
      .number()
      .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
        message: `must be one of CloudWatch Logs' retention values (${LOG_RETENTION_DAYS.join(", ")})`,
      })
      .optional(),
    kmsKey: z.custom<IKmsKeyRef>((k) => isKmsKeyRef(k), { message: "must be a KmsKey or KmsKeyRef.fromKeyArn(arn)" }).optional(),
    systemNodeInstanceTypes: z
      .array(check.matching(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as m7i.large"))
      .min(1)
      .optional(),
    systemNodeMinSize: check.int(1, 100).optional(),
    systemNodeMaxSize: check.int(1, 100).optional(),
    gpuNodePools: z.array(z.any()).optional(),
    teams: z.array(teamOptionsSchema).optional(),
    addonVersions: z
      .record(z.string(), z.string())
      .refine((r) => Object.keys(r).every((k) => (ADDONS as readonly string[]).includes(k)), {
        message: `may only name the add-ons ${ADDONS.join(", ")}`,
      })
      .optional(),
    deletionProtection: z.boolean().optional(),
    networkPolicies: z.boolean().optional(),
    observability: z
      .custom<ClusterObservability>((o) => o instanceof ClusterObservability, {
        message: "must be ClusterObservability.cloudWatch(...), ClusterObservability.prometheus(...) or ClusterObservability.none()",
      })
      .superRefine((o, ctx) => observabilityProblems(o).forEach((message) => ctx.addIssue({ code: "custom", message })))
      .optional(),
    autoscaling: z
      .custom<ClusterAutoscaling>((a) => a instanceof ClusterAutoscaling, {
        message: "must be ClusterAutoscaling.clusterAutoscaler() or ClusterAutoscaling.karpenter(...)",
      })
      .refine((a) => a.karpenterOptions.nodePoolStack === undefined || MlopsStack.isMlopsStack(a.karpenterOptions.nodePoolStack), {
        message: "karpenter nodePoolStack must be an MlopsStack",
      })
      .refine((a) => a.karpenterOptions.amiAlias === undefined || /^al2023@(v\d{8}|latest)$/.test(a.karpenterOptions.amiAlias), {
        message: 'karpenter amiAlias must be an AL2023 alias such as "al2023@v20260714"',
      })
      .optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const min = p.systemNodeMinSize ?? 2;
    const max = p.systemNodeMaxSize ?? 4;
    if (!isDeployTimeValue(min) && !isDeployTimeValue(max) && max < min) {
      if (p.systemNodeMaxSize === undefined)
        ctx.addIssue({ code: "custom", path: ["systemNodeMinSize"], message: `must be <= systemNodeMaxSize (${max}, the default)` });
      else ctx.addIssue({ code: "custom", path: ["systemNodeMaxSize"], message: `must be >= systemNodeMinSize (${min})` });
    }
    const version = p.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    if (EXTENDED_ONLY_VERSIONS.includes(version) && p.upgradeSupportType !== UpgradeSupportType.EXTENDED) {
      ctx.addIssue({
        code: "custom",
        path: ["kubernetesVersion"],
        message: `is past EKS standard support (ended ${KUBERNETES_VERSIONS[version].standardSupportEnds}): choose a newer version or set upgradeSupportType to EXTENDED`,
      });
    }
    const poolSchema = p.autoscaling?.kind === "karpenter" ? karpenterPoolOptionsSchema : gpuNodePoolOptionsSchema;
    if (p.autoscaling?.kind === "karpenter" && (p.gpuNodePools ?? []).length > 0 && !p.autoscaling.karpenterOptions.nodePoolStack) {
      ctx.addIssue({ code: "custom", path: ["autoscaling"], message: KARPENTER_NEEDS_STACK });
    }
    (p.gpuNodePools ?? []).forEach((pool, i) => {
      const r = poolSchema.safeParse(pool);
      if (!r.success) {
        for (const issue of allIssues(r.error)) ctx.addIssue({ code: "custom", path: ["gpuNodePools", i, ...issue.path], message: issue.message });
      }
    });
    const poolNames = (p.gpuNodePools ?? []).map((g: { name?: string }) => g?.name);
    poolNames.forEach((n, i) => {
      if (n !== undefined && poolNames.indexOf(n) !== i) {
        ctx.addIssue({ code: "custom", path: ["gpuNodePools", i, "name"], message: "names a pool twice" });
      }
    });
    const teamNames = (p.teams ?? []).map((t) => t.name);
    teamNames.forEach((n, i) => {
      if (teamNames.indexOf(n) !== i) ctx.addIssue({ code: "custom", path: ["teams", i, "name"], message: "names a team twice" });
    });
  }) satisfies ShapeOf<TrainingClusterProps>;

/**
 * An EKS cluster for ML training and serving: private API endpoint, secrets encrypted with KMS, every
 * control-plane log type kept with a retention, access entries, Pod Identity and IRSA, the managed
 * add-ons, a system node group, GPU node pools that scale from zero, the NVIDIA device plugin,
 * Cluster Autoscaler and metrics-server, team namespaces with GPU quotas and priority classes.
 */
export class TrainingCluster extends Construct implements IGpuNodePoolHost {
  /** The EKS cluster. */
  public readonly cluster: EksCluster;
  /** The network the cluster runs in. */
  public readonly network: INetwork;
  public readonly clusterName: string;
  public readonly clusterEndpoint: string;
  public readonly clusterCertificateAuthorityData: string;
  public readonly clusterRegion: string;
  public readonly kubernetesVersion: string;
  /** ARN of the KMS key of secrets, logs and node volumes. */
  public readonly kmsKeyArn: string;
  /** The control-plane log group. */
  public readonly logGroup: CloudwatchLogGroup;
  /** The cluster security group (EKS-managed). */
  public readonly clusterSecurityGroupId: string;
  /** ARN of the OIDC provider, for IRSA. */
  public readonly oidcProviderArn: string;
  /** The OIDC issuer URL. */
  public readonly oidcIssuerUrl: string;
  /** The cluster name as a reference to the cluster resource (orders what names the cluster after it). */
  public readonly clusterNameReference: string;
  /** ARN of the IAM role of every node. */
  public readonly nodeRoleArn: string;
  /** The cluster's IAM role. */
  public readonly clusterRole: IamRole;
  /** The IAM role of every node. */
  public readonly nodeRole: IamRole;
  /** The OIDC provider, for IRSA. */
  public readonly oidcProvider: IamOpenidConnectProvider;
  /** The managed add-ons by name. */
  public readonly addons: Record<string, EksAddon>;
  /** The system node group. */
  public readonly systemNodeGroup: EksNodeGroup;
  /** Cluster Autoscaler's Helm release. */
  public readonly clusterAutoscaler: Release;
  /** metrics-server's Helm release. */
  public readonly metricsServer: Release;
  /** Priority class of training jobs (preemptible by serving). */
  public readonly trainingPriorityClass: PriorityClassV1;
  /** Priority class of model servers. */
  public readonly servingPriorityClass: PriorityClassV1;
  /** Access entries of the admin roles, by role ARN. */
  public readonly adminAccessEntries: Record<string, EksAccessEntry>;
  /** The GPU node pools, by pool name. */
  public readonly gpuNodePools: Record<string, GpuNodePool> = {};
  /** How the GPU pools scale. */
  public readonly autoscaling: ClusterAutoscaling;
  /** Karpenter's controller, roles, interruption queue and charts, with `ClusterAutoscaling.karpenter()`. */
  public readonly karpenter?: KarpenterResources;
  /** The Karpenter GPU pools, by pool name, with `ClusterAutoscaling.karpenter()`. */
  public readonly karpenterGpuPools: Record<string, KarpenterGpuPool> = {};
  /** The team namespaces, by team name. */
  public readonly teams: Record<string, TeamNamespace> = {};
  /** What a node group must wait for (the add-ons that nodes need to join). @internal */
  public readonly _nodeDependencies: ITerraformDependable[];
  /** How the cluster's telemetry is collected. */
  public readonly observability: ClusterObservability;
  /** Whether NetworkPolicies are enforced (the VPC CNI's network policy agent is on). */
  public readonly networkPolicies: boolean;
  /** Whether the telemetry scrapes annotated pods (`ClusterObservability.prometheus()`). */
  public readonly scrapesPodMetrics: boolean;
  /** The CloudWatch add-on, its role and log groups, with `ClusterObservability.cloudWatch()`. */
  public readonly cloudWatchObservability?: CloudWatchObservabilityResources;
  /** The DCGM exporter, AMP workspace and managed collector, with `ClusterObservability.prometheus()`. */
  public readonly prometheusObservability?: PrometheusObservabilityResources;

  /** The stack of what the library installs on the cluster (the cluster's own stack unless `kubernetesStack` says otherwise). */
  public readonly kubernetesStack: MlopsStack;
  /** What makes the API reachable for Terraform: the private-endpoint ingress rules and the admin access policies. */
  public readonly apiAccess: ITerraformDependable[] = [];

  private readonly stack: MlopsStack;
  private _kube?: Construct;

  constructor(scope: Construct, id: string, props: TrainingClusterProps = {}) {
    super(scope, id);
    const p = validateProps(this, "TrainingCluster", schema, props);
    const stack = MlopsStack.of(this);
    this.stack = stack;
    this.kubernetesStack = p.kubernetesStack ?? stack;
    // EKS gives the creator an access entry of its own; a second one for the same role fails with 409.
    if ((p.clusterCreatorAdmin ?? true) && stack.deployRoleArn && (p.adminRoleArns ?? []).includes(stack.deployRoleArn)) {
      fail(
        this,
        "TrainingCluster",
        "adminRoleArns",
        `names ${stack.deployRoleArn}, the role that deploys the stack and so creates the cluster: EKS already gives it cluster-admin (clusterCreatorAdmin), and a second access entry for it fails with 409. Leave it out, or set clusterCreatorAdmin: false`,
      );
    }
    if (this.kubernetesStack !== stack && this.node.root !== this.kubernetesStack.node.root) {
      fail(this, "TrainingCluster", "kubernetesStack", `(${this.kubernetesStack.node.path}) must be a stack of the cluster's app`);
    }
    const nodePoolStack = p.autoscaling?.karpenterOptions.nodePoolStack;
    if (nodePoolStack && (nodePoolStack === stack || nodePoolStack === this.kubernetesStack || nodePoolStack.node.root !== this.node.root)) {
      fail(
        this,
        "TrainingCluster",
        "autoscaling",
        `(karpenter) puts the NodePools in the stack "${nodePoolStack.node.id}", ${nodePoolStack.node.root !== this.node.root ? "which is not of the cluster's app" : "which deploys before the Karpenter CRDs exist (the cluster's stack or its kubernetesStack)"}: a custom resource cannot be planned before its CRD exists. Name a separate stack that deploys after them (new MlopsStack(app, "ml-workloads", ...))`,
      );
    }
    const tags = componentTags("training-cluster");
    const partition = stack.partition;
    this.clusterName = p.clusterName ?? physicalName(this, stack.platformName, NameRules.eksCluster);
    this.kubernetesVersion = p.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    this.clusterRegion = stack.region;
    const kmsKey = p.kmsKey ?? stack.kmsKey;
    // The nodes' volumes are encrypted with the key by EC2 Auto Scaling (a key of your own needs the same statements).
    if (!p.kmsKey) stack._allowAutoScalingToUsePlatformKey();
    this.kmsKeyArn = kmsKey.arn;
    const retain = stack.removalPolicy === RemovalPolicy.RETAIN;

    this.network = p.network ?? new MlopsNetwork(this, "Network", { clusterName: this.clusterName });

    // --- control plane -------------------------------------------------------------------------
    const clusterRole = createRole(this, "ClusterRole", {
      name: physicalName(this, stack.platformName, NameRules.iamRole, "cluster"),
      trust: { services: ["eks.amazonaws.com"], actions: ["sts:AssumeRole", "sts:TagSession"] },
      managedPolicies: { ClusterPolicy: `arn:${partition}:iam::aws:policy/AmazonEKSClusterPolicy` },
      statements: [
        {
          sid: "EncryptSecretsWithTheClusterKey",
          actions: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
          resources: [kmsKey.arn],
        },
      ],
      tags,
    });
    this.clusterRole = clusterRole.role;

    // EKS creates this log group itself, without retention or encryption, unless it exists first.
    this.logGroup = encryptedLogGroup(this, "ControlPlaneLogs", {
      name: `/aws/eks/${this.clusterName}/cluster`,
      retentionDays: p.logRetentionDays ?? 90,
      kmsKeyArn: kmsKey.arn,
      tags,
    });

    const publicCidrs = p.publicEndpointCidrs || p.deployerCidrs ? [...(p.publicEndpointCidrs ?? []), ...(p.deployerCidrs ?? [])] : undefined;
    if (p.deployerCidrs) {
      Annotations.of(this).addWarning(
        `The Kubernetes API is open to the deploying machine (${p.deployerCidrs.join(", ")}): leave deployerCidrs out in the next deploy of ${stack.node.id} to make it private again.`,
      );
    } else if (!p.publicEndpointCidrs && !p.privateEndpointCidrs) {
      Annotations.of(this).addWarning(
        "The Kubernetes API is reachable only from the cluster's own nodes: cdktf deploy cannot install the cluster's charts from elsewhere. Set privateEndpointCidrs (a runner or VPN connected to the VPC) or, for a first deploy from outside, deployerCidrs (see the README's First deploy).",
      );
    }
    this.cluster = new EksCluster(this, "Resource", {
      name: this.clusterName,
      version: this.kubernetesVersion,
      roleArn: this.clusterRole.arn,
      vpcConfig: {
        subnetIds: this.network.privateSubnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: !!publicCidrs,
        publicAccessCidrs: publicCidrs,
      },
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: kmsKey.arn } },
      enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
      accessConfig: {
        authenticationMode: "API",
        bootstrapClusterCreatorAdminPermissions: p.clusterCreatorAdmin ?? true,
      },
      upgradePolicy: { supportType: p.upgradeSupportType ?? UpgradeSupportType.STANDARD },
      // The add-ons are managed below, so that their versions and IAM are ours.
      bootstrapSelfManagedAddons: false,
      deletionProtection: p.deletionProtection ?? retain,
      tags,
      // The role's policies must exist before the cluster, and outlive it on destroy.
      dependsOn: [this.logGroup, ...Object.values(clusterRole.attachments), ...(clusterRole.inlinePolicy ? [clusterRole.inlinePolicy] : [])],
    });
    registerManifest(this, "TrainingCluster", {
      clusterName: this.clusterName,
      kubernetesVersion: this.kubernetesVersion,
      publicEndpointCidrs: publicCidrs ?? [],
      privateEndpointCidrs: p.privateEndpointCidrs ?? [],
      systemNodes: {
        instanceTypes: p.systemNodeInstanceTypes ?? ["m7i.large"],
        minSize: p.systemNodeMinSize ?? 2,
        maxSize: p.systemNodeMaxSize ?? 4,
      },
    });
    this.clusterEndpoint = this.cluster.endpoint;
    this.clusterNameReference = this.cluster.name;
    this.clusterSecurityGroupId = this.cluster.vpcConfig.clusterSecurityGroupId;
    this.oidcIssuerUrl = this.cluster.identity.get(0).oidc.get(0).issuer;
    this.clusterCertificateAuthorityData = this.cluster.certificateAuthority.get(0).data;

    (p.privateEndpointCidrs ?? []).forEach((cidr, i) => {
      const rule = new VpcSecurityGroupIngressRule(this, `ApiAccess${i + 1}`, {
        securityGroupId: this.cluster.vpcConfig.clusterSecurityGroupId,
        description: `Kubernetes API from ${cidr}`,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: cidr,
        tags,
      });
      this.apiAccess.push(rule);
    });

    this.oidcProvider = new IamOpenidConnectProvider(this, "OidcProvider", {
      url: this.oidcIssuerUrl,
      clientIdList: ["sts.amazonaws.com"],
      tags,
    });
    this.oidcProviderArn = this.oidcProvider.arn;

    this.adminAccessEntries = {};
    (p.adminRoleArns ?? []).forEach((arn, i) => {
      const entry = new EksAccessEntry(this, `AdminAccess${i + 1}`, {
        clusterName: this.cluster.name,
        principalArn: arn,
        type: "STANDARD",
        tags,
      });
      const association = new EksAccessPolicyAssociation(this, `AdminAccess${i + 1}Policy`, {
        clusterName: this.cluster.name,
        principalArn: arn,
        policyArn: `arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
        accessScope: { type: "cluster" },
        dependsOn: [entry],
      });
      this.apiAccess.push(association);
      this.adminAccessEntries[arn] = entry;
    });

    // --- nodes ---------------------------------------------------------------------------------
    this.nodeRole = createRole(this, "NodeRole", {
      name: physicalName(this, stack.platformName, NameRules.iamRole, "node"),
      trust: { services: ["ec2.amazonaws.com"] },
      managedPolicies: {
        WorkerNodePolicy: `arn:${partition}:iam::aws:policy/AmazonEKSWorkerNodePolicy`,
        EcrPullOnly: `arn:${partition}:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly`,
      },
      tags,
    }).role;
    this.nodeRoleArn = this.nodeRole.arn;

    // --- add-ons that nodes need to join: before any node group --------------------------------
    this.addons = {};
    this.networkPolicies = p.networkPolicies ?? true;
    const addon = (name: string, deps: ITerraformDependable[], podIdentity?: { serviceAccount: string; roleArn: string }) =>
      (this.addons[name] = new EksAddon(this, `Addon-${name}`, {
        clusterName: this.cluster.name,
        addonName: name,
        addonVersion: p.addonVersions?.[name],
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "PRESERVE",
        podIdentityAssociation: podIdentity ? [podIdentity] : undefined,
        tags,
        dependsOn: deps,
      }));
    const cniRole = this.podIdentityRole("VpcCniRole", "vpc-cni", {
      managedPolicies: { CniPolicy: `arn:${partition}:iam::aws:policy/AmazonEKS_CNI_Policy` },
    });
    addon("eks-pod-identity-agent", []);
    addon("vpc-cni", [this.addons["eks-pod-identity-agent"]], { serviceAccount: "aws-node", roleArn: cniRole.arn });
    const cniConfiguration = addons.vpcCniConfiguration(this.networkPolicies);
    if (cniConfiguration) this.addons["vpc-cni"].configurationValues = cniConfiguration;
    addon("kube-proxy", []);
    this._nodeDependencies = [this.addons["vpc-cni"], this.addons["kube-proxy"], this.addons["eks-pod-identity-agent"]];

    const systemPool = new Construct(this, "SystemNodes");
    this.systemNodeGroup = managedNodeGroup(systemPool, {
      clusterName: this.cluster.name,
      namePrefix: `${fitName(`${this.clusterName}-system`, NameRules.nodeGroupPrefix)}-`,
      launchTemplateNamePrefix: `${fitName(`${this.clusterName}-system`, NameRules.launchTemplatePrefix)}-`,
      nodeRoleArn: this.nodeRole.arn,
      subnetIds: this.network.privateSubnetIds,
      amiType: "AL2023_x86_64_STANDARD",
      capacityType: "ON_DEMAND",
      instanceTypes: p.systemNodeInstanceTypes ?? ["m7i.large"],
      minSize: p.systemNodeMinSize ?? 2,
      maxSize: p.systemNodeMaxSize ?? 4,
      labels: { [NodeLabels.POOL]: "system" },
      taints: [],
      blockDevices: [{ deviceName: "/dev/xvda", sizeGiB: 50 }],
      kmsKeyArn: kmsKey.arn,
      tags,
      instanceTags: { ...tags, Name: `${this.clusterName}-system` },
      dependsOn: this._nodeDependencies,
    }).nodeGroup;

    // --- add-ons that need nodes ------------------------------------------------------------------
    addon("coredns", [this.systemNodeGroup]);
    // Node auto-repair (on in every node group) acts on the conditions this agent sets: without it,
    // GPU faults (NVIDIA XID errors), kernel, network and storage problems go unnoticed. Its DaemonSet
    // tolerates every taint, so it runs on the GPU nodes too.
    addon("eks-node-monitoring-agent", [this.systemNodeGroup]);
    const ebsRole = this.podIdentityRole("EbsCsiRole", "ebs-csi", {
      managedPolicies: { EbsCsiPolicy: `arn:${partition}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy` },
    });
    addon("aws-ebs-csi-driver", [this.systemNodeGroup], { serviceAccount: "ebs-csi-controller-sa", roleArn: ebsRole.arn });

    // --- telemetry -------------------------------------------------------------------------------
    this.observability = p.observability ?? ClusterObservability.cloudWatch();
    this.scrapesPodMetrics = this.observability.kind === "prometheus";
    if (this.observability.kind === "cloudwatch") {
      this.cloudWatchObservability = cloudWatchObservability(
        {
          clusterName: this.clusterName,
          clusterNameReference: this.cluster.name,
          kmsKeyArn: kmsKey.arn,
          logRetentionDays: p.logRetentionDays ?? 90,
          addonDependencies: [this.systemNodeGroup, this.addons["eks-pod-identity-agent"]],
          scope: this,
          partition,
          podIdentityRole: (id, suffix, managedPolicies) => {
            const created = createRole(this, id, {
              name: physicalName(this, stack.platformName, NameRules.iamRole, suffix),
              trust: POD_IDENTITY_TRUST,
              managedPolicies,
              tags,
            });
            return { role: created.role, attachments: Object.values(created.attachments) };
          },
        },
        this.observability.cloudWatchOptions,
      );
      this.addons[CLOUDWATCH_ADDON] = this.cloudWatchObservability.addon;
    } else if (this.observability.kind === "prometheus") {
      this.prometheusObservability = prometheusObservability(
        {
          clusterName: this.clusterName,
          clusterArn: this.cluster.arn,
          kmsKeyArn: kmsKey.arn,
          logRetentionDays: p.logRetentionDays ?? 90,
          scope: this,
          partition,
          subnetIds: this.network.privateSubnetIds,
          securityGroupId: this.clusterSecurityGroupId,
          kube: this.kube,
          helm: this.connect(this.kube).helm,
          helmDependencies: this.after([this.systemNodeGroup]),
        },
        this.observability.prometheusOptions,
      );
    }

    // --- controllers ---------------------------------------------------------------------------
    const helm = this.connect(this.kube).helm;
    const systemOnly = { [NodeLabels.POOL]: "system" };
    const caRole = this.podIdentityRole("ClusterAutoscalerRole", "cluster-autoscaler", {
      statements: [
        {
          // Describe and list calls cannot be limited to resources (the autoscaler discovers the groups).
          sid: "DiscoverAutoScalingGroupsAndInstanceTypes",
          actions: [
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:DescribeAutoScalingInstances",
            "autoscaling:DescribeLaunchConfigurations",
            "autoscaling:DescribeScalingActivities",
            "ec2:DescribeImages",
            "ec2:DescribeInstanceTypes",
            "ec2:DescribeLaunchTemplateVersions",
            "ec2:GetInstanceTypesFromInstanceRequirements",
          ],
          resources: ["*"],
        },
        {
          sid: "ReadThisClustersNodeGroups",
          actions: ["eks:DescribeNodegroup"],
          resources: [`arn:${partition}:eks:${stack.region}:${stack.accountId}:nodegroup/${this.clusterName}/*/*`],
        },
        {
          sid: "ScaleOnlyThisClustersGroups",
          actions: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
          resources: ["*"],
          conditions: [{ test: "StringEquals", variable: `aws:ResourceTag/k8s.io/cluster-autoscaler/${this.clusterName}`, values: ["owned"] }],
        },
      ],
    });
    const caAssociation = this.addPodIdentityAssociation(this, "ClusterAutoscalerPodIdentity", {
      namespace: "kube-system",
      serviceAccount: "cluster-autoscaler",
      roleArn: caRole.arn,
      tags,
    });
    this.clusterAutoscaler = pinnedHelmRelease(this.kube, "ClusterAutoscaler", {
      chart: Pins.charts.clusterAutoscaler,
      name: "cluster-autoscaler",
      namespace: "kube-system",
      provider: helm,
      values: {
        cloudProvider: "aws",
        awsRegion: stack.region,
        autoDiscovery: { clusterName: this.clusterName },
        image: { tag: KUBERNETES_VERSIONS[this.kubernetesVersion].clusterAutoscalerImageTag },
        rbac: { serviceAccount: { create: true, name: "cluster-autoscaler" } },
        replicaCount: 2,
        nodeSelector: systemOnly,
        extraArgs: {
          expander: "least-waste",
          "balance-similar-node-groups": true,
          "skip-nodes-with-system-pods": false,
        },
      },
      dependsOn: this.after([this.systemNodeGroup, caAssociation, this.addons["coredns"]]),
    });
    this.metricsServer = pinnedHelmRelease(this.kube, "MetricsServer", {
      chart: Pins.charts.metricsServer,
      name: "metrics-server",
      namespace: "kube-system",
      provider: helm,
      values: {
        replicas: 2,
        podDisruptionBudget: { enabled: true, minAvailable: 1 },
        nodeSelector: systemOnly,
      },
      dependsOn: this.after([this.systemNodeGroup, this.addons["coredns"]]),
    });

    // --- scheduling ----------------------------------------------------------------------------
    const k8s = this.connect(this.kube).kubernetes;
    this.trainingPriorityClass = new PriorityClassV1(this.kube, "TrainingPriority", {
      provider: k8s,
      metadata: { name: "mlops-training" },
      value: 1000,
      preemptionPolicy: "PreemptLowerPriority",
      description: "Training jobs of the ML platform: preemptible by model serving.",
      dependsOn: this.after([this.systemNodeGroup]),
    });
    this.servingPriorityClass = new PriorityClassV1(this.kube, "ServingPriority", {
      provider: k8s,
      metadata: { name: "mlops-serving" },
      value: 100000,
      preemptionPolicy: "PreemptLowerPriority",
      description: "Model servers of the ML platform: may preempt training jobs.",
      dependsOn: this.after([this.systemNodeGroup]),
    });

    this.autoscaling = p.autoscaling ?? ClusterAutoscaling.clusterAutoscaler();
    if (this.autoscaling.kind === "karpenter") {
      this.karpenter = karpenterInstallation({
        host: this.addonHost,
        clusterNameReference: this.cluster.name,
        clusterEndpoint: this.clusterEndpoint,
        region: stack.region,
        volumeKeyArn: kmsKey.arn,
        nodeRepair: this.autoscaling.karpenterOptions.nodeRepair ?? true,
      });
    }

    for (const pool of p.gpuNodePools ?? []) {
      if (this.karpenter) this.addKarpenterGpuPool(pool.name, pool);
      else this.addGpuNodePool(pool.name, pool);
    }
    for (const team of p.teams ?? []) this.addTeam(team);

    new TerraformOutput(this, "ClusterNameOutput", { value: this.cluster.name, description: "EKS cluster name" });
    // In-cluster resources of the cluster's own stack wait for the rules that let Terraform reach the
    // API (other stacks deploy after this one).
    if (this.apiAccess.length > 0 && this.kubernetesStack === stack) Aspects.of(stack).add(new AfterApiAccess(this, stack));
  }

  /**
   * The construct under which resources that `owner` installs on the cluster are created: `owner`
   * itself, unless it is in the cluster's stack and the cluster has a separate `kubernetesStack`;
   * then a construct of that stack at the same path, so that addresses keep their form.
   * @internal
   */
  public _inClusterScope(owner: IConstruct): Construct {
    return inClusterScope(owner, this.stack, this.kubernetesStack);
  }

  /** The stack in which what `owner` installs on the cluster ends up (see {@link _inClusterScope}). @internal */
  public _inClusterStackOf(owner: IConstruct): TerraformStack {
    const ownerStack = TerraformStack.of(owner);
    return ownerStack === this.stack ? this.kubernetesStack : ownerStack;
  }

  /** The cluster's own in-cluster scope. */
  private get kube(): Construct {
    this._kube ??= this._inClusterScope(this);
    return this._kube;
  }

  /** `deps` as the `depends_on` of an in-cluster resource of the cluster (across stacks: a stack dependency). */
  private after(deps: (ITerraformDependable & IConstruct)[]): ITerraformDependable[] {
    return dependsOnAcrossStacks(this.kube, deps);
  }

  /** Whether `x` is an {@link ITrainingCluster}: a created or an imported cluster (also of another copy of this library). */
  public static isTrainingCluster(x: unknown): x is ITrainingCluster {
    const c = x as Record<string, unknown> | undefined;
    return (
      !!c &&
      typeof c === "object" &&
      typeof c.connect === "function" &&
      typeof c._inClusterScope === "function" &&
      typeof c.addPodIdentityAssociation === "function"
    );
  }

  /**
   * A cluster made elsewhere (terraform-aws-modules/eks, eksctl, another stack), for the ML layer:
   * registries, feature stores, serving endpoints and drift alarms work on it as on a created cluster.
   * Nothing of the cluster itself is managed; GPU pools and teams cannot be added to it.
   */
  public static fromClusterAttributes(scope: Construct, id: string, attrs: TrainingClusterAttributes): ITrainingCluster {
    return new ImportedTrainingCluster(scope, id, attrs);
  }

  /** Adds a GPU node pool and returns it. `id` is its construct id (its address in Terraform). */
  public addGpuNodePool(id: string, options: GpuNodePoolOptions): GpuNodePool {
    if (this.karpenter) {
      fail(
        this,
        "TrainingCluster",
        "addGpuNodePool",
        "makes a managed node group, but the cluster's GPU pools are Karpenter's: use addKarpenterGpuPool",
      );
    }
    this.checkNewPool(id, options);
    const pool = new GpuNodePool(this, `GpuPool-${id}`, { ...options, cluster: this });
    this.gpuNodePools[pool.poolName] = pool;
    return pool;
  }

  /**
   * Adds a Karpenter GPU pool (an `EC2NodeClass` and a `NodePool` in the `nodePoolStack` of
   * `ClusterAutoscaling.karpenter(...)`) and returns it. `id` is its construct id.
   */
  public addKarpenterGpuPool(id: string, options: GpuNodePoolOptions): KarpenterGpuPool {
    if (!this.karpenter) {
      fail(this, "TrainingCluster", "addKarpenterGpuPool", "needs autoscaling: ClusterAutoscaling.karpenter(...) on the cluster");
    }
    const karpenterOptions = this.autoscaling.karpenterOptions;
    if (!karpenterOptions.nodePoolStack) {
      fail(this, "TrainingCluster", "autoscaling", KARPENTER_NEEDS_STACK);
    }
    this.checkNewPool(id, options);
    const pool = new KarpenterGpuPool(this, `GpuPool-${id}`, {
      ...options,
      cluster: this,
      karpenter: this.karpenter,
      nodePoolStack: karpenterOptions.nodePoolStack,
      amiAlias: karpenterOptions.amiAlias ?? KARPENTER_DEFAULT_AMI_ALIAS,
    });
    this.karpenterGpuPools[pool.poolName] = pool;
    return pool;
  }

  private checkNewPool(id: string, options: GpuNodePoolOptions): void {
    // Checked before anything is built: a failed addition leaves no half of a pool behind.
    if (typeof id !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(id)) {
      fail(
        this,
        "TrainingCluster",
        "addGpuNodePool.id",
        `(${JSON.stringify(id)}) must be letters, digits, '-' and '_': it becomes the pool's construct id and Terraform address`,
      );
    }
    const name = (options as { name?: unknown } | undefined)?.name;
    if (typeof name === "string" && (this.gpuNodePools[name] || this.karpenterGpuPools[name])) {
      fail(this, "TrainingCluster", "addGpuNodePool.name", `(${JSON.stringify(name)}) names a GPU node pool that exists already`);
    }
    if (this.node.tryFindChild(`GpuPool-${id}`)) {
      fail(this, "TrainingCluster", "addGpuNodePool.id", `(${JSON.stringify(id)}) is the id of a GPU node pool that exists already`);
    }
  }

  /** Adds a team namespace with a GPU quota and returns it. */
  public addTeam(options: TeamOptions): TeamNamespace {
    const name = (options as { name?: unknown } | undefined)?.name;
    if (typeof name === "string" && this.teams[name]) {
      fail(this, "TrainingCluster", "addTeam.name", `(${JSON.stringify(name)}) names a team that exists already`);
    }
    const team = new TeamNamespace(this.kube, `Team-${options.name}`, { ...options, provider: this.connect(this.kube).kubernetes });
    this.teams[options.name] = team;
    return team;
  }

  /** Whether the cluster has GPU node pools. */
  public get hasGpuNodes(): boolean {
    return Object.keys(this.gpuNodePools).length > 0 || Object.keys(this.karpenterGpuPools).length > 0;
  }

  /** The system node group, which runs the controllers and in-cluster jobs. */
  public get systemNodeDependencies(): ITerraformDependable[] {
    return [this.systemNodeGroup];
  }

  /** The CoreDNS add-on. */
  public get clusterDnsDependencies(): ITerraformDependable[] {
    return [this.addons["coredns"]];
  }

  /** The Pod Identity agent add-on. */
  public get podIdentityAgentDependencies(): ITerraformDependable[] {
    return [this.addons["eks-pod-identity-agent"]];
  }

  /**
   * Gives the pods of one ServiceAccount an IAM role through EKS Pod Identity: an association created
   * under `scope` (id `id`) that names the cluster by reference (so that it is created after the
   * cluster) and waits for the Pod Identity agent, without which the pods get no credentials.
   */
  public addPodIdentityAssociation(scope: Construct, id: string, options: PodIdentityAssociationOptions): EksPodIdentityAssociation {
    return new EksPodIdentityAssociation(scope, id, {
      clusterName: this.cluster.name,
      namespace: options.namespace,
      serviceAccount: options.serviceAccount,
      roleArn: options.roleArn,
      tags: options.tags ?? componentTags("training-cluster"),
      dependsOn: dependsOnAcrossStacks(scope, [this.addons["eks-pod-identity-agent"]]),
    });
  }

  /**
   * Kubernetes and Helm providers for this cluster in the stack of `scope` (created once per stack,
   * configured from the cluster with `aws eks get-token`), also from another stack of the same app.
   */
  public connect(scope: IConstruct): ClusterProviders {
    return connectCluster(scope, this);
  }

  /** Installs the NVIDIA device plugin once, for AL2023 GPU pools (Bottlerocket's NVIDIA AMIs ship their own). @internal */
  public _ensureNvidiaDevicePlugin(): Release {
    return addons.nvidiaDevicePlugin(this.addonHost);
  }

  /**
   * Installs External Secrets Operator once (namespace `external-secrets`), with a Pod Identity role
   * that holds no permission until {@link grantExternalSecretRead} gives it one secret at a time.
   */
  public ensureExternalSecrets(): Release {
    return addons.externalSecrets(this.addonHost);
  }

  /** Lets External Secrets Operator read one Secrets Manager secret (and decrypt it with its key). */
  public grantExternalSecretRead(scope: Construct, id: string, secretArn: string, kmsKeyArn?: string): IamRolePolicy {
    return addons.grantExternalSecretRead(this.addonHost, scope, id, secretArn, kmsKeyArn);
  }

  /**
   * Installs the AWS Load Balancer Controller once (IngressClass `alb`, on the system nodes, with a Pod
   * Identity role holding the controller's published IAM policy) and returns its release.
   */
  public ensureLoadBalancerController(): Release {
    return addons.loadBalancerController(this.addonHost);
  }

  /** Installs Stakater Reloader once, which restarts workloads annotated with the Secrets they use when those change. */
  public ensureReloader(): Release {
    return addons.reloader(this.addonHost);
  }

  /** Installs the AWS EFA device plugin once, for pools with EFA (only on their nodes). @internal */
  public _ensureEfaDevicePlugin(): Release {
    return addons.efaDevicePlugin(this.addonHost);
  }

  /** The EFA device plugin's release, once a pool with EFA exists. */
  public get efaDevicePlugin(): Release | undefined {
    return this.kube.node.tryFindChild("EfaDevicePlugin") as Release | undefined;
  }

  /** The device plugin's release, once an AL2023 GPU pool exists. */
  public get nvidiaDevicePlugin(): Release | undefined {
    return this.kube.node.tryFindChild("NvidiaDevicePlugin") as Release | undefined;
  }

  private get addonHost(): addons.AddonHost {
    return { cluster: this, awsScope: this, kube: this.kube, platformName: this.stack.platformName };
  }

  private podIdentityRole(id: string, suffix: string, opts: { managedPolicies?: Record<string, string>; statements?: PolicyStatement[] }): IamRole {
    return addons.podIdentityRole(this.addonHost, id, suffix, opts);
  }
}
