import { Construct } from "constructs";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { policyDocument, PolicyCondition } from "./iam";

/** Options of {@link notificationTopic}. */
export interface NotificationTopicOptions {
  readonly name: string;
  /** ARN of the customer-managed key of the topic (whose policy must let the publishers use it). */
  readonly kmsKeyArn: string;
  /** Service principals that publish to the topic, e.g. `cloudwatch.amazonaws.com`. */
  readonly publishers: string[];
  /** Statement id of the publishers' statement (kept per caller, so that policies read as they always have). */
  readonly publishersSid: string;
  readonly account: string;
  readonly partition: string;
  readonly tags?: Record<string, string>;
}

/**
 * An SNS topic as the library's alarms notify through: under a customer-managed key, with a policy that
 * lets the given services of this account publish, lets the account manage the topic, and refuses
 * publishing without TLS (ids `Topic`, `TopicPolicyDocument`, `TopicPolicy` under `scope`).
 */
export function notificationTopic(scope: Construct, opts: NotificationTopicOptions): { topic: SnsTopic; policy: SnsTopicPolicy } {
  const topic = new SnsTopic(scope, "Topic", { name: opts.name, kmsMasterKeyId: opts.kmsKeyArn, tags: opts.tags });
  const sameAccount: PolicyCondition[] = [{ test: "StringEquals", variable: "aws:SourceAccount", values: [opts.account] }];
  const doc = policyDocument(scope, "TopicPolicyDocument", [
    {
      sid: opts.publishersSid,
      principals: [{ type: "Service", identifiers: opts.publishers }],
      actions: ["sns:Publish"],
      resources: [topic.arn],
      conditions: sameAccount,
    },
    {
      sid: "AccountManagesTheTopic",
      principals: [{ type: "AWS", identifiers: [`arn:${opts.partition}:iam::${opts.account}:root`] }],
      actions: ["sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:ListSubscriptionsByTopic"],
      resources: [topic.arn],
    },
    {
      sid: "DenyPublishWithoutTls",
      effect: "Deny",
      principals: [{ type: "AWS", identifiers: ["*"] }],
      actions: ["sns:Publish"],
      resources: [topic.arn],
      conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    },
  ]);
  const policy = new SnsTopicPolicy(scope, "TopicPolicy", { arn: topic.arn, policy: doc.json });
  return { topic, policy };
}
