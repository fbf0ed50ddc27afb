import { TerraformStack } from "cdktf";
import { Construct, IConstruct } from "constructs";

/**
 * The construct under which what `owner` installs on a cluster is created: `owner` itself, unless it
 * is in the cluster's stack and the cluster has a separate in-cluster stack; then a construct of that
 * stack at the same path, so that addresses keep their form.
 */
export function inClusterScope(owner: IConstruct, clusterStack: TerraformStack, kubernetesStack: TerraformStack): Construct {
  const ownerStack = TerraformStack.of(owner);
  if (ownerStack !== clusterStack || kubernetesStack === clusterStack) return owner as Construct;
  let scope: Construct = kubernetesStack;
  for (const s of owner.node.scopes.slice(owner.node.scopes.indexOf(ownerStack) + 1)) {
    scope = (scope.node.tryFindChild(s.node.id) as Construct | undefined) ?? new Construct(scope, s.node.id);
  }
  return scope;
}
