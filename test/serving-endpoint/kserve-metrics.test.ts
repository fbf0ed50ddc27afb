import { ClusterObservability, MlopsStack, ModelRegistry, RegistryEngine, ServingEndpoint, ServingEngine, TrainingCluster } from "../../src";
import { newApp, ref, resource, resources, synthApp } from "../helpers";

/** A KServe endpoint on a cluster with `observability`, and its workloads stack's document. */
function build(observability: ClusterObservability, engine: Record<string, unknown> = {}, networkPolicies = true) {
  const app = newApp();
  const platform = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
  const workloads = new MlopsStack(app, "workloads", { region: "eu-west-1", name: "acme-ml" });
  const cluster = new TrainingCluster(platform, "training", { observability, networkPolicies });
  const registry = new ModelRegistry(platform, "registry", { engine: RegistryEngine.mlflow({ cluster }), models: ["fraud"] });
  const endpoint = new ServingEndpoint(workloads, "fraud", {
    engine: ServingEngine.kserve({ cluster, canary: { model: registry.model("fraud", "4"), trafficPercent: 0 }, ...engine }),
    model: registry.model("fraud", "3"),
  });
  const doc = synthApp(app).workloads;
  const spec = resource(doc, "kubernetes_manifest", "fraud/InferenceService").values.manifest.spec;
  return { endpoint, doc, spec };
}

describe("KServe endpoints scraped by the Prometheus telemetry (KServe v0.20 Standard mode)", () => {
  test("predictor and canary pods carry prometheus.io annotations with the runtime's port (kserve-mlserver: 8080)", () => {
    const { spec } = build(ClusterObservability.prometheus());
    const expected = { "prometheus.io/scrape": "true", "prometheus.io/port": "8080", "prometheus.io/path": "/metrics" };
    expect(spec.predictor.annotations).toEqual(expected);
    expect(spec.canary[0].predictor.annotations).toEqual(expected);
  });

  test.each([
    ["pytorch", "8082"],
    ["triton", "8002"],
    ["sklearn", "8080"],
  ])("modelFormat %s: port %s (prometheus.kserve.io/port of the runtime KServe picks)", (modelFormat, port) => {
    expect(build(ClusterObservability.prometheus(), { modelFormat }).spec.predictor.annotations["prometheus.io/port"]).toBe(port);
  });

  test("a NetworkPolicy lets the collector (in the VPC) reach that port of this endpoint's pods only", () => {
    const { doc, endpoint } = build(ClusterObservability.prometheus(), { modelFormat: "pytorch" });
    const policy = resource(doc, "kubernetes_network_policy_v1", "fraud/MetricsCollectorNetworkPolicy").values;
    const name = resource(doc, "kubernetes_manifest", "fraud/InferenceService").values.manifest.metadata.name;
    expect(name).toBe("acme-ml-fraud");
    expect(policy.metadata).toMatchObject({ name: `${name}-from-metrics-collector` });
    expect(policy.spec.pod_selector.match_labels).toEqual({ "serving.kserve.io/inferenceservice": name });
    expect(policy.spec.ingress).toEqual([
      {
        from: [{ ip_block: { cidr: ref(resource(doc, "aws_vpc", "fraud/ExposureVpc", "data"), "cidr_block") } }],
        ports: [{ port: "8082", protocol: "TCP" }],
      },
    ]);
    expect(endpoint.kserve!.metricsCollectorNetworkPolicy).toBeDefined();
  });

  test("nothing of it with CloudWatch telemetry, a custom image (port unknown) or a format outside the table; no policy without NetworkPolicies", () => {
    for (const { spec, doc } of [
      build(ClusterObservability.cloudWatch()),
      build(ClusterObservability.prometheus(), { containerImageTag: "1.0.0" }),
      build(ClusterObservability.prometheus(), { modelFormat: "custom-format" }),
    ]) {
      expect(spec.predictor.annotations).toBeUndefined();
      expect(resources(doc, "kubernetes_network_policy_v1").map((r) => r.path)).not.toContain("fraud/MetricsCollectorNetworkPolicy");
    }
    const { spec, doc } = build(ClusterObservability.prometheus(), {}, false);
    expect(spec.predictor.annotations).toBeDefined();
    expect(resources(doc, "kubernetes_network_policy_v1")).toEqual([]);
  });
});
