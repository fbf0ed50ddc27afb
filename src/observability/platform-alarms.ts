import { Construct } from "constructs";
import { z } from "zod";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { check, componentTags, customerManagedKey, fitName, MlopsStack, notificationTopic, validateProps, withPlatformPrefix } from "../core";
import { registerManifest } from "../core/manifest";
import type { ServingEndpoint } from "../serving-endpoint";
import type { TrainingCluster } from "../training-cluster";
import { inventory, usableIn } from "./private/inventory";
import { ContainerInsights, poolQuery, SageMakerMetrics } from "./private/metrics";

/** Props of {@link PlatformAlarms}. */
export interface PlatformAlarmsProps {
  /**
   * Who is told when an alarm fires: email addresses and `https://` URLs, subscribed to the topic.
   * @default - nobody (subscribe to `topic` yourself)
   */
  readonly notify?: string[];
  /**
   * A GPU pool is idle while its devices' average utilization stays under this, percent.
   * @default 10
   */
  readonly idleGpuThresholdPercent?: number;
  /**
   * How long a pool must stay idle before its alarm fires, hours (1 to 3: the alarm is a Metrics Insights
   * query, which alarms can evaluate over the last three hours only).
   * @default 3
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html
   */
  readonly idleGpuHours?: number;
  /**
   * How long a GPU SageMaker endpoint may receive no invocation before its alarm fires, hours (1 to 24).
   * @default 24
   */
  readonly zeroInvocationHours?: number;
  /**
   * The clusters whose GPU pools are watched.
   * @default - every TrainingCluster of the app created before this construct
   */
  readonly clusters?: TrainingCluster[];
  /**
   * The endpoints watched for zero invocations (only SageMaker endpoints on GPUs are).
   * @default - every ServingEndpoint of the app created before this construct
   */
  readonly endpoints?: ServingEndpoint[];
}

