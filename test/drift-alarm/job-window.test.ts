import { buildBaseline } from "../../src/drift-alarm/job/baseline";
import { DriftJobConfig, hourPrefix, keysOfNotification, MetricDatum, runDriftJob, windowHours } from "../../src/drift-alarm/job/handler";
import { CaptureFormats, EndpointMetrics, FeatureMetrics } from "../../src/drift-alarm/job/metrics";
import { FakeMetrics, FakeQueue, FakeS3, s3Notification } from "./fixtures/fake-aws";

/** A training sample: amounts 0..99, counts 0..4, categories 50/30/20. */
const sample = () =>
  Array.from({ length: 100 }, (_, i) => ({ txn_amount: i, txn_count_1h: i % 5, merchant_category: i < 50 ? "grocery" : i < 80 ? "fuel" : "travel" }));

const base: DriftJobConfig = {
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
const sagemaker: DriftJobConfig = { ...base, captureKeyPrefix: "captures/fraud/", captureFormat: CaptureFormats.sagemaker, queueUrl: undefined };

const metric = (data: MetricDatum[], name: string, feature?: string) =>
  data.find((d) => d.MetricName === name && (feature ? d.Dimensions.some((x) => x.Value === feature) : d.Dimensions.length === 1))?.Value;

const kserveRequest = (body: unknown, id = "1") =>
  JSON.stringify({ reqType: "org.kubeflow.serving.inference.request", id, bytes: Buffer.from(JSON.stringify(body)).toString("base64") });
const captureLine = (data: string, encoding = "JSON", type = "application/json") =>
  JSON.stringify({ captureData: { endpointInput: { data, encoding, observedContentType: type } } });

function world(baseline: unknown = buildBaseline(sample())) {
  const s3 = new FakeS3();
  const queue = new FakeQueue();
  const metrics = new FakeMetrics();
  s3.put("base", "baseline.json", JSON.stringify(baseline));
  const kserve = (key: string, body: string) => {
    s3.put("cap", key, body);
    queue.send(s3Notification("cap", key));
  };
  return { s3, queue, metrics, kserve, deps: { store: s3, queue, metrics, now: new Date("2026-11-25T11:20:00Z") } };
}

describe("a large capture object", () => {
  // Reproduces `records.push(...parsed.records)`: RangeError: Maximum call stack size exceeded.
  const rows = Array.from({ length: 200_000 }, (_, i) => ({ txn_amount: i % 100, txn_count_1h: i % 5, merchant_category: "grocery" }));

  test("one KServe request of 200,000 records is read, not a crash", async () => {
    const w = world();
    w.kserve("captures/serving/fraud/predictor/big-request.json", kserveRequest({ instances: rows }));
    const report = await runDriftJob(base, w.deps);
    expect(report.records).toBe(200_000);
    expect(report.drift.find((d) => d.feature === "txn_amount")!.psi).toBeCloseTo(0, 10);
  });

  test("one SageMaker capture line of 200,000 records (a batch request) is read, not a crash", async () => {
    const w = world();
    w.s3.put(
      "cap",
      "captures/fraud/primary/2026/11/25/11/big.jsonl",
      captureLine(JSON.stringify({ instances: rows })),
      new Date("2026-11-25T11:10:00Z"),
    );
    const report = await runDriftJob(sagemaker, w.deps);
    expect(report.records).toBe(200_000);
  });
});

describe("finding the window's objects", () => {
  test("hour folders: from the hour before the window starts to the hour of its end", () => {
    expect(hourPrefix(new Date("2026-01-02T03:04:05Z"))).toBe("2026/01/02/03/");
    expect(windowHours(new Date("2026-11-25T10:20:00Z"), new Date("2026-11-25T11:20:00Z"))).toEqual([
      "2026/11/25/09/",
      "2026/11/25/10/",
      "2026/11/25/11/",
    ]);
    // Across midnight and a month end.
    expect(windowHours(new Date("2026-11-30T23:30:00Z"), new Date("2026-12-01T00:30:00Z"))).toEqual([
      "2026/11/30/22/",
      "2026/11/30/23/",
      "2026/12/01/00/",
    ]);
  });

  test("SageMaker: a window across an hour boundary lists only its hour folders, for every variant, never the whole history", async () => {
    const w = world();
    const line = (i: number) => captureLine(JSON.stringify({ instances: [sample()[i]] }));
    const at = (t: string) => new Date(t);
    // 90 days of history under the prefix: none of it may be listed.
    for (let d = 1; d <= 20; d++)
      w.s3.put("cap", `captures/fraud/primary/2026/10/${String(d).padStart(2, "0")}/10/old.jsonl`, line(0), at("2026-10-01T00:00:00Z"));
    // In the window: 10:20 to 11:20.
    w.s3.put(
      "cap",
      "captures/fraud/primary/2026/11/25/10/a.jsonl",
      sample()
        .slice(0, 50)
        .map((r) => captureLine(JSON.stringify(r)))
        .join("\n"),
      at("2026-11-25T10:50:00Z"),
    );
    w.s3.put(
      "cap",
      "captures/fraud/primary/2026/11/25/11/b.jsonl",
      sample()
        .slice(50, 80)
        .map((r) => captureLine(JSON.stringify(r)))
        .join("\n"),
      at("2026-11-25T11:15:00Z"),
    );
    w.s3.put(
      "cap",
      "captures/fraud/canary/2026/11/25/11/c.jsonl",
      sample()
        .slice(80)
        .map((r) => captureLine(JSON.stringify(r)))
        .join("\n"),
      at("2026-11-25T11:05:00Z"),
    );
    // The hour before, written before the window: not read.
    w.s3.put("cap", "captures/fraud/primary/2026/11/25/10/early.jsonl", line(1), at("2026-11-25T10:05:00Z"));
    const report = await runDriftJob(sagemaker, w.deps);
    expect(report).toMatchObject({ records: 100, objects: 3, truncated: false });
    expect(report.drift.find((d) => d.feature === "txn_amount")!.psi).toBeCloseTo(0, 10);
    expect(w.s3.listedPrefixes).toEqual([
      "captures/fraud/",
      "captures/fraud/canary/2026/11/25/09/",
      "captures/fraud/canary/2026/11/25/10/",
      "captures/fraud/canary/2026/11/25/11/",
      "captures/fraud/primary/2026/11/25/09/",
      "captures/fraud/primary/2026/11/25/10/",
      "captures/fraud/primary/2026/11/25/11/",
    ]);
    expect(w.s3.requests.get).toBe(3 + 1);
  });

  test("SageMaker: an hour folder of more than 1,000 objects is read page by page", async () => {
    const w = world();
    for (let i = 0; i < 2_500; i++) {
      w.s3.put(
        "cap",
        `captures/fraud/primary/2026/11/25/11/${String(i).padStart(5, "0")}.jsonl`,
        captureLine(JSON.stringify(sample()[i % 100])),
        new Date("2026-11-25T11:10:00Z"),
      );
    }
    const report = await runDriftJob(sagemaker, w.deps);
    expect(report.objects).toBe(2_500);
    expect(w.s3.listedPrefixes.filter((p) => p.endsWith("/11/"))).toHaveLength(3);
  });

  test("KServe: objects come from the queue of S3 notifications, and messages are deleted once read", async () => {
    const w = world();
    sample().forEach((r, i) => w.kserve(`captures/serving/fraud/predictor/${i}-request.json`, kserveRequest({ instances: [r] }, String(i))));
    w.queue.send(JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "cap" }));
    const report = await runDriftJob(base, w.deps);
    expect(report).toMatchObject({ records: 100, objects: 100, truncated: false });
    expect(w.s3.requests.list).toBe(0);
    expect(w.queue.visible + w.queue.inFlight.size).toBe(0);
  });

  test("KServe: a failing queue fails the run (the job-failure alarm catches it), it does not hang", async () => {
    const w = world();
    sample().forEach((r, i) => w.kserve(`captures/serving/fraud/predictor/${i}-request.json`, kserveRequest({ instances: [r] }, String(i))));
    let calls = 0;
    const receive = w.queue.receive.bind(w.queue);
    w.queue.receive = async (max: number) => {
      if (++calls === 3) throw new Error("AccessDenied: sqs:ReceiveMessage");
      return receive(max);
    };
    await expect(runDriftJob({ ...base, readConcurrency: 2 }, w.deps)).rejects.toThrow("AccessDenied");
  });

  test("KServe: many readers share the queue; every object is read once and every message deleted", async () => {
    const w = world();
    for (let i = 0; i < 1000; i++)
      w.kserve(`captures/serving/fraud/predictor/${i}-request.json`, kserveRequest({ instances: [sample()[i % 100]] }, String(i)));
    const report = await runDriftJob({ ...base, readConcurrency: 64 }, w.deps);
    expect(report.records).toBe(1000);
    expect(w.s3.requests.get).toBe(1001);
    expect(w.queue.visible + w.queue.inFlight.size).toBe(0);
  });

  test("KServe: a notification key is URL-decoded", () => {
    expect(keysOfNotification(s3Notification("cap", "captures/a b/x+y.json"))).toEqual(["captures/a b/x+y.json"]);
  });

  test("KServe without a queue fails the run with the reason (the job-failure alarm catches it)", async () => {
    const w = world();
    await expect(runDriftJob({ ...base, queueUrl: undefined }, { ...w.deps, queue: undefined })).rejects.toThrow("QUEUE_URL is not set");
  });

  test("a run that hits its time budget stops, publishes WindowTruncated, and leaves the unread objects for the next run", async () => {
    const w = world();
    sample().forEach((r, i) => w.kserve(`captures/serving/fraud/predictor/${i}-request.json`, kserveRequest({ instances: [r] }, String(i))));
    let t = 0;
    const getBytes = w.s3.getBytes.bind(w.s3);
    // Every GET takes a second of the budget's clock; the budget is 30 seconds.
    w.s3.getBytes = async (b: string, k: string) => {
      t += 1000;
      return getBytes(b, k);
    };
    const report = await runDriftJob({ ...base, readConcurrency: 4, minRecords: 1 }, { ...w.deps, clock: () => t, deadline: 30_000 });
    expect(w.s3.requests.get).toBe(report.objects + 1);
    expect(report.truncated).toBe(true);
    expect(report.objects).toBeGreaterThanOrEqual(30);
    expect(report.objects).toBeLessThan(40);
    expect(metric(w.metrics.data, EndpointMetrics.windowTruncated)).toBe(1);
    expect(metric(w.metrics.data, EndpointMetrics.records)).toBe(report.records);
    // Unread messages stay: visible again for the next run once their visibility timeout ends.
    w.queue.expire();
    expect(w.queue.visible).toBe(100 - report.objects);
  });

  test("a large SageMaker object is read line by line and stops at the budget", async () => {
    const w = world();
    const lines = Array.from({ length: 50_000 }, (_, i) => captureLine(JSON.stringify(sample()[i % 100]))).join("\n");
    w.s3.put("cap", "captures/fraud/primary/2026/11/25/11/big.jsonl", lines, new Date("2026-11-25T11:10:00Z"));
    let chunks = 0;
    const report = await runDriftJob({ ...sagemaker, minRecords: 1 }, { ...w.deps, clock: () => chunks++, deadline: 10 });
    expect(report.truncated).toBe(true);
    expect(report.records).toBeGreaterThan(0);
    expect(report.records).toBeLessThan(50_000);
  });
});

