import { ClusterObservability, FeatureEngine, FeatureStore, FeatureType, ModelRegistry, RegistryEngine, TrainingCluster } from "../../src";
import { newStack, ref, resource, synth } from "../helpers";
import * as chartKeys from "../fixtures/chart-values-keys.json";

/** MLflow and Feast on a cluster with `observability`, all in one stack. */
function build(observability: ClusterObservability, networkPolicies = true) {
  const stack = newStack();
  const cluster = new TrainingCluster(stack, "training", { observability, networkPolicies });
  new ModelRegistry(stack, "registry", { engine: RegistryEngine.mlflow({ cluster }), models: ["fraud"] });
  new FeatureStore(stack, "features", {
    engine: FeatureEngine.feast({ cluster }),
    featureGroups: [
      {
        name: "transactions",
        recordIdentifier: "customer_id",
        eventTimeFeature: "event_time",
        features: [
          { name: "customer_id", type: FeatureType.STRING },
          { name: "event_time", type: FeatureType.UNIX_TIMESTAMP },
        ],
      },
    ],
  });
  const doc = synth(stack);
  const values = (path: string) => JSON.parse(resource(doc, "helm_release", path).values.values[0]);
  const allow = (path: string) => resource(doc, "kubernetes_network_policy_v1", path).values.spec.ingress;
  return { doc, values, allow };
}

const SCRAPE = (port: number) => ({ "prometheus.io/scrape": "true", "prometheus.io/port": String(port), "prometheus.io/path": "/metrics" });

describe("MLflow and Feast scraped by the Prometheus telemetry", () => {
  const { doc, values, allow } = build(ClusterObservability.prometheus());
  const vpc = (owner: string) => ({ ip_block: { cidr: ref(resource(doc, "aws_vpc", `${owner}/ExposureVpc`, "data"), "cidr_block") } });

  test("MLflow exposes /metrics on its port (--expose-prometheus into the chart's /tmp volume) and its pods are annotated", () => {
    const v = values("registry/Mlflow/Server");
    expect(v.extraArgs).toEqual({ exposePrometheus: "/tmp/mlflow-metrics" });
    expect(v.podAnnotations).toEqual(SCRAPE(5000));
    for (const key of ["extraArgs", "podAnnotations"]) expect(chartKeys.mlflow.keys).toContain(key);
  });

  test("Feast serves with --metrics (the chart's metrics.enabled) on port 8000 and its pods are annotated", () => {
    const v = values("features/Feast/FeatureServer");
    expect(v.metrics).toEqual({ enabled: true });
    expect(v.podAnnotations).toEqual(SCRAPE(8000));
  });

  test("each namespace's allow-list lets the collector (the VPC's range) reach that one port", () => {
    expect(allow("registry/Mlflow/NetworkPolicyAllow")).toContainEqual({
      from: [vpc("registry/Mlflow")],
      ports: [{ port: "5000", protocol: "TCP" }],
    });
    expect(allow("features/Feast/NetworkPolicyAllow")).toContainEqual({ from: [vpc("features/Feast")], ports: [{ port: "8000", protocol: "TCP" }] });
  });

  test("with CloudWatch telemetry: no metrics endpoint, no annotation, no collector rule", () => {
    const cw = build(ClusterObservability.cloudWatch());
    for (const path of ["registry/Mlflow/Server", "features/Feast/FeatureServer"]) {
      const v = cw.values(path);
      expect(v.podAnnotations).toBeUndefined();
      expect(v.extraArgs).toBeUndefined();
      expect(v.metrics).toBeUndefined();
    }
    for (const path of ["registry/Mlflow/NetworkPolicyAllow", "features/Feast/NetworkPolicyAllow"])
      expect(JSON.stringify(cw.allow(path))).not.toContain("ip_block");
  });
});
