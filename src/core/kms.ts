import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { policyDocument, PolicyStatement } from "./iam";
import { applyRemovalPolicy, RemovalPolicy } from "./removal-policy";

/** Options of {@link customerManagedKey}. */
export interface CustomerManagedKeyOptions {
  readonly description: string;
  /** Account id and partition of the key's own account. */
  readonly account: string;
  readonly partition: string;
  /** Id of the key policy document (kept per caller, so addresses stay where they are). */
  readonly policyId: string;
  /** Statements for services beyond the account's own IAM policies. */
  readonly statements: PolicyStatement[];
  readonly removalPolicy: RemovalPolicy;
  readonly tags?: Record<string, string>;
}

/**
 * A symmetric KMS key as the library ships every key: rotation on, 30-day deletion window, a policy
 * that lets the account's IAM policies grant its use (plus the given service statements), and the
 * removal policy.
 */
export function customerManagedKey(scope: Construct, id: string, opts: CustomerManagedKeyOptions): KmsKey {
  return customerManagedKeyWithPolicy(scope, id, opts).key;
}

/** A key as {@link customerManagedKey} makes it, with its policy document and statements, for policies that grow. */
export function customerManagedKeyWithPolicy(
  scope: Construct,
  id: string,
  opts: CustomerManagedKeyOptions,
): { key: KmsKey; document: DataAwsIamPolicyDocument; statements: PolicyStatement[] } {
  const statements: PolicyStatement[] = [
    {
      // A key policy must let the account administer the key, or it becomes unmanageable.
      sid: "EnableIamPoliciesOfTheAccount",
      principals: [{ type: "AWS", identifiers: [`arn:${opts.partition}:iam::${opts.account}:root`] }],
      actions: ["kms:*"],
      resources: ["*"],
    },
    ...opts.statements,
  ];
  const doc = policyDocument(scope, opts.policyId, statements);
  const key = new KmsKey(scope, id, {
    description: opts.description,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    policy: doc.json,
    tags: opts.tags,
  });
  applyRemovalPolicy(key, opts.removalPolicy);
  return { key, document: doc, statements };
}
