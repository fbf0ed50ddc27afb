// The contract of the serving-endpoint family: what its engines build on and what they return. Types
// only: engines import it, never the construct that uses them.
import type { IConstruct } from "constructs";
import type { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import type { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { SagemakerEndpoint } from "@cdktf/provider-aws/lib/sagemaker-endpoint";
import type { SagemakerEndpointConfiguration } from "@cdktf/provider-aws/lib/sagemaker-endpoint-configuration";
import type { SagemakerModel } from "@cdktf/provider-aws/lib/sagemaker-model";
import type { IngressV1 } from "@cdktf/provider-kubernetes/lib/ingress-v1";
import type { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import type { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import type { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import type { KServeInstallation } from "./private/kserve-install";
import type { IKmsKeyRef, NamespaceNetworkPolicies, PolicyStatement } from "../core";
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

/** The resources of the KServe engine, as `endpoint.kserve`. */
export interface KServeEndpointResources extends ServingEngineResources {
  /** The InferenceService (`kubernetes_manifest`). */
  readonly inferenceService: Manifest;
  /** Its ServiceAccount (IRSA). */
  readonly serviceAccount: ServiceAccountV1;
  /** Its IAM role. */
  readonly role: IamRole;
  /** KServe as installed on the cluster. */
  readonly installation: KServeInstallation;
  /** The endpoint's URL outside the cluster (`https://<hostname>`), when exposed through a load balancer. */
  readonly externalUrl?: string;
  /** The Ingress its load balancer is made from, when exposed. */
  readonly ingress?: IngressV1;
  /** The NetworkPolicies of the serving namespace (shared by its endpoints), on a cluster that enforces them. */
  readonly namespaceNetworkPolicies?: NamespaceNetworkPolicies;
  /** The NetworkPolicy that lets the load balancer reach the endpoint's pods, when exposed on such a cluster. */
  readonly loadBalancerNetworkPolicy?: NetworkPolicyV1;
  /** The NetworkPolicy that lets the cluster's metrics collector scrape the endpoint's pods (Prometheus telemetry, NetworkPolicies on). */
  readonly metricsCollectorNetworkPolicy?: NetworkPolicyV1;
}

/** The resources of the SageMaker engine, as `endpoint.sagemaker`. */
export interface SageMakerEndpointResources extends ServingEngineResources {
  /** The models (primary first, then the variants'). */
  readonly models: SagemakerModel[];
  /** The endpoint configuration. */
  readonly endpointConfiguration: SagemakerEndpointConfiguration;
  /** The endpoint. */
  readonly endpoint: SagemakerEndpoint;
  /** The execution role. */
  readonly role: IamRole;
  /** The deployment guardrail alarms (5xx, p99 latency). */
  readonly alarms: CloudwatchMetricAlarm[];
  /** The autoscaling target, with instance-based variants. */
  readonly scalableTarget?: AppautoscalingTarget;
  /** The autoscaling policy, with instance-based variants. */
  readonly scalingPolicy?: AppautoscalingPolicy;
}
