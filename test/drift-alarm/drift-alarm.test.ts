import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DRIFT_NAMESPACE, DriftDimensions, EndpointMetrics, FeatureMetrics } from "../../src/drift-alarm/job/metrics";
import {
  DriftAlarm,
  DriftAlarmProps,
  DriftMetrics,
  MlopsStack,
  ModelRegistry,
  RegistryEngine,
  ServingEndpoint,
  ServingEngine,
  TrainingCluster,
} from "../../src";
import { newApp, newStack, policyStatements, ref, resource, resources, synth, synthApp, validationError } from "../helpers";

function build(props: Partial<DriftAlarmProps> = {}) {
  const stack = newStack();
  const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
  const endpoint = new ServingEndpoint(stack, "fraud", { engine: ServingEngine.sagemaker(), model: registry.model("fraud", "3") });
  const alarm = new DriftAlarm(stack, "drift", {
    endpoint,
    baselineS3Uri: "s3://acme-baselines/fraud/3/baseline.json",
    numericFeatures: ["amount"],
    categoricalFeatures: ["category"],
    notify: ["oncall@acme.io", "https://hooks.acme.io/drift", "arn:aws:lambda:eu-west-1:111122223333:function:pager"],
    ...props,
  });
  return { stack, endpoint, alarm, doc: synth(stack) };
}

