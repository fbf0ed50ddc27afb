import { Construct } from "constructs";
import { z } from "zod";
import { BudgetsBudget, BudgetsBudgetNotification } from "@cdktf/provider-aws/lib/budgets-budget";
import { CeCostAllocationTag } from "@cdktf/provider-aws/lib/ce-cost-allocation-tag";
import { componentTags, fitName, MlopsStack, TagKeys, validateProps } from "../core";
import { registerManifest } from "../core/manifest";

/** A team's monthly budget, for {@link PlatformBudgetProps.teamBudgets}. */
export interface TeamBudgetOptions {
  /**
   * The team: the value of the `mlops:team` tag on the AWS resources it owns (a lowercase DNS label, as the
   * cluster's team names are).
   */
  readonly team: string;
  /** The team's monthly limit, USD: the cost of every resource tagged `mlops:team=<team>`. */
  readonly monthlyLimitUsd: number;
  /**
   * Email addresses told when one of the team's thresholds is crossed (at most 10).
   * @default - the platform budget's `notify` (and its `topicArn`, which every team budget notifies)
   */
  readonly notify?: string[];
}

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
   * Monthly budgets per team, on the `mlops:team` cost allocation tag, with the platform budget's thresholds.
   * They count what AWS bills to resources tagged `mlops:team=<team>`: the library tags no resource with a
   * team in this release, so tag the team's own resources (buckets, SageMaker jobs and endpoints, node groups
   * it alone uses). Pods on shared nodes are not counted: EKS bills the nodes, and split cost allocation data
   * for EKS, which attributes node cost to namespaces and pods (tags `aws:eks:namespace`, `aws:eks:workload-name`),
   * is documented for the Cost and Usage Report (Data Exports), not for AWS Budgets.
   * @default - no team budget
   * @see https://docs.aws.amazon.com/cur/latest/userguide/split-cost-allocation-data.html
   */
  readonly teamBudgets?: TeamBudgetOptions[];
  /**
   * Activate the tags the library sets (`mlops:platform`, `mlops:team`, `mlops:component`, `mlops:managed-by`)
   * as cost allocation tags (`aws_ce_cost_allocation_tag`). Off by
   * default: only the organization's management (payer) account can activate tags, and only tag keys that
   * already appear in its billing data (up to 24 hours after the first tagged resource), so on a first deploy
   * activation fails. A budget filtered by a tag that is not active counts nothing: activate them once, here
   * or in the Billing console.
   * @default false
   * @see https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html
   */
  readonly activateCostAllocationTags?: boolean;
}

const emails = z
  .array(z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { message: "must be an email address" }))
  .max(10, { message: "may name at most 10 addresses (AWS Budgets' limit per notification)" });

const teamBudgetSchema = z
  .object({
    team: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: "must be a lowercase DNS label of at most 63 characters" }),
    monthlyLimitUsd: z.number().positive({ message: "must be > 0" }),
    notify: emails.min(1, { message: "must name someone, or be left out (the platform budget's notify)" }).optional(),
  })
  .strict() satisfies z.ZodType<TeamBudgetOptions>;

const schema = z
  .object({
    monthlyLimitUsd: z.number().positive({ message: "must be > 0" }),
    notify: emails.optional(),
    topicArn: z.string().optional(),
    actualThresholdsPercent: z
      .array(z.number().positive({ message: "must be > 0" }))
      .max(4)
      .optional(),
    forecastThresholdPercent: z.number().positive({ message: "must be > 0" }).optional(),
    teamBudgets: z.array(teamBudgetSchema).optional(),
    activateCostAllocationTags: z.boolean().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (!p.notify?.length && !p.topicArn) ctx.addIssue({ code: "custom", path: ["notify"], message: "or topicArn must name someone to tell" });
    const seen = new Set<string>();
    (p.teamBudgets ?? []).forEach((t, i) => {
      if (seen.has(t.team)) ctx.addIssue({ code: "custom", path: ["teamBudgets", i, "team"], message: `(${t.team}) has a budget already` });
      seen.add(t.team);
    });
  }) satisfies z.ZodType<PlatformBudgetProps>;

