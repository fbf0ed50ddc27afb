import { ITerraformDependable, TerraformStack } from "cdktf";
import { Construct, IConstruct } from "constructs";
import { z } from "zod";
import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Release } from "@cdktf/provider-helm/lib/release";
import { check, ClusterProviders, componentTags, connectCluster, isDeployTimeValue, MlopsStack, validateProps } from "../core";
import type { INetwork } from "../network";
import type { ITrainingCluster, PodIdentityAssociationOptions, TrainingClusterAttributes } from "./contract";
import * as addons from "./private/addons";
import { inClusterScope } from "./private/in-cluster-scope";
import { DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSIONS } from "./private/charts";
import type { ShapeOf } from "../core";

const attributesSchema = z
  .object({
    clusterName: check.matching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, "must be an EKS cluster name"),
    clusterEndpoint: check.matching(/^https:\/\/\S+$/, "must be the API server URL (https://...)"),
    clusterCertificateAuthorityData: z.string().min(1),
    oidcProviderArn: check.matching(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/\S+$/, "must be an IAM OIDC provider ARN"),
    oidcIssuerUrl: check.matching(/^https:\/\/\S+$/, "must be the OIDC issuer URL (https://oidc.eks...)"),
    clusterSecurityGroupId: check.matching(/^sg-[0-9a-f]{8,17}$/, "must be a security group id (sg-...)"),
    vpcId: check.matching(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id (vpc-...)"),
    privateSubnetIds: z
      .array(check.matching(/^subnet-[0-9a-f]{8,17}$/, "must be a subnet id (subnet-...)"))
      // A list known only at deploy time (a data source's subnets) is one token: its length cannot be judged.
      .refine((a) => a.some((x) => isDeployTimeValue(x)) || a.length >= 2, {
        message: "must name at least two subnets (RDS and EKS need two availability zones)",
      }),
    publicSubnetIds: z.array(check.matching(/^subnet-[0-9a-f]{8,17}$/, "must be a subnet id (subnet-...)")).optional(),
    kubernetesVersion: z
      .string()
      .refine((v) => Object.prototype.hasOwnProperty.call(KUBERNETES_VERSIONS, v), {
        message: `must be one of ${Object.keys(KUBERNETES_VERSIONS).join(", ")}`,
      })
      .optional(),
    gpuNodes: z.boolean().optional(),
    networkPolicies: z.boolean().optional(),
    kubernetesStack: z.custom<MlopsStack>((st) => MlopsStack.isMlopsStack(st), { message: "must be an MlopsStack" }).optional(),
  })
  .strict() satisfies ShapeOf<TrainingClusterAttributes>;

/**
 * An EKS cluster that exists already, as the ML layer consumes it. Nothing of the cluster itself is
 * created or changed; what the ML layer installs on it (operators, KServe, MLflow, Feast) is, as on a
 * cluster the library created. Made by `TrainingCluster.fromClusterAttributes`.
 */
export class ImportedTrainingCluster extends Construct implements ITrainingCluster {
  public readonly clusterName: string;
  public readonly clusterEndpoint: string;
  public readonly clusterCertificateAuthorityData: string;
  public readonly clusterRegion: string;
  public readonly kubernetesVersion: string;
  public readonly network: INetwork;
  public readonly clusterSecurityGroupId: string;
  public readonly oidcProviderArn: string;
  public readonly oidcIssuerUrl: string;
  public readonly kubernetesStack: MlopsStack;
  public readonly hasGpuNodes: boolean;
  public readonly networkPolicies: boolean;
  /** False: the library installed no telemetry on an imported cluster, so its components add no scrape annotations. */
  public readonly scrapesPodMetrics = false;
  /** Nothing to wait for: the cluster's nodes exist already. */
  public readonly systemNodeDependencies: ITerraformDependable[] = [];
  /** Nothing to wait for: the cluster's DNS runs already. */
  public readonly clusterDnsDependencies: ITerraformDependable[] = [];
  /** Nothing to wait for: the Pod Identity agent must run on the cluster already. */
  public readonly podIdentityAgentDependencies: ITerraformDependable[] = [];

  private readonly stack: MlopsStack;
  private _kube?: Construct;

  constructor(scope: Construct, id: string, attrs: TrainingClusterAttributes) {
    super(scope, id);
    const a = validateProps(this, "TrainingCluster.fromClusterAttributes", attributesSchema, attrs);
    this.stack = MlopsStack.of(this);
    this.clusterName = a.clusterName;
    this.clusterEndpoint = a.clusterEndpoint;
    this.clusterCertificateAuthorityData = a.clusterCertificateAuthorityData;
    this.clusterRegion = this.stack.region;
    this.kubernetesVersion = a.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    this.network = { vpcId: a.vpcId, privateSubnetIds: a.privateSubnetIds, publicSubnetIds: a.publicSubnetIds ?? [] };
    this.clusterSecurityGroupId = a.clusterSecurityGroupId;
    this.oidcProviderArn = a.oidcProviderArn;
    this.oidcIssuerUrl = a.oidcIssuerUrl;
    this.kubernetesStack = a.kubernetesStack ?? this.stack;
    this.hasGpuNodes = a.gpuNodes ?? false;
    this.networkPolicies = a.networkPolicies ?? false;
  }

  public connect(scope: IConstruct): ClusterProviders {
    return connectCluster(scope, this);
  }

  public addPodIdentityAssociation(scope: Construct, id: string, options: PodIdentityAssociationOptions): EksPodIdentityAssociation {
    // The cluster exists: its name is a plain value, and its Pod Identity agent must already run.
    return new EksPodIdentityAssociation(scope, id, {
      clusterName: this.clusterName,
      namespace: options.namespace,
      serviceAccount: options.serviceAccount,
      roleArn: options.roleArn,
      tags: options.tags ?? componentTags("training-cluster"),
    });
  }

  public ensureExternalSecrets(): Release {
    return addons.externalSecrets(this.addonHost);
  }

  public ensureReloader(): Release {
    return addons.reloader(this.addonHost);
  }

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

  /** @internal */
  public _inClusterScope(owner: IConstruct): Construct {
    return inClusterScope(owner, this.stack, this.kubernetesStack);
  }

  /** @internal */
  public _inClusterStackOf(owner: IConstruct): TerraformStack {
    const ownerStack = TerraformStack.of(owner);
    return ownerStack === this.stack ? this.kubernetesStack : ownerStack;
  }

  private get addonHost(): addons.AddonHost {
    this._kube ??= this._inClusterScope(this);
    return { cluster: this, awsScope: this, kube: this._kube, platformName: this.stack.platformName };
  }
}
