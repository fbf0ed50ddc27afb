import { Construct, IConstruct } from "constructs";
import { ITerraformDependable, TerraformOutput } from "cdktf";
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
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Release } from "@cdktf/provider-helm/lib/release";
import { PriorityClassV1 } from "@cdktf/provider-kubernetes/lib/priority-class-v1";
import {
  check,
  ClusterProviders,
  componentTags,
  connectCluster,
  createRole,
  encryptedLogGroup,
  firstIssue,
  fitName,
  grantToRole,
  IClusterEndpoint,
  LOG_RETENTION_DAYS,
  MlopsStack,
  NameRules,
  physicalName,
  pinnedHelmRelease,
  PolicyStatement,
  POD_IDENTITY_TRUST,
  RemovalPolicy,
  validateProps,
} from "../core";
import { INetwork, MlopsNetwork } from "../network";
import { GpuNodePool, GpuNodePoolOptions, GpuTaint, NodeLabels } from "./gpu-node-pool";
import { gpuNodePoolOptionsSchema, teamOptionsSchema } from "./private/schemas";
import { Charts, DEFAULT_KUBERNETES_VERSION, OperatorCharts, EXTENDED_ONLY_VERSIONS, KUBERNETES_VERSIONS } from "./private/charts";
import { managedNodeGroup } from "./private/node-group";
import { TeamNamespace, TeamOptions } from "./team-namespace";

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
   * CIDR blocks inside or connected to the VPC (CI runners, VPN) allowed to reach the private API
   * endpoint on port 443. Terraform itself needs this to install the cluster's charts when it runs
   * outside the cluster's nodes.
   * @default - only the cluster's own nodes and control plane
   */
  readonly privateEndpointCidrs?: string[];
  /**
   * IAM role ARNs given cluster-admin through EKS access entries (`AmazonEKSClusterAdminPolicy`).
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
  readonly kmsKey?: KmsKey;
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
   * `aws-ebs-csi-driver`, `eks-pod-identity-agent`).
   * @default - EKS's default version of each add-on for the cluster's Kubernetes version
   */
  readonly addonVersions?: Record<string, string>;
  /**
   * Deletion protection of the EKS cluster.
   * @default - true when the stack's removal policy is RETAIN
   */
  readonly deletionProtection?: boolean;
}

const ADDONS = ["vpc-cni", "kube-proxy", "eks-pod-identity-agent", "coredns", "aws-ebs-csi-driver"] as const;

