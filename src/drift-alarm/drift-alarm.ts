import { Construct } from "constructs";
import { z } from "zod";
import { CloudwatchCompositeAlarm } from "@cdktf/provider-aws/lib/cloudwatch-composite-alarm";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import type { SagemakerDataQualityJobDefinition } from "@cdktf/provider-aws/lib/sagemaker-data-quality-job-definition";
import type { SagemakerMonitoringSchedule } from "@cdktf/provider-aws/lib/sagemaker-monitoring-schedule";
import {
  check,
  componentTags,
  createRole,
  customerManagedKey,
  notificationTopic,
  listPrefixStatement,
  encryptedLogGroup,
  fail,
  fitName,
  LOG_RETENTION_DAYS,
  MlopsStack,
  NameRules,
  policyDocument,
  PolicyStatement,
  validateProps,
  isDeployTimeValue,
  claimUniqueName,
  withPlatformPrefix,
} from "../core";
import { registerManifest } from "../core/manifest";
import type { ModelMonitorOptions } from "./contract";
import { CaptureFormat } from "../serving-endpoint/capture-format";
import type { IServingEndpoint } from "../serving-endpoint";
import { buildModelMonitor } from "./private/model-monitor";
import { DRIFT_NAMESPACE, DriftDimensions, EndpointMetrics, FeatureMetrics } from "./job/metrics";
import { driftJobCode } from "./private/job-asset";
import type { ShapeOf } from "../core";

/**
 * The metrics the drift job publishes, for dashboards and alarms of your own. They are the job's own
 * constants (src/drift-alarm/job/metrics.ts), which the job and these alarms both import.
 */
export class DriftMetrics {
  /** The CloudWatch namespace of every drift metric. */
  public static readonly NAMESPACE = DRIFT_NAMESPACE;
  /** Dimension on every metric: the endpoint name. */
  public static readonly ENDPOINT_DIMENSION = DriftDimensions.endpoint;
  /** Dimension on per-feature metrics: the feature name. */
  public static readonly FEATURE_DIMENSION = DriftDimensions.feature;
  public static readonly POPULATION_STABILITY_INDEX = FeatureMetrics.psi;
  public static readonly KOLMOGOROV_SMIRNOV_DISTANCE = FeatureMetrics.ks;
  public static readonly JENSEN_SHANNON_DISTANCE = FeatureMetrics.jsDistance;
  public static readonly MISSING_RATE = FeatureMetrics.missingRate;
  public static readonly RECORD_COUNT = EndpointMetrics.records;
  public static readonly INSUFFICIENT_RECORDS = EndpointMetrics.insufficientRecords;
  public static readonly SCHEMA_FIELDS_ADDED = EndpointMetrics.fieldsAdded;
  public static readonly SCHEMA_FIELDS_REMOVED = EndpointMetrics.fieldsRemoved;
  public static readonly UNPARSEABLE_RECORDS = EndpointMetrics.unparseable;
  /** Watched features the baseline does not have: their alarms could never fire. */
  public static readonly UNKNOWN_FEATURES = EndpointMetrics.unknownFeatures;
  /** 1 when a run stopped at its time budget before reading the whole window. */
  public static readonly WINDOW_TRUNCATED = EndpointMetrics.windowTruncated;
  public static readonly OBJECTS_READ = EndpointMetrics.objectsRead;
  private constructor() {}
}

