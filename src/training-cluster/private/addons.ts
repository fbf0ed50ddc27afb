import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Release } from "@cdktf/provider-helm/lib/release";
import {
  componentTags,
  createRole,
  dependsOnAcrossStacks,
  fitName,
  grantToRole,
  NameRules,
  once,
  physicalName,
  pinnedHelmRelease,
  Pins,
  PolicyStatement,
  POD_IDENTITY_TRUST,
} from "../../core";
import type { ITrainingCluster } from "../contract";
import { GpuTaint, NodeLabels } from "../labels";
import * as lbcPolicy from "./data/aws-load-balancer-controller-iam-policy.json";

// What is installed on a cluster once, whoever asks first, for a cluster the library created and for
// one it imported alike. Each add-on is found by its construct id (`once`): the in-cluster parts under
// the cluster's in-cluster scope, its AWS parts (roles, associations) under the cluster's construct,
// with the ids they have always had.

/** Where a cluster's add-ons are built. */
export interface AddonHost {
  readonly cluster: ITrainingCluster;
  /** The cluster's construct: AWS resources (roles, associations) of the add-ons. */
  readonly awsScope: Construct;
  /** The cluster's in-cluster scope: the Helm releases. */
  readonly kube: Construct;
  /** The platform name, the prefix of the add-ons' role names. */
  readonly platformName: string;
}

const SYSTEM = { [NodeLabels.POOL]: "system" };

/** An EKS Pod Identity role of the cluster, named after the cluster's construct and its use. */
export function podIdentityRole(
  host: AddonHost,
  id: string,
  suffix: string,
  opts: { managedPolicies?: Record<string, string>; statements?: PolicyStatement[] },
): IamRole {
  const existing = host.awsScope.node.tryFindChild(id);
  if (existing) return existing.node.findChild("Role") as IamRole;
  return createRole(host.awsScope, id, {
    name: physicalName(host.awsScope, host.platformName, NameRules.iamRole, suffix),
    trust: POD_IDENTITY_TRUST,
    managedPolicies: opts.managedPolicies,
    statements: opts.statements,
    tags: componentTags("training-cluster"),
  }).role;
}

/**
 * External Secrets Operator (namespace `external-secrets`), with a Pod Identity role that holds no
 * permission until {@link grantExternalSecretRead} gives it one secret at a time.
 */
export function externalSecrets(host: AddonHost): Release {
  return once(host.kube, "ExternalSecrets", () => {
    const role = podIdentityRole(host, "ExternalSecretsRole", "external-secrets", {});
    const association = host.cluster.addPodIdentityAssociation(host.awsScope, "ExternalSecretsPodIdentity", {
      namespace: "external-secrets",
      serviceAccount: "external-secrets",
      roleArn: role.arn,
    });
    return pinnedHelmRelease(host.kube, "ExternalSecrets", {
      chart: Pins.charts.externalSecrets,
      name: "external-secrets",
      namespace: "external-secrets",
      createNamespace: true,
      provider: host.cluster.connect(host.kube).helm,
      values: {
        installCRDs: true,
        serviceAccount: { create: true, name: "external-secrets" },
      },
      dependsOn: dependsOnAcrossStacks(host.kube, [...host.cluster.systemNodeDependencies, association, ...host.cluster.clusterDnsDependencies]),
    });
  });
}

/**
 * Lets External Secrets Operator read one Secrets Manager secret (and decrypt it with its key; without
 * `kmsKeyArn`, a secret under the AWS managed key `aws/secretsmanager`, whose key policy already lets
 * Secrets Manager decrypt for the account's principals).
 */
export function grantExternalSecretRead(host: AddonHost, scope: Construct, id: string, secretArn: string, kmsKeyArn?: string): IamRolePolicy {
  externalSecrets(host);
  const role = podIdentityRole(host, "ExternalSecretsRole", "external-secrets", {});
  return grantToRole(scope, id, role, `${fitName(scope.node.path, NameRules.iamRole)}-eso`, [
    { sid: "ReadOneSecret", actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], resources: [secretArn] },
    ...(kmsKeyArn ? [{ sid: "DecryptThatSecret", actions: ["kms:Decrypt"], resources: [kmsKeyArn] }] : []),
  ]);
}

/** Stakater Reloader, which restarts workloads annotated with the Secrets they use when those change. */
export function reloader(host: AddonHost): Release {
  return once(host.kube, "Reloader", () =>
    pinnedHelmRelease(host.kube, "Reloader", {
      chart: Pins.charts.reloader,
      name: "reloader",
      namespace: "kube-system",
      provider: host.cluster.connect(host.kube).helm,
      values: { reloader: { deployment: { nodeSelector: SYSTEM } } },
      dependsOn: dependsOnAcrossStacks(host.kube, [...host.cluster.systemNodeDependencies, ...host.cluster.clusterDnsDependencies]),
    }),
  );
}

/**
 * The NVIDIA device plugin, for AL2023 GPU pools (Bottlerocket's NVIDIA AMIs ship their own):
 * scheduled only on GPU nodes of the AL2023 family, tolerating the GPU taint.
 */
