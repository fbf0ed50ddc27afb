import { Fn } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import {
  check,
  componentTags,
  createRole,
  dependsOnAcrossStacks,
  fail,
  fitName,
  irsaTrust,
  listPrefixStatement,
  MlopsStack,
  NameRules,
  PolicyStatement,
  validateProps,
  withPlatformPrefix,
} from "../../core";
import type { ModelReference } from "../../model-registry";
import { GpuTaint, ITrainingCluster, NodeLabels, TrainingCluster } from "../../training-cluster";
import type { KServeEngineOptions } from "../engines";
import type { IServingEndpointHost, KServeEndpointResources } from "../contract";
import { CaptureFormat } from "../capture-format";
import { KServeInstallation } from "./kserve-install";
import { registerManifest } from "../../core/manifest";
import type { ShapeOf } from "../../core";

const modelRef = z.custom<ModelReference>((m) => !!m && typeof m === "object" && "artifactS3Uri" in m, {
  message: "must be a model reference from registry.model(name, version)",
});

/**
 * Model formats that every runtime of kserve-runtime-configs v0.20.0 serves on the v2 (Open Inference)
 * protocol only, so that an InferenceService of the format must ask for v2: `mlflow` is served by
 * `kserve-mlserver` alone, whose `protocolVersions` are `[v2]`.
 */
const V2_ONLY_FORMATS: Record<string, string> = { mlflow: "v2" };

const schema = z
  .object({
    cluster: z.custom<ITrainingCluster>((c) => TrainingCluster.isTrainingCluster(c), {
      message: "must be a TrainingCluster or TrainingCluster.fromClusterAttributes(...)",
    }),
    namespace: check.synthTime(check.dnsLabel(63), "the namespace is created once per cluster, named after it").optional(),
    modelFormat: check.matching(/^[a-z][a-z0-9_-]{0,31}$/, "must be a KServe model format name such as sklearn or mlflow").optional(),
    protocolVersion: z.enum(["v1", "v2"], { message: "must be v1 or v2" }).optional(),
    containerImageTag: check.matching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be a container image tag").optional(),
    gpuCount: check.int(1, 8).optional(),
    cpu: check.matching(/^\d+(\.\d+)?m?$/, 'must be a Kubernetes CPU quantity such as "1" or "500m"').optional(),
    memoryGiB: check.int(1, 2048).optional(),
    targetCpuUtilization: check.int(10, 100).optional(),
    canary: z
      .object({ model: modelRef, trafficPercent: check.int(0, 100), replicas: check.int(1, 50).optional() })
      .strict()
      .optional(),
    loggerBatchSize: check.int(1, 10000).optional(),
    loggerBatchIntervalSeconds: check.int(1, 3600).optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.loggerBatchSize === 1 && o.loggerBatchIntervalSeconds !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["loggerBatchIntervalSeconds"],
        message: "has no effect with loggerBatchSize 1 (every record is written at once)",
      });
    }
  }) satisfies ShapeOf<KServeEngineOptions>;

/** Checks the options and the endpoint's placement, naming the endpoint's path in any error. */
export function validateKServeOptions(owner: Construct, options: KServeEngineOptions, gpu: boolean) {
  const o = validateProps(owner, "ServingEngine.kserve", schema, options);
  // KServe is installed in the cluster's in-cluster stack; the InferenceService lands in that of the endpoint.
  const crdStack = o.cluster._inClusterStackOf(o.cluster);
  if (o.cluster._inClusterStackOf(owner) === crdStack) {
    fail(
      owner,
      "ServingEndpoint",
      "engine",
      `(kserve) puts the InferenceService in the stack "${crdStack.node.id}", which installs the KServe CRDs: a custom resource cannot be planned before its CRD exists. Create the endpoint in a separate workloads stack (new MlopsStack(app, "ml-workloads", ...)).`,
    );
  }
  if (gpu && !o.cluster.hasGpuNodes) {
    fail(
      owner,
      "ServingEndpoint",
      "gpu",
      `(true) needs GPU nodes on the cluster ${o.cluster.node.path}: add a pool with gpuNodePools or addGpuNodePool, or, for a cluster made elsewhere, say gpuNodes: true in fromClusterAttributes`,
    );
  }
  return o;
}

