import { Fn, Token } from "cdktf";

/**
 * An IAM role as grants take it: anything with a name and an ARN. An `IamRole` of this stack, a
 * `DataAwsIamRole` of a role that exists, or `RoleRef.fromRoleArn(arn)` all fit.
 */
export interface IRoleRef {
  /** The role name. */
  readonly name: string;
  /** The role ARN. */
  readonly arn: string;
}

/**
 * A KMS key as props take it: anything with an ARN. A `KmsKey`, a `DataAwsKmsKey`, or
 * `KmsKeyRef.fromKeyArn(arn)` all fit.
 */
export interface IKmsKeyRef {
  /** The key ARN. */
  readonly arn: string;
}

/** Roles by reference. */
export class RoleRef {
  /** A role known by its ARN (`arn:aws:iam::<account>:role/<path/><name>`); its name is the ARN's last segment. */
  public static fromRoleArn(roleArn: string): IRoleRef {
    const name = Token.isUnresolved(roleArn) ? Fn.element(Fn.reverse(Fn.split("/", roleArn)), 0) : roleArn.split("/").pop()!;
    return { name, arn: roleArn };
  }

  private constructor() {}
}

/** KMS keys by reference. */
export class KmsKeyRef {
  /** A key known by its ARN (`arn:aws:kms:<region>:<account>:key/<id>`). */
  public static fromKeyArn(keyArn: string): IKmsKeyRef {
    return { arn: keyArn };
  }

  private constructor() {}
}

/** Whether `x` can serve as an {@link IRoleRef}. */
export function isRoleRef(x: unknown): x is IRoleRef {
  const r = x as Record<string, unknown> | undefined;
  return !!r && typeof r === "object" && typeof r.name === "string" && typeof r.arn === "string";
}

/** Whether `x` can serve as an {@link IKmsKeyRef}. */
export function isKmsKeyRef(x: unknown): x is IKmsKeyRef {
  const k = x as Record<string, unknown> | undefined;
  return !!k && typeof k === "object" && typeof k.arn === "string";
}
