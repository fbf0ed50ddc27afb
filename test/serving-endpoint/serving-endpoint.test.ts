import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import {
  CaptureFormat,
  Exposure,
  MlopsStack,
  ModelRegistry,
  RegistryEngine,
  ServingEndpoint,
  ServingEndpointProps,
  ServingEngine,
  TrafficRouting,
  TrainingCluster,
} from "../../src";
import { helmValues, newApp, newStack, policyStatements, ref, resource, resources, synth, synthApp, validationError } from "../helpers";

function kservePlatform(endpoint: Partial<ServingEndpointProps> = {}, engine: Record<string, unknown> = {}) {
  const app = newApp();
  const platform = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
  const workloads = new MlopsStack(app, "workloads", { region: "eu-west-1", name: "acme-ml" });
  const cluster = new TrainingCluster(platform, "training", { gpuNodePools: [{ name: "l4", instanceTypes: ["g6.xlarge"] }] });
  const registry = new ModelRegistry(platform, "registry", { engine: RegistryEngine.mlflow({ cluster }), models: ["fraud"] });
  const fraud = new ServingEndpoint(workloads, "fraud", {
    engine: ServingEngine.kserve({ cluster, ...engine }),
    model: registry.model("fraud", "3"),
    gpu: true,
    ...endpoint,
  });
  const docs = synthApp(app);
  return { fraud, registry, cluster, platform: docs.platform, workloads: docs.workloads };
}

