import { Construct } from "constructs";
import { z } from "zod";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { SagemakerEndpoint } from "@cdktf/provider-aws/lib/sagemaker-endpoint";
import { SagemakerEndpointConfiguration } from "@cdktf/provider-aws/lib/sagemaker-endpoint-configuration";
import { SagemakerModel } from "@cdktf/provider-aws/lib/sagemaker-model";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import {
  check,
  componentTags,
  createRole,
  fail,
  fitName,
  MlopsStack,
  NameRules,
  PolicyStatement,
  validateProps,
  withPlatformPrefix,
  ECR_LOGIN_STATEMENT,
} from "../../core";
import type { ModelReference } from "../../model-registry";
import type { INetwork } from "../../network";
import { SageMakerServingOptions, TrafficRouting } from "../engines";
import type { IServingEndpointHost, SageMakerEndpointResources } from "../contract";
import { CaptureFormat } from "../capture-format";
import { registerManifest } from "../../core/manifest";
import type { ShapeOf } from "../../core";

/** SageMaker instance families with NVIDIA GPUs. */
const GPU_FAMILY = /^ml\.(g4dn|g5|g6|g6e|gr6|p3|p3dn|p4d|p4de|p5|p5e|p5en|p6-b200)\./;
/**
 * Instance families whose storage is local NVMe (hardware-encrypted): SageMaker refuses a KMS key
 * for their storage volume.
 */
const NVME_FAMILY = /^ml\.(g4dn|g5|g6|g6e|gr6|p3dn|p4d|p4de|p5|p5e|p5en|p6-b200|m5d|c5d|r5d|m6id|c6id|r6id|c7gd|m7gd|r7gd)\./;

const modelRef = z.custom<ModelReference>((m) => !!m && typeof m === "object" && "artifactS3Uri" in m, {
  message: "must be a model reference from registry.model(name, version)",
});
const instanceType = check.matching(/^ml\.[a-z0-9-]+\.[a-z0-9]+$/, "must be a SageMaker instance type such as ml.g5.xlarge");

const schema = z
  .object({
    instanceType: instanceType.optional(),
    serverlessMemoryMiB: z
      .number()
      .refine((v) => [1024, 2048, 3072, 4096, 5120, 6144].includes(v), { message: "must be 1024, 2048, 3072, 4096, 5120 or 6144" })
      .optional(),
    serverlessMaxConcurrency: check.int(1, 200).optional(),
    variants: z
      .array(
        z
          .object({
            name: check.matching(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, "must be a SageMaker variant name (letters, digits, '-')"),
            model: modelRef,
            weight: z.number().min(0, { message: "must be >= 0" }).max(1000, { message: "must be <= 1000" }),
            instanceType: instanceType.optional(),
            instanceCount: check.int(1, 100).optional(),
          })
          .strict(),
      )
      .optional(),
    trafficRouting: z.enum(TrafficRouting, { message: "must be ALL_AT_ONCE, CANARY or LINEAR" }).optional(),
    trafficShiftPercent: check.int(1, 50).optional(),
    trafficShiftWaitSeconds: check.int(0, 3600).optional(),
    targetInvocationsPerInstance: check.int(1, 1000000).optional(),
    network: z.custom<INetwork>((n) => !!n && typeof n === "object" && "privateSubnetIds" in n, { message: "must be an INetwork" }).optional(),
    networkIsolation: z.boolean().optional(),
    imageTag: check.matching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be a container image tag").optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    const names = (o.variants ?? []).map((v) => v.name);
    names.forEach((n, i) => {
      if (n === "primary" || names.indexOf(n) !== i) {
        ctx.addIssue({ code: "custom", path: ["variants", i, "name"], message: 'must be unique and not "primary"' });
      }
    });
  }) satisfies ShapeOf<SageMakerServingOptions>;

