import { ITerraformDependable, TerraformStack } from "cdktf";
import { Construct, IConstruct } from "constructs";

/**
 * `depends_on` may only name resources of the same stack. Returns those of `deps` that are in the
 * stack of `scope`, and makes that stack depend on the stacks of the others, so that the order holds
 * across stacks too (cdktf deploys a stack after the stacks it depends on).
 */
export function dependsOnAcrossStacks(scope: IConstruct, deps: ITerraformDependable[]): ITerraformDependable[] {
  const stack = TerraformStack.of(scope);
  const same: ITerraformDependable[] = [];
  for (const d of deps) {
    if (!Construct.isConstruct(d)) {
      same.push(d);
      continue;
    }
    const other = TerraformStack.of(d);
    if (other === stack) same.push(d);
    else if (!stack.dependencies.includes(other)) stack.addDependency(other);
  }
  return same;
}

/**
 * The child `id` of `scope`, built by `build` the first time it is asked for: the one mechanism by
 * which what is installed on a cluster once (operators, device plugins, KServe) is created once.
 */
export function once<T extends IConstruct>(scope: IConstruct, id: string, build: () => T): T {
  return (scope.node.tryFindChild(id) as T | undefined) ?? build();
}
