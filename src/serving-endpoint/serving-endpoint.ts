import { Construct, IConstruct } from "constructs";
import { z } from "zod";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import {
  check,
  claimExactName,
  claimUniqueName,
  fail,
  grantOnce,
  isDeployTimeValue,
  IKmsKeyRef,
  IRoleRef,
  isKmsKeyRef,
  MlopsStack,
  physicalName,
  SecureBucket,
  validateProps,
} from "../core";
import { registerManifest } from "../core/manifest";
import type { ModelReference } from "../model-registry";
import { CaptureFormat } from "./capture-format";
import type { IServingEndpointHost, KServeEndpointResources, SageMakerEndpointResources, ServingEngineResources } from "./contract";
import type { KServeEngineOptions, SageMakerServingOptions } from "./engines";
import { bindKServeEngine, validateKServeOptions } from "./private/kserve-engine";
import { bindSageMakerServing, validateSageMakerServing } from "./private/sagemaker-engine";
import type { ShapeOf } from "../core";

/** A CloudWatch metric of an endpoint. */
export interface MetricReference {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  /** e.g. `Average`, `Sum`, `p99`. */
  readonly statistic: string;
}

/** What the rest of the platform (drift monitoring, callers) knows of a serving endpoint, whatever its engine. */
export interface IServingEndpoint extends IConstruct {
  /** The endpoint name (SageMaker endpoint or InferenceService name). */
  readonly endpointName: string;
  /** The URL callers use (in-cluster URL for KServe, the SageMaker runtime invocation URL). */
  readonly endpointUrl: string;
  /** `kserve` or `sagemaker`. */
  readonly engineKind: string;
  /** Bucket of the captured payloads. */
  readonly captureBucketName: string;
  /** ARN of that bucket. */
  readonly captureBucketArn: string;
  /** Key prefix of this endpoint's captured payloads, ending in `/`. */
  readonly captureKeyPrefix: string;
  /** `s3://<bucket>/<prefix>`. */
  readonly captureS3Uri: string;
  /** KMS key ARN of the captured payloads. */
  readonly captureKmsKeyArn: string;
  /** Format of the captured payloads. */
  readonly captureFormat: CaptureFormat;
  /** Lets `role` invoke the endpoint. */
  grantInvoke(role: IRoleRef): IamRolePolicy;
  /** A CloudWatch metric of the endpoint. */
  metric(metricName: string, statistic?: string): MetricReference;
}

/**
 * Which service serves the model: KServe on the training cluster, or SageMaker.
 * Build one with {@link ServingEngine.kserve} or {@link ServingEngine.sagemaker}.
 */
export class ServingEngine {
  /** KServe (Standard mode) on the cluster: an InferenceService in a workloads stack. */
  public static kserve(options: KServeEngineOptions): ServingEngine {
    return new ServingEngine(
      "kserve",
      (owner, gpu) => validateKServeOptions(owner, options, gpu),
      (endpoint) => bindKServeEngine(endpoint, options),
    );
  }

  /** SageMaker real-time (or serverless) inference with data capture, blue/green and autoscaling. */
  public static sagemaker(options: SageMakerServingOptions = {}): ServingEngine {
    return new ServingEngine(
      "sagemaker",
      (owner, gpu, capturePercent) => validateSageMakerServing(owner, options, gpu, capturePercent),
      (endpoint) => bindSageMakerServing(endpoint, options),
    );
  }

  private constructor(
    /** `kserve` or `sagemaker`. */
    public readonly kind: string,
    private readonly validator: (owner: Construct, gpu: boolean, capturePercent: number) => unknown,
    private readonly binder: (endpoint: ServingEndpoint) => ServingEngineResources,
  ) {}

  /** Checks the engine's options for `owner` (an endpoint with or without GPU, capturing a share of payloads) before anything is built. */
  public validate(owner: Construct, gpu: boolean, capturePercent: number): void {
    this.validator(owner, gpu, capturePercent);
  }

  /** Builds the engine's resources under `endpoint`. */
  public bind(endpoint: ServingEndpoint): ServingEngineResources {
    return this.binder(endpoint);
  }
}

