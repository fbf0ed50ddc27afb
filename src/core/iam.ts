import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { once } from "./dependencies";
import { claimUniqueName, fitName, NameRules, stableHash } from "./naming";
import { isRoleRef } from "./refs";
import type { IRoleRef } from "./refs";
import { MlopsValidationError } from "./errors";
import { isDeployTimeValue } from "./validation";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";

/** One statement of an IAM policy. */
export interface PolicyStatement {
  /** Statement id; say why the statement exists. */
  readonly sid: string;
  /** @default "Allow" */
  readonly effect?: string;
  readonly actions: string[];
  /** Resources; required for identity policies. */
  readonly resources?: string[];
  readonly principals?: PolicyPrincipal[];
  readonly conditions?: PolicyCondition[];
}

/** The principals of a resource-policy statement, e.g. `{ type: "Service", identifiers: ["sns.amazonaws.com"] }`. */
export interface PolicyPrincipal {
  readonly type: string;
  readonly identifiers: string[];
}

/** A condition of a policy statement, e.g. `{ test: "StringEquals", variable: "aws:SourceAccount", values: [account] }`. */
export interface PolicyCondition {
  readonly test: string;
  readonly variable: string;
  readonly values: string[];
}

/** An `aws_iam_policy_document` data source: structured, so the synthesized JSON stays readable. */
export function policyDocument(scope: Construct, id: string, statements: PolicyStatement[]): DataAwsIamPolicyDocument {
  return new DataAwsIamPolicyDocument(scope, id, { statement: statements.map(statementConfig) });
}

/** Replaces the statements of a document made by {@link policyDocument} (for policies that grow after creation). */
export function setPolicyStatements(doc: DataAwsIamPolicyDocument, statements: PolicyStatement[]): void {
  doc.putStatement(statements.map(statementConfig));
}

function statementConfig(s: PolicyStatement) {
  return {
    sid: s.sid,
    effect: s.effect ?? "Allow",
    actions: s.actions,
    resources: s.resources,
    principals: s.principals,
    condition: s.conditions,
  };
}

/** Who may assume a role. */
export interface RoleTrust {
  /** Service principals, e.g. `eks.amazonaws.com`. */
  readonly services?: string[];
  /** A federated principal (an OIDC provider ARN, for IRSA). */
  readonly federated?: string;
  /** @default ["sts:AssumeRole"] */
  readonly actions?: string[];
  /** Conditions on the assumption. */
  readonly conditions?: { test: string; variable: string; values: string[] }[];
}

/**
 * The trust of IAM roles for service accounts: the cluster's OIDC provider, for exactly one
 * ServiceAccount. `issuerHost` is the issuer URL without `https://`.
 */
export function irsaTrust(oidcProviderArn: string, issuerHost: string, namespace: string, serviceAccount: string): RoleTrust {
  return {
    federated: oidcProviderArn,
    actions: ["sts:AssumeRoleWithWebIdentity"],
    conditions: [
      { test: "StringEquals", variable: `${issuerHost}:sub`, values: [`system:serviceaccount:${namespace}:${serviceAccount}`] },
      { test: "StringEquals", variable: `${issuerHost}:aud`, values: ["sts.amazonaws.com"] },
    ],
  };
}

/** Options of {@link createRole}. */
export interface RoleOptions {
  readonly name: string;
  readonly trust: RoleTrust;
  /** AWS managed policy ARNs to attach, keyed by a stable short id. */
  readonly managedPolicies?: Record<string, string>;
  /** Inline policy statements (one inline policy named after the role). */
  readonly statements?: PolicyStatement[];
  readonly tags?: Record<string, string>;
}

/** The role and what was attached to it, for escape hatches. */
export interface CreatedRole {
  readonly role: IamRole;
  readonly attachments: Record<string, IamRolePolicyAttachment>;
  readonly inlinePolicy?: IamRolePolicy;
}

/** The trust of EKS Pod Identity: `pods.eks.amazonaws.com` with `sts:AssumeRole` and `sts:TagSession`. */
export const POD_IDENTITY_TRUST: RoleTrust = {
  services: ["pods.eks.amazonaws.com"],
  actions: ["sts:AssumeRole", "sts:TagSession"],
};

/**
 * An IAM role in a construct `id` under `scope` (ids `<id>/Role`, `<id>/AssumeRolePolicy`,
 * `<id>/Attach<Key>`, `<id>/Policy`): one shape for every role of the library.
 */