/** Props of {@link DriftAlarm}. */
export interface DriftAlarmProps {
  /** The endpoint whose captured payloads are watched, whatever its engine. */
  readonly endpoint: IServingEndpoint;
  /** `s3://<bucket>/<key>` of the baseline JSON that `npx cdktf-mlops baseline` wrote. */
  readonly baselineS3Uri: string;
  /**
   * KMS key ARN that encrypts the baseline object.
   * @default - the baseline is in a bucket with SSE-S3, or under the endpoint's capture key
   */
  readonly baselineKmsKeyArn?: string;
  /**
   * Numeric features to watch: alarms on PSI, Kolmogorov-Smirnov distance and missing rate.
   * @default - none
   */
  readonly numericFeatures?: string[];
  /**
   * Categorical features to watch: alarms on PSI, Jensen-Shannon distance and missing rate.
   * @default - none
   */
  readonly categoricalFeatures?: string[];
  /**
   * PSI above which a feature has drifted (0.1 slight, 0.2 significant, by the usual rule of thumb).
   * @default 0.2
   */
  readonly psiThreshold?: number;
  /**
   * Kolmogorov-Smirnov distance above which a numeric feature has drifted.
   * @default 0.2
   */
  readonly ksThreshold?: number;
  /**
   * Jensen-Shannon distance (0..1) above which a categorical feature has drifted.
   * @default 0.2
   */
  readonly jsDistanceThreshold?: number;
  /**
   * Missing-value rate above which a feature alarms.
   * @default 0.1
   */
  readonly missingRateThreshold?: number;
  /**
   * How often the job runs, minutes; each run reads the captures of the last interval.
   * @default 60
   */
  readonly intervalMinutes?: number;
  /**
   * Fewest records a run needs to compute statistics; fewer publish `InsufficientRecords` instead.
   * @default 100
   */
  readonly minRecords?: number;
  /**
   * Who is told: email addresses, `https://` URLs and Lambda function ARNs.
   * @default - nobody (the topic is still there to subscribe to)
   */
  readonly notify?: string[];
  /**
   * Started when drift alarms: a SageMaker pipeline, a Step Functions state machine or an EventBridge bus (ARN).
   * @default - none
   */
  readonly retrainingTargetArn?: string;
  /**
   * Retention of the job's logs, days.
   * @default 90
   */
  readonly logRetentionDays?: number;
  /**
   * Run SageMaker Model Monitor (data quality) instead of the shipped job, with alarms on its
   * `feature_baseline_drift_<feature>` metrics under the same composite alarm and topic.
   * `intervalMinutes` must then be 60 or 1440.
   * @default - the shipped drift job
   */
  readonly modelMonitor?: ModelMonitorOptions;
}

const NOTIFY = /^([^@\s]+@[^@\s]+\.[^@\s]+|https:\/\/\S+|arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?)$/;
const RETRAIN =
  /^arn:aws[a-z-]*:(sagemaker:[a-z0-9-]+:\d{12}:pipeline\/|states:[a-z0-9-]+:\d{12}:stateMachine:|events:[a-z0-9-]+:\d{12}:event-bus\/)\S+$/;
const FEATURE = /^[A-Za-z0-9_.:-]{1,255}$/;

