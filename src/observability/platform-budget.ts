import { Construct } from "constructs";
import { z } from "zod";
import { BudgetsBudget, BudgetsBudgetNotification } from "@cdktf/provider-aws/lib/budgets-budget";
import { CeCostAllocationTag } from "@cdktf/provider-aws/lib/ce-cost-allocation-tag";
import { componentTags, fitName, MlopsStack, TagKeys, validateProps } from "../core";
import { registerManifest } from "../core/manifest";

/** Props of {@link PlatformBudget}. */
export interface PlatformBudgetProps {
  /** The monthly limit, USD: the cost of every resource tagged `mlops:platform=<platform name>`. */
  readonly monthlyLimitUsd: number;
  /**
   * Email addresses told when a threshold is crossed (AWS Budgets takes at most 10 per notification).
   * @default - none (give `topicArn`, or both)
   */
  readonly notify?: string[];
  /**
   * An SNS topic told when a threshold is crossed, such as `PlatformAlarms.topic.arn` (its policy and key must
   * let `budgets.amazonaws.com` publish, as that topic's do).
   * @default - no topic
   */
  readonly topicArn?: string;
  /**
   * Thresholds on the actual cost of the month, percent of the limit.
   * @default [80, 100]
   */
  readonly actualThresholdsPercent?: number[];
  /**
   * Threshold on the forecast cost of the month, percent of the limit.
   * @default 100
   */
  readonly forecastThresholdPercent?: number;
  /**
   * Activate `mlops:platform` and `mlops:team` as cost allocation tags (`aws_ce_cost_allocation_tag`). Off by
   * default: only the organization's management (payer) account can activate tags, and only tag keys that
   * already appear in its billing data (up to 24 hours after the first tagged resource), so on a first deploy
   * activation fails. A budget filtered by a tag that is not active counts nothing: activate them once, here
   * or in the Billing console.
   * @default false
   * @see https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html
   */
  readonly activateCostAllocationTags?: boolean;
}

const schema = z
  .object({
    monthlyLimitUsd: z.number().positive({ message: "must be > 0" }),
    notify: z
      .array(z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { message: "must be an email address" }))
      .max(10, { message: "may name at most 10 addresses (AWS Budgets' limit per notification)" })
      .optional(),
    topicArn: z.string().optional(),
    actualThresholdsPercent: z
      .array(z.number().positive({ message: "must be > 0" }))
      .max(4)
      .optional(),
    forecastThresholdPercent: z.number().positive({ message: "must be > 0" }).optional(),
    activateCostAllocationTags: z.boolean().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (!p.notify?.length && !p.topicArn) ctx.addIssue({ code: "custom", path: ["notify"], message: "or topicArn must name someone to tell" });
  }) satisfies z.ZodType<PlatformBudgetProps>;

/**
 * An AWS Budgets monthly cost budget of the platform: the cost of the resources tagged with the platform's
 * `mlops:platform` tag (which the library puts on every resource through the provider's default tags), with
 * notifications on the actual and the forecast cost. Budgets are account-wide: one per platform, in any stack.
 */
export class PlatformBudget extends Construct {
  /** The budget. */
  public readonly budget: BudgetsBudget;
  /** The activated cost allocation tags, with `activateCostAllocationTags`. */
  public readonly costAllocationTags: CeCostAllocationTag[] = [];

  constructor(scope: Construct, id: string, props: PlatformBudgetProps) {
    super(scope, id);
    const p = validateProps(this, "PlatformBudget", schema, props);
    const stack = MlopsStack.of(this);
    const subscribers = {
      subscriberEmailAddresses: p.notify?.length ? p.notify : undefined,
      subscriberSnsTopicArns: p.topicArn ? [p.topicArn] : undefined,
    };
    const notification = (type: "ACTUAL" | "FORECASTED", threshold: number): BudgetsBudgetNotification => ({
      notificationType: type,
      comparisonOperator: "GREATER_THAN",
      threshold,
      thresholdType: "PERCENTAGE",
      ...subscribers,
    });
    const actual = p.actualThresholdsPercent ?? [80, 100];
    this.budget = new BudgetsBudget(this, "Resource", {
      name: fitName(`${stack.platformName}-monthly`, { maxLength: 100, allowed: /[A-Za-z0-9_.-]/, lowercase: false }),
      budgetType: "COST",
      limitAmount: p.monthlyLimitUsd.toFixed(2),
      limitUnit: "USD",
      timeUnit: "MONTHLY",
      // User-defined cost allocation tags are filtered as `user:<key>$<value>`.
      costFilter: [{ name: "TagKeyValue", values: [`user:${TagKeys.platform}$${stack.platformName}`] }],
      notification: [...actual.map((t) => notification("ACTUAL", t)), notification("FORECASTED", p.forecastThresholdPercent ?? 100)],
      tags: componentTags("observability"),
    });
    if (p.activateCostAllocationTags) {
      for (const key of [TagKeys.platform, TagKeys.team]) {
        this.costAllocationTags.push(
          new CeCostAllocationTag(this, `CostAllocationTag-${key.replace(/[^A-Za-z0-9]/g, "-")}`, { tagKey: key, status: "Active" }),
        );
      }
    }
    registerManifest(this, "PlatformBudget", {
      monthlyLimitUsd: p.monthlyLimitUsd,
      actualThresholdsPercent: actual,
      forecastThresholdPercent: p.forecastThresholdPercent ?? 100,
    });
  }
}