describe("no silent failure", () => {
  test("a watched feature missing from the baseline (a typo) is published as UnknownFeatures", async () => {
    const w = world();
    sample().forEach((r, i) => w.kserve(`captures/serving/fraud/predictor/${i}-request.json`, kserveRequest({ instances: [r] }, String(i))));
    const report = await runDriftJob({ ...base, features: ["txn_amount", "txn_amout"] }, w.deps);
    expect(report.unknownFeatures).toEqual(["txn_amout"]);
    expect(metric(w.metrics.data, EndpointMetrics.unknownFeatures)).toBe(1);
    expect(report.drift.map((d) => d.feature)).toEqual(["txn_amount"]);
  });

  test("a watched feature of another type in the baseline (its KS alarm on a categorical feature) counts too", async () => {
    const w = world();
    sample().forEach((r, i) => w.kserve(`captures/serving/fraud/predictor/${i}-request.json`, kserveRequest({ instances: [r] }, String(i))));
    const featureTypes = { txn_amount: "numeric", merchant_category: "numeric" };
    const report = await runDriftJob({ ...base, features: Object.keys(featureTypes), featureTypes }, w.deps);
    expect(report.unknownFeatures).toEqual(["merchant_category (numeric alarms, categorical in the baseline)"]);
    expect(metric(w.metrics.data, EndpointMetrics.unknownFeatures)).toBe(1);
  });

  test("UnknownFeatures is 0 when every watched feature is in the baseline", async () => {
    const w = world();
    sample().forEach((r, i) => w.kserve(`captures/serving/fraud/predictor/${i}-request.json`, kserveRequest({ instances: [r] }, String(i))));
    await runDriftJob({ ...base, features: ["txn_amount"] }, w.deps);
    expect(metric(w.metrics.data, EndpointMetrics.unknownFeatures)).toBe(0);
  });

  // The training sample has a label column that the model's inputs do not.
  const withLabel = sample().map((r, i) => ({ is_fraud: i % 7 === 0 ? 1 : 0, ...r }));
  const csvBody = sample()
    .map((r) => `${r.txn_amount},${r.txn_count_1h},${r.merchant_category}`)
    .join("\n");

  test("positional inputs are mapped by the baseline's feature order without the excluded label: unchanged data has no drift", async () => {
    const w = world(buildBaseline(withLabel, 10, ["is_fraud"]));
    w.s3.put("cap", "captures/fraud/primary/2026/11/25/11/a.jsonl", captureLine(csvBody, "CSV", "text/csv"), new Date("2026-11-25T11:10:00Z"));
    const report = await runDriftJob(sagemaker, w.deps);
    expect(report.records).toBe(100);
    expect(report.unparseable).toBe(0);
    for (const d of report.drift) expect(d.psi).toBeCloseTo(0, 10);
    expect(metric(w.metrics.data, FeatureMetrics.psi, "txn_amount")).toBeCloseTo(0, 10);
  });

  test("a positional input whose width differs from the feature order is unparseable, not shifted", async () => {
    // Without --exclude, the order has four columns and the three-wide rows cannot be named.
    const w = world(buildBaseline(withLabel));
    w.s3.put("cap", "captures/fraud/primary/2026/11/25/11/a.jsonl", captureLine(csvBody, "CSV", "text/csv"), new Date("2026-11-25T11:10:00Z"));
    const report = await runDriftJob(sagemaker, w.deps);
    expect(report.records).toBe(0);
    expect(report.unparseable).toBe(1);
    expect(report.drift).toEqual([]);
  });
});