const schema = z
  .object({
    endpoint: z.custom<IServingEndpoint>((e) => !!e && typeof e === "object" && "captureKeyPrefix" in e && "captureFormat" in e, {
      message: "must be a serving endpoint (IServingEndpoint)",
    }),
    baselineS3Uri: z.string().superRefine((v, ctx) => {
      if (/^s3:\/\/[^/]+\/.+$/.test(v)) return;
      ctx.addIssue({
        code: "custom",
        message: isDeployTimeValue(v)
          ? "must be known at synth time as s3://<bucket>/<key> (bucket and key may be deploy-time values): they are taken apart for the job's IAM policy"
          : "must be an S3 URI of an object (s3://<bucket>/<key>)",
      });
    }),
    baselineKmsKeyArn: check.matching(/^arn:aws[a-z-]*:kms:/, "must be a KMS key ARN").optional(),
    numericFeatures: check
      .synthTime(z.array(check.matching(FEATURE, "must be a feature name (letters, digits, '_', '.', ':', '-')")), "each feature gets its own alarms")
      .optional(),
    categoricalFeatures: check
      .synthTime(z.array(check.matching(FEATURE, "must be a feature name (letters, digits, '_', '.', ':', '-')")), "each feature gets its own alarms")
      .optional(),
    psiThreshold: z.number().gt(0, { message: "must be > 0" }).optional(),
    ksThreshold: z.number().gt(0, { message: "must be > 0" }).max(1, { message: "must be <= 1" }).optional(),
    jsDistanceThreshold: z.number().gt(0, { message: "must be > 0" }).max(1, { message: "must be <= 1" }).optional(),
    missingRateThreshold: z.number().gt(0, { message: "must be > 0" }).max(1, { message: "must be <= 1" }).optional(),
    intervalMinutes: check.int(5, 1440).optional(),
    minRecords: check.int(1, 1000000).optional(),
    notify: check
      .synthTime(
        z.array(check.matching(NOTIFY, "must be an email address, an https:// URL or a Lambda function ARN")),
        "each target becomes its own subscription",
      )
      .optional(),
    retrainingTargetArn: check
      .matching(RETRAIN, "must be the ARN of a SageMaker pipeline, a Step Functions state machine or an EventBridge event bus")
      .optional(),
    logRetentionDays: z
      .number()
      .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), { message: "must be one of CloudWatch Logs' retention values" })
      .optional(),
    modelMonitor: z
      .object({
        imageUri: check.matching(
          /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/sagemaker-model-monitor-analyzer(:[\w.-]+)?$/,
          "must be the region's sagemaker-model-monitor-analyzer image (<account>.dkr.ecr.<region>.amazonaws.com/sagemaker-model-monitor-analyzer)",
        ),
        baselineConstraintsS3Uri: check.matching(/^s3:\/\/[^/]+\/.+$/, "must be an S3 URI of an object (s3://<bucket>/<key>)"),
        baselineStatisticsS3Uri: check.matching(/^s3:\/\/[^/]+\/.+$/, "must be an S3 URI of an object (s3://<bucket>/<key>)"),
        instanceType: check.matching(/^ml\.[a-z0-9-]+\.[a-z0-9]+$/, "must be a SageMaker instance type such as ml.m5.xlarge").optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.modelMonitor && ![60, 1440].includes(p.intervalMinutes ?? 60)) {
      ctx.addIssue({
        code: "custom",
        path: ["intervalMinutes"],
        message: "must be 60 or 1440 with modelMonitor (Model Monitor runs hourly or daily)",
      });
    }
    if (p.modelMonitor && p.endpoint && p.endpoint.captureFormat !== CaptureFormat.SAGEMAKER_DATA_CAPTURE_JSONL) {
      ctx.addIssue({
        code: "custom",
        path: ["modelMonitor"],
        message: "needs a SageMaker endpoint: Model Monitor reads SageMaker data capture only",
      });
    }
    const all = [...(p.numericFeatures ?? []), ...(p.categoricalFeatures ?? [])];
    if (all.length === 0)
      ctx.addIssue({ code: "custom", path: ["numericFeatures"], message: "and categoricalFeatures name no feature: watch at least one" });
    if (all.length > 25)
      ctx.addIssue({
        code: "custom",
        path: ["numericFeatures"],
        message: `and categoricalFeatures name ${all.length} features: at most 25 fit one composite alarm`,
      });
    all.forEach((f, i) => {
      if (all.indexOf(f) !== i) {
        const numeric = i < (p.numericFeatures ?? []).length;
        const path = numeric ? ["numericFeatures", i] : ["categoricalFeatures", i - (p.numericFeatures ?? []).length];
        ctx.addIssue({ code: "custom", path, message: "names a feature twice" });
      }
    });
  }) satisfies ShapeOf<DriftAlarmProps>;

/** The drift alarm that owns the capture-bucket notification of each KServe endpoint (a bucket has one). */
const NOTIFIED = new WeakMap<IServingEndpoint, DriftAlarm>();

/** One feature alarm. */
interface FeatureAlarmSpec {
  feature: string;
  metric: string;
  threshold: number;
}

/** The resources of `DriftAlarm.modelMonitor`. */
export interface DriftModelMonitorResources {
  readonly jobDefinition: SagemakerDataQualityJobDefinition;
  readonly schedule: SagemakerMonitoringSchedule;
  /** The role the monitoring job runs as. */
  readonly role: IamRole;
}

/**
 * Drift monitoring of a serving endpoint: the library's drift job on a schedule (Lambda from the
 * compiled job, EventBridge Scheduler, dead-letter queue, encrypted logs), CloudWatch alarms per
 * feature and statistic under one composite alarm, alarms on the job's own failure and on no data,
 * an SNS topic under a customer-managed key that CloudWatch may use, subscriptions, and an optional
 * retraining trigger on the composite alarm.
 */
