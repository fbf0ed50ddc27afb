// The contract of the serving-endpoint family: what its engines build on and what they return. Types
// only: engines import it, never the construct that uses them.
import type { IConstruct } from "constructs";
import type { IKmsKeyRef, PolicyStatement } from "../core";
import type { ModelReference } from "../model-registry/contract";
import type { CaptureFormat } from "./capture-format";

/** Where an engine publishes an endpoint's CloudWatch metrics. */
export interface ServingEngineMetrics {
  readonly namespace: string;
  readonly dimensions: Record<string, string>;
}

/** What an engine built. */
export interface ServingEngineResources {
  readonly endpointUrl: string;
  /** Where the engine writes this endpoint's payloads in the capture bucket, ending in `/`. */
  readonly captureKeyPrefix: string;
  readonly captureFormat: CaptureFormat;
  /** Invocation statements, or a reason why the engine has no IAM-governed invocation. */
  readonly invokeStatements?: PolicyStatement[];
  readonly noInvokeReason?: string;
  /** CloudWatch namespace and dimensions, or a reason why the engine publishes none. */
  readonly metrics?: ServingEngineMetrics;
  readonly noMetricsReason?: string;
}

/** What an engine needs of the endpoint it builds for (a {@link ServingEndpoint}). */
export interface IServingEndpointHost extends IConstruct {
  /** The endpoint name. */
  readonly endpointName: string;
  /** The model version served. */
  readonly model: ModelReference;
  /** Whether the endpoint runs on GPUs. */
  readonly gpu: boolean;
  /** Fewest replicas. */
  readonly minReplicas: number;
  /** Most replicas. */
  readonly maxReplicas: number;
  /** Share of requests captured, percent. */
  readonly captureSamplingPercentage: number;
  /** The endpoint's KMS key. */
  readonly kmsKey: IKmsKeyRef;
  /** Bucket of the captured payloads. */
  readonly captureBucketName: string;
  /** ARN of that bucket. */
  readonly captureBucketArn: string;
  /** KMS key ARN of the captured payloads. */
  readonly captureKmsKeyArn: string;
}