/** Checks the options against the endpoint's needs, naming the endpoint's path in any error. */
export function validateSageMakerServing(owner: Construct, options: SageMakerServingOptions, gpu: boolean, capturePercent: number) {
  const o = validateProps(owner, "ServingEngine.sagemaker", schema, options);
  const name = "ServingEngine.sagemaker";
  if (o.serverlessMemoryMiB !== undefined) {
    if (gpu) fail(owner, name, "serverlessMemoryMiB", `(${o.serverlessMemoryMiB}) excludes GPUs: serverless endpoints run on CPU only`);
    if (o.variants?.length)
      fail(owner, name, "variants", `(array of ${o.variants.length}) excludes serverless: a serverless endpoint serves one variant`);
    if (capturePercent > 0) {
      fail(
        owner,
        name,
        "serverlessMemoryMiB",
        `(${o.serverlessMemoryMiB}) excludes data capture: set captureSamplingPercentage to 0, or use instances`,
      );
    }
    if (o.instanceType) fail(owner, name, "instanceType", `(${JSON.stringify(o.instanceType)}) and serverlessMemoryMiB exclude each other`);
  } else {
    const type = o.instanceType ?? (gpu ? "ml.g5.xlarge" : "ml.m5.xlarge");
    if (gpu && !GPU_FAMILY.test(type)) fail(owner, name, "instanceType", `(${JSON.stringify(type)}) has no NVIDIA GPU, but gpu is true`);
    if (!gpu && GPU_FAMILY.test(type))
      fail(owner, name, "instanceType", `(${JSON.stringify(type)}) is a GPU instance type: set gpu: true on the endpoint`);
  }
  if (o.trafficShiftPercent !== undefined && (o.trafficRouting ?? TrafficRouting.CANARY) === TrafficRouting.ALL_AT_ONCE) {
    fail(owner, name, "trafficShiftPercent", `(${o.trafficShiftPercent}) needs trafficRouting CANARY or LINEAR`);
  }
  return o;
}