describe("ServingEngine.kserve", () => {
  const { workloads, platform, fraud } = kservePlatform({}, { canary: undefined });
  const isvc = resource(workloads, "kubernetes_manifest", "fraud/InferenceService").values;
  const predictor = isvc.manifest.spec.predictor;
  const captures = resource(workloads, "aws_s3_bucket", "fraud/Captures/Resource");

  test("KServe is installed in the platform stack from its pinned OCI charts, in Standard mode", () => {
    const chart = (name: string) => resources(platform, "helm_release").find((r) => r.values.chart === name)!;
    for (const name of ["kserve-crd", "kserve-resources", "kserve-runtime-configs"]) {
      expect(chart(name).values).toMatchObject({ repository: "oci://ghcr.io/kserve/charts", version: "v0.20.0", namespace: "kserve" });
    }
    expect(helmValues(chart("kserve-resources")).kserve.controller).toMatchObject({
      deploymentMode: "Standard",
      gateway: { disableIngressCreation: true },
    });
    expect(helmValues(chart("kserve-runtime-configs"))).toEqual({ kserve: { servingruntime: { enabled: true } } });
    expect(chart("cert-manager").values).toMatchObject({ repository: "https://charts.jetstack.io", version: "v1.21.1" });
    expect(helmValues(chart("cert-manager")).crds).toEqual({ enabled: true });
    expect(chart("kserve-resources").values.depends_on).toEqual(expect.arrayContaining([chart("cert-manager").address, chart("kserve-crd").address]));
  });

  test("the InferenceService lives in the workloads stack, in Standard mode", () => {
    expect(isvc.manifest).toMatchObject({
      apiVersion: "serving.kserve.io/v1beta1",
      kind: "InferenceService",
      metadata: { name: "acme-ml-fraud", namespace: "serving", annotations: { "serving.kserve.io/deploymentMode": "Standard" } },
    });
    expect(isvc.provider).toBe("kubernetes.platform-training");
    expect(resources(platform, "kubernetes_manifest")).toHaveLength(0);
  });

  test("storage URI is the registry's model version; GPU limits, toleration and node selector; replicas", () => {
    expect(predictor.model.storageUri).toMatch(/^s3:\/\/\$\{data\.terraform_remote_state\.[^}]+Artifacts[^}]+\}\/models\/fraud\/3\/$/);
    expect(predictor.model.modelFormat).toEqual({ name: "mlflow" });
    expect(predictor.model.resources.limits["nvidia.com/gpu"]).toBe("1");
    expect(predictor.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    expect(predictor.nodeSelector).toEqual({ "nvidia.com/gpu.present": "true" });
    expect(predictor).toMatchObject({ minReplicas: 1, maxReplicas: 4, priorityClassName: "mlops-serving" });
  });

  test("payloads are logged straight to S3 at the capture location the endpoint reports", () => {
    // KServe's logger writes <url path>/<namespace>/<isvc>/<component>/<id>-<type>.json.
    expect(predictor.logger).toEqual({
      mode: "all",
      url: `s3://${ref(captures, "bucket")}/captures`,
      batchSize: 100,
      batchInterval: "10s",
      storage: { path: "/", parameters: { type: "s3", format: "json" }, key: "credentials", serviceAccountName: "acme-ml-fraud" },
    });
    expect(fraud.captureKeyPrefix).toBe("captures/serving/acme-ml-fraud/");
    expect(fraud.captureFormat).toBe(CaptureFormat.KSERVE_LOGGER_JSON);
    expect(fraud.endpointUrl).toBe("http://acme-ml-fraud-predictor.serving.svc.cluster.local");
  });

  test("captured payloads expire after 90 days (they are production inputs)", () => {
    const lifecycle = resources(workloads, "aws_s3_bucket_lifecycle_configuration").find((l) => l.values.bucket === ref(captures, "id"))!;
    expect(lifecycle.values.rule).toContainEqual({ id: "expire-objects", status: "Enabled", filter: [{}], expiration: [{ days: 90 }] });
  });

  test("its ServiceAccount (IRSA) reads only the model's prefix and writes only its capture prefix", () => {
    const sa = resource(workloads, "kubernetes_service_account_v1", "fraud/ServiceAccount").values.metadata;
    const role = resource(workloads, "aws_iam_role", "fraud/Role/Role");
    expect(sa.annotations["eks.amazonaws.com/role-arn"]).toBe(ref(role, "arn"));
    expect(sa.annotations["serving.kserve.io/s3-region"]).toBe("eu-west-1");
    expect(predictor.serviceAccountName).toBe(sa.name);
    const [trust] = policyStatements(workloads, role.values.assume_role_policy);
    expect(trust.actions).toEqual(["sts:AssumeRoleWithWebIdentity"]);
    expect(trust.condition[0].values).toEqual(["system:serviceaccount:serving:acme-ml-fraud"]);
    const statements = policyStatements(workloads, resource(workloads, "aws_iam_role_policy", "fraud/Role/Policy").values.policy);
    expect(statements.find((s) => s.sid === "ReadOnlyTheModelVersions")!.resources[0]).toMatch(/\/models\/fraud\/3\/\*$/);
    expect(statements.find((s) => s.sid === "WriteOnlyTheCapturePrefix")!.resources).toEqual([`${ref(captures, "arn")}/${fraud.captureKeyPrefix}*`]);
    for (const s of statements) expect(s.resources).not.toContain("*");
  });

  test("a canary takes its share of traffic with fixed replicas (split by the endpoint's load balancer)", () => {
    const app = kservePlatform({}, {});
    const reg = app.registry;
    const exposure = Exposure.internalLoadBalancer({
      hostname: "fraud.ml.acme.io",
      certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0f0e0d0c-aaaa-bbbb-cccc-111122223333",
    });
    const withCanary = kservePlatform({}, { canary: { model: reg.model("fraud", "4"), trafficPercent: 10, replicas: 2 }, exposure }).workloads;
    const spec = resource(withCanary, "kubernetes_manifest", "InferenceService").values.manifest.spec;
    expect(spec.canary).toHaveLength(1);
    expect(spec.canary[0]).toMatchObject({ trafficPercent: 10, predictor: { name: "canary", minReplicas: 2 } });
    expect(spec.canary[0].predictor.maxReplicas).toBeUndefined();
    expect(spec.canary[0].predictor.model.storageUri).toMatch(/\/models\/fraud\/4\/$/);
  });

  test("a custom container from the model's ECR repository gets STORAGE_URI", () => {
    const d = kservePlatform({ gpu: false }, { containerImageTag: "3" }).workloads;
    const p = resource(d, "kubernetes_manifest", "InferenceService").values.manifest.spec.predictor;
    expect(p.model).toBeUndefined();
    expect(p.containers[0].image).toMatch(/:3$/);
    expect(p.containers[0].env).toEqual([{ name: "STORAGE_URI", value: expect.stringMatching(/\/models\/fraud\/3\/$/) }]);
    expect(p.tolerations).toBeUndefined();
  });

  test("grantInvoke and metric say why KServe has neither", () => {
    const role = new IamRole(fraud, "caller", { assumeRolePolicy: "{}" });
    expect(() => fraud.grantInvoke(role)).toThrow("grantInvoke is not available: a KServe endpoint is called over the cluster network");
    expect(() => fraud.metric("Invocations")).toThrow("metric is not available: KServe endpoints expose Prometheus metrics");
  });
});

