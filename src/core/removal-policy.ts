import { TerraformResource } from "cdktf";

/**
 * What happens to stateful data (keys, buckets, databases, tables, registries) when its construct
 * is removed from the code.
 */
export enum RemovalPolicy {
  /** Keep it: deletion protection where the service has it, Terraform `prevent_destroy` otherwise. */
  RETAIN = "retain",
  /** Allow `terraform destroy` to delete it. For sandboxes only. */
  DESTROY = "destroy",
}

/** Applies `policy` to a stateful resource through Terraform's `lifecycle.prevent_destroy`. */
export function applyRemovalPolicy(resource: TerraformResource, policy: RemovalPolicy): void {
  if (policy === RemovalPolicy.RETAIN) {
    resource.addOverride("lifecycle.prevent_destroy", true);
  }
}