export class DriftAlarm extends Construct {
  /** The shipped job's function (absent with Model Monitor). */
  public readonly jobFunction?: LambdaFunction;
  public readonly jobRole?: IamRole;
  public readonly logGroup?: CloudwatchLogGroup;
  public readonly deadLetterQueue?: SqsQueue;
  /**
   * KServe endpoints: the queue of S3 notifications of new capture objects that each run drains (KServe's
   * keys carry no time, so the window is found without listing the capture prefix).
   */
  public readonly captureQueue?: SqsQueue;
  /** KServe endpoints: the capture bucket's notification configuration that feeds `captureQueue`. */
  public readonly captureNotification?: S3BucketNotification;
  public readonly schedule?: SchedulerSchedule;
  /** Model Monitor's job definition and schedule, with `modelMonitor`. */
  public readonly modelMonitor?: DriftModelMonitorResources;
  /** The key of the topic and the dead-letter queue. */
  public readonly key: KmsKey;
  public readonly topic: SnsTopic;
  /** Feature alarms by `<feature>/<metric>`. */
  public readonly featureAlarms: Record<string, CloudwatchMetricAlarm> = {};
  /** The composite alarm over the feature alarms. */
  public readonly compositeAlarm: CloudwatchCompositeAlarm;
  /** Alarms on the shipped job itself: errors, messages in the dead-letter queue, no data, unknown features, truncated windows. */
  public readonly jobAlarms: Record<string, CloudwatchMetricAlarm> = {};
  public readonly retrainingRule?: CloudwatchEventRule;