export function nvidiaDevicePlugin(host: AddonHost): Release {
  return once(host.kube, "NvidiaDevicePlugin", () =>
    pinnedHelmRelease(host.kube, "NvidiaDevicePlugin", {
      chart: Pins.charts.nvidiaDevicePlugin,
      name: "nvidia-device-plugin",
      namespace: "kube-system",
      provider: host.cluster.connect(host.kube).helm,
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
      dependsOn: dependsOnAcrossStacks(host.kube, host.cluster.systemNodeDependencies),
    }),
  );
}

/** The AWS EFA device plugin, for pools with EFA: only on their nodes (label `cdktf-mlops/efa`), tolerating the GPU taint. */
export function efaDevicePlugin(host: AddonHost): Release {
  return once(host.kube, "EfaDevicePlugin", () =>
    pinnedHelmRelease(host.kube, "EfaDevicePlugin", {
      chart: Pins.charts.efaDevicePlugin,
      name: "aws-efa-k8s-device-plugin",
      namespace: "kube-system",
      provider: host.cluster.connect(host.kube).helm,
      values: {
        nodeSelector: { [NodeLabels.EFA]: "true" },
        tolerations: [{ key: GpuTaint.KEY, operator: "Exists", effect: "NoSchedule" }],
      },
      dependsOn: dependsOnAcrossStacks(host.kube, host.cluster.systemNodeDependencies),
    }),
  );
}

/** Namespace and ServiceAccount of the AWS Load Balancer Controller. */
export const LOAD_BALANCER_CONTROLLER = { namespace: "kube-system", serviceAccount: "aws-load-balancer-controller", ingressClass: "alb" } as const;

type IamJsonStatement = {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
};

/**
 * The controller's published IAM policy (docs/install/iam_policy.json of the pinned version, kept
 * unchanged in ./data with its source) as the library's statements.
 */
export function loadBalancerControllerStatements(): PolicyStatement[] {
  const doc = (lbcPolicy as unknown as { policy: { Statement: IamJsonStatement[] } }).policy;
  const list = (x: string | string[]) => (Array.isArray(x) ? [...x] : [x]);
  return doc.Statement.map((s, i) => ({
    sid: `AwsLoadBalancerController${i + 1}`,
    effect: s.Effect,
    actions: list(s.Action),
    resources: list(s.Resource),
    conditions: s.Condition
      ? Object.entries(s.Condition).flatMap(([test, byKey]) =>
          Object.entries(byKey).map(([variable, values]) => ({ test, variable, values: list(values) })),
        )
      : undefined,
  }));
}

/**
 * The AWS Load Balancer Controller (namespace `kube-system`, IngressClass `alb`), on the system nodes,
 * with a Pod Identity role holding the controller's published IAM policy. Installed once, when the
 * first component is exposed through a load balancer. It only acts on what names its IngressClass:
 * the Service mutator webhook (which would make it the default for every `LoadBalancer` Service) is off,
 * and it may read Secrets only where a namespaced Role lets it (OIDC client secrets).
 */
export function loadBalancerController(host: AddonHost): Release {
  return once(host.kube, "AwsLoadBalancerController", () => {
    const role = podIdentityRole(host, "AwsLoadBalancerControllerRole", "aws-lb-controller", { statements: loadBalancerControllerStatements() });
    const association = host.cluster.addPodIdentityAssociation(host.awsScope, "AwsLoadBalancerControllerPodIdentity", {
      namespace: LOAD_BALANCER_CONTROLLER.namespace,
      serviceAccount: LOAD_BALANCER_CONTROLLER.serviceAccount,
      roleArn: role.arn,
    });
    return pinnedHelmRelease(host.kube, "AwsLoadBalancerController", {
      chart: Pins.charts.awsLoadBalancerController,
      name: "aws-load-balancer-controller",
      namespace: LOAD_BALANCER_CONTROLLER.namespace,
      provider: host.cluster.connect(host.kube).helm,
      values: {
        clusterName: host.cluster.clusterName,
        // Pod Identity gives the pods their credentials; region and VPC are set so that the
        // controller need not ask the instance metadata service (IMDSv2 with hop limit 1 on our nodes).
        region: host.cluster.clusterRegion,
        vpcId: host.cluster.network.vpcId,
        replicaCount: 2,
        serviceAccount: { create: true, name: LOAD_BALANCER_CONTROLLER.serviceAccount },
        nodeSelector: SYSTEM,
        ingressClass: LOAD_BALANCER_CONTROLLER.ingressClass,
        createIngressClassResource: true,
        enableServiceMutatorWebhook: false,
        clusterSecretsPermissions: { allowAllSecrets: false },
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
      },
      dependsOn: dependsOnAcrossStacks(host.kube, [...host.cluster.systemNodeDependencies, association, ...host.cluster.clusterDnsDependencies]),
    });
  });
}

/**
 * The `configuration_values` of the `vpc-cni` add-on: with NetworkPolicies, the network policy agent
 * on (`enableNetworkPolicy`, a string in the add-on's configuration schema, the aws-vpc-cni chart's
 * top-level value); otherwise none (EKS's defaults, agent off).
 * @see https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html
 */
export function vpcCniConfiguration(networkPolicies: boolean): string | undefined {
  return networkPolicies ? JSON.stringify({ enableNetworkPolicy: "true" }) : undefined;
}