/** Props of {@link ServingEndpoint}. */
export interface ServingEndpointProps {
  /** The engine: `ServingEngine.kserve({ cluster })` or `ServingEngine.sagemaker()`. */
  readonly engine: ServingEngine;
  /** The model version to serve: `registry.model(name, version)`. */
  readonly model: ModelReference;
  /**
   * Serve on NVIDIA GPUs.
   * @default false
   */
  readonly gpu?: boolean;
  /**
   * Endpoint name: lowercase letters, digits and `-`, at most 40 characters.
   * @default - `<platform>-<construct id>`
   */
  readonly endpointName?: string;
  /**
   * Fewest replicas (instances).
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * Most replicas (instances).
   * @default 4
   */
  readonly maxReplicas?: number;
  /**
   * Percent of invocations whose payloads are captured (SageMaker; KServe logs every request).
   * 0 turns capture off.
   * @default 100
   */
  readonly captureSamplingPercentage?: number;
  /**
   * Days captured payloads are kept (they hold production inputs, often personal data).
   * @default 90
   */
  readonly captureRetentionDays?: number;
  /**
   * KMS key of captured payloads and endpoint storage.
   * @default - the stack's platform key
   */
  readonly kmsKey?: IKmsKeyRef;
}

const schema = z
  .object({
    engine: z.custom<ServingEngine>((e) => e instanceof ServingEngine, {
      message: "must be ServingEngine.kserve({ cluster }) or ServingEngine.sagemaker()",
    }),
    model: z.custom<ModelReference>((m) => !!m && typeof m === "object" && "artifactS3Uri" in m && "imageRepositoryUrl" in m, {
      message: "must be a model reference from registry.model(name, version)",
    }),
    gpu: z.boolean().optional(),
    endpointName: check
      .synthTime(
        check.matching(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/, "must be 2-40 lowercase letters, digits and '-', starting with a letter"),
        "the endpoint's resources and alarms are named after it",
      )
      .optional(),
    minReplicas: check.int(1, 100).optional(),
    maxReplicas: check.int(1, 1000).optional(),
    captureSamplingPercentage: check.synthTime(check.int(0, 100), "it decides whether data capture and its bucket are set up").optional(),
    captureRetentionDays: check.int(1, 3650).optional(),
    kmsKey: z.custom<IKmsKeyRef>((k) => isKmsKeyRef(k), { message: "must be a KmsKey or KmsKeyRef.fromKeyArn(arn)" }).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const min = p.minReplicas ?? 1;
    if (!isDeployTimeValue(min) && !isDeployTimeValue(p.maxReplicas) && (p.maxReplicas ?? 4) < min) {
      if (p.maxReplicas === undefined) ctx.addIssue({ code: "custom", path: ["minReplicas"], message: "must be <= maxReplicas (4, the default)" });
      else ctx.addIssue({ code: "custom", path: ["maxReplicas"], message: `must be >= minReplicas (${min})` });
    }
  }) satisfies ShapeOf<ServingEndpointProps>;

/**
 * A model version served behind an endpoint, on KServe or SageMaker, with its request and response
 * payloads captured to S3 for drift monitoring.
 */
export class ServingEndpoint extends Construct implements IServingEndpoint, IServingEndpointHost {
  public readonly endpointName: string;
  public readonly endpointUrl: string;
  public readonly engineKind: string;
  /** The model version served. */
  public readonly model: ModelReference;
  public readonly gpu: boolean;
  public readonly minReplicas: number;
  public readonly maxReplicas: number;
  public readonly captureSamplingPercentage: number;
  /** The KMS key of captures and storage. */
  public readonly kmsKey: IKmsKeyRef;
  /** The bucket of captured payloads. */
  public readonly captureBucket: SecureBucket;
  public readonly captureBucketName: string;
  public readonly captureBucketArn: string;
  public readonly captureKeyPrefix: string;
  public readonly captureS3Uri: string;
  public readonly captureKmsKeyArn: string;
  public readonly captureFormat: CaptureFormat;
  /** What the engine built. */
  public readonly engineResources: ServingEngineResources;

