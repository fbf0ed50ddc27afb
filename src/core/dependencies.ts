import { ITerraformDependable, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";

/**
 * `depends_on` may only name resources of the same stack. Returns those of `deps` that are in the
 * stack of `scope`, and makes that stack depend on the stacks of the others, so that the order holds
 * across stacks too (cdktf deploys a stack after the stacks it depends on).
 */
export function dependsOnAcrossStacks(scope: IConstruct, deps: (ITerraformDependable & IConstruct)[]): ITerraformDependable[] {
  const stack = TerraformStack.of(scope);
  const same: ITerraformDependable[] = [];
  for (const d of deps) {
    const other = TerraformStack.of(d);
    if (other === stack) same.push(d);
    else if (!stack.dependencies.includes(other)) stack.addDependency(other);
  }
  return same;
}