/** The tag keys the library sets, activated as cost allocation tags with `activateCostAllocationTags`. */
const LIBRARY_TAG_KEYS = [TagKeys.platform, TagKeys.team, TagKeys.component, TagKeys.managedBy];

/**
 * An AWS Budgets monthly cost budget of the platform: the cost of the resources tagged with the platform's
 * `mlops:platform` tag (which the library puts on every resource through the provider's default tags), with
 * notifications on the actual and the forecast cost; optionally one budget per team, on the `mlops:team` tag.
 * Budgets are account-wide: one per platform, in any stack.
 */
export class PlatformBudget extends Construct {
  /** The budget. */
  public readonly budget: BudgetsBudget;
  /** The team budgets, by team. */
  public readonly teamBudgets: Record<string, BudgetsBudget> = {};
  /** The activated cost allocation tags, with `activateCostAllocationTags`. */
  public readonly costAllocationTags: CeCostAllocationTag[] = [];

  constructor(scope: Construct, id: string, props: PlatformBudgetProps) {
    super(scope, id);
    const p = validateProps(this, "PlatformBudget", schema, props);
    const stack = MlopsStack.of(this);
    const subscribers = (notify: string[] | undefined) => ({
      subscriberEmailAddresses: notify?.length ? notify : undefined,
      subscriberSnsTopicArns: p.topicArn ? [p.topicArn] : undefined,
    });
    const notification = (type: "ACTUAL" | "FORECASTED", threshold: number, notify = p.notify): BudgetsBudgetNotification => ({
      notificationType: type,
      comparisonOperator: "GREATER_THAN",
      threshold,
      thresholdType: "PERCENTAGE",
      ...subscribers(notify),
    });
    const actual = p.actualThresholdsPercent ?? [80, 100];
    const forecast = p.forecastThresholdPercent ?? 100;
    this.budget = new BudgetsBudget(this, "Resource", {
      name: fitName(`${stack.platformName}-monthly`, { maxLength: 100, allowed: /[A-Za-z0-9_.-]/, lowercase: false }),
      budgetType: "COST",
      limitAmount: p.monthlyLimitUsd.toFixed(2),
      limitUnit: "USD",
      timeUnit: "MONTHLY",
      // User-defined cost allocation tags are filtered as `user:<key>$<value>`.
      costFilter: [{ name: "TagKeyValue", values: [`user:${TagKeys.platform}$${stack.platformName}`] }],
      notification: [...actual.map((t) => notification("ACTUAL", t)), notification("FORECASTED", forecast)],
      tags: componentTags("observability"),
    });
    for (const t of p.teamBudgets ?? []) {
      const notify = t.notify ?? p.notify;
      this.teamBudgets[t.team] = new BudgetsBudget(this, `Team-${t.team}`, {
        name: fitName(`${stack.platformName}-team-${t.team}-monthly`, { maxLength: 100, allowed: /[A-Za-z0-9_.-]/, lowercase: false }),
        budgetType: "COST",
        limitAmount: t.monthlyLimitUsd.toFixed(2),
        limitUnit: "USD",
        timeUnit: "MONTHLY",
        costFilter: [{ name: "TagKeyValue", values: [`user:${TagKeys.team}$${t.team}`] }],
        notification: [...actual.map((x) => notification("ACTUAL", x, notify)), notification("FORECASTED", forecast, notify)],
        tags: componentTags("observability", t.team),
      });
    }
    if (p.activateCostAllocationTags) {
      for (const key of LIBRARY_TAG_KEYS) {
        this.costAllocationTags.push(
          new CeCostAllocationTag(this, `CostAllocationTag-${key.replace(/[^A-Za-z0-9]/g, "-")}`, { tagKey: key, status: "Active" }),
        );
      }
    }
    registerManifest(this, "PlatformBudget", {
      monthlyLimitUsd: p.monthlyLimitUsd,
      actualThresholdsPercent: actual,
      forecastThresholdPercent: forecast,
      ...(p.teamBudgets?.length ? { teamBudgets: p.teamBudgets.map((t) => ({ team: t.team, monthlyLimitUsd: t.monthlyLimitUsd })) } : {}),
    });
  }
}