describe("DriftAlarm", () => {
  const { doc, endpoint } = build({ retrainingTargetArn: "arn:aws:sagemaker:eu-west-1:111122223333:pipeline/fraud-retrain" });
  const fn = resource(doc, "aws_lambda_function", "drift/Job").values;

  test("the job is the library's compiled drift job, as a Lambda asset on the Node.js runtime", () => {
    expect(fn).toMatchObject({ runtime: "nodejs22.x", handler: "handler.handler", timeout: 300, architectures: ["arm64"] });
    expect(fn.reserved_concurrent_executions).toBeUndefined();
    expect(fn.filename).toMatch(/^assets\/DriftJobCode\/[A-F0-9]{32}\/drift-job\.zip$/);
    expect(fn.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  test("the job reads exactly the capture location and format its endpoint reports", () => {
    expect(fn.environment.variables).toMatchObject({
      ENDPOINT_NAME: endpoint.endpointName,
      CAPTURE_PREFIX: endpoint.captureKeyPrefix,
      CAPTURE_FORMAT: endpoint.captureFormat,
      CAPTURE_BUCKET: ref(resource(doc, "aws_s3_bucket", "fraud/Captures/Resource"), "bucket"),
      BASELINE_BUCKET: "acme-baselines",
      BASELINE_KEY: "fraud/3/baseline.json",
      WINDOW_MINUTES: "60",
      FEATURES: JSON.stringify(["amount", "category"]),
      FEATURE_TYPES: JSON.stringify({ amount: "numeric", category: "categorical" }),
    });
  });

  test("its role reads only the capture prefix and the baseline, and writes only its metric namespace", () => {
    const s = policyStatements(doc, resource(doc, "aws_iam_role_policy", "drift/JobRole/Policy").values.policy);
    const bucket = resource(doc, "aws_s3_bucket", "fraud/Captures/Resource");
    expect(s.find((x) => x.sid === "ReadTheCaptures")!.resources).toEqual([`${ref(bucket, "arn")}/${endpoint.captureKeyPrefix}*`]);
    expect(s.find((x) => x.sid === "ListOnlyTheCapturePrefix")!.condition[0].values).toEqual([`${endpoint.captureKeyPrefix}*`]);
    expect(s.find((x) => x.sid === "ReadTheBaseline")!.resources).toEqual([
      "arn:${data.aws_partition.Partition.partition}:s3:::acme-baselines/fraud/3/baseline.json",
    ]);
    const metrics = s.find((x) => x.sid === "PublishOnlyDriftMetrics")!;
    expect(metrics.condition).toEqual([{ test: "StringEquals", variable: "cloudwatch:namespace", values: [DRIFT_NAMESPACE] }]);
  });

  test("logs to its own KMS-encrypted group; a dead-letter queue under the alarm key", () => {
    const logs = resource(doc, "aws_cloudwatch_log_group", "drift/JobLogs");
    expect(logs.values).toMatchObject({ name: "/aws/lambda/acme-ml-fraud-drift", retention_in_days: 90 });
    expect(fn.logging_config).toEqual({ log_format: "JSON", log_group: ref(logs, "name") });
    const queue = resource(doc, "aws_sqs_queue", "drift/DeadLetterQueue");
    expect(queue.values.kms_master_key_id).toBe(ref(resource(doc, "aws_kms_key", "drift/Key"), "arn"));
    expect(fn.dead_letter_config).toEqual({ target_arn: ref(queue, "arn") });
  });

  test("EventBridge Scheduler runs it every interval, with retries and the dead-letter queue", () => {
    const schedule = resource(doc, "aws_scheduler_schedule", "drift/Schedule").values;
    expect(schedule).toMatchObject({ schedule_expression: "rate(60 minutes)", flexible_time_window: { mode: "OFF" } });
    expect(schedule.target).toMatchObject({
      arn: ref(resource(doc, "aws_lambda_function", "drift/Job"), "arn"),
      dead_letter_config: { arn: ref(resource(doc, "aws_sqs_queue", "drift/DeadLetterQueue"), "arn") },
      retry_policy: { maximum_retry_attempts: 2 },
    });
  });

  test("alarm metric names and dimensions are exactly what the job publishes (shared constants)", () => {
    const alarms = resources(doc, "aws_cloudwatch_metric_alarm").filter((a) => a.values.namespace === DRIFT_NAMESPACE && a.values.dimensions.Feature);
    expect(alarms.map((a) => `${a.values.dimensions.Feature}/${a.values.metric_name}`).sort()).toEqual(
      [
        `amount/${FeatureMetrics.psi}`,
        `amount/${FeatureMetrics.ks}`,
        `amount/${FeatureMetrics.missingRate}`,
        `category/${FeatureMetrics.psi}`,
        `category/${FeatureMetrics.jsDistance}`,
        `category/${FeatureMetrics.missingRate}`,
      ].sort(),
    );
    for (const a of alarms) {
      expect(Object.keys(a.values.dimensions).sort()).toEqual([DriftDimensions.endpoint, DriftDimensions.feature].sort());
      expect(a.values.dimensions[DriftDimensions.endpoint]).toBe(endpoint.endpointName);
      expect(a.values.treat_missing_data).toBe("notBreaching");
      expect(a.values.period).toBe(3600);
    }
    const psi = alarms.find((a) => a.values.metric_name === FeatureMetrics.psi)!;
    expect(psi.values).toMatchObject({ threshold: 0.2, comparison_operator: "GreaterThanThreshold", statistic: "Maximum" });
  });

  test("a composite alarm over every feature alarm notifies the topic", () => {
    const composite = resource(doc, "aws_cloudwatch_composite_alarm", "drift/Drift").values;
    const features = resources(doc, "aws_cloudwatch_metric_alarm").filter((a) => a.values.dimensions.Feature);
    expect(composite.alarm_rule.split(" OR ").sort()).toEqual(features.map((a) => `ALARM("${ref(a, "alarm_name")}")`).sort());
    const topic = ref(resource(doc, "aws_sns_topic", "drift/Topic"), "arn");
    expect(composite.alarm_actions).toEqual([topic]);
    expect(composite.ok_actions).toEqual([topic]);
  });

  test("the job's own failures and silence alarm: errors, dead letters, no data (missing data breaches)", () => {
    const noData = resource(doc, "aws_cloudwatch_metric_alarm", "drift/NoData").values;
    expect(noData).toMatchObject({
      namespace: DRIFT_NAMESPACE,
      metric_name: EndpointMetrics.records,
      dimensions: { [DriftDimensions.endpoint]: endpoint.endpointName },
      treat_missing_data: "breaching",
      comparison_operator: "LessThanOrEqualToThreshold",
      threshold: 0,
    });
    expect(resource(doc, "aws_cloudwatch_metric_alarm", "drift/JobErrors").values).toMatchObject({ namespace: "AWS/Lambda", metric_name: "Errors" });
    expect(resource(doc, "aws_cloudwatch_metric_alarm", "drift/JobDeadLetters").values.namespace).toBe("AWS/SQS");
  });

  test("no silent failure: alarms on watched features missing from the baseline and on windows cut short by the time budget", () => {
    for (const [id, metric] of [
      ["UnknownFeatures", EndpointMetrics.unknownFeatures],
      ["WindowTruncated", EndpointMetrics.windowTruncated],
    ]) {
      const a = resource(doc, "aws_cloudwatch_metric_alarm", `drift/${id}`).values;
      expect(a).toMatchObject({
        namespace: DRIFT_NAMESPACE,
        metric_name: metric,
        dimensions: { [DriftDimensions.endpoint]: endpoint.endpointName },
        statistic: "Maximum",
        comparison_operator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        alarm_actions: [ref(resource(doc, "aws_sns_topic", "drift/Topic"), "arn")],
      });
    }
  });

  test("SageMaker captures are found by their hour folders: no capture queue, no bucket notification", () => {
    expect(resources(doc, "aws_s3_bucket_notification")).toEqual([]);
    expect(resources(doc, "aws_sqs_queue").map((q) => q.path)).toEqual([expect.stringMatching(/drift\/DeadLetterQueue$/)]);
    expect(fn.environment.variables.QUEUE_URL).toBeUndefined();
  });

  test("the topic is under a customer-managed key whose policy lets CloudWatch use it", () => {
    const key = resource(doc, "aws_kms_key", "drift/Key");
    expect(resource(doc, "aws_sns_topic", "drift/Topic").values.kms_master_key_id).toBe(ref(key, "arn"));
    const s = policyStatements(doc, key.values.policy).find((x) => x.sid === "AllowCloudWatchAlarmsOfThisAccount")!;
    expect(s.principals).toEqual([{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }]);
    expect(s.actions).toEqual(["kms:Decrypt", "kms:GenerateDataKey*"]);
    expect(key.values).toMatchObject({ enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
  });

  test("subscriptions for email, HTTPS and a Lambda function (with its invoke permission)", () => {
    const subs = resources(doc, "aws_sns_topic_subscription").map((s) => [s.values.protocol, s.values.endpoint]);
    expect(subs).toEqual([
      ["email", "oncall@acme.io"],
      ["https", "https://hooks.acme.io/drift"],
      ["lambda", "arn:aws:lambda:eu-west-1:111122223333:function:pager"],
    ]);
    expect(resource(doc, "aws_lambda_permission", "Notify3Permission").values).toMatchObject({ principal: "sns.amazonaws.com" });
  });

  test("the retraining trigger starts the named pipeline when the composite alarm goes to ALARM", () => {
    const rule = resource(doc, "aws_cloudwatch_event_rule", "RetrainingRule");
    const pattern = JSON.parse(rule.values.event_pattern);
    expect(pattern).toEqual({
      source: ["aws.cloudwatch"],
      "detail-type": ["CloudWatch Alarm State Change"],
      resources: [ref(resource(doc, "aws_cloudwatch_composite_alarm", "drift/Drift"), "arn")],
      detail: { state: { value: ["ALARM"] } },
    });
    const target = resource(doc, "aws_cloudwatch_event_target", "RetrainingTarget").values;
    expect(target.arn).toBe("arn:aws:sagemaker:eu-west-1:111122223333:pipeline/fraud-retrain");
    const [start] = policyStatements(doc, resource(doc, "aws_iam_role_policy", "RetrainingRole/Policy").values.policy);
    expect(start).toMatchObject({ actions: ["sagemaker:StartPipelineExecution"], resources: [target.arn] });
  });
});

describe("DriftAlarm of a KServe endpoint: new capture objects arrive through S3 notifications on an SQS queue", () => {
  const app = newApp();
  const platform = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
  const workloads = new MlopsStack(app, "workloads", { region: "eu-west-1", name: "acme-ml" });
  const cluster = new TrainingCluster(platform, "training", {});
  const registry = new ModelRegistry(platform, "registry", { engine: RegistryEngine.mlflow({ cluster }), models: ["fraud"] });
  const endpoint = new ServingEndpoint(workloads, "fraud", { engine: ServingEngine.kserve({ cluster }), model: registry.model("fraud", "3") });
  new DriftAlarm(workloads, "drift", { endpoint, baselineS3Uri: "s3://acme-baselines/fraud/3/baseline.json", numericFeatures: ["amount"] });
  const doc = synthApp(app).workloads;
  const queue = resource(doc, "aws_sqs_queue", "drift/CaptureQueue");
  const key = resource(doc, "aws_kms_key", "drift/Key");
  const bucket = resource(doc, "aws_s3_bucket", "fraud/Captures/Resource");

  test("the capture bucket notifies the queue of new objects under the endpoint's capture prefix", () => {
    const n = resource(doc, "aws_s3_bucket_notification", "drift/CaptureNotification").values;
    expect(n.bucket).toBe(ref(bucket, "bucket"));
    expect(n.queue).toEqual([
      { id: "drift-captures", queue_arn: ref(queue, "arn"), events: ["s3:ObjectCreated:*"], filter_prefix: endpoint.captureKeyPrefix },
    ]);
    expect(n.depends_on).toEqual([`aws_sqs_queue_policy.${resource(doc, "aws_sqs_queue_policy", "drift/CaptureQueuePolicy").name}`]);
  });

  test("the queue is encrypted with the alarm's key (which S3 may use), outlives a run, and dead-letters what fails five reads", () => {
    expect(queue.values).toMatchObject({ kms_master_key_id: ref(key, "arn"), visibility_timeout_seconds: 360 });
    expect(JSON.parse(queue.values.redrive_policy)).toEqual({
      deadLetterTargetArn: ref(resource(doc, "aws_sqs_queue", "drift/DeadLetterQueue"), "arn"),
      maxReceiveCount: 5,
    });
    const s3 = policyStatements(doc, key.values.policy).find((x) => x.sid === "AllowS3NotificationsOfThisAccount")!;
    expect(s3.principals).toEqual([{ type: "Service", identifiers: ["s3.amazonaws.com"] }]);
    expect(s3.actions).toEqual(["kms:Decrypt", "kms:GenerateDataKey*"]);
  });

  test("only the capture bucket of this account may send to the queue", () => {
    const policy = resource(doc, "aws_sqs_queue_policy", "drift/CaptureQueuePolicy").values;
    const [s] = policyStatements(doc, policy.policy);
    expect(s).toMatchObject({ actions: ["sqs:SendMessage"], resources: [ref(queue, "arn")] });
    expect(s.condition).toEqual([
      { test: "ArnEquals", variable: "aws:SourceArn", values: [ref(bucket, "arn")] },
      { test: "StringEquals", variable: "aws:SourceAccount", values: ["${data.aws_caller_identity.CallerIdentity.account_id}"] },
    ]);
  });

  test("a second shipped-job DriftAlarm on the same KServe endpoint is refused (the bucket has one notification configuration)", () => {
    expect(
      () =>
        new DriftAlarm(workloads, "drift-2", { endpoint, baselineS3Uri: "s3://acme-baselines/fraud/3/baseline.json", numericFeatures: ["amount"] }),
    ).toThrow("DriftAlarm workloads/drift-2: endpoint (acme-ml-fraud) is already watched by the DriftAlarm workloads/drift");
  });

  test("the job drains the queue: its URL in the environment, receive and delete on it in the role", () => {
    const fn = resource(doc, "aws_lambda_function", "drift/Job").values;
    expect(fn.environment.variables.QUEUE_URL).toBe(ref(queue, "url"));
    const s = policyStatements(doc, resource(doc, "aws_iam_role_policy", "drift/JobRole/Policy").values.policy);
    expect(s.find((x) => x.sid === "DrainTheCaptureQueue")).toMatchObject({
      actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
      resources: [ref(queue, "arn")],
    });
  });
});

describe("DriftAlarm with SageMaker Model Monitor in place of the shipped job", () => {
  const image = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer";
  const { doc, endpoint, alarm } = build({
    modelMonitor: {
      imageUri: image,
      baselineConstraintsS3Uri: "s3://acme-baselines/fraud/3/constraints.json",
      baselineStatisticsS3Uri: "s3://acme-baselines/fraud/3/statistics.json",
    },
  });

  test("a data-quality job definition on the endpoint's captures and an hourly monitoring schedule; no Lambda", () => {
    const job = resource(doc, "aws_sagemaker_data_quality_job_definition", "drift/ModelMonitorJob").values;
    expect(job.data_quality_app_specification).toEqual({ image_uri: image });
    expect(job.data_quality_job_input.endpoint_input.endpoint_name).toBe(endpoint.endpointName);
    expect(job.data_quality_baseline_config.constraints_resource).toEqual({ s3_uri: "s3://acme-baselines/fraud/3/constraints.json" });
    expect(job.data_quality_job_output_config.kms_key_id).toBe("${aws_kms_key.PlatformKey.arn}");
    const schedule = resource(doc, "aws_sagemaker_monitoring_schedule", "drift/ModelMonitorSchedule").values;
    expect(schedule.monitoring_schedule_config).toMatchObject({
      monitoring_type: "DataQuality",
      schedule_config: { schedule_expression: "cron(0 * ? * * *)" },
    });
    expect(resources(doc, "aws_lambda_function")).toHaveLength(0);
    expect(alarm.jobFunction).toBeUndefined();
    expect(alarm.jobAlarms).toEqual({});
  });

  test("the same composite alarm and topic, over Model Monitor's per-feature drift metrics", () => {
    // (The endpoint's own 5xx and latency alarms live under the endpoint.)
    const alarms = resources(doc, "aws_cloudwatch_metric_alarm").filter((a) => a.path.includes("/drift/"));
    expect(alarms.map((a) => a.values.metric_name).sort()).toEqual(["feature_baseline_drift_amount", "feature_baseline_drift_category"]);
    for (const a of alarms) {
      expect(a.values.namespace).toBe("aws/sagemaker/Endpoints/data-metrics");
      expect(a.values.dimensions).toEqual({ Endpoint: endpoint.endpointName, MonitoringSchedule: "acme-ml-fraud-drift-data-quality" });
    }
    const composite = resource(doc, "aws_cloudwatch_composite_alarm", "drift/Drift").values;
    expect(composite.alarm_rule.split(" OR ")).toHaveLength(2);
    expect(composite.alarm_actions).toEqual([ref(resource(doc, "aws_sns_topic", "drift/Topic"), "arn")]);
  });

  test("Model Monitor needs a SageMaker endpoint and an hourly or daily interval", () => {
    const mm = { imageUri: image, baselineConstraintsS3Uri: "s3://b/c.json", baselineStatisticsS3Uri: "s3://b/s.json" };
    expect(validationError(() => build({ modelMonitor: mm, intervalMinutes: 30 })).message).toContain(
      "intervalMinutes (30) must be 60 or 1440 with modelMonitor",
    );
    expect(validationError(() => build({ modelMonitor: { ...mm, imageUri: "nginx:latest" } })).message).toContain(
      "must be the region's sagemaker-model-monitor-analyzer image",
    );
  });
});

test("DriftMetrics exposes the job's own constants", () => {
  expect(DriftMetrics.NAMESPACE).toBe(DRIFT_NAMESPACE);
  expect(DriftMetrics.POPULATION_STABILITY_INDEX).toBe(FeatureMetrics.psi);
  expect(DriftMetrics.RECORD_COUNT).toBe(EndpointMetrics.records);
  expect(DriftMetrics.FEATURE_DIMENSION).toBe(DriftDimensions.feature);
});

describe("DriftAlarm rejects bad input", () => {
  const cases: [string, Partial<DriftAlarmProps>, string][] = [
    [
      "no feature",
      { numericFeatures: [], categoricalFeatures: [] },
      "DriftAlarm platform/drift: numericFeatures (array of 0) and categoricalFeatures name no feature",
    ],
    ["a feature twice", { numericFeatures: ["amount"], categoricalFeatures: ["amount"] }, 'categoricalFeatures[0] ("amount") names a feature twice'],
    ["not an S3 object URI", { baselineS3Uri: "https://bucket/key" }, 'baselineS3Uri ("https://bucket/key") must be an S3 URI of an object'],
    ["bad notify target", { notify: ["pagerduty"] }, 'notify[0] ("pagerduty") must be an email address, an https:// URL or a Lambda function ARN'],
    ["plain http notify", { notify: ["http://hooks.acme.io"] }, 'notify[0] ("http://hooks.acme.io") must be an email address, an https:// URL'],
    [
      "bad retraining target",
      { retrainingTargetArn: "arn:aws:lambda:eu-west-1:111122223333:function:x" },
      "must be the ARN of a SageMaker pipeline, a Step Functions state machine or an EventBridge event bus",
    ],
    ["PSI threshold 0", { psiThreshold: 0 }, "psiThreshold (0) must be > 0"],
    ["JS distance over 1", { jsDistanceThreshold: 1.5 }, "jsDistanceThreshold (1.5) must be <= 1"],
    ["interval too short", { intervalMinutes: 1 }, "intervalMinutes (1) must be between 5 and 1440"],
    ["too many features", { numericFeatures: Array.from({ length: 26 }, (_, i) => `f${i}`) }, "name 27 features: at most 25 fit one composite alarm"],
  ];
  test.each(cases)("%s", (_n, props, message) => {
    const error = validationError(() => build(props));
    expect(error.message).toContain(message);
  });
});

describe("the cdktf-mlops command", () => {
  test("`cdktf-mlops baseline <sample.csv>` prints a baseline", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-mlops-bin-"));
    const csv = path.join(dir, "s.csv");
    fs.writeFileSync(csv, "amount,category\n1,a\n2,b\n3,a\n4,b\n");
    const out = execFileSync(process.execPath, [path.join(__dirname, "..", "..", "bin", "cdktf-mlops.js"), "baseline", csv, "--bins", "2"], {
      encoding: "utf8",
    });
    const b = JSON.parse(out);
    expect(b).toMatchObject({ version: 1, recordCount: 4, featureOrder: ["amount", "category"] });
    expect(b.features.category).toEqual({ type: "categorical", frequencies: { a: 0.5, b: 0.5 }, missingRate: 0 });
  });
});
