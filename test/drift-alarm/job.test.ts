import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildBaseline, featureDrift, parseBaseline } from "../../src/drift-alarm/job/baseline";
import { main, readSample } from "../../src/drift-alarm/job/cli";
import { configFromEnv, DriftJobConfig, MetricDatum, runDriftJob } from "../../src/drift-alarm/job/handler";
import { CaptureFormats, DRIFT_NAMESPACE, EndpointMetrics, FeatureMetrics } from "../../src/drift-alarm/job/metrics";
import { driftJobAssetDir } from "../../src/drift-alarm/private/job-asset";
import { FakeMetrics, FakeQueue, FakeS3, s3Notification } from "./fixtures/fake-aws";

/** A training sample: amounts 0..99, counts 0..4, categories 50/30/20. */
function trainingSample() {
  return Array.from({ length: 100 }, (_, i) => ({
    txn_amount: i,
    txn_count_1h: i % 5,
    merchant_category: i < 50 ? "grocery" : i < 80 ? "fuel" : "travel",
  }));
}

/** KServe logger objects of `records`, one request per object (the logger's default batchSize of 1). */
function kserveObjects(records: Record<string, unknown>[]): [string, string][] {
  return records.map((r, i) => [
    `captures/serving/fraud/predictor/${i}-request.json`,
    JSON.stringify({
      reqType: "org.kubeflow.serving.inference.request",
      bytes: Buffer.from(JSON.stringify({ instances: [r] })).toString("base64"),
      id: String(i),
    }),
  ]);
}

/** A fake S3 with the baseline and `objects` (KServe objects are announced on the queue too). */
function fakes(objects: [string, string, Date?][], baseline: unknown = buildBaseline(trainingSample())) {
  const s3 = new FakeS3();
  const queue = new FakeQueue();
  const metrics = new FakeMetrics();
  s3.put("base", "baseline.json", JSON.stringify(baseline));
  for (const [k, v, modified] of objects) {
    s3.put("cap", k, v, modified);
    queue.send(s3Notification("cap", k));
  }
  return { s3, queue, metrics, deps: { now: new Date("2026-11-25T11:00:00Z"), store: s3, queue, metrics } };
}

const config: DriftJobConfig = {
  endpointName: "fraud",
  captureBucket: "cap",
  captureKeyPrefix: "captures/serving/fraud/",
  captureFormat: CaptureFormats.kserve,
  baselineBucket: "base",
  baselineKey: "baseline.json",
  windowMinutes: 60,
  minRecords: 50,
  features: [],
  queueUrl: "https://sqs.eu-west-1.amazonaws.com/111122223333/q",
};

const value = (data: MetricDatum[], metric: string, feature?: string) =>
  data.find((d) => d.MetricName === metric && (feature ? d.Dimensions.some((x) => x.Value === feature) : d.Dimensions.length === 1))?.Value;