function sagemakerEndpoint(props: Partial<ServingEndpointProps> = {}, engine: Record<string, unknown> = {}) {
  const stack = newStack();
  const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud", "fraud-b"] });
  const endpoint = new ServingEndpoint(stack, "fraud", {
    engine: ServingEngine.sagemaker(engine),
    model: registry.model("fraud", "3"),
    ...props,
  });
  return { stack, endpoint, registry, doc: synth(stack) };
}

describe("ServingEngine.sagemaker", () => {
  const { doc, endpoint } = sagemakerEndpoint({ minReplicas: 2, maxReplicas: 6, captureSamplingPercentage: 20 });
  const config = resource(doc, "aws_sagemaker_endpoint_configuration", "fraud/Configuration").values;
  const sm = resource(doc, "aws_sagemaker_endpoint", "fraud/Resource");
  const captures = resource(doc, "aws_s3_bucket", "fraud/Captures/Resource");

  test("the model serves the registry's model package", () => {
    const model = resource(doc, "aws_sagemaker_model", "fraud/Model").values;
    expect(model.primary_container.model_package_name).toMatch(/:model-package\/acme-ml-fraud\/3$/);
    expect(model.enable_network_isolation).toBe(true);
    expect(model.lifecycle).toEqual({ create_before_destroy: true });
  });

  test("endpoint configurations roll out instead of failing: name prefix and create-before-destroy", () => {
    expect(config.name_prefix).toBe("acme-ml-fraud-");
    expect(config.name).toBeUndefined();
    expect(config.lifecycle).toEqual({ create_before_destroy: true });
    expect(sm.values.endpoint_config_name).toBe(ref(resource(doc, "aws_sagemaker_endpoint_configuration", "fraud/Configuration"), "name"));
  });

  test("data capture to the capture location with the sampling percentage and KMS", () => {
    expect(config.data_capture_config).toMatchObject({
      enable_capture: true,
      initial_sampling_percentage: 20,
      destination_s3_uri: `s3://${ref(captures, "bucket")}/captures`,
      kms_key_id: "${aws_kms_key.PlatformKey.arn}",
      capture_options: [{ capture_mode: "Input" }, { capture_mode: "Output" }],
    });
    expect(endpoint.captureKeyPrefix).toBe("captures/acme-ml-fraud/");
    expect(endpoint.captureFormat).toBe(CaptureFormat.SAGEMAKER_DATA_CAPTURE_JSONL);
  });

  test("storage is encrypted with KMS on instance types with EBS storage", () => {
    expect(config.production_variants[0]).toMatchObject({ instance_type: "ml.m5.xlarge", initial_instance_count: 2, variant_name: "primary" });
    expect(config.kms_key_arn).toBe("${aws_kms_key.PlatformKey.arn}");
  });

  test("blue/green canary deployment with auto-rollback on the endpoint's alarms", () => {
    const alarms = resources(doc, "aws_cloudwatch_metric_alarm");
    expect(alarms.map((a) => a.values.metric_name).sort()).toEqual(["Invocation5XXErrors", "ModelLatency"]);
    for (const a of alarms) expect(a.values.dimensions).toEqual({ EndpointName: "acme-ml-fraud", VariantName: "primary" });
    expect(sm.values.deployment_config).toEqual({
      blue_green_update_policy: {
        traffic_routing_configuration: { type: "CANARY", wait_interval_in_seconds: 300, canary_size: { type: "CAPACITY_PERCENT", value: 10 } },
        termination_wait_in_seconds: 300,
        maximum_execution_timeout_in_seconds: 3600,
      },
      auto_rollback_configuration: { alarms: alarms.map((a) => ({ alarm_name: ref(a, "alarm_name") })) },
    });
  });

  test("application autoscaling tracks invocations per instance between min and max replicas", () => {
    expect(resource(doc, "aws_appautoscaling_target", "ScalableTarget").values).toMatchObject({
      resource_id: "endpoint/acme-ml-fraud/variant/primary",
      scalable_dimension: "sagemaker:variant:DesiredInstanceCount",
      min_capacity: 2,
      max_capacity: 6,
    });
    expect(resource(doc, "aws_appautoscaling_policy", "ScalingPolicy").values.target_tracking_scaling_policy_configuration).toMatchObject({
      predefined_metric_specification: { predefined_metric_type: "SageMakerVariantInvocationsPerInstance" },
      target_value: 100,
    });
  });

  test("grantInvoke names the endpoint; metric reads AWS/SageMaker", () => {
    const role = new IamRole(endpoint, "caller", { assumeRolePolicy: "{}" });
    endpoint.grantInvoke(role);
    expect(endpoint.metric("Invocations", "Sum")).toEqual({
      namespace: "AWS/SageMaker",
      metricName: "Invocations",
      dimensions: { EndpointName: "acme-ml-fraud", VariantName: "primary" },
      statistic: "Sum",
    });
  });

  test("GIVEN a GPU type with local NVMe THEN no KMS key for storage (SageMaker refuses it), captures still KMS", () => {
    const c = resource(
      sagemakerEndpoint({ gpu: true }, { instanceType: "ml.g5.2xlarge" }).doc,
      "aws_sagemaker_endpoint_configuration",
      "Configuration",
    ).values;
    expect(c.kms_key_arn).toBeUndefined();
    expect(c.data_capture_config.kms_key_id).toBe("${aws_kms_key.PlatformKey.arn}");
  });

  test("GIVEN variants THEN weighted production variants (A/B)", () => {
    const stack = newStack();
    const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
    new ServingEndpoint(stack, "fraud", {
      engine: ServingEngine.sagemaker({ variants: [{ name: "challenger", model: registry.model("fraud", "4"), weight: 0.2 }] }),
      model: registry.model("fraud", "3"),
    });
    const c = resource(synth(stack), "aws_sagemaker_endpoint_configuration", "Configuration").values;
    expect(
      c.production_variants.map((v: { variant_name: string; initial_variant_weight: number }) => [v.variant_name, v.initial_variant_weight]),
    ).toEqual([
      ["primary", 1],
      ["challenger", 0.2],
    ]);
  });

  test("GIVEN serverless THEN a serverless variant, no autoscaling target and no blue/green", () => {
    const d = sagemakerEndpoint({ captureSamplingPercentage: 0 }, { serverlessMemoryMiB: 2048 }).doc;
    const c = resource(d, "aws_sagemaker_endpoint_configuration", "Configuration").values;
    expect(c.production_variants[0].serverless_config).toEqual({ memory_size_in_mb: 2048, max_concurrency: 20 });
    expect(c.data_capture_config).toBeUndefined();
    expect(resources(d, "aws_appautoscaling_target")).toHaveLength(0);
    expect(resource(d, "aws_sagemaker_endpoint", "Resource").values.deployment_config).toBeUndefined();
  });

  test("GIVEN a network THEN the model runs in its private subnets behind a security group", () => {
    const stack = newStack();
    const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
    const network = { vpcId: "vpc-1", privateSubnetIds: ["subnet-a", "subnet-b"], publicSubnetIds: [] };
    new ServingEndpoint(stack, "fraud", { engine: ServingEngine.sagemaker({ network }), model: registry.model("fraud", "3") });
    const d = synth(stack);
    const sg = resource(d, "aws_security_group", "fraud/SecurityGroup");
    expect(resource(d, "aws_sagemaker_model", "Model").values.vpc_config).toEqual({
      subnets: ["subnet-a", "subnet-b"],
      security_group_ids: [ref(sg, "id")],
    });
  });
});

