import type { Exposure } from "../core/exposure";
import type { INetwork } from "../network";
import type { ModelReference } from "../model-registry";
import type { ITrainingCluster } from "../training-cluster";

/**
 * A canary of a KServe endpoint: a second model version taking a share of the traffic. KServe v0.20
 * (Standard mode) runs it as a Deployment and Service of its own (`<name>-canary-predictor`) and derives
 * only its replicas from `trafficPercent`; the endpoint's Service selects the stable pods alone. So the
 * split is made by the endpoint's load balancer (weighted target groups): a canary needs `exposure`
 * through a load balancer, and callers inside the cluster (`endpointUrl`) reach the stable version only.
 */
export interface KServeCanaryOptions {
  /** The candidate model version. */
  readonly model: ModelReference;
  /** Share of inference traffic sent to the canary, 0-100 (0 deploys it dark). */
  readonly trafficPercent: number;
  /**
   * Replicas of the canary (KServe gives canaries fixed replicas).
   * @default 1
   */
  readonly replicas?: number;
}

/** Options of the KServe engine. */
export interface KServeEngineOptions {
  /** The cluster KServe runs on; KServe is installed in the cluster's stack on first use. */
  readonly cluster: ITrainingCluster;
  /**
   * Namespace of the InferenceService.
   * @default "serving"
   */
  readonly namespace?: string;
  /**
   * KServe model format, served by the matching runtime of kserve-runtime-configs (`sklearn`, `xgboost`,
   * `mlflow`, `pytorch`, `tensorflow`, `onnx`, `huggingface`, ...).
   * @default "mlflow"
   */
  readonly modelFormat?: string;
  /**
   * Inference protocol of the predictor (`v1`, or `v2`, the Open Inference Protocol).
   * @default - `v2` for formats whose runtimes speak only v2 (`mlflow`, served by kserve-mlserver); KServe's default (v1) otherwise
   */
  readonly protocolVersion?: string;
  /**
   * Serve the model's own image from its ECR repository, at this tag, instead of a runtime of the
   * model format. The container gets `STORAGE_URI`.
   * @default - the runtime of `modelFormat`
   */
  readonly containerImageTag?: string;
  /**
   * GPUs per replica when the endpoint is on GPU.
   * @default 1
   */
  readonly gpuCount?: number;
  /**
   * CPU request per replica (Kubernetes quantity).
   * @default "1"
   */
  readonly cpu?: string;
  /**
   * Memory request and limit per replica, GiB.
   * @default 4
   */
  readonly memoryGiB?: number;
  /**
   * Target CPU utilisation, percent, at which the HPA adds replicas.
   * @default 70
   */
  readonly targetCpuUtilization?: number;
  /**
   * A canary version taking a share of the traffic (KServe Standard mode, v0.20+).
   * @default - no canary
   */
  readonly canary?: KServeCanaryOptions;
  /**
   * How callers outside the cluster reach the endpoint: through an ALB of its own (host `hostname`,
   * HTTPS with the certificate, the allowed networks), made by the AWS Load Balancer Controller from an
   * Ingress with a route to the predictor (and a weighted split to the canary).
   * @default Exposure.internalOnly() (the in-cluster URL only)
   */
  readonly exposure?: Exposure;
  /**
   * Request and response records per capture object the payload logger writes (KServe v0.20
   * `LoggerSpec.batchSize`). KServe's own default of 1 writes an object per request and one per
   * response: 720,000 objects an hour at 100 requests/s.
   * @default 100
   * @see https://github.com/kserve/kserve/blob/v0.20.0/pkg/apis/serving/v1beta1/inference_service.go
   */
  readonly loggerBatchSize?: number;
  /**
   * Longest wait, seconds, before the logger writes a partial batch (`LoggerSpec.batchInterval`), so
   * that quiet endpoints still reach the drift job. Used when `loggerBatchSize` is above 1.
   * @default 10
   */
  readonly loggerBatchIntervalSeconds?: number;
}

/** How SageMaker shifts traffic to a new endpoint configuration. */
export enum TrafficRouting {
  /** All traffic at once, after the new fleet is healthy. */
  ALL_AT_ONCE = "ALL_AT_ONCE",
  /** A canary share first, then the rest. */
  CANARY = "CANARY",
  /** In equal steps. */
  LINEAR = "LINEAR",
}

/** A further production variant of a SageMaker endpoint (A/B tests). */
export interface SageMakerVariantOptions {
  /** Variant name. */
  readonly name: string;
  /** The model version it serves. */
  readonly model: ModelReference;
  /** Relative weight of traffic. */
  readonly weight: number;
  /**
   * Instance type.
   * @default - the endpoint's instance type
   */
  readonly instanceType?: string;
  /**
   * Initial instance count.
   * @default - the endpoint's minReplicas
   */
  readonly instanceCount?: number;
}

/** Options of the SageMaker serving engine. */
export interface SageMakerServingOptions {
  /**
   * SageMaker instance type of the primary variant.
   * @default "ml.g5.xlarge" with GPU, "ml.m5.xlarge" without
   */
  readonly instanceType?: string;
  /**
   * Serverless inference instead of instances: memory in MiB (1024-6144, steps of 1024). Excludes
   * data capture, several variants and GPUs.
   * @default - instances
   */
  readonly serverlessMemoryMiB?: number;
  /**
   * Most concurrent invocations of a serverless endpoint.
   * @default 20
   */
  readonly serverlessMaxConcurrency?: number;
  /**
   * Further variants behind the endpoint, with weights (A/B); the primary variant has weight 1.
   * @default - none
   */
  readonly variants?: SageMakerVariantOptions[];
  /**
   * How a new configuration takes the traffic (blue/green).
   * @default TrafficRouting.CANARY
   */
  readonly trafficRouting?: TrafficRouting;
  /**
   * Percent of capacity that takes traffic first (CANARY) or in each step (LINEAR).
   * @default 10
   */
  readonly trafficShiftPercent?: number;
  /**
   * Seconds between traffic shifts, during which the alarms may roll the deployment back.
   * @default 300
   */
  readonly trafficShiftWaitSeconds?: number;
  /**
   * Invocations per instance per minute that application autoscaling keeps.
   * @default 100
   */
  readonly targetInvocationsPerInstance?: number;
  /**
   * Run the model in the VPC's private subnets.
   * @default - SageMaker-managed networking, with network isolation
   */
  readonly network?: INetwork;
  /**
   * Container network isolation: no outbound calls from the model container.
   * @default true
   */
  readonly networkIsolation?: boolean;
  /**
   * Tag of the model's image in its ECR repository (when the version is not a model package).
   * @default - the model version
   */
  readonly imageTag?: string;
}