const schema = z
  .object({
    notify: z
      .array(
        z
          .string()
          .refine((t) => /^https:\/\//.test(t) || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(t), { message: "must be an email address or an https:// URL" }),
      )
      .optional(),
    idleGpuThresholdPercent: z.number().gt(0, { message: "must be > 0" }).lt(100, { message: "must be < 100" }).optional(),
    idleGpuHours: check.int(1, 3).optional(),
    zeroInvocationHours: check.int(1, 24).optional(),
    clusters: z.array(z.any()).optional(),
    endpoints: z.array(z.any()).optional(),
  })
  .strict() satisfies z.ZodType<PlatformAlarmsProps>;

/** Period of the idle-GPU alarms' data points, seconds (12 points in 3 hours). */
const IDLE_PERIOD = 900;

/**
 * The platform's alarms on waste, and the topic they notify (encrypted with a key of its own, which
 * CloudWatch alarms and AWS Budgets may use):
 * - per GPU pool of a cluster with Container Insights, an alarm when the pool has nodes but its GPUs'
 *   average utilization stays under `idleGpuThresholdPercent` for `idleGpuHours` (no nodes, no data: no alarm);
 * - per SageMaker endpoint on GPUs, an alarm when it receives no invocation for `zeroInvocationHours`.
 *
 * Create it after the clusters and endpoints it watches.
 */
export class PlatformAlarms extends Construct {
  /** The topic every alarm notifies (also the budget's, with `PlatformBudget.topicArn`). */
  public readonly topic: SnsTopic;
  /** The topic's key. */
  public readonly key: KmsKey;
  /** Idle-GPU alarms by `<cluster name>/<pool name>`. */
  public readonly idleGpuAlarms: Record<string, CloudwatchMetricAlarm> = {};
  /** Zero-invocation alarms by endpoint name. */
  public readonly zeroInvocationAlarms: Record<string, CloudwatchMetricAlarm> = {};

  constructor(scope: Construct, id: string, props: PlatformAlarmsProps = {}) {
    super(scope, id);
    const p = validateProps(this, "PlatformAlarms", schema, props);
    const stack = MlopsStack.of(this);
    const account = stack.accountId;
    const partition = stack.partition;
    const tags = componentTags("observability");
    const name = fitName(`${stack.platformName}-${stack.node.id}-${id}`, { maxLength: 256, allowed: /[A-Za-z0-9_-]/, lowercase: false });
    const threshold = p.idleGpuThresholdPercent ?? 10;
    const idleHours = p.idleGpuHours ?? 3;
    const silentHours = p.zeroInvocationHours ?? 24;
    const found = inventory(this, { clusters: p.clusters, endpoints: p.endpoints });

    const sameAccount = [{ test: "StringEquals", variable: "aws:SourceAccount", values: [account] }];
    this.key = customerManagedKey(this, "Key", {
      description: `Platform alarms and budget notifications of ${stack.platformName} (cdktf-mlops): SNS topic`,
      account,
      partition,
      policyId: "KeyPolicy",
      statements: [
        {
          sid: "AllowCloudWatchAlarmsAndBudgetsOfThisAccount",
          principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"] }],
          actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
          resources: ["*"],
          conditions: sameAccount,
        },
      ],
      removalPolicy: stack.removalPolicy,
      tags,
    });
    this.topic = notificationTopic(this, {
      name,
      kmsKeyArn: this.key.arn,
      publishers: ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"],
      publishersSid: "CloudWatchAlarmsAndBudgetsOfThisAccountPublish",
      account,
      partition,
      tags,
    }).topic;
    (p.notify ?? []).forEach((target, i) => {
      new SnsTopicSubscription(this, `Notify${i + 1}`, {
        topicArn: this.topic.arn,
        protocol: target.startsWith("https://") ? "https" : "email",
        endpoint: target,
      });
    });
    const actions = [this.topic.arn];
    const alarmName = (suffix: string) =>
      fitName(withPlatformPrefix(stack.platformName, suffix), { maxLength: 255, allowed: /[A-Za-z0-9_.:-]/, lowercase: false });

    // --- idle GPU pools ------------------------------------------------------------------------------
    for (const { cluster, pool, containerInsights } of found.pools) {
      if (!containerInsights || !usableIn(this, cluster, cluster.clusterName)) continue;
      const instanceTypes = pool.instanceTypes;
      const points = (idleHours * 3600) / IDLE_PERIOD;
      this.idleGpuAlarms[`${cluster.clusterName}/${pool.poolName}`] = new CloudwatchMetricAlarm(this, `IdleGpu-${cluster.node.id}-${pool.poolName}`, {
        alarmName: alarmName(`${cluster.clusterName}-${pool.poolName}-gpus-idle`),
        alarmDescription: `GPU pool ${pool.poolName} of ${cluster.clusterName} has nodes whose GPUs averaged under ${threshold}% utilization for ${idleHours} h: scale it down or use it`,
        // One series: the average over every GPU device of the pool's instance types in the cluster.
        metricQuery: [
          {
            id: "utilization",
            expression: poolQuery("AVG", ContainerInsights.gpuUtilization, cluster.clusterName, instanceTypes, ContainerInsights.gpuDeviceSchema),
            period: IDLE_PERIOD,
            label: `GPU utilization of ${pool.poolName}`,
            returnData: true,
          },
        ],
        comparisonOperator: "LessThanThreshold",
        threshold,
        evaluationPeriods: points,
        datapointsToAlarm: points,
        // A pool without nodes publishes nothing: not idle capacity.
        treatMissingData: "notBreaching",
        alarmActions: actions,
        okActions: actions,
        tags,
      });
    }

    // --- GPU endpoints that nobody calls ------------------------------------------------------------------
    for (const endpoint of found.endpoints) {
      if (endpoint.engineKind !== "sagemaker" || !endpoint.gpu || !usableIn(this, endpoint, endpoint.endpointName)) continue;
      const m = endpoint.metric(SageMakerMetrics.invocations, "Sum");
      this.zeroInvocationAlarms[endpoint.endpointName] = new CloudwatchMetricAlarm(this, `NoInvocations-${endpoint.node.id}`, {
        alarmName: alarmName(`${endpoint.endpointName}-no-invocations`),
        alarmDescription: `GPU endpoint ${endpoint.endpointName} received no invocation for ${silentHours} h: its instances are paid for nothing`,
        namespace: m.namespace,
        metricName: m.metricName,
        dimensions: m.dimensions,
        statistic: "Sum",
        period: 3600,
        evaluationPeriods: silentHours,
        datapointsToAlarm: silentHours,
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        // SageMaker publishes no Invocations point in an hour without requests: silence is the signal.
        treatMissingData: "breaching",
        alarmActions: actions,
        okActions: actions,
        tags,
      });
    }
    registerManifest(this, "PlatformAlarms", {
      idleGpuThresholdPercent: threshold,
      idleGpuHours: idleHours,
      zeroInvocationHours: silentHours,
      idleGpuAlarms: Object.keys(this.idleGpuAlarms),
      zeroInvocationAlarms: Object.keys(this.zeroInvocationAlarms),
      notify: p.notify ?? [],
    });
  }
}
