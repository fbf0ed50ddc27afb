import { IConstruct } from "constructs";
import type { RemovalPolicy } from "./removal-policy";
import { MlopsValidationError } from "./errors";

/** Marks an MlopsStack (a symbol, so that two copies of the library recognise each other's stacks). */
export const MLOPS_STACK = Symbol.for("cdktf-mlops.MlopsStack");

/** The bucket that receives a stack's S3 server access logs. */
export interface IAccessLogTarget {
  /** The bucket resource, whose id is the bucket name. */
  readonly bucket: { readonly id: string };
}

/**
 * What core mechanics need of the MlopsStack a construct is in, without importing the stack class
 * (which itself builds on them).
 */
export interface IMlopsStackContext extends IConstruct {
  readonly platformName: string;
  readonly region: string;
  readonly accountId: string;
  readonly removalPolicy: RemovalPolicy;
  readonly deployRoleArn?: string;
  readonly accessLogBucket: IAccessLogTarget;
}

/** The innermost MlopsStack around `scope`, or undefined. */
export function findMlopsStack(scope: IConstruct): IMlopsStackContext | undefined {
  return scope.node.scopes
    .slice()
    .reverse()
    .find((s) => (s as unknown as Record<symbol, boolean>)[MLOPS_STACK]) as IMlopsStackContext | undefined;
}

/** The innermost MlopsStack around `scope`; throws a clear error when there is none. */
export function mlopsStackOf(scope: IConstruct): IMlopsStackContext {
  const found = findMlopsStack(scope);
  if (!found)
    throw new MlopsValidationError(scope.constructor.name, scope.node.path, "", "cdktf-mlops constructs must be created inside an MlopsStack");
  return found;
}