  constructor(scope: Construct, id: string, props: ServingEndpointProps) {
    super(scope, id);
    const p = validateProps(this, "ServingEndpoint", schema, props);
    p.engine.validate(this, p.gpu ?? false, p.captureSamplingPercentage ?? 100);
    const stack = MlopsStack.of(this);
    this.engineKind = p.engine.kind;
    this.model = p.model;
    this.gpu = p.gpu ?? false;
    this.minReplicas = p.minReplicas ?? 1;
    this.maxReplicas = p.maxReplicas ?? 4;
    this.captureSamplingPercentage = p.captureSamplingPercentage ?? 100;
    this.kmsKey = p.kmsKey ?? stack.kmsKey;
    // Endpoint names (and the alarm and role names made from them) are unique per region: a chosen name
    // used twice is refused; a derived one that repeats in another stack gets the stack id.
    const nameRule = { maxLength: 40, allowed: /[a-z0-9-]/, lowercase: true };
    if (p.endpointName !== undefined) {
      const holder = claimExactName(this, `endpoint:${stack.region}`, p.endpointName);
      if (holder)
        fail(
          this,
          "ServingEndpoint",
          "endpointName",
          `(${JSON.stringify(p.endpointName)}) is the name of the endpoint ${holder.node.path} already (endpoint names are unique per region)`,
        );
    }
    this.endpointName =
      p.endpointName ??
      claimUniqueName(this, `endpoint:${stack.region}`, physicalName(this, stack.platformName, nameRule), (stackId) =>
        physicalName(this, `${stack.platformName}-${stackId}`, nameRule),
      );
    registerManifest(this, "ServingEndpoint", {
      engine: this.engineKind,
      endpointName: this.endpointName,
      gpu: this.gpu,
      minReplicas: this.minReplicas,
      maxReplicas: this.maxReplicas,
      model: { name: p.model.modelName, version: p.model.version },
      captureSamplingPercentage: this.captureSamplingPercentage,
    });

    this.captureBucket = new SecureBucket(this, "Captures", {
      component: "serving-endpoint",
      kmsKey: this.kmsKey,
      expireObjectsAfterDays: p.captureRetentionDays ?? 90,
      noncurrentVersionExpirationDays: 1,
    });
    this.captureBucketName = this.captureBucket.bucketName;
    this.captureBucketArn = this.captureBucket.bucketArn;
    this.captureKmsKeyArn = this.kmsKey.arn;

    this.engineResources = p.engine.bind(this);
    this.captureKeyPrefix = this.engineResources.captureKeyPrefix;
    this.captureS3Uri = `s3://${this.captureBucketName}/${this.captureKeyPrefix}`;
    this.endpointUrl = this.engineResources.endpointUrl;
    this.captureFormat = this.engineResources.captureFormat;
  }

  /** What the KServe engine built (InferenceService, ServiceAccount, role, installation), with that engine. */
  public get kserve(): KServeEndpointResources | undefined {
    return this.engineKind === "kserve" ? (this.engineResources as KServeEndpointResources) : undefined;
  }

  /** What the SageMaker engine built (models, configuration, endpoint, role, alarms, autoscaling), with that engine. */
  public get sagemaker(): SageMakerEndpointResources | undefined {
    return this.engineKind === "sagemaker" ? (this.engineResources as SageMakerEndpointResources) : undefined;
  }

  public grantInvoke(role: IRoleRef): IamRolePolicy {
    const statements = this.engineResources.invokeStatements;
    if (!statements) fail(this, "ServingEndpoint", "grantInvoke", `is not available: ${this.engineResources.noInvokeReason}`);
    return grantOnce(this, "Invoke", role, "invoke", statements, this.endpointName);
  }

  public metric(metricName: string, statistic = "Average"): MetricReference {
    const m = this.engineResources.metrics;
    if (!m) fail(this, "ServingEndpoint", "metric", `is not available: ${this.engineResources.noMetricsReason}`);
    return { namespace: m.namespace, metricName, dimensions: { ...m.dimensions }, statistic };
  }
}