  constructor(scope: Construct, id: string, props: DriftAlarmProps) {
    super(scope, id);
    const p = validateProps(this, "DriftAlarm", schema, props);
    const stack = MlopsStack.of(this);
    const endpoint = p.endpoint;
    const tags = componentTags("drift-alarm");
    const account = stack.accountId;
    const partition = stack.partition;
    // Lambda, log group, topic and alarm names repeat per region: a second alarm of one endpoint gets the stack id in its name.
    const nameRule = { maxLength: 64, allowed: /[A-Za-z0-9_-]/, lowercase: false };
    const preferredName = fitName(`${withPlatformPrefix(stack.platformName, endpoint.endpointName)}-drift`, nameRule);
    const name = claimUniqueName(this, `drift:${stack.region}`, preferredName, (stackId) =>
      fitName(`${withPlatformPrefix(stack.platformName, endpoint.endpointName)}-${stackId}-drift`, nameRule),
    );
    const interval = p.intervalMinutes ?? 60;
    registerManifest(this, "DriftAlarm", {
      endpoint: endpoint.node.path,
      endpointName: endpoint.endpointName,
      engine: endpoint.engineKind,
      job: p.modelMonitor ? "model-monitor" : "drift-job",
      intervalMinutes: interval,
      features: [...(p.numericFeatures ?? []), ...(p.categoricalFeatures ?? [])],
      notify: p.notify ?? [],
      retrainingTargetArn: p.retrainingTargetArn,
    });
    const [, baselineBucket, baselineKey] = /^s3:\/\/([^/]+)\/(.+)$/.exec(p.baselineS3Uri)!;
    // KServe's capture keys carry no time: the shipped job reads the window from S3 notifications.
    const viaQueue = !p.modelMonitor && endpoint.captureFormat === CaptureFormat.KSERVE_LOGGER_JSON;
    const owner = viaQueue ? NOTIFIED.get(endpoint) : undefined;
    if (owner) {
      fail(
        this,
        "DriftAlarm",
        "endpoint",
        `(${endpoint.endpointName}) is already watched by the DriftAlarm ${owner.node.path}: its capture bucket has one S3 notification configuration, which that alarm's queue holds. Watch more features with that alarm.`,
      );
    }
    if (viaQueue) NOTIFIED.set(endpoint, this);

    // --- a key that CloudWatch may use: alarms cannot publish to a topic under the AWS-managed key ---
    this.key = customerManagedKey(this, "Key", {
      description: `Drift alarms of ${endpoint.endpointName} (cdktf-mlops): SNS topic and dead-letter queue`,
      account,
      partition,
      policyId: "KeyPolicy",
      statements: [
        {
          sid: "AllowCloudWatchAlarmsOfThisAccount",
          principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
          actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
          resources: ["*"],
          conditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [account] }],
        },
        ...(viaQueue
          ? [
              {
                sid: "AllowS3NotificationsOfThisAccount",
                principals: [{ type: "Service", identifiers: ["s3.amazonaws.com"] }],
                actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
                resources: ["*"],
                conditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [account] }],
              },
            ]
          : []),
      ],
      removalPolicy: stack.removalPolicy,
      tags,
    });

    this.topic = notificationTopic(this, {
      name,
      kmsKeyArn: this.key.arn,
      publishers: ["cloudwatch.amazonaws.com"],
      publishersSid: "CloudWatchAlarmsOfThisAccountPublish",
      account,
      partition,
      tags,
    }).topic;
    (p.notify ?? []).forEach((target, i) => {
      const protocol = target.startsWith("https://") ? "https" : target.startsWith("arn:") ? "lambda" : "email";
      new SnsTopicSubscription(this, `Notify${i + 1}`, { topicArn: this.topic.arn, protocol, endpoint: target });
      if (protocol === "lambda") {
        new LambdaPermission(this, `Notify${i + 1}Permission`, {
          statementId: "AllowDriftAlarmTopic",
          action: "lambda:InvokeFunction",
          functionName: target,
          principal: "sns.amazonaws.com",
          sourceArn: this.topic.arn,
        });
      }
    });

    // --- the shipped job, or Model Monitor in its place ---------------------------------------------
    let featureAlarmTarget: {
      namespace: string;
      metric: (feature: string, statistic: string) => string;
      dimensions: (feature: string) => Record<string, string>;
    };
    if (p.modelMonitor) {
      const monitor = buildModelMonitor(this, { endpoint, options: p.modelMonitor, name, hourly: interval === 60, tags });
      this.modelMonitor = monitor;
      featureAlarmTarget = monitor.alarmTarget;
    } else {
      // --- the job ---------------------------------------------------------------------------------
      const deadLetterQueue = new SqsQueue(this, "DeadLetterQueue", {
        name: `${name}-dlq`,
        kmsMasterKeyId: this.key.arn,
        messageRetentionSeconds: 14 * 24 * 3600,
        tags,
      });
      const logGroup = encryptedLogGroup(this, "JobLogs", {
        name: `/aws/lambda/${name}`,
        retentionDays: p.logRetentionDays ?? 90,
        kmsKeyArn: stack.kmsKey.arn,
        tags,
      });
      let captureQueue: SqsQueue | undefined;
      if (viaQueue) {
        captureQueue = new SqsQueue(this, "CaptureQueue", {
          name: `${name}-captures`,
          kmsMasterKeyId: this.key.arn,
          // Longer than the job's timeout, so that a message in a run is not read twice at once.
          visibilityTimeoutSeconds: 360,
          messageRetentionSeconds: 4 * 24 * 3600,
          redrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueue.arn, maxReceiveCount: 5 }),
          tags,
        });
        const queuePolicy = policyDocument(this, "CaptureQueuePolicyDocument", [
          {
            sid: "CaptureBucketNotifies",
            principals: [{ type: "Service", identifiers: ["s3.amazonaws.com"] }],
            actions: ["sqs:SendMessage"],
            resources: [captureQueue.arn],
            conditions: [
              { test: "ArnEquals", variable: "aws:SourceArn", values: [endpoint.captureBucketArn] },
              { test: "StringEquals", variable: "aws:SourceAccount", values: [account] },
            ],
          },
        ]);
        const policy = new SqsQueuePolicy(this, "CaptureQueuePolicy", { queueUrl: captureQueue.url, policy: queuePolicy.json });
        // A bucket has one notification configuration: this one belongs to the endpoint's drift alarm.
        this.captureNotification = new S3BucketNotification(this, "CaptureNotification", {
          bucket: endpoint.captureBucketName,
          queue: [{ id: "drift-captures", queueArn: captureQueue.arn, events: ["s3:ObjectCreated:*"], filterPrefix: endpoint.captureKeyPrefix }],
          dependsOn: [policy],
        });
        this.captureQueue = captureQueue;
      }
      const decryptKeys = [...new Set([endpoint.captureKmsKeyArn, ...(p.baselineKmsKeyArn ? [p.baselineKmsKeyArn] : [])])];
      const statements: PolicyStatement[] = [
        listPrefixStatement("ListOnlyTheCapturePrefix", [endpoint.captureBucketArn], [`${endpoint.captureKeyPrefix}*`]),
        { sid: "ReadTheCaptures", actions: ["s3:GetObject"], resources: [`${endpoint.captureBucketArn}/${endpoint.captureKeyPrefix}*`] },
        { sid: "ReadTheBaseline", actions: ["s3:GetObject"], resources: [`arn:${partition}:s3:::${baselineBucket}/${baselineKey}`] },
        { sid: "DecryptCapturesAndBaseline", actions: ["kms:Decrypt"], resources: decryptKeys },
        {
          // PutMetricData has no resource to scope to: the namespace condition limits it to the job's own.
          sid: "PublishOnlyDriftMetrics",
          actions: ["cloudwatch:PutMetricData"],
          resources: ["*"],
          conditions: [{ test: "StringEquals", variable: "cloudwatch:namespace", values: [DRIFT_NAMESPACE] }],
        },
        { sid: "WriteItsLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logGroup.arn}:*`] },
        { sid: "DeadLetters", actions: ["sqs:SendMessage"], resources: [deadLetterQueue.arn] },
        { sid: "EncryptDeadLetters", actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [this.key.arn] },
        ...(captureQueue
          ? [{ sid: "DrainTheCaptureQueue", actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage"], resources: [captureQueue.arn] }]
          : []),
      ];
      const jobRole = createRole(this, "JobRole", {
        name: fitName(`${name}-job`, NameRules.iamRole),
        trust: { services: ["lambda.amazonaws.com"] },
        statements,
        tags,
      });
      this.jobRole = jobRole.role;

      const code = driftJobCode(this);
      const jobFunction = new LambdaFunction(this, "Job", {
        functionName: name,
        description: `cdktf-mlops drift job of endpoint ${endpoint.endpointName}`,
        role: jobRole.role.arn,
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: "handler.handler",
        filename: code.filename,
        sourceCodeHash: code.sourceCodeHash,
        memorySize: 1024,
        timeout: 300,
        // No reserved concurrency: reserving even 1 fails on accounts at the 10-execution minimum,
        // and an overlapping run only reads the same window twice.
        kmsKeyArn: this.key.arn,
        deadLetterConfig: { targetArn: deadLetterQueue.arn },
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
        environment: {
          variables: {
            ENDPOINT_NAME: endpoint.endpointName,
            CAPTURE_BUCKET: endpoint.captureBucketName,
            CAPTURE_PREFIX: endpoint.captureKeyPrefix,
            CAPTURE_FORMAT: endpoint.captureFormat,
            BASELINE_BUCKET: baselineBucket,
            BASELINE_KEY: baselineKey,
            WINDOW_MINUTES: String(interval),
            MIN_RECORDS: String(p.minRecords ?? 100),
            FEATURES: JSON.stringify([...(p.numericFeatures ?? []), ...(p.categoricalFeatures ?? [])]),
            // The job checks these against the baseline: a numeric alarm on a categorical feature cannot fire.
            FEATURE_TYPES: JSON.stringify(
              Object.fromEntries([
                ...(p.numericFeatures ?? []).map((f) => [f, "numeric"]),
                ...(p.categoricalFeatures ?? []).map((f) => [f, "categorical"]),
              ]),
            ),
            ...(captureQueue ? { QUEUE_URL: captureQueue.url } : {}),
          },
        },
        tags,
        dependsOn: [logGroup, ...(jobRole.inlinePolicy ? [jobRole.inlinePolicy] : [])],
      });

      const schedulerRole = createRole(this, "SchedulerRole", {
        name: fitName(`${name}-scheduler`, NameRules.iamRole),
        trust: {
          services: ["scheduler.amazonaws.com"],
          conditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [account] }],
        },
        statements: [
          { sid: "InvokeTheJob", actions: ["lambda:InvokeFunction"], resources: [jobFunction.arn] },
          { sid: "DeadLetters", actions: ["sqs:SendMessage"], resources: [deadLetterQueue.arn] },
          { sid: "EncryptDeadLetters", actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [this.key.arn] },
        ],
        tags,
      }).role;
      this.deadLetterQueue = deadLetterQueue;
      this.logGroup = logGroup;
      this.jobFunction = jobFunction;
      this.schedule = new SchedulerSchedule(this, "Schedule", {
        name,
        description: `Drift job of ${endpoint.endpointName}, every ${interval} minutes`,
        scheduleExpression: `rate(${interval} minutes)`,
        flexibleTimeWindow: { mode: "OFF" },
        state: "ENABLED",
        target: {
          arn: jobFunction.arn,
          roleArn: schedulerRole.arn,
          retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
          deadLetterConfig: { arn: deadLetterQueue.arn },
        },
      });
      featureAlarmTarget = {
        namespace: DRIFT_NAMESPACE,
        metric: (_feature, statistic) => statistic,
        dimensions: (feature) => ({ [DriftDimensions.endpoint]: endpoint.endpointName, [DriftDimensions.feature]: feature }),
      };
    }

    // --- alarms ----------------------------------------------------------------------------------
    const period = interval * 60;
    const alarmName = (suffix: string) => fitName(`${name}-${suffix}`, { maxLength: 255, allowed: /[A-Za-z0-9_.:-]/, lowercase: false });
    const specs: FeatureAlarmSpec[] = p.modelMonitor
      ? [
          // Model Monitor publishes one distance per feature: judged like KS (numeric) or JS (categorical).
          ...(p.numericFeatures ?? []).map((f) => ({ feature: f, metric: "BaselineDrift", threshold: p.ksThreshold ?? 0.2 })),
          ...(p.categoricalFeatures ?? []).map((f) => ({ feature: f, metric: "BaselineDrift", threshold: p.jsDistanceThreshold ?? 0.2 })),
        ]
      : [
          ...(p.numericFeatures ?? []).flatMap((f) => [
            { feature: f, metric: FeatureMetrics.psi, threshold: p.psiThreshold ?? 0.2 },
            { feature: f, metric: FeatureMetrics.ks, threshold: p.ksThreshold ?? 0.2 },
            { feature: f, metric: FeatureMetrics.missingRate, threshold: p.missingRateThreshold ?? 0.1 },
          ]),
          ...(p.categoricalFeatures ?? []).flatMap((f) => [
            { feature: f, metric: FeatureMetrics.psi, threshold: p.psiThreshold ?? 0.2 },
            { feature: f, metric: FeatureMetrics.jsDistance, threshold: p.jsDistanceThreshold ?? 0.2 },
            { feature: f, metric: FeatureMetrics.missingRate, threshold: p.missingRateThreshold ?? 0.1 },
          ]),
        ];
    for (const s of specs) {
      const key = `${s.feature}/${s.metric}`;
      this.featureAlarms[key] = new CloudwatchMetricAlarm(this, `Alarm-${s.feature}-${s.metric}`, {
        alarmName: alarmName(`${s.feature}-${s.metric}`),
        alarmDescription: `${s.metric} of feature ${s.feature} at endpoint ${endpoint.endpointName} above ${s.threshold}`,
        namespace: featureAlarmTarget.namespace,
        metricName: featureAlarmTarget.metric(s.feature, s.metric),
        dimensions: featureAlarmTarget.dimensions(s.feature),
        statistic: "Maximum",
        period,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanThreshold",
        threshold: s.threshold,
        // No statistic means too few records or a failed run: the shipped job has alarms of its own
        // for both, so a missing point is not drift.
        treatMissingData: "notBreaching",
        tags,
      });
    }
    const actions = [this.topic.arn];
    this.compositeAlarm = new CloudwatchCompositeAlarm(this, "Drift", {
      alarmName: alarmName("any-feature"),
      alarmDescription: `Feature drift at endpoint ${endpoint.endpointName}`,
      alarmRule: Object.values(this.featureAlarms)
        .map((a) => `ALARM(${JSON.stringify(a.alarmName)})`)
        .join(" OR "),
      alarmActions: actions,
      okActions: actions,
      tags,
    });

    type JobAlarmSpec = Omit<ConstructorParameters<typeof CloudwatchMetricAlarm>[2], "alarmName" | "evaluationPeriods"> & {
      evaluationPeriods?: number;
    };
    const jobAlarm = (id: string, spec: JobAlarmSpec) =>
      new CloudwatchMetricAlarm(this, id, {
        ...spec,
        alarmName: alarmName(id.toLowerCase()),
        period,
        evaluationPeriods: spec.evaluationPeriods ?? 1,
        alarmActions: actions,
        okActions: actions,
        tags,
      });
    if (this.jobFunction && this.deadLetterQueue)
      this.jobAlarms = {
        errors: jobAlarm("JobErrors", {
          alarmDescription: `The drift job of ${endpoint.endpointName} failed`,
          namespace: "AWS/Lambda",
          metricName: "Errors",
          dimensions: { FunctionName: this.jobFunction.functionName },
          statistic: "Sum",
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          threshold: 1,
          treatMissingData: "notBreaching",
        }),
        deadLetters: jobAlarm("JobDeadLetters", {
          alarmDescription: `Runs of the drift job of ${endpoint.endpointName} could not be delivered or failed every retry`,
          namespace: "AWS/SQS",
          metricName: "ApproximateNumberOfMessagesVisible",
          dimensions: { QueueName: this.deadLetterQueue.name },
          statistic: "Maximum",
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          threshold: 1,
          treatMissingData: "notBreaching",
        }),
        noData: jobAlarm("NoData", {
          alarmDescription: `The drift job of ${endpoint.endpointName} saw no captured records, or published nothing, for two runs`,
          namespace: DRIFT_NAMESPACE,
          metricName: EndpointMetrics.records,
          dimensions: { [DriftDimensions.endpoint]: endpoint.endpointName },
          statistic: "Maximum",
          evaluationPeriods: 2,
          comparisonOperator: "LessThanOrEqualToThreshold",
          threshold: 0,
          // Here silence is the failure.
          treatMissingData: "breaching",
        }),
        unknownFeatures: jobAlarm("UnknownFeatures", {
          alarmDescription: `Features watched at ${endpoint.endpointName} are not in the baseline (a typo or an old baseline): their drift alarms cannot fire`,
          namespace: DRIFT_NAMESPACE,
          metricName: EndpointMetrics.unknownFeatures,
          dimensions: { [DriftDimensions.endpoint]: endpoint.endpointName },
          statistic: "Maximum",
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          threshold: 1,
          treatMissingData: "notBreaching",
        }),
        windowTruncated: jobAlarm("WindowTruncated", {
          alarmDescription: `The drift job of ${endpoint.endpointName} ran out of time before reading its whole window: statistics cover part of the traffic`,
          namespace: DRIFT_NAMESPACE,
          metricName: EndpointMetrics.windowTruncated,
          dimensions: { [DriftDimensions.endpoint]: endpoint.endpointName },
          statistic: "Maximum",
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          threshold: 1,
          treatMissingData: "notBreaching",
        }),
      };

    // --- retraining --------------------------------------------------------------------------------
    if (p.retrainingTargetArn) {
      const target = p.retrainingTargetArn;
      const action = target.includes(":sagemaker:")
        ? "sagemaker:StartPipelineExecution"
        : target.includes(":states:")
          ? "states:StartExecution"
          : "events:PutEvents";
      const eventsRole = createRole(this, "RetrainingRole", {
        name: fitName(`${name}-retrain`, NameRules.iamRole),
        trust: { services: ["events.amazonaws.com"] },
        statements: [{ sid: "StartRetraining", actions: [action], resources: [target] }],
        tags,
      }).role;
      this.retrainingRule = new CloudwatchEventRule(this, "RetrainingRule", {
        name: `${name}-retrain`,
        description: `Start retraining when ${endpoint.endpointName} drifts`,
        eventPattern: JSON.stringify({
          source: ["aws.cloudwatch"],
          "detail-type": ["CloudWatch Alarm State Change"],
          resources: [this.compositeAlarm.arn],
          detail: { state: { value: ["ALARM"] } },
        }),
        tags,
      });
      new CloudwatchEventTarget(this, "RetrainingTarget", {
        rule: this.retrainingRule.name,
        arn: target,
        roleArn: eventsRole.arn,
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      });
    }
  }
}
