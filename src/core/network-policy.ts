import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { NetworkPolicyV1, NetworkPolicyV1SpecIngress, NetworkPolicyV1SpecIngressFrom } from "@cdktf/provider-kubernetes/lib/network-policy-v1";

// The NetworkPolicies of the namespaces the library runs components in (serving, MLflow, Feast): a
// default deny of ingress, and one policy that lets in only the named sources. Egress stays open (the
// pods reach S3, DynamoDB, RDS and the IdP). Enforced by the VPC CNI's network policy agent, which
// TrainingCluster turns on (`networkPolicies`), or by whatever enforces NetworkPolicies on an imported
// cluster. The agent always admits the node's own address (kubelet probes), so no rule is needed for it.

/** Label of every team namespace (TeamNamespace), selected by the components teams call. */
export const TEAM_NAMESPACE_LABEL = "mlops/team";
/** Label of every serving namespace of KServe endpoints, selected by the feature store. */
export const SERVING_NAMESPACE_LABEL = "mlops/serving";
/** The label Kubernetes gives every namespace, its name (Kubernetes 1.21+). */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Who may open connections to the pods of a namespace. */
export interface NamespaceIngressSources {
  /** Namespaces allowed by name (on any port). `kube-system` is always allowed. */
  readonly namespaces?: string[];
  /** Allow every team namespace (label `mlops/team`). */
  readonly teamNamespaces?: boolean;
  /** Allow every serving namespace (label `mlops/serving`). */
  readonly servingNamespaces?: boolean;
  /** Allow the namespace's own pods. */
  readonly sameNamespace?: boolean;
  /** Networks (a load balancer's subnets) allowed, on `loadBalancerPort` only. */
  readonly loadBalancerCidrs?: string[];
  /** The pods' port the load balancer sends to (the Service's target port). */
  readonly loadBalancerPort?: number;
  /** Networks of the cluster's metrics collector (its interfaces in the VPC), allowed on `metricsPort` only. */
  readonly metricsCollectorCidrs?: string[];
  /** The pods' Prometheus port the collector scrapes. */
  readonly metricsPort?: number;
}

/** Peer that selects namespaces by name. */
export function namespaceByName(name: string): NetworkPolicyV1SpecIngressFrom {
  return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: name } } };
}

/** The ingress rules of {@link NamespaceIngressSources}. */
export function ingressRules(sources: NamespaceIngressSources): NetworkPolicyV1SpecIngress[] {
  const from: NetworkPolicyV1SpecIngressFrom[] = [namespaceByName("kube-system"), ...(sources.namespaces ?? []).map(namespaceByName)];
  if (sources.teamNamespaces) from.push({ namespaceSelector: { matchExpressions: [{ key: TEAM_NAMESPACE_LABEL, operator: "Exists" }] } });
  if (sources.servingNamespaces) from.push({ namespaceSelector: { matchLabels: { [SERVING_NAMESPACE_LABEL]: "true" } } });
  if (sources.sameNamespace) from.push({ podSelector: {} });
  const rules: NetworkPolicyV1SpecIngress[] = [{ from }];
  if (sources.loadBalancerCidrs?.length) rules.push(loadBalancerRule(sources.loadBalancerCidrs, sources.loadBalancerPort!));
  if (sources.metricsCollectorCidrs?.length && sources.metricsPort) rules.push(loadBalancerRule(sources.metricsCollectorCidrs, sources.metricsPort));
  return rules;
}

/** Ingress from a load balancer's networks to one TCP port of the pods. */
export function loadBalancerRule(cidrs: string[], port: number): NetworkPolicyV1SpecIngress {
  return { from: cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ port: String(port), protocol: "TCP" }] };
}

/** The two NetworkPolicies of a component's namespace. */
export interface NamespaceNetworkPolicies {
  /** `default-deny-ingress`: selects every pod, allows nothing. */
  readonly defaultDeny: NetworkPolicyV1;
  /** `allow-platform-ingress`: the sources the component needs. */
  readonly allow: NetworkPolicyV1;
}

/** The policies {@link namespaceNetworkPolicies} made under `scope` with `id`, if it did. */
export function existingNamespaceNetworkPolicies(scope: Construct, id: string): NamespaceNetworkPolicies | undefined {
  const defaultDeny = scope.node.tryFindChild(`${id}DefaultDeny`) as NetworkPolicyV1 | undefined;
  const allow = scope.node.tryFindChild(`${id}Allow`) as NetworkPolicyV1 | undefined;
  return defaultDeny && allow ? { defaultDeny, allow } : undefined;
}

/**
 * Default-deny ingress in `namespace`, and a policy that lets in only `sources` (plus `kube-system`):
 * two `kubernetes_network_policy_v1` under `scope` (ids `<id>DefaultDeny`, `<id>Allow`).
 */
export function namespaceNetworkPolicies(
  scope: Construct,
  id: string,
  opts: { provider: KubernetesProvider; namespace: string; sources: NamespaceIngressSources; dependsOn?: ITerraformDependable[] },
): NamespaceNetworkPolicies {
  const labels = { "app.kubernetes.io/managed-by": "cdktf-mlops" };
  const defaultDeny = new NetworkPolicyV1(scope, `${id}DefaultDeny`, {
    provider: opts.provider,
    metadata: { name: "default-deny-ingress", namespace: opts.namespace, labels },
    spec: { podSelector: {}, policyTypes: ["Ingress"] },
    dependsOn: opts.dependsOn,
  });
  const allow = new NetworkPolicyV1(scope, `${id}Allow`, {
    provider: opts.provider,
    metadata: { name: "allow-platform-ingress", namespace: opts.namespace, labels },
    spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: ingressRules(opts.sources) },
    dependsOn: opts.dependsOn,
  });
  return { defaultDeny, allow };
}
