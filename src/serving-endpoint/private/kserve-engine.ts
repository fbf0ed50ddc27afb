import { Fn, ITerraformDependable, TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { IngressV1 } from "@cdktf/provider-kubernetes/lib/ingress-v1";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { NetworkPolicyV1, NetworkPolicyV1SpecIngress } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import {
  albIngress,
  check,
  componentTags,
  exposureNetworkProblem,
  exposureSchema,
  clusterVpcCidr,
  loadBalancerRule,
  loadBalancedExposure,
  prometheusScrapeAnnotations,
  POD_READINESS_GATE_LABEL,
  secretStoreObject,
  loadBalancerSourceCidrs,
  existingNamespaceNetworkPolicies,
  isDeployTimeValue,
  namespaceNetworkPolicies,
  once,
  SERVING_NAMESPACE_LABEL,
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
import type { Exposure } from "../../core/exposure";
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

/**
 * The Prometheus port of the runtime KServe v0.20.0 picks for a model format: `prometheus.kserve.io/port` of
 * config/runtimes/kserve-*.yaml, for the runtime of highest priority that auto-selects the format (pytorch:
 * torchserve 8082 over Triton; tensorflow: TensorFlow Serving 8080 over Triton). The pods are annotated with it
 * directly: `serving.kserve.io/enable-prometheus-scraping` would make KServe's pod webhook set 9091, the Knative
 * queue-proxy's port, which Standard mode does not run (pkg/webhook/admission/pod/metrics_aggregate_injector.go).
 */
const METRICS_PORTS: Record<string, number> = {
  autogluon: 8080,
  huggingface: 8080,
  lightgbm: 8080,
  mlflow: 8080,
  paddle: 8080,
  pmml: 8080,
  sklearn: 8080,
  tensorflow: 8080,
  xgboost: 8080,
  pytorch: 8082,
  onnx: 8002,
  tensorrt: 8002,
  triton: 8002,
};

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
    exposure: exposureSchema.optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    const throughLoadBalancer = !!loadBalancedExposure(o.exposure);
    if (o.canary && !throughLoadBalancer && !isDeployTimeValue(o.canary.trafficPercent) && o.canary.trafficPercent > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["canary", "trafficPercent"],
        message:
          "would reach no request: KServe v0.20 Standard mode runs the canary behind a Service of its own and sets only its replicas from trafficPercent, while the endpoint's Service selects the stable pods alone. Expose the endpoint through a load balancer (exposure: Exposure.internalLoadBalancer(...)), whose listener splits the traffic by weight, or deploy the canary dark (trafficPercent 0).",
      });
    }
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
  const problem = exposureNetworkProblem(o.exposure, o.cluster);
  if (problem) fail(owner, "ServingEngine.kserve", "exposure", problem);
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
  const nsLabels = {
    "pod-security.kubernetes.io/enforce": "baseline",
    "app.kubernetes.io/managed-by": "cdktf-mlops",
    [SERVING_NAMESPACE_LABEL]: "true",
  };
  const ns =
    (stack.node.tryFindChild(nsId) as NamespaceV1 | undefined) ??
    new NamespaceV1(stack, nsId, {
      provider: k8s,
      metadata: { name: namespace, labels: nsLabels },
      dependsOn: dependsOnAcrossStacks(stack, [installation.runtimes]),
    });
  // An endpoint behind a load balancer: the namespace's pods get the controller's readiness gate (whichever
  // endpoint of the namespace is exposed, first or later).
  if (loadBalancedExposure(o.exposure)) {
    ns.putMetadata({ name: namespace, labels: { ...nsLabels, ...POD_READINESS_GATE_LABEL } });
  }
  // Once per namespace too: callers from the teams' namespaces, the namespace itself (transformers) and kube-system.
  const policiesId = `ServingNetworkPolicy-${namespace}-${cluster.node.id}-`;
  const namespacePolicies = cluster.networkPolicies
    ? (existingNamespaceNetworkPolicies(stack, policiesId) ??
      namespaceNetworkPolicies(stack, policiesId, {
        provider: k8s,
        namespace: ns.metadata.name,
        sources: { teamNamespaces: true, sameNamespace: true },
      }))
    : undefined;

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
  // Scraped by the cluster's collector (Prometheus telemetry) on the runtime's port; a custom image's port is unknown.
  const metricsPort = cluster.scrapesPodMetrics && !o.containerImageTag ? METRICS_PORTS[modelFormat] : undefined;
  const predictorBase = {
    ...(metricsPort ? { annotations: prometheusScrapeAnnotations(metricsPort) } : {}),
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

  // An ingress NetworkPolicy of this endpoint's pods (stable and canary), `<name>-<suffix>`, with `rules`.
  const endpointPodsPolicy = (id: string, suffix: string, rules: NetworkPolicyV1SpecIngress[]) =>
    new NetworkPolicyV1(endpoint, id, {
      provider: k8s,
      metadata: { name: `${name}-${suffix}`.slice(0, 63), namespace, labels: { "app.kubernetes.io/managed-by": "cdktf-mlops" } },
      spec: { podSelector: { matchLabels: { "serving.kserve.io/inferenceservice": name } }, policyTypes: ["Ingress"], ingress: rules },
      dependsOn: [ns],
    });

  // --- exposure: an ALB of the endpoint's own, made by the load balancer controller from an Ingress --
  const exposure = loadBalancedExposure(o.exposure);
  let ingress: IngressV1 | undefined;
  let loadBalancerPolicy: NetworkPolicyV1 | undefined;
  let externalUrl: string | undefined;
  if (exposure) {
    const built = exposeThroughLoadBalancer(endpoint, cluster, exposure, {
      name,
      namespace,
      k8s,
      ns,
      inferenceService,
      protocolVersion,
      canary: o.canary,
    });
    ingress = built.ingress;
    externalUrl = built.url;
    loadBalancerPolicy = cluster.networkPolicies
      ? // The target ports of the stable and the canary Services: the logger's agent for the stable pods; the model
        // server's own port for the canary, whose component KServe v0.20 reconciles without the logger
        // (reconcileCanaryDeployments), so its Service targets the container.
        endpointPodsPolicy("LoadBalancerNetworkPolicy", "from-load-balancer", [
          loadBalancerRule(loadBalancerSourceCidrs(endpoint, cluster, exposure), KSERVE_AGENT_PORT),
          ...(o.canary ? [loadBalancerRule(loadBalancerSourceCidrs(endpoint, cluster, exposure), KSERVE_CONTAINER_PORT)] : []),
        ])
      : undefined;
    new TerraformOutput(endpoint, "UrlOutput", { value: externalUrl, description: `Inference endpoint ${name} behind its load balancer` });
    registerManifest(endpoint, "ServingEndpoint", {
      exposure: { scheme: exposure.scheme, url: externalUrl, signIn: exposure.loadBalancer!.signIn?.kind ?? "none" },
    });
  }

  // The collector's interfaces are in the VPC, outside every namespace: let it reach the metrics port.
  const metricsCollectorPolicy =
    metricsPort && cluster.networkPolicies
      ? endpointPodsPolicy("MetricsCollectorNetworkPolicy", "from-metrics-collector", [
          loadBalancerRule([clusterVpcCidr(endpoint, cluster)], metricsPort),
        ])
      : undefined;

  return {
    endpointUrl: `http://${name}-predictor.${namespace}.svc.cluster.local`,
    captureKeyPrefix,
    captureFormat: CaptureFormat.KSERVE_LOGGER_JSON,
    noInvokeReason: exposure
      ? "a KServe endpoint is called over the network, not through IAM: callers outside the cluster are the networks named in exposure allowedCidrs (the load balancer's security group), callers inside it the team namespaces the serving namespace's NetworkPolicy lets in"
      : "a KServe endpoint is called over the cluster network, not through IAM: the serving namespace's NetworkPolicy lets in the team namespaces; for callers outside the cluster, expose it through a load balancer (exposure) and name their networks in allowedCidrs",
    noMetricsReason: "KServe endpoints expose Prometheus metrics inside the cluster, not CloudWatch metrics",
    metricsCollectorNetworkPolicy: metricsCollectorPolicy,
    inferenceService,
    serviceAccount,
    role,
    installation,
    externalUrl,
    ingress,
    namespaceNetworkPolicies: namespacePolicies,
    loadBalancerNetworkPolicy: loadBalancerPolicy,
  };
}