export function createRole(parent: Construct, id: string, opts: RoleOptions): CreatedRole {
  const scope = new Construct(parent, id);
  const trust = policyDocument(scope, "AssumeRolePolicy", [
    {
      sid: opts.trust.federated ? "TrustedServiceAccount" : "TrustedServices",
      actions: opts.trust.actions ?? ["sts:AssumeRole"],
      principals: opts.trust.federated
        ? [{ type: "Federated", identifiers: [opts.trust.federated] }]
        : [{ type: "Service", identifiers: opts.trust.services ?? [] }],
      conditions: opts.trust.conditions,
    },
  ]);
  // IAM role names are unique per account, across regions: the later of two roles of the app that
  // would share a name gets its stack id in it (a name that never collided keeps its form).
  const name = isDeployTimeValue(opts.name)
    ? opts.name
    : claimUniqueName(scope, "iam-role", opts.name, (stackId) => fitName(`${opts.name}-${stackId}`, NameRules.iamRole));
  const role = new IamRole(scope, "Role", {
    name,
    assumeRolePolicy: trust.json,
    tags: opts.tags,
  });
  const attachments: Record<string, IamRolePolicyAttachment> = {};
  for (const [key, arn] of Object.entries(opts.managedPolicies ?? {})) {
    attachments[key] = new IamRolePolicyAttachment(scope, `Attach${key}`, { role: role.name, policyArn: arn });
  }
  let inlinePolicy: IamRolePolicy | undefined;
  if (opts.statements && opts.statements.length > 0) {
    const doc = policyDocument(scope, "PolicyDocument", opts.statements);
    inlinePolicy = new IamRolePolicy(scope, "Policy", { name, role: role.id, policy: doc.json });
  }
  return { role, attachments, inlinePolicy };
}

/**
 * Gives `role` the permissions of `statements` through an inline policy created under `scope`
 * (id `id`), so that the grant lives with the construct that grants it and leaves with it.
 */
export function grantToRole(scope: Construct, id: string, role: IRoleRef, policyName: string, statements: PolicyStatement[]): IamRolePolicy {
  const doc = policyDocument(scope, `${id}Document`, statements);
  return new IamRolePolicy(scope, id, { name: policyName, role: role.name, policy: doc.json });
}

/**
 * A construct's grant of `statements` to `role` (`kind` names it: `Read`, `Write`, ...), once per
 * role: asking again returns the same policy. The inline policy is named `<owner id>-<suffix>` unless
 * another grant of the app to the same role has that name (two stacks granting to one role); then the
 * owner's stack id is part of it.
 */
export function grantOnce(
  owner: Construct,
  kind: string,
  role: IRoleRef,
  suffix: string,
  statements: PolicyStatement[],
  baseName = owner.node.id,
): IamRolePolicy {
  if (!isRoleRef(role) || role.name.length === 0 || role.arn.length === 0) {
    throw new MlopsValidationError(
      owner.constructor.name,
      owner.node.path,
      `grant${kind}(role)`,
      "must be a role with a name and an ARN (an IamRole, a DataAwsIamRole or RoleRef.fromRoleArn(arn))",
    );
  }
  const key = Construct.isConstruct(role) ? role.node.path : String(role.arn);
  const id = `Grant${kind}-${stableHash(key)}`;
  return once(owner, id, () => {
    const name = claimUniqueName(owner, `iam-inline-policy:${role.name}`, fitName(`${baseName}-${suffix}`, NameRules.iamRole), (stackId) =>
      fitName(`${stackId}-${baseName}-${suffix}`, NameRules.iamRole),
    );
    return grantToRole(owner, id, role, name, statements);
  });
}

/** ECR issues registry-wide login tokens: `ecr:GetAuthorizationToken` has no resource to scope to. */
export const ECR_LOGIN_STATEMENT: PolicyStatement = { sid: "EcrLogin", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] };

/**
 * `s3:ListBucket` on the buckets limited to key prefixes, in the form that also lets `HeadBucket`
 * through: S3 authorizes HeadBucket as `s3:ListBucket` with no `s3:prefix` in the request, which a
 * plain `StringLike` condition denies (403 at start-up of Feast's registry, KServe's storage
 * initializer, boto3's bucket checks). `StringLikeIfExists` admits the request without the key and
 * keeps every listing that names a prefix to `prefixes`.
 */
export function listPrefixStatement(sid: string, bucketArns: string[], prefixes: string[]): PolicyStatement {
  return {
    sid,
    actions: ["s3:ListBucket"],
    resources: bucketArns,
    conditions: [{ test: "StringLikeIfExists", variable: "s3:prefix", values: prefixes }],
  };
}