describe("the drift job", () => {
  test("traffic like the training sample: low PSI, KS and JS; metrics in one namespace, dimensions endpoint and feature", async () => {
    const f = fakes(kserveObjects(trainingSample()));
    const report = await runDriftJob(config, f.deps);
    expect(report).toMatchObject({
      records: 100,
      objects: 100,
      insufficient: false,
      truncated: false,
      unknownFeatures: [],
      fieldsAdded: [],
      fieldsRemoved: [],
    });
    const data = f.metrics.data;
    expect(new Set(f.metrics.published.map((p) => p.namespace))).toEqual(new Set([DRIFT_NAMESPACE]));
    expect(value(data, FeatureMetrics.psi, "txn_amount")).toBeCloseTo(0, 10);
    expect(value(data, FeatureMetrics.ks, "txn_amount")).toBeCloseTo(0, 10);
    expect(value(data, FeatureMetrics.jsDistance, "merchant_category")).toBeCloseTo(0, 10);
    expect(value(data, EndpointMetrics.records)).toBe(100);
    const feature = data.find((d) => d.MetricName === FeatureMetrics.psi)!;
    expect(feature.Dimensions).toEqual([
      { Name: "EndpointName", Value: "fraud" },
      { Name: "Feature", Value: "txn_amount" },
    ]);
  });

  test("shifted traffic: amounts all above the training range, categories changed, a field missing", async () => {
    const shifted = Array.from({ length: 60 }, (_, i) => ({
      txn_amount: 500 + i,
      merchant_category: i % 2 ? "crypto" : "grocery",
      device: "ios",
    }));
    const f = fakes(kserveObjects(shifted));
    const report = await runDriftJob(config, f.deps);
    const amount = report.drift.find((d) => d.feature === "txn_amount")!;
    // All actual mass in the top bin (0.1 expected): KS = 0.9; PSI sums the emptied bins and the full one.
    expect(amount.ks).toBeCloseTo(0.9, 10);
    expect(amount.psi).toBeGreaterThan(2);
    const category = report.drift.find((d) => d.feature === "merchant_category")!;
    expect(category.jsDistance).toBeGreaterThan(0.4);
    expect(report.drift.find((d) => d.feature === "txn_count_1h")!.missingRate).toBe(1);
    expect(report.fieldsAdded).toEqual(["device"]);
    expect(report.fieldsRemoved).toEqual(["txn_count_1h"]);
    const data = f.metrics.data;
    expect(value(data, EndpointMetrics.fieldsAdded)).toBe(1);
    expect(value(data, EndpointMetrics.fieldsRemoved)).toBe(1);
  });

  test("too few records is a metric of its own, and no statistic is published", async () => {
    const f = fakes(kserveObjects(trainingSample().slice(0, 10)));
    const report = await runDriftJob(config, f.deps);
    expect(report.insufficient).toBe(true);
    const data = f.metrics.data;
    expect(value(data, EndpointMetrics.insufficientRecords)).toBe(1);
    expect(data.filter((d) => d.Dimensions.length === 2)).toEqual([]);
  });

  test("watched features only, when named", async () => {
    const f = fakes(kserveObjects(trainingSample()));
    const report = await runDriftJob({ ...config, features: ["merchant_category"] }, f.deps);
    expect(report.drift.map((d) => d.feature)).toEqual(["merchant_category"]);
  });

  test("reads SageMaker captures too", async () => {
    const lines = trainingSample().map((r) =>
      JSON.stringify({ captureData: { endpointInput: { data: JSON.stringify(r), encoding: "JSON", observedContentType: "application/json" } } }),
    );
    const f = fakes([["captures/fraud/primary/2026/11/25/10/a.jsonl", lines.join("\n"), new Date("2026-11-25T10:30:00Z")]]);
    const report = await runDriftJob({ ...config, captureKeyPrefix: "captures/fraud/", captureFormat: CaptureFormats.sagemaker }, f.deps);
    expect(report.records).toBe(100);
    expect(report.drift.find((d) => d.feature === "txn_amount")!.psi).toBeCloseTo(0, 10);
  });

  test("an unknown capture format fails the run (the job-failure alarm catches it)", async () => {
    const f = fakes(kserveObjects(trainingSample()));
    await expect(runDriftJob({ ...config, captureFormat: "parquet" }, f.deps)).rejects.toThrow("unknown capture format parquet");
  });

  test("configuration comes from the Lambda environment, and a missing variable is named", () => {
    const env = {
      ENDPOINT_NAME: "fraud",
      CAPTURE_BUCKET: "cap",
      CAPTURE_PREFIX: "p/",
      CAPTURE_FORMAT: "kserve-logger-json",
      BASELINE_BUCKET: "b",
      BASELINE_KEY: "k",
      WINDOW_MINUTES: "60",
      MIN_RECORDS: "100",
      FEATURES: '["a"]',
      FEATURE_TYPES: '{"a":"numeric"}',
      QUEUE_URL: "https://sqs/q",
    };
    expect(configFromEnv(env)).toMatchObject({
      windowMinutes: 60,
      minRecords: 100,
      features: ["a"],
      featureTypes: { a: "numeric" },
      queueUrl: "https://sqs/q",
    });
    expect(() => configFromEnv({ ...env, BASELINE_KEY: undefined })).toThrow("environment variable BASELINE_KEY is not set");
  });
});