/**
 * The port the Services of an InferenceService send to when it has a logger (the library always sets
 * one): the KServe agent's (`InferenceServiceDefaultAgentPort`, pkg/constants/constants.go, v0.20.0),
 * which `createDefaultSvc` (reconcilers/service/service_reconciler.go) makes the target port.
 */
export const KSERVE_AGENT_PORT = 9081;

/**
 * The model server's port when its runtime declares none (`InferenceServiceDefaultHttpPort`, pkg/constants,
 * v0.20.0; kserve-mlserver and the library's custom containers declare none): the canary Service's target.
 */
export const KSERVE_CONTAINER_PORT = 8080;

/**
 * The Ingress of an exposed endpoint: class `alb`, the host clients use, a route to the predictor's
 * Service; with a canary, a forward action with weighted target groups (stable and canary Services),
 * the split KServe v0.20 Standard mode does not make. KServe's own Ingress creation stays off: it would
 * copy every annotation of the InferenceService, use one IngressClass and domain for the whole cluster,
 * and route to the stable Service alone.
 */
function exposeThroughLoadBalancer(
  endpoint: IServingEndpointHost,
  cluster: ITrainingCluster,
  exposure: Exposure,
  o: {
    name: string;
    namespace: string;
    k8s: ReturnType<ITrainingCluster["connect"]>["kubernetes"];
    ns: NamespaceV1;
    inferenceService: Manifest;
    protocolVersion?: string;
    canary?: { trafficPercent: number };
  },
): { ingress: IngressV1; url: string } {
  const { name, namespace, k8s } = o;
  // KServe's model servers answer readiness at /v2/health/ready (Open Inference Protocol) and liveness at / (v1).
  const healthCheckPath = o.protocolVersion === "v2" ? "/v2/health/ready" : "/";
  const alb = albIngress(
    endpoint,
    cluster,
    exposure,
    `kserve-${namespace}-${name}`.slice(0, 63).replace(/-+$/, ""),
    healthCheckPath,
    componentTags("serving-endpoint"),
  );
  const deps: ITerraformDependable[] = [cluster.ensureLoadBalancerController()];
  const oidc = exposure.loadBalancer!.signIn?.oidcOptions;
  const extra: Manifest[] = [];
  if (oidc) {
    deps.push(cluster.grantExternalSecretRead(endpoint, "ExternalSecretsCanReadOidcClient", oidc.clientSecretArn, oidc.clientSecretKmsKeyArn));
    const stack = MlopsStack.of(endpoint);
    // The SecretStore and the controller's Role are the namespace's, the client Secret the endpoint's.
    const perNamespace = `ServingOidc-${namespace}-${cluster.node.id}`;
    const objects = [secretStoreObject(stack.region), ...alb.extraObjects] as { kind: string; metadata: Record<string, unknown> }[];
    for (const obj of objects) {
      const shared = obj.kind !== "ExternalSecret";
      const scope = shared ? stack : endpoint;
      const id = shared ? `${perNamespace}${obj.kind}` : `Oidc${obj.kind}`;
      extra.push(
        once(
          scope,
          id,
          () =>
            new Manifest(scope, id, {
              provider: k8s,
              manifest: { ...obj, metadata: { ...obj.metadata, namespace } },
              dependsOn: dependsOnAcrossStacks(scope, [o.ns, ...deps]),
            }),
        ),
      );
    }
  }
  const split = o.canary
    ? {
        [`alb.ingress.kubernetes.io/actions.${name}-split`]: JSON.stringify({
          type: "forward",
          forwardConfig: {
            targetGroups: [
              { serviceName: `${name}-predictor`, servicePort: 80, weight: 100 - o.canary.trafficPercent },
              { serviceName: `${name}-canary-predictor`, servicePort: 80, weight: o.canary.trafficPercent },
            ],
          },
        }),
      }
    : {};
  const backend = o.canary
    ? { service: { name: `${name}-split`, port: { name: "use-annotation" } } }
    : { service: { name: `${name}-predictor`, port: { number: 80 } } };
  const ingress = new IngressV1(endpoint, "Ingress", {
    provider: k8s,
    metadata: { name, namespace, annotations: { ...alb.annotations, ...split }, labels: { "app.kubernetes.io/managed-by": "cdktf-mlops" } },
    spec: {
      ingressClassName: "alb",
      rule: [{ host: exposure.loadBalancer!.hostname, http: { path: [{ path: "/", pathType: "Prefix", backend }] } }],
    },
    dependsOn: [o.inferenceService, ...dependsOnAcrossStacks(endpoint, deps), ...extra],
  });
  return { ingress, url: alb.url };
}