const schema = z
  .object({
    clusterName: check
      .matching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, "must be 1-100 characters: letters, digits, '-' and '_', starting alphanumeric")
      .optional(),
    kubernetesVersion: z
      .string()
      .refine((v) => v in KUBERNETES_VERSIONS, {
        message: `must be one of ${Object.keys(KUBERNETES_VERSIONS).join(", ")}`,
      })
      .optional(),
    upgradeSupportType: z.enum(UpgradeSupportType, { message: "must be STANDARD or EXTENDED" }).optional(),
    network: z.custom<INetwork>((n) => !!n && typeof n === "object" && "vpcId" in n && "privateSubnetIds" in n, {
      message: "must be an INetwork (an MlopsNetwork or MlopsNetwork.fromExisting(...))",
    }).optional(),
    publicEndpointCidrs: z
      .array(
        check.cidr(0, 32).refine((c) => c !== "0.0.0.0/0", {
          message: "opens the API server to the whole internet: name the networks that need it",
        }),
      )
      .min(1, { message: "must name at least one CIDR block, or be left out for a private endpoint" })
      .optional(),
    privateEndpointCidrs: z.array(check.cidr(0, 32)).optional(),
    adminRoleArns: z.array(check.roleArn()).optional(),
    clusterCreatorAdmin: z.boolean().optional(),
    logRetentionDays: z
      .number()
      .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
        message: `must be one of CloudWatch Logs' retention values (${LOG_RETENTION_DAYS.join(", ")})`,
      })
      .optional(),
    kmsKey: z.custom<KmsKey>((k) => k instanceof KmsKey, { message: "must be a KmsKey" }).optional(),
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
  })
  .strict()
  .superRefine((p, ctx) => {
    const min = p.systemNodeMinSize ?? 2;
    const max = p.systemNodeMaxSize ?? 4;
    if (max < min) ctx.addIssue({ code: "custom", path: ["systemNodeMaxSize"], message: `must be >= systemNodeMinSize (${min})` });
    const version = p.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    if (EXTENDED_ONLY_VERSIONS.includes(version) && p.upgradeSupportType !== UpgradeSupportType.EXTENDED) {
      ctx.addIssue({
        code: "custom",
        path: ["kubernetesVersion"],
        message: `is past EKS standard support (ended ${KUBERNETES_VERSIONS[version].standardSupportEnds}): choose a newer version or set upgradeSupportType to EXTENDED`,
      });
    }
    (p.gpuNodePools ?? []).forEach((pool, i) => {
      const r = gpuNodePoolOptionsSchema.safeParse(pool);
      if (!r.success) {
        const issue = firstIssue(r.error);
        ctx.addIssue({ code: "custom", path: ["gpuNodePools", i, ...issue.path], message: issue.message });
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
  }) satisfies z.ZodType<TrainingClusterProps>;

/**
 * An EKS cluster for ML training and serving: private API endpoint, secrets encrypted with KMS, every
 * control-plane log type kept with a retention, access entries, Pod Identity and IRSA, the managed
 * add-ons, a system node group, GPU node pools that scale from zero, the NVIDIA device plugin,
 * Cluster Autoscaler and metrics-server, team namespaces with GPU quotas and priority classes.
 */
export class TrainingCluster extends Construct implements IClusterEndpoint {
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
  /** The team namespaces, by team name. */
  public readonly teams: Record<string, TeamNamespace> = {};
  /** What a node group must wait for (the add-ons that nodes need to join). @internal */
  public readonly _nodeDependencies: ITerraformDependable[];

  private readonly stack: MlopsStack;
  private nvidiaDevicePluginRelease?: Release;
  private efaDevicePluginRelease?: Release;
  private externalSecretsRelease?: Release;
  private externalSecretsRole?: IamRole;
  private reloaderRelease?: Release;

  constructor(scope: Construct, id: string, props: TrainingClusterProps = {}) {
    super(scope, id);
    const p = validateProps(this, "TrainingCluster", schema, props);
    const stack = MlopsStack.of(this);
    this.stack = stack;
    const tags = componentTags("training-cluster");
    const partition = stack.partition;
    this.clusterName = p.clusterName ?? physicalName(this, stack.platformName, NameRules.eksCluster);
    this.kubernetesVersion = p.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    this.clusterRegion = stack.region;
    const kmsKey = p.kmsKey ?? stack.kmsKey;
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

    const publicCidrs = p.publicEndpointCidrs;
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
    this.clusterEndpoint = this.cluster.endpoint;
    this.clusterCertificateAuthorityData = this.cluster.certificateAuthority.get(0).data;

    (p.privateEndpointCidrs ?? []).forEach((cidr, i) => {
      new VpcSecurityGroupIngressRule(this, `ApiAccess${i + 1}`, {
        securityGroupId: this.cluster.vpcConfig.clusterSecurityGroupId,
        description: `Kubernetes API from ${cidr}`,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: cidr,
        tags,
      });
    });

    this.oidcProvider = new IamOpenidConnectProvider(this, "OidcProvider", {
      url: this.cluster.identity.get(0).oidc.get(0).issuer,
      clientIdList: ["sts.amazonaws.com"],
      tags,
    });

    this.adminAccessEntries = {};
    (p.adminRoleArns ?? []).forEach((arn, i) => {
      const entry = new EksAccessEntry(this, `AdminAccess${i + 1}`, {
        clusterName: this.cluster.name,
        principalArn: arn,
        type: "STANDARD",
        tags,
      });
      new EksAccessPolicyAssociation(this, `AdminAccess${i + 1}Policy`, {
        clusterName: this.cluster.name,
        principalArn: arn,
        policyArn: `arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
        accessScope: { type: "cluster" },
        dependsOn: [entry],
      });
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

    // --- add-ons that nodes need to join: before any node group --------------------------------
    this.addons = {};
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
    const ebsRole = this.podIdentityRole("EbsCsiRole", "ebs-csi", {
      managedPolicies: { EbsCsiPolicy: `arn:${partition}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy` },
    });
    addon("aws-ebs-csi-driver", [this.systemNodeGroup], { serviceAccount: "ebs-csi-controller-sa", roleArn: ebsRole.arn });

    // --- controllers ---------------------------------------------------------------------------
    const helm = this.connect(this).helm;
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
          conditions: [
            { test: "StringEquals", variable: `aws:ResourceTag/k8s.io/cluster-autoscaler/${this.clusterName}`, values: ["owned"] },
          ],
        },
      ],
    });
    const caAssociation = new EksPodIdentityAssociation(this, "ClusterAutoscalerPodIdentity", {
      clusterName: this.cluster.name,
      namespace: "kube-system",
      serviceAccount: "cluster-autoscaler",
      roleArn: caRole.arn,
      tags,
    });
    this.clusterAutoscaler = pinnedHelmRelease(this, "ClusterAutoscaler", {
      chart: Charts.clusterAutoscaler,
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
      dependsOn: [this.systemNodeGroup, caAssociation, this.addons["coredns"]],
    });
    this.metricsServer = pinnedHelmRelease(this, "MetricsServer", {
      chart: Charts.metricsServer,
      name: "metrics-server",
      namespace: "kube-system",
      provider: helm,
      values: {
        replicas: 2,
        podDisruptionBudget: { enabled: true, minAvailable: 1 },
        nodeSelector: systemOnly,
      },
      dependsOn: [this.systemNodeGroup, this.addons["coredns"]],
    });

    // --- scheduling ----------------------------------------------------------------------------
    const k8s = this.connect(this).kubernetes;
    this.trainingPriorityClass = new PriorityClassV1(this, "TrainingPriority", {
      provider: k8s,
      metadata: { name: "mlops-training" },
      value: 1000,
      preemptionPolicy: "PreemptLowerPriority",
      description: "Training jobs of the ML platform: preemptible by model serving.",
      dependsOn: [this.systemNodeGroup],
    });
    this.servingPriorityClass = new PriorityClassV1(this, "ServingPriority", {
      provider: k8s,
      metadata: { name: "mlops-serving" },
      value: 100000,
      preemptionPolicy: "PreemptLowerPriority",
      description: "Model servers of the ML platform: may preempt training jobs.",
      dependsOn: [this.systemNodeGroup],
    });

    for (const pool of p.gpuNodePools ?? []) this.addGpuNodePool(pool.name, pool);
    for (const team of p.teams ?? []) this.addTeam(team);

    new TerraformOutput(this, "ClusterNameOutput", { value: this.cluster.name, description: "EKS cluster name" });
  }

  /** Adds a GPU node pool and returns it. `id` is its construct id (its address in Terraform). */
  public addGpuNodePool(id: string, options: GpuNodePoolOptions): GpuNodePool {
    const pool = new GpuNodePool(this, `GpuPool-${id}`, { ...options, cluster: this });
    if (this.gpuNodePools[pool.poolName]) {
      throw new Error(`TrainingCluster ${this.node.path}: a GPU node pool named "${pool.poolName}" exists already`);
    }
    this.gpuNodePools[pool.poolName] = pool;
    return pool;
  }

  /** Adds a team namespace with a GPU quota and returns it. */
  public addTeam(options: TeamOptions): TeamNamespace {
    const team = new TeamNamespace(this, `Team-${options.name}`, { ...options, provider: this.connect(this).kubernetes });
    this.teams[options.name] = team;
    return team;
  }

  /**
   * Kubernetes and Helm providers for this cluster in the stack of `scope` (created once per stack,
   * configured from the cluster with `aws eks get-token`), also from another stack of the same app.
   */
  public connect(scope: IConstruct): ClusterProviders {
    return connectCluster(scope, this);
  }

  /**
   * Installs the NVIDIA device plugin once, for AL2023 GPU pools (Bottlerocket's NVIDIA AMIs ship
   * their own): scheduled only on GPU nodes of the AL2023 family, tolerating the GPU taint.
   * @internal
   */
  public _ensureNvidiaDevicePlugin(): Release {
    this.nvidiaDevicePluginRelease ??= pinnedHelmRelease(this, "NvidiaDevicePlugin", {
      chart: Charts.nvidiaDevicePlugin,
      name: "nvidia-device-plugin",
      namespace: "kube-system",
      provider: this.connect(this).helm,
      values: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [
                    { key: NodeLabels.GPU_PRESENT, operator: "In", values: ["true"] },
                    { key: NodeLabels.AMI_FAMILY, operator: "In", values: ["al2023"] },
                  ],
                },
              ],
            },
          },
        },
        tolerations: [
          { key: "CriticalAddonsOnly", operator: "Exists" },
          { key: GpuTaint.KEY, operator: "Exists", effect: "NoSchedule" },
        ],
      },
      // A DaemonSet on a pool of zero nodes is ready at once; wait only for the system nodes.
      dependsOn: [this.systemNodeGroup],
    });
    return this.nvidiaDevicePluginRelease;
  }

  /**
   * Installs External Secrets Operator once (namespace `external-secrets`), with a Pod Identity role
   * that holds no permission until {@link grantExternalSecretRead} gives it one secret at a time.
   */
  public ensureExternalSecrets(): Release {
    if (!this.externalSecretsRelease) {
      const role = this.podIdentityRole("ExternalSecretsRole", "external-secrets", {});
      this.externalSecretsRole = role;
      const association = new EksPodIdentityAssociation(this, "ExternalSecretsPodIdentity", {
        clusterName: this.cluster.name,
        namespace: "external-secrets",
        serviceAccount: "external-secrets",
        roleArn: role.arn,
        tags: componentTags("training-cluster"),
      });
      this.externalSecretsRelease = pinnedHelmRelease(this, "ExternalSecrets", {
        chart: OperatorCharts.externalSecrets,
        name: "external-secrets",
        namespace: "external-secrets",
        createNamespace: true,
        provider: this.connect(this).helm,
        values: {
          installCRDs: true,
          serviceAccount: { create: true, name: "external-secrets" },
        },
        dependsOn: [this.systemNodeGroup, association, this.addons["coredns"]],
      });
    }
    return this.externalSecretsRelease;
  }

  /** Lets External Secrets Operator read one Secrets Manager secret (and decrypt it with its key). */
  public grantExternalSecretRead(scope: Construct, id: string, secretArn: string, kmsKeyArn: string): IamRolePolicy {
    this.ensureExternalSecrets();
    return grantToRole(scope, id, this.externalSecretsRole!, `${fitName(scope.node.path, NameRules.iamRole)}-eso`, [
      { sid: "ReadOneSecret", actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], resources: [secretArn] },
      { sid: "DecryptThatSecret", actions: ["kms:Decrypt"], resources: [kmsKeyArn] },
    ]);
  }

  /** Installs Stakater Reloader once, which restarts workloads annotated with the Secrets they use when those change. */
  public ensureReloader(): Release {
    this.reloaderRelease ??= pinnedHelmRelease(this, "Reloader", {
      chart: OperatorCharts.reloader,
      name: "reloader",
      namespace: "kube-system",
      provider: this.connect(this).helm,
      values: { reloader: { deployment: { nodeSelector: { [NodeLabels.POOL]: "system" } } } },
      dependsOn: [this.systemNodeGroup, this.addons["coredns"]],
    });
    return this.reloaderRelease;
  }

  /**
   * Installs the AWS EFA device plugin once, for pools with EFA: only on their nodes (label
   * `cdktf-mlops/efa`), tolerating the GPU taint.
   * @internal
   */
  public _ensureEfaDevicePlugin(): Release {
    this.efaDevicePluginRelease ??= pinnedHelmRelease(this, "EfaDevicePlugin", {
      chart: Charts.efaDevicePlugin,
      name: "aws-efa-k8s-device-plugin",
      namespace: "kube-system",
      provider: this.connect(this).helm,
      values: {
        nodeSelector: { [NodeLabels.EFA]: "true" },
        tolerations: [{ key: GpuTaint.KEY, operator: "Exists", effect: "NoSchedule" }],
      },
      dependsOn: [this.systemNodeGroup],
    });
    return this.efaDevicePluginRelease;
  }

  /** The EFA device plugin's release, once a pool with EFA exists. */
  public get efaDevicePlugin(): Release | undefined {
    return this.efaDevicePluginRelease;
  }

  /** The device plugin's release, once an AL2023 GPU pool exists. */
  public get nvidiaDevicePlugin(): Release | undefined {
    return this.nvidiaDevicePluginRelease;
  }

  private podIdentityRole(
    id: string,
    suffix: string,
    opts: { managedPolicies?: Record<string, string>; statements?: PolicyStatement[] },
  ): IamRole {
    // An EKS Pod Identity role of the cluster, named after the cluster and its use.
    return createRole(this, id, {
      name: physicalName(this, this.stack.platformName, NameRules.iamRole, suffix),
      trust: POD_IDENTITY_TRUST,
      managedPolicies: opts.managedPolicies,
      statements: opts.statements,
      tags: componentTags("training-cluster"),
    }).role;
  }
}