/** Builds the InferenceService (and installs KServe on the cluster once). */
export function bindKServeEngine(endpoint: IServingEndpointHost, options: KServeEngineOptions): KServeEndpointResources {
  const o = validateKServeOptions(endpoint, options, endpoint.gpu);
  const cluster = o.cluster;
  const stack = MlopsStack.of(endpoint);
  const tags = componentTags("serving-endpoint");
  const namespace = o.namespace ?? "serving";
  const name = endpoint.endpointName;
  const installation = KServeInstallation.of(cluster);
  // KServe's S3 logger writes <url path>/<namespace>/<isvc>/<component>/<storage path>/<id>-<type>.json.
  const captureKeyPrefix = `captures/${namespace}/${name}/`;
  const k8s = cluster.connect(endpoint).kubernetes;

  // One namespace per stack and cluster, shared by its endpoints.
  const nsId = `ServingNamespace-${namespace}-${cluster.node.id}`;
  const ns =
    (stack.node.tryFindChild(nsId) as NamespaceV1 | undefined) ??
    new NamespaceV1(stack, nsId, {
      provider: k8s,
      metadata: { name: namespace, labels: { "pod-security.kubernetes.io/enforce": "baseline", "app.kubernetes.io/managed-by": "cdktf-mlops" } },
      dependsOn: dependsOnAcrossStacks(stack, [installation.runtimes]),
    });

  // IRSA rather than Pod Identity: KServe injects its S3 settings (region, endpoint) into the
  // storage initializer and the logger only for ServiceAccounts that carry the IRSA annotation.
  const models = [endpoint.model, ...(o.canary ? [o.canary.model] : [])];
  registerManifest(endpoint, "ServingEndpoint", {
    cluster: cluster.node.path,
    canary: o.canary
      ? {
          model: { name: o.canary.model.modelName, version: o.canary.model.version },
          trafficPercent: o.canary.trafficPercent,
          replicas: o.canary.replicas ?? 1,
        }
      : undefined,
  });
  const issuerHost = Fn.replace(cluster.oidcIssuerUrl, "https://", "");
  const statements: PolicyStatement[] = [
    // The storage initializer calls HeadBucket before it lists the version's prefix.
    listPrefixStatement(
      "ListOnlyTheModelPrefixes",
      [...new Set(models.map((m) => m.artifactBucketArn))],
      models.map((m) => `${m.artifactKeyPrefix}*`),
    ),
    { sid: "ReadOnlyTheModelVersions", actions: ["s3:GetObject"], resources: models.map((m) => `${m.artifactBucketArn}/${m.artifactKeyPrefix}*`) },
    { sid: "DecryptTheModels", actions: ["kms:Decrypt", "kms:DescribeKey"], resources: [...new Set(models.map((m) => m.artifactKmsKeyArn))] },
    {
      sid: "WriteOnlyTheCapturePrefix",
      actions: ["s3:PutObject", "s3:AbortMultipartUpload"],
      resources: [`${endpoint.captureBucketArn}/${captureKeyPrefix}*`],
    },
    // Multipart uploads to SSE-KMS need kms:Decrypt as well (each part's data key is decrypted).
    { sid: "EncryptCaptures", actions: ["kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"], resources: [endpoint.captureKmsKeyArn] },
  ];
  const createdRole = createRole(endpoint, "Role", {
    name: fitName(`${withPlatformPrefix(stack.platformName, name)}-serving`, NameRules.iamRole),
    trust: irsaTrust(cluster.oidcProviderArn, issuerHost, namespace, name),
    statements,
    tags,
  });
  const role = createdRole.role;
  const serviceAccount = new ServiceAccountV1(endpoint, "ServiceAccount", {
    provider: k8s,
    metadata: {
      name,
      namespace: ns.metadata.name,
      annotations: {
        "eks.amazonaws.com/role-arn": role.arn,
        "serving.kserve.io/s3-region": stack.region,
        "serving.kserve.io/s3-endpoint": `s3.${stack.region}.amazonaws.com`,
        "serving.kserve.io/s3-usehttps": "1",
      },
    },
  });

  const gpus = o.gpuCount ?? 1;
  const memory = `${o.memoryGiB ?? 4}Gi`;
  const resources = {
    requests: { cpu: o.cpu ?? "1", memory, ...(endpoint.gpu ? { "nvidia.com/gpu": String(gpus) } : {}) },
    limits: { memory, ...(endpoint.gpu ? { "nvidia.com/gpu": String(gpus) } : {}) },
  };
  const placement = endpoint.gpu
    ? {
        nodeSelector: { [NodeLabels.GPU_PRESENT]: "true" },
        tolerations: [{ key: GpuTaint.KEY, operator: "Exists", effect: "NoSchedule" }],
      }
    : {};
  // Batched: one object of up to loggerBatchSize records (a JSON array), written when full or after the interval.
  const batchSize = o.loggerBatchSize ?? 100;
  const logger = {
    mode: "all",
    url: `s3://${endpoint.captureBucketName}/captures`,
    batchSize,
    ...(batchSize > 1 ? { batchInterval: `${o.loggerBatchIntervalSeconds ?? 10}s` } : {}),
    storage: {
      path: "/",
      parameters: { type: "s3", format: "json" },
      key: "credentials",
      serviceAccountName: name,
    },
  };
  const modelFormat = o.modelFormat ?? "mlflow";
  // KServe reads an unset protocol as v1; formats whose only runtime speaks v2 would find no runtime.
  const protocolVersion = o.protocolVersion ?? V2_ONLY_FORMATS[modelFormat];
  const implementation = (m: ModelReference) =>
    o.containerImageTag
      ? {
          containers: [
            {
              name: "kserve-container",
              image: `${m.imageRepositoryUrl}:${o.containerImageTag}`,
              env: [{ name: "STORAGE_URI", value: m.artifactS3Uri }],
              resources,
            },
          ],
        }
      : { model: { modelFormat: { name: modelFormat }, ...(protocolVersion ? { protocolVersion } : {}), storageUri: m.artifactS3Uri, resources } };
  const predictorBase = {
    serviceAccountName: name,
    priorityClassName: "mlops-serving",
    ...placement,
    logger,
  };

  const inferenceService = new Manifest(endpoint, "InferenceService", {
    provider: k8s,
    manifest: {
      apiVersion: "serving.kserve.io/v1beta1",
      kind: "InferenceService",
      metadata: {
        name,
        namespace,
        annotations: { "serving.kserve.io/deploymentMode": "Standard", "serving.kserve.io/autoscalerClass": "hpa" },
      },
      spec: {
        predictor: {
          ...predictorBase,
          minReplicas: endpoint.minReplicas,
          maxReplicas: endpoint.maxReplicas,
          scaleMetric: "cpu",
          scaleTarget: o.targetCpuUtilization ?? 70,
          ...implementation(endpoint.model),
        },
        ...(o.canary
          ? {
              canary: [
                {
                  trafficPercent: o.canary.trafficPercent,
                  predictor: { name: "canary", ...predictorBase, minReplicas: o.canary.replicas ?? 1, ...implementation(o.canary.model) },
                },
              ],
            }
          : {}),
      },
    },
    // The pods fetch the model as soon as they start: the role's permissions must exist by then.
    dependsOn: [serviceAccount, ns, ...(createdRole.inlinePolicy ? [createdRole.inlinePolicy] : [])],
  });

  return {
    endpointUrl: `http://${name}-predictor.${namespace}.svc.cluster.local`,
    captureKeyPrefix,
    captureFormat: CaptureFormat.KSERVE_LOGGER_JSON,
    noInvokeReason: "a KServe endpoint is called over the cluster network, not through IAM; restrict callers with Kubernetes NetworkPolicies",
    noMetricsReason: "KServe endpoints expose Prometheus metrics inside the cluster, not CloudWatch metrics",
    inferenceService,
    serviceAccount,
    role,
    installation,
  };
}