describe("the baseline", () => {
  test("numeric features get quantile bins, categorical features frequencies, both a missing rate", () => {
    const b = buildBaseline([...trainingSample(), { txn_amount: null, merchant_category: "fuel" }]);
    expect(b.featureOrder).toEqual(["txn_amount", "txn_count_1h", "merchant_category"]);
    const amount = b.features.txn_amount;
    expect(amount.type).toBe("numeric");
    if (amount.type === "numeric") {
      expect(amount.cuts).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
      expect(amount.frequencies).toEqual(new Array(10).fill(0.1));
    }
    expect(amount.missingRate).toBeCloseTo(1 / 101, 12);
    expect(b.features.merchant_category).toEqual({
      type: "categorical",
      frequencies: { fuel: 31 / 101, grocery: 50 / 101, travel: 20 / 101 },
      missingRate: 0,
    });
  });

  test("a feature with a non-numeric value is categorical; numeric strings from CSV are numeric", () => {
    const b = buildBaseline([
      { a: "1", b: "x" },
      { a: "2.5", b: "3" },
    ]);
    expect(b.features.a.type).toBe("numeric");
    expect(b.features.b.type).toBe("categorical");
  });

  test("a categorical value never seen in training is drift", () => {
    const base = buildBaseline([{ c: "a" }, { c: "b" }]).features.c;
    expect(featureDrift("c", base, [{ c: "a" }, { c: "b" }]).jsDistance).toBe(0);
    expect(featureDrift("c", base, [{ c: "z" }, { c: "z" }]).jsDistance).toBeCloseTo(1, 12);
  });

  test("a file that is not a baseline is refused with the reason", () => {
    expect(() => parseBaseline('{"version": 2}')).toThrow("not a cdktf-mlops baseline");
    expect(() =>
      parseBaseline(
        JSON.stringify({
          version: 1,
          recordCount: 1,
          featureOrder: ["a"],
          features: { a: { type: "numeric", cuts: [1], frequencies: [1], missingRate: 0 } },
        }),
      ),
    ).toThrow("baseline feature a: 1 cuts need 2 frequencies");
  });
});

describe("npx cdktf-mlops baseline", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-mlops-cli-"));

  test("writes the baseline of a CSV sample", () => {
    const csv = path.join(dir, "sample.csv");
    fs.writeFileSync(
      csv,
      "txn_amount,merchant_category\n" +
        trainingSample()
          .map((r) => `${r.txn_amount},${r.merchant_category}`)
          .join("\n") +
        "\n",
    );
    const out = path.join(dir, "baseline.json");
    expect(main(["baseline", csv, "--out", out, "--bins", "4"])).toBe(0);
    const b = parseBaseline(fs.readFileSync(out, "utf8"));
    expect(b.recordCount).toBe(100);
    expect(b.features.txn_amount).toMatchObject({ type: "numeric", cuts: [25, 50, 75] });
  });

  test("reads JSON lines, and refuses other files with a usage or reason", () => {
    const jsonl = path.join(dir, "sample.jsonl");
    fs.writeFileSync(
      jsonl,
      trainingSample()
        .map((r) => JSON.stringify(r))
        .join("\n"),
    );
    expect(readSample(jsonl, fs.readFileSync(jsonl, "utf8"))).toHaveLength(100);
    const errors: string[] = [];
    expect(
      main(
        ["baseline"],
        () => undefined,
        (s) => errors.push(s),
      ),
    ).toBe(2);
    expect(
      main(
        ["baseline", path.join(dir, "x.xlsx")],
        () => undefined,
        (s) => errors.push(s),
      ),
    ).toBe(1);
    expect(errors.join("")).toContain("usage: cdktf-mlops baseline");
    expect(errors.join("")).toContain("expected a .csv, .jsonl, .ndjson or .parquet training sample");
  });
});

describe("the job as it ships", () => {
  test("the asset folder holds plain JavaScript that runs on its own (no import outside the folder but the runtime's SDK)", async () => {
    const dir = driftJobAssetDir();
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".js"));
    expect(files).toEqual(expect.arrayContaining(["handler.js", "baseline.js", "stats.js", "parsers.js", "metrics.js"]));
    // Everything the handler loads, transitively (cli.js is the workstation command, not loaded by the job).
    const loaded = new Set<string>();
    const visit = (f: string) => {
      if (loaded.has(f)) return;
      loaded.add(f);
      const requires = [...fs.readFileSync(path.join(dir, f), "utf8").matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
      for (const r of requires) {
        expect(r).toMatch(/^(\.\/[a-z-]+|fs|buffer|@aws-sdk\/client-(s3|cloudwatch|sqs))$/);
        if (r.startsWith("./")) visit(`${r.slice(2)}.js`);
      }
    };
    visit("handler.js");
    expect([...loaded].sort()).toEqual(["baseline.js", "handler.js", "metrics.js", "parsers.js", "stats.js"]);
    const job = require(path.join(dir, "handler.js"));
    expect(typeof job.handler).toBe("function");
    const f = fakes(kserveObjects(trainingSample()));
    const report = await job.runDriftJob(config, f.deps);
    expect(report.records).toBe(100);
  });
});