/** Builds the SageMaker model(s), endpoint configuration, endpoint, alarms and autoscaling. */
export function bindSageMakerServing(endpoint: IServingEndpointHost, options: SageMakerServingOptions): SageMakerEndpointResources {
  const o = validateSageMakerServing(endpoint, options, endpoint.gpu, endpoint.captureSamplingPercentage);
  const stack = MlopsStack.of(endpoint);
  const tags = componentTags("serving-endpoint");
  const name = endpoint.endpointName;
  const prefixed = withPlatformPrefix(stack.platformName, name);
  const serverless = o.serverlessMemoryMiB !== undefined;
  const primaryType = o.instanceType ?? (endpoint.gpu ? "ml.g5.xlarge" : "ml.m5.xlarge");
  const variants = o.variants ?? [];
  registerManifest(endpoint, "ServingEndpoint", { instanceType: serverless ? undefined : primaryType, serverless, variants: variants.length + 1 });
  const allModels = [endpoint.model, ...variants.map((v) => v.model)];
  // SageMaker appends <endpoint>/<variant>/yyyy/mm/dd/hh/ to the destination.
  const captureKeyPrefix = `captures/${name}/`;
  const arn = (service: string, resource: string) => `arn:${stack.partition}:${service}:${stack.region}:${stack.accountId}:${resource}`;

  // --- networking: private subnets, egress on 443 only (S3, ECR and STS through endpoints or NAT) ---
  let securityGroup: SecurityGroup | undefined;
  if (o.network) {
    securityGroup = new SecurityGroup(endpoint, "SecurityGroup", {
      name: `${prefixed}-model`,
      description: `SageMaker endpoint ${name}: HTTPS out, nothing in`,
      vpcId: o.network.vpcId,
      tags,
    });
    new VpcSecurityGroupEgressRule(endpoint, "HttpsOut", {
      securityGroupId: securityGroup.id,
      description: "HTTPS to AWS APIs",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: "0.0.0.0/0",
    });
  }

  const statements: PolicyStatement[] = [
    { sid: "ReadOnlyTheModelVersions", actions: ["s3:GetObject"], resources: allModels.map((m) => `${m.artifactBucketArn}/${m.artifactKeyPrefix}*`) },
    { sid: "DecryptTheModels", actions: ["kms:Decrypt", "kms:DescribeKey"], resources: [...new Set(allModels.map((m) => m.artifactKmsKeyArn))] },
    ECR_LOGIN_STATEMENT,
    {
      sid: "PullTheModelImages",
      actions: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
      resources: [...new Set(allModels.map((m) => m.imageRepositoryArn))],
    },
    {
      sid: "WriteOnlyTheCapturePrefix",
      actions: ["s3:PutObject", "s3:AbortMultipartUpload"],
      resources: [`${endpoint.captureBucketArn}/${captureKeyPrefix}*`],
    },
    // Multipart uploads to SSE-KMS need kms:Decrypt as well (each part's data key is decrypted).
    { sid: "EncryptCaptures", actions: ["kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"], resources: [endpoint.captureKmsKeyArn] },
    {
      sid: "WriteTheEndpointLogs",
      actions: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      resources: [arn("logs", `log-group:/aws/sagemaker/Endpoints/${name}*`)],
    },
    {
      sid: "PublishSageMakerMetricsOnly",
      actions: ["cloudwatch:PutMetricData"],
      resources: ["*"],
      conditions: [{ test: "StringLike", variable: "cloudwatch:namespace", values: ["/aws/sagemaker/*"] }],
    },
  ];
  const packageArns = allModels.map((m) => m.modelPackageArn).filter((a): a is string => !!a);
  if (packageArns.length) statements.push({ sid: "DescribeTheModelPackages", actions: ["sagemaker:DescribeModelPackage"], resources: packageArns });
  if (o.network) {
    statements.push(
      {
        sid: "DescribeTheNetwork",
        actions: [
          "ec2:DescribeNetworkInterfaces",
          "ec2:DescribeVpcs",
          "ec2:DescribeDhcpOptions",
          "ec2:DescribeSubnets",
          "ec2:DescribeSecurityGroups",
        ],
        resources: ["*"],
      },
      {
        sid: "InterfacesInTheModelSubnets",
        actions: [
          "ec2:CreateNetworkInterface",
          "ec2:CreateNetworkInterfacePermission",
          "ec2:DeleteNetworkInterface",
          "ec2:DeleteNetworkInterfacePermission",
        ],
        resources: [
          arn("ec2", "network-interface/*"),
          ...o.network.privateSubnetIds.map((s) => arn("ec2", `subnet/${s}`)),
          arn("ec2", `security-group/${securityGroup!.id}`),
        ],
      },
    );
  }
  const role = createRole(endpoint, "Role", {
    name: fitName(`${prefixed}-sagemaker`, NameRules.iamRole),
    trust: { services: ["sagemaker.amazonaws.com"] },
    statements,
    tags,
  }).role;

  // --- models: immutable, so generated names and create-before-destroy -----------------------------
  const model = (id: string, m: ModelReference) =>
    new SagemakerModel(endpoint, id, {
      executionRoleArn: role.arn,
      primaryContainer: m.modelPackageArn
        ? { modelPackageName: m.modelPackageArn }
        : { image: `${m.imageRepositoryUrl}:${o.imageTag ?? m.version}`, modelDataUrl: `${m.artifactS3Uri}model.tar.gz` },
      enableNetworkIsolation: o.networkIsolation ?? true,
      vpcConfig: o.network ? { subnets: o.network.privateSubnetIds, securityGroupIds: [securityGroup!.id] } : undefined,
      tags,
      lifecycle: { createBeforeDestroy: true },
    });
  const models = [model("Model", endpoint.model), ...variants.map((v) => model(`Model-${v.name}`, v.model))];

  const volumesOnNvme = [primaryType, ...variants.map((v) => v.instanceType ?? primaryType)].some((t) => NVME_FAMILY.test(t));
  const endpointConfiguration = new SagemakerEndpointConfiguration(endpoint, "Configuration", {
    // Configurations are immutable: a prefix and create-before-destroy make a change a rollout.
    namePrefix: `${fitName(name, { maxLength: 37, allowed: /[a-zA-Z0-9-]/, lowercase: false })}-`,
    productionVariants: [
      serverless
        ? {
            variantName: "primary",
            modelName: models[0].name,
            serverlessConfig: { memorySizeInMb: o.serverlessMemoryMiB!, maxConcurrency: o.serverlessMaxConcurrency ?? 20 },
          }
        : {
            variantName: "primary",
            modelName: models[0].name,
            instanceType: primaryType,
            initialInstanceCount: endpoint.minReplicas,
            initialVariantWeight: 1,
          },
      ...variants.map((v, i) => ({
        variantName: v.name,
        modelName: models[i + 1].name,
        instanceType: v.instanceType ?? primaryType,
        initialInstanceCount: v.instanceCount ?? endpoint.minReplicas,
        initialVariantWeight: v.weight,
      })),
    ],
    // Local NVMe is hardware-encrypted and SageMaker refuses a KMS key for it; serverless has no volume.
    kmsKeyArn: serverless || volumesOnNvme ? undefined : endpoint.kmsKey.arn,
    dataCaptureConfig:
      endpoint.captureSamplingPercentage > 0
        ? {
            enableCapture: true,
            initialSamplingPercentage: endpoint.captureSamplingPercentage,
            // SageMaker appends <endpoint>/<variant>/yyyy/mm/dd/hh/, so captures land under captureKeyPrefix.
            destinationS3Uri: `s3://${endpoint.captureBucketName}/captures`,
            kmsKeyId: endpoint.captureKmsKeyArn,
            captureOptions: [{ captureMode: "Input" }, { captureMode: "Output" }],
            captureContentTypeHeader: { jsonContentTypes: ["application/json"] },
          }
        : undefined,
    tags,
    lifecycle: { createBeforeDestroy: true },
  });

  const dims = { EndpointName: name, VariantName: "primary" };
  const alarm = (id: string, metricName: string, statistic: { statistic?: string; extendedStatistic?: string }, threshold: number, what: string) =>
    new CloudwatchMetricAlarm(endpoint, id, {
      alarmName: `${prefixed}-${id.toLowerCase()}`,
      alarmDescription: `${what} of SageMaker endpoint ${name}; rolls back a blue/green deployment`,
      namespace: "AWS/SageMaker",
      metricName,
      dimensions: dims,
      ...statistic,
      period: 60,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold,
      // No invocations is no evidence of failure.
      treatMissingData: "notBreaching",
      tags,
    });
  const alarms = [
    alarm("Errors5xx", "Invocation5XXErrors", { statistic: "Sum" }, 5, "Server errors"),
    alarm("LatencyP99", "ModelLatency", { extendedStatistic: "p99" }, 5_000_000, "p99 model latency over 5 s"),
  ];

  const routing = o.trafficRouting ?? TrafficRouting.CANARY;
  const shift = o.trafficShiftPercent ?? 10;
  const sm = new SagemakerEndpoint(endpoint, "Resource", {
    name,
    endpointConfigName: endpointConfiguration.name,
    deploymentConfig: serverless
      ? undefined
      : {
          blueGreenUpdatePolicy: {
            trafficRoutingConfiguration: {
              type: routing,
              waitIntervalInSeconds: o.trafficShiftWaitSeconds ?? 300,
              canarySize: routing === TrafficRouting.CANARY ? { type: "CAPACITY_PERCENT", value: shift } : undefined,
              linearStepSize: routing === TrafficRouting.LINEAR ? { type: "CAPACITY_PERCENT", value: shift } : undefined,
            },
            terminationWaitInSeconds: 300,
            maximumExecutionTimeoutInSeconds: 3600,
          },
          autoRollbackConfiguration: { alarms: alarms.map((a) => ({ alarmName: a.alarmName })) },
        },
    tags,
  });

  let scalableTarget: AppautoscalingTarget | undefined;
  let scalingPolicy: AppautoscalingPolicy | undefined;
  if (!serverless) {
    scalableTarget = new AppautoscalingTarget(endpoint, "ScalableTarget", {
      serviceNamespace: "sagemaker",
      resourceId: `endpoint/${name}/variant/primary`,
      scalableDimension: "sagemaker:variant:DesiredInstanceCount",
      minCapacity: endpoint.minReplicas,
      maxCapacity: endpoint.maxReplicas,
      dependsOn: [sm],
    });
    scalingPolicy = new AppautoscalingPolicy(endpoint, "ScalingPolicy", {
      name: `${name}-invocations-per-instance`,
      policyType: "TargetTrackingScaling",
      serviceNamespace: scalableTarget.serviceNamespace,
      resourceId: scalableTarget.resourceId,
      scalableDimension: scalableTarget.scalableDimension,
      targetTrackingScalingPolicyConfiguration: {
        predefinedMetricSpecification: { predefinedMetricType: "SageMakerVariantInvocationsPerInstance" },
        targetValue: o.targetInvocationsPerInstance ?? 100,
        scaleInCooldown: 300,
        scaleOutCooldown: 60,
      },
    });
  }

  return {
    endpointUrl: `https://runtime.sagemaker.${stack.region}.amazonaws.com/endpoints/${name}/invocations`,
    captureKeyPrefix,
    captureFormat: CaptureFormat.SAGEMAKER_DATA_CAPTURE_JSONL,
    invokeStatements: [{ sid: "InvokeTheEndpoint", actions: ["sagemaker:InvokeEndpoint"], resources: [sm.arn] }],
    metrics: { namespace: "AWS/SageMaker", dimensions: dims },
    models,
    endpointConfiguration,
    endpoint: sm,
    role,
    alarms,
    scalableTarget,
    scalingPolicy,
  };
}