describe("ServingEndpoint rejects bad input", () => {
  const cases: [string, () => unknown, string][] = [
    [
      "InferenceService in the stack that installs the CRDs",
      () => {
        const stack = newStack();
        const cluster = new TrainingCluster(stack, "training");
        const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
        return new ServingEndpoint(stack, "fraud", { engine: ServingEngine.kserve({ cluster }), model: registry.model("fraud", "3") });
      },
      'ServingEndpoint platform/fraud: engine (kserve) puts the InferenceService in the stack "platform", which installs the KServe CRDs: a custom resource cannot be planned before its CRD exists',
    ],
    [
      "GPU endpoint on a cluster without GPU pools",
      () => {
        const app = newApp();
        const platform = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
        const workloads = new MlopsStack(app, "workloads", { region: "eu-west-1", name: "acme-ml" });
        const cluster = new TrainingCluster(platform, "training");
        const registry = new ModelRegistry(platform, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
        return new ServingEndpoint(workloads, "fraud", { engine: ServingEngine.kserve({ cluster }), model: registry.model("fraud", "3"), gpu: true });
      },
      "ServingEndpoint workloads/fraud: gpu (true) needs GPU nodes on the cluster platform/training: add a pool with gpuNodePools or addGpuNodePool",
    ],
    [
      "serverless with GPU",
      () => sagemakerEndpoint({ gpu: true, captureSamplingPercentage: 0 }, { serverlessMemoryMiB: 2048 }),
      "ServingEngine.sagemaker platform/fraud: serverlessMemoryMiB (2048) excludes GPUs",
    ],
    [
      "serverless with data capture",
      () => sagemakerEndpoint({}, { serverlessMemoryMiB: 2048 }),
      "serverlessMemoryMiB (2048) excludes data capture: set captureSamplingPercentage to 0",
    ],
    [
      "serverless with variants",
      () => {
        const stack = newStack();
        const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
        return new ServingEndpoint(stack, "fraud", {
          engine: ServingEngine.sagemaker({ serverlessMemoryMiB: 1024, variants: [{ name: "b", model: registry.model("fraud", "4"), weight: 1 }] }),
          model: registry.model("fraud", "3"),
          captureSamplingPercentage: 0,
        });
      },
      "variants (array of 1) excludes serverless",
    ],
    [
      "serverless memory off the steps",
      () => sagemakerEndpoint({ captureSamplingPercentage: 0 }, { serverlessMemoryMiB: 1500 }),
      "serverlessMemoryMiB (1500) must be 1024, 2048, 3072, 4096, 5120 or 6144",
    ],
    [
      "GPU endpoint on a CPU instance type",
      () => sagemakerEndpoint({ gpu: true }, { instanceType: "ml.m5.xlarge" }),
      'instanceType ("ml.m5.xlarge") has no NVIDIA GPU, but gpu is true',
    ],
    [
      "GPU type without gpu: true",
      () => sagemakerEndpoint({}, { instanceType: "ml.g5.xlarge" }),
      'instanceType ("ml.g5.xlarge") is a GPU instance type: set gpu: true',
    ],
    [
      "variant named primary",
      () => {
        const stack = newStack();
        const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
        return new ServingEndpoint(stack, "fraud", {
          engine: ServingEngine.sagemaker({ variants: [{ name: "primary", model: registry.model("fraud", "4"), weight: 1 }] }),
          model: registry.model("fraud", "3"),
        });
      },
      'variants[0].name ("primary") must be unique and not "primary"',
    ],
    [
      "negative variant weight",
      () => {
        const stack = newStack();
        const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
        return new ServingEndpoint(stack, "fraud", {
          engine: ServingEngine.sagemaker({ variants: [{ name: "b", model: registry.model("fraud", "4"), weight: -1 }] }),
          model: registry.model("fraud", "3"),
        });
      },
      "variants[0].weight (-1) must be >= 0",
    ],
    [
      "traffic shift with all-at-once",
      () => sagemakerEndpoint({}, { trafficRouting: TrafficRouting.ALL_AT_ONCE, trafficShiftPercent: 10 }),
      "trafficShiftPercent (10) needs trafficRouting CANARY or LINEAR",
    ],
    [
      "max below min replicas",
      () => sagemakerEndpoint({ minReplicas: 3, maxReplicas: 2 }),
      "ServingEndpoint platform/fraud: maxReplicas (2) must be >= minReplicas (3)",
    ],
    [
      "not a model reference",
      () => new ServingEndpoint(newStack(), "x", { engine: ServingEngine.sagemaker(), model: { name: "fraud" } as never }),
      "ServingEndpoint platform/x: model (object) must be a model reference from registry.model(name, version)",
    ],
    [
      "bad endpoint name",
      () => sagemakerEndpoint({ endpointName: "Fraud_Endpoint" }),
      'endpointName ("Fraud_Endpoint") must be 2-40 lowercase letters',
    ],
    [
      "canary traffic over 100",
      () => {
        const app = newApp();
        const platform = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
        const workloads = new MlopsStack(app, "workloads", { region: "eu-west-1", name: "acme-ml" });
        const cluster = new TrainingCluster(platform, "training");
        const registry = new ModelRegistry(platform, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
        return new ServingEndpoint(workloads, "fraud", {
          engine: ServingEngine.kserve({ cluster, canary: { model: registry.model("fraud", "4"), trafficPercent: 150 } }),
          model: registry.model("fraud", "3"),
        });
      },
      "ServingEngine.kserve workloads/fraud: canary.trafficPercent (150) must be between 0 and 100",
    ],
  ];
  test.each(cases)("%s", (_n, build, message) => {
    const error = validationError(() => build());
    expect(error.message).toContain(message);
  });
});
