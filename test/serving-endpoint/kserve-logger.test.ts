import { MlopsStack, ModelRegistry, RegistryEngine, ServingEndpoint, ServingEngine, TrainingCluster } from "../../src";
import { newApp, resource, synthApp } from "../helpers";

/** The predictor and canary loggers of a KServe endpoint built with `engine` options. */
function loggers(engine: Record<string, unknown> = {}) {
  const app = newApp();
  const platform = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
  const workloads = new MlopsStack(app, "workloads", { region: "eu-west-1", name: "acme-ml" });
  const cluster = new TrainingCluster(platform, "training", {});
  const registry = new ModelRegistry(platform, "registry", { engine: RegistryEngine.mlflow({ cluster }), models: ["fraud"] });
  new ServingEndpoint(workloads, "fraud", {
    engine: ServingEngine.kserve({ cluster, canary: { model: registry.model("fraud", "4"), trafficPercent: 0 }, ...engine }),
    model: registry.model("fraud", "3"),
  });
  const spec = resource(synthApp(app).workloads, "kubernetes_manifest", "fraud/InferenceService").values.manifest.spec;
  return [spec.predictor.logger, spec.canary[0].predictor.logger];
}

describe("KServe payload logger batching (v0.20 LoggerSpec batchSize, batchInterval)", () => {
  test("by default a capture object holds up to 100 records, written at the latest after 10 s", () => {
    for (const l of loggers()) expect(l).toMatchObject({ batchSize: 100, batchInterval: "10s" });
  });

  test("both are set from the engine options", () => {
    for (const l of loggers({ loggerBatchSize: 500, loggerBatchIntervalSeconds: 60 }))
      expect(l).toMatchObject({ batchSize: 500, batchInterval: "60s" });
  });

  test("batchSize 1 (an object per record) leaves the interval out", () => {
    for (const l of loggers({ loggerBatchSize: 1 })) {
      expect(l.batchSize).toBe(1);
      expect(l.batchInterval).toBeUndefined();
    }
  });

  test.each([
    [{ loggerBatchSize: 0 }, "loggerBatchSize"],
    [{ loggerBatchSize: 20000 }, "loggerBatchSize"],
    [{ loggerBatchIntervalSeconds: 0 }, "loggerBatchIntervalSeconds"],
    [{ loggerBatchSize: 1, loggerBatchIntervalSeconds: 5 }, "loggerBatchIntervalSeconds (5) has no effect with loggerBatchSize 1"],
  ])("%j is refused", (engine, message) => {
    expect(() => loggers(engine)).toThrow(message);
  });
});
