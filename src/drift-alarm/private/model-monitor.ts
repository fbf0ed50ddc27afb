import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { SagemakerDataQualityJobDefinition } from "@cdktf/provider-aws/lib/sagemaker-data-quality-job-definition";
import { SagemakerMonitoringSchedule } from "@cdktf/provider-aws/lib/sagemaker-monitoring-schedule";
import { createRole, fitName, MlopsStack, NameRules, ECR_LOGIN_STATEMENT } from "../../core";
import type { IServingEndpoint } from "../../serving-endpoint";
import type { ModelMonitorOptions } from "../contract";

/**
 * Namespace of Model Monitor's data-quality metrics for real-time endpoints, with dimensions
 * `Endpoint` and `MonitoringSchedule`, as AWS's examples and SDK users alarm on them. (One page of
 * AWS's documentation spells it with a leading slash and other dimension names; the examples agree
 * with this one.)
 */
export const MODEL_MONITOR_NAMESPACE = "aws/sagemaker/Endpoints/data-metrics";

const s3Parts = (uri: string) => /^s3:\/\/([^/]+)\/(.+)$/.exec(uri)!.slice(1) as [string, string];

/** Model Monitor's data-quality job definition and schedule for `endpoint`, and where its metrics are. */
export function buildModelMonitor(
  scope: Construct,
  args: { endpoint: IServingEndpoint; options: ModelMonitorOptions; name: string; hourly: boolean; tags: Record<string, string> },
): {
  readonly jobDefinition: SagemakerDataQualityJobDefinition;
  readonly schedule: SagemakerMonitoringSchedule;
  readonly role: IamRole;
  readonly alarmTarget: { namespace: string; metric: (feature: string) => string; dimensions: () => Record<string, string> };
} {
  const { endpoint, options, name, tags } = args;
  const stack = MlopsStack.of(scope);
  const partition = stack.partition;
  const reports = `monitoring/${endpoint.endpointName}/`;
  const baselines = [options.baselineConstraintsS3Uri, options.baselineStatisticsS3Uri].map(s3Parts);
  const role = createRole(scope, "ModelMonitorRole", {
    name: fitName(`${name}-monitor`, NameRules.iamRole),
    trust: { services: ["sagemaker.amazonaws.com"] },
    statements: [
      {
        sid: "ListTheCaptureAndReportPrefixes",
        actions: ["s3:ListBucket"],
        resources: [endpoint.captureBucketArn],
        conditions: [{ test: "StringLike", variable: "s3:prefix", values: [`${endpoint.captureKeyPrefix}*`, `${reports}*`] }],
      },
      { sid: "ReadTheCaptures", actions: ["s3:GetObject"], resources: [`${endpoint.captureBucketArn}/${endpoint.captureKeyPrefix}*`] },
      { sid: "ReadTheBaselines", actions: ["s3:GetObject"], resources: baselines.map(([b, k]) => `arn:${partition}:s3:::${b}/${k}`) },
      { sid: "WriteTheReports", actions: ["s3:PutObject", "s3:GetObject"], resources: [`${endpoint.captureBucketArn}/${reports}*`] },
      { sid: "UseTheCaptureKey", actions: ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"], resources: [endpoint.captureKmsKeyArn] },
      {
        sid: "PublishOnlyDataQualityMetrics",
        actions: ["cloudwatch:PutMetricData"],
        resources: ["*"],
        conditions: [{ test: "StringEquals", variable: "cloudwatch:namespace", values: [MODEL_MONITOR_NAMESPACE] }],
      },
      {
        sid: "WriteProcessingJobLogs",
        actions: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        resources: [`arn:${partition}:logs:${stack.region}:${stack.accountId}:log-group:/aws/sagemaker/ProcessingJobs*`],
      },
      ECR_LOGIN_STATEMENT,
    ],
    tags,
  }).role;

  const jobDefinition = new SagemakerDataQualityJobDefinition(scope, "ModelMonitorJob", {
    name: fitName(`${name}-data-quality`, { maxLength: 63, allowed: /[A-Za-z0-9-]/, lowercase: false }),
    roleArn: role.arn,
    dataQualityAppSpecification: { imageUri: options.imageUri },
    dataQualityBaselineConfig: {
      constraintsResource: { s3Uri: options.baselineConstraintsS3Uri },
      statisticsResource: { s3Uri: options.baselineStatisticsS3Uri },
    },
    dataQualityJobInput: { endpointInput: { endpointName: endpoint.endpointName, localPath: "/opt/ml/processing/input/endpoint" } },
    dataQualityJobOutputConfig: {
      kmsKeyId: endpoint.captureKmsKeyArn,
      monitoringOutputs: {
        s3Output: { s3Uri: `s3://${endpoint.captureBucketName}/${reports}`, localPath: "/opt/ml/processing/output", s3UploadMode: "EndOfJob" },
      },
    },
    jobResources: {
      clusterConfig: {
        instanceCount: 1,
        instanceType: options.instanceType ?? "ml.m5.xlarge",
        volumeSizeInGb: 20,
        volumeKmsKeyId: endpoint.captureKmsKeyArn,
      },
    },
    stoppingCondition: { maxRuntimeInSeconds: 3600 },
    tags,
  });
  const scheduleName = fitName(`${name}-data-quality`, { maxLength: 63, allowed: /[A-Za-z0-9-]/, lowercase: false });
  const schedule = new SagemakerMonitoringSchedule(scope, "ModelMonitorSchedule", {
    name: scheduleName,
    monitoringScheduleConfig: {
      monitoringJobDefinitionName: jobDefinition.name,
      monitoringType: "DataQuality",
      scheduleConfig: { scheduleExpression: args.hourly ? "cron(0 * ? * * *)" : "cron(0 0 ? * * *)" },
    },
    tags,
  });
  return {
    jobDefinition,
    schedule,
    role,
    alarmTarget: {
      namespace: MODEL_MONITOR_NAMESPACE,
      metric: (feature) => `feature_baseline_drift_${feature}`,
      dimensions: () => ({ Endpoint: endpoint.endpointName, MonitoringSchedule: scheduleName }),
    },
  };
}
