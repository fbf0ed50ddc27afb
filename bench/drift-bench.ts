/**
 * Throughput and peak memory of the drift job over generated captures of both formats, against an
 * in-process fake S3 with a realistic latency per request (20 ms a GET, 30 ms a LIST page) and a fake
 * SQS queue of S3 notifications (10 ms a call). Each scenario runs in a fresh process, so that its peak
 * RSS is its own. The job's throughput is compared with plain JSON.parse of the same bytes on the same
 * machine (every JSON line of a SageMaker object, every KServe object whole), without latency. The job is
 * the JavaScript that DriftAlarm packages for the Lambda; it runs three times in the scenario's process
 * (DRIFT_BENCH_RUNS), JSON.parse is timed before the first run and after each, every run is compared
 * with the mean of the two timings around it, and the median of the runs is printed with their range
 * (on a shared machine, single runs of the same code move by a third).
 *
 *   npm run bench:drift            (DRIFT_BENCH_QUICK=1 for the small scenarios only,
 *                                   DRIFT_BENCH_ONLY=<part of a name> for some, DRIFT_BENCH_RUNS=<n>)
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { buildBaseline } from "../src/drift-alarm/job/baseline";
import { DriftJobConfig, DriftReport, hourPrefix } from "../src/drift-alarm/job/handler";
import { driftJobAssetDir } from "../src/drift-alarm/private/job-asset";
import { CaptureFormats } from "../src/drift-alarm/job/metrics";
import { FakeMetrics, FakeQueue, FakeS3, s3Notification } from "../test/drift-alarm/fixtures/fake-aws";
import { median } from "./median";

interface Scenario {
  name: string;
  format: "sagemaker" | "kserve";
  records: number;
  /** Records per capture object. */
  perObject: number;
}

const SCENARIOS: Scenario[] = [
  { name: "sagemaker 100k, 50k/object", format: "sagemaker", records: 100_000, perObject: 50_000 },
  { name: "sagemaker 1M, 50k/object", format: "sagemaker", records: 1_000_000, perObject: 50_000 },
  { name: "sagemaker 5M, 50k/object", format: "sagemaker", records: 5_000_000, perObject: 50_000 },
  { name: "kserve 100k, 500/object", format: "kserve", records: 100_000, perObject: 500 },
  { name: "kserve 1M, 500/object", format: "kserve", records: 1_000_000, perObject: 500 },
  { name: "kserve 5M, 500/object", format: "kserve", records: 5_000_000, perObject: 500 },
  { name: "kserve 10k, 1/object (batchSize 1)", format: "kserve", records: 10_000, perObject: 1 },
  { name: "kserve 10k, 500/object", format: "kserve", records: 10_000, perObject: 500 },
  { name: "sagemaker 10k, 1/object", format: "sagemaker", records: 10_000, perObject: 1 },
  { name: "sagemaker 10k, 10k/object", format: "sagemaker", records: 10_000, perObject: 10_000 },
];
const QUICK = new Set(["sagemaker 100k, 50k/object", "kserve 100k, 500/object", "kserve 10k, 1/object (batchSize 1)", "kserve 10k, 500/object"]);
/** Objects of each scenario whose bytes plain JSON.parse times (they repeat the same templates). */
const PARSE_SAMPLE_RECORDS = 500_000;

// --- generated traffic: 8 features, 5 numeric and 3 categorical -------------------------------------
const CATEGORIES = ["grocery", "fuel", "travel", "electronics", "restaurants", "pharmacy"];
const COUNTRIES = ["DE", "FR", "IE", "NL", "ES"];
const DEVICES = ["ios", "android", "web"];
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const row = () => ({
  txn_amount: Math.round(rand() * rand() * 50000) / 100,
  txn_count_1h: Math.floor(rand() * 12),
  account_age_days: Math.floor(rand() * 3650),
  distance_km: Math.round(rand() * 20000) / 10,
  risk_score: Math.round(rand() * 1000) / 1000,
  merchant_category: CATEGORIES[Math.floor(rand() * CATEGORIES.length)],
  country: COUNTRIES[Math.floor(rand() * COUNTRIES.length)],
  device: DEVICES[Math.floor(rand() * DEVICES.length)],
});
const ORDER = Object.keys(row());

function sageMakerObject(n: number): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(
      JSON.stringify({
        captureData: {
          endpointInput: { observedContentType: "application/json", mode: "INPUT", data: JSON.stringify({ instances: [row()] }), encoding: "JSON" },
          endpointOutput: { observedContentType: "application/json", mode: "OUTPUT", data: '{"predictions": [0.02]}', encoding: "JSON" },
        },
        eventMetadata: { eventId: `e-${i}`, inferenceTime: "2026-11-25T10:30:00Z" },
        eventVersion: "0",
      }),
    );
  }
  return Buffer.from(lines.join("\n") + "\n");
}

/**
 * A KServe v0.20 batched object: `n` requests (positional rows), each followed by its response, as the
 * logger's json.Marshal writes `LogRequest` (a `*url.URL` is a struct of capitalised fields).
 */
function kserveObject(n: number): Buffer {
  const url = {
    Scheme: "http",
    Opaque: "",
    User: null,
    Host: "acme-ml-fraud-predictor.serving",
    Path: "/v1/models/acme-ml-fraud:predict",
    RawPath: "",
    OmitHost: false,
    ForceQuery: false,
    RawQuery: "",
    Fragment: "",
    RawFragment: "",
  };
  const entry = (i: number, type: string, body: unknown) => ({
    url,
    bytes: Buffer.from(JSON.stringify(body)).toString("base64"),
    contentType: "application/json",
    reqType: `org.kubeflow.serving.inference.${type}`,
    id: `id-${i}`,
    sourceUri: { ...url, Host: "localhost:9081", Path: "/" },
    inferenceService: "acme-ml-fraud",
    namespace: "serving",
    component: "predictor",
    occurrenceTime: "2026-11-25T10:30:00Z",
  });
  const batch = [];
  for (let i = 0; i < n; i++) {
    const r = row();
    batch.push(entry(i, "request", { instances: [ORDER.map((k) => r[k as keyof typeof r])] }));
    if (n > 1) batch.push(entry(i, "response", { predictions: [0.02] }));
  }
  return Buffer.from(JSON.stringify(n === 1 ? batch[0] : batch));
}

/** Runs of the job per scenario (each between two timings of plain JSON.parse); ratios are their median. */
const RUNS = Math.max(1, Number(process.env.DRIFT_BENCH_RUNS ?? 3));

async function child(s: Scenario) {
  // The job as the Lambda runs it: the JavaScript that DriftAlarm packages (not the TypeScript through tsx,
  // whose module wrappers add a call to every use of another module's export).
  const { runDriftJob } = require(path.join(driftJobAssetDir(), "handler.js")) as typeof import("../src/drift-alarm/job/handler");
  const now = new Date("2026-11-25T11:00:00Z");
  const baseline = JSON.stringify(buildBaseline(Array.from({ length: 10_000 }, row)));
  // Two distinct bodies, served in turn: the fake holds no window in memory.
  const templates = Array.from({ length: 2 }, () => (s.format === "sagemaker" ? sageMakerObject(s.perObject) : kserveObject(s.perObject)));
  const objects = Math.ceil(s.records / s.perObject);
  /** A fresh fake S3 (and queue of notifications) holding the window, for one run of the job. */
  const fakes = () => {
    const s3 = new FakeS3({ getMs: 20, listMs: 30 });
    const queue = new FakeQueue(10);
    s3.put("base", "baseline.json", baseline);
    for (let i = 0; i < objects; i++) {
      const body = templates[i % templates.length];
      if (s.format === "sagemaker") {
        const t = new Date(now.getTime() - 3_500_000 + Math.floor((i * 3_400_000) / objects));
        s3.put("cap", `captures/acme-ml-fraud/primary/${hourPrefix(t)}acme-ml-fraud-${String(i).padStart(7, "0")}.jsonl`, () => body, t);
      } else {
        const key = `captures/serving/acme-ml-fraud/predictor/id-${i}-request.json`;
        s3.put("cap", key, () => body);
        queue.send(s3Notification("cap", key));
      }
    }
    return { s3, queue };
  };
  const config: DriftJobConfig = {
    endpointName: "acme-ml-fraud",
    captureBucket: "cap",
    captureKeyPrefix: s.format === "sagemaker" ? "captures/acme-ml-fraud/" : "captures/serving/acme-ml-fraud/",
    captureFormat: s.format === "sagemaker" ? CaptureFormats.sagemaker : CaptureFormats.kserve,
    baselineBucket: "base",
    baselineKey: "baseline.json",
    windowMinutes: 60,
    minRecords: 100,
    features: [],
    queueUrl: "https://sqs.eu-west-1.amazonaws.com/111122223333/captures",
  };
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  // Plain JSON.parse of the same bytes: every line of a SageMaker object, a KServe object whole. Timed
  // before and after each run of the job, and each run is compared with the mean of the two timings
  // around it, so that a change of load on a shared machine during the run does not tilt the ratio.
  const sampled = Math.max(templates.length, Math.min(objects, Math.ceil(PARSE_SAMPLE_RECORDS / s.perObject)));
  const plainParse = () => {
    // Decoded outside the timing, and dropped after it: the job's peak RSS is not the harness's.
    const strings = templates.map((t) => t.toString("utf8"));
    const wall0 = performance.now();
    const cpu0 = cpu();
    for (let i = 0; i < sampled; i++) {
      const text = strings[i % strings.length];
      if (s.format === "sagemaker") {
        let at = 0;
        for (let end = text.indexOf("\n"); end >= 0; at = end + 1, end = text.indexOf("\n", at)) JSON.parse(text.slice(at, end));
      } else JSON.parse(text);
    }
    return { ms: performance.now() - wall0, cpuMs: cpu() - cpu0 };
  };
  const parsedRecords = sampled * s.perObject;
  // Seconds per record, so that sampling leaves the ratios as they are.
  const scale = objects / sampled;

  let peakHeap = 0;
  const runs: { ms: number; jobCpuMs: number; wallRatio: number; cpuRatio: number }[] = [];
  let report: DriftReport | undefined;
  let requests = { s3: 0, lists: 0, sqs: 0 };
  let before = plainParse();
  const parseTimes = [before];
  global.gc?.();
  // What the process holds before the job: the generated objects, tsx, the harness.
  const harnessRss = process.memoryUsage().rss;
  let peak = harnessRss;
  for (let run = 0; run < RUNS; run++) {
    const { s3, queue } = fakes();
    global.gc?.();
    peak = Math.max(peak, process.memoryUsage().rss);
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed + m.external);
    }, 20);
    const start = performance.now();
    const jobCpu0 = cpu();
    // The Lambda's budget: 300 s less the publishing reserve.
    report = await runDriftJob(config, { store: s3, queue, metrics: new FakeMetrics(), now, deadline: Date.now() + 280_000 });
    const ms = performance.now() - start;
    const jobCpuMs = cpu() - jobCpu0;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    requests = { s3: s3.totalRequests, lists: s3.requests.list, sqs: queue.requests.receive + queue.requests.delete };
    const after = plainParse();
    parseTimes.push(after);
    const parseMs = (before.ms + after.ms) / 2;
    const parseCpuMs = (before.cpuMs + after.cpuMs) / 2;
    runs.push({
      ms,
      jobCpuMs,
      // Records per second of the job over those of JSON.parse.
      wallRatio: report.records / (ms / 1000) / (parsedRecords / (parseMs / 1000)),
      cpuRatio: (parseCpuMs * scale) / jobCpuMs,
    });
    before = after;
  }
  const jobCpuMs = median(runs.map((r) => r.jobCpuMs));
  const ms = median(runs.map((r) => r.ms));

  // The native decoding the formats demand: the capture JSON and the request bodies nested in it.
  const strings = templates.map((t) => t.toString("utf8"));
  const nestedStart = performance.now();
  const nestedCpu0 = cpu();
  for (let i = 0; i < sampled; i++) {
    const text = strings[i % strings.length];
    if (s.format === "sagemaker") {
      let at = 0;
      for (let end = text.indexOf("\n"); end >= 0; at = end + 1, end = text.indexOf("\n", at))
        JSON.parse(JSON.parse(text.slice(at, end)).captureData.endpointInput.data);
    } else {
      const parsed = JSON.parse(text);
      for (const e of Array.isArray(parsed) ? parsed : [parsed])
        if (e.reqType.endsWith("request")) JSON.parse(Buffer.from(e.bytes, "base64").toString("utf8"));
    }
  }
  const nestedMs = performance.now() - nestedStart;
  const nestedCpuMs = cpu() - nestedCpu0;
  const cpuRatios = runs.map((r) => r.cpuRatio);
  const out: Result = {
    records: report!.records,
    objects: report!.objects,
    truncated: report!.truncated,
    ms,
    recordsPerSecond: report!.records / (ms / 1000),
    parseRecordsPerSecond: median(parseTimes.map((t) => parsedRecords / (t.ms / 1000))),
    wallRatio: median(runs.map((r) => r.wallRatio)),
    nestedRecordsPerSecond: parsedRecords / (nestedMs / 1000),
    peakRssMiB: peak / 2 ** 20,
    peakHeapMiB: peakHeap / 2 ** 20,
    cpuRatio: median(cpuRatios),
    cpuRatioMin: Math.min(...cpuRatios),
    cpuRatioMax: Math.max(...cpuRatios),
    nestedCpuRatio: (nestedCpuMs * scale) / jobCpuMs,
    jobCpuMs,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    harnessRssMiB: harnessRss / 2 ** 20,
    s3Requests: requests.s3,
    s3Lists: requests.lists,
    sqsRequests: requests.sqs,
  };
  process.stdout.write(JSON.stringify(out));
}

/** One scenario's figures; times and ratios are the medians of its runs. */
type Result = {
  records: number;
  objects: number;
  truncated: boolean;
  ms: number;
  recordsPerSecond: number;
  parseRecordsPerSecond: number;
  wallRatio: number;
  nestedRecordsPerSecond: number;
  peakRssMiB: number;
  peakHeapMiB: number;
  cpuRatio: number;
  cpuRatioMin: number;
  cpuRatioMax: number;
  nestedCpuRatio: number;
  jobCpuMs: number;
  maxRssMiB: number;
  harnessRssMiB: number;
  s3Requests: number;
  s3Lists: number;
  sqsRequests: number;
};

function parent() {
  const only = process.env.DRIFT_BENCH_ONLY;
  const scenarios = only
    ? SCENARIOS.filter((s) => s.name.includes(only))
    : process.env.DRIFT_BENCH_QUICK === "1"
      ? SCENARIOS.filter((s) => QUICK.has(s.name))
      : SCENARIOS;
  console.log(
    `drift job over a fake S3 (GET 20 ms, LIST page 30 ms) and SQS (10 ms); node ${process.version}; one process per scenario, ${RUNS} runs of the job in it (DRIFT_BENCH_RUNS)`,
  );
  console.log(
    "peak RSS: sampled during the runs (the highest); harness: RSS before them (generated objects, tsx); S3 req: GETs and LISTs of one run (the baseline included)",
  );
  console.log(`JSON.parse timed over up to ${PARSE_SAMPLE_RECORDS} records of the same objects, before the first run and after each`);
  console.log(
    "wall x: job records/s over plain JSON.parse records/s of the same bytes, by wall time; cpu x: the same by CPU time (steadier on a shared machine); each run against the mean of the timings before and after it; the median of the runs, and their range",
  );
  console.log(
    "nested cpu x: over JSON.parse of those bytes and of the request bodies nested in them (the decoding the formats demand); heap: peak heap + external MiB during the run",
  );
  console.log(
    `${"scenario".padEnd(36)} ${"records".padStart(9)} ${"objects".padStart(8)} ${"wall s".padStart(7)} ${"records/s".padStart(10)} ${"JSON.parse/s".padStart(12)} ${"wall x".padStart(6)} ${"cpu x".padStart(6)} ${"cpu x range".padStart(11)} ${"nested cpu x".padStart(12)} ${"peak RSS".padStart(8)} ${"harness".padStart(7)} ${"heap".padStart(5)} ${"S3 req".padStart(7)} ${"LIST".padStart(5)} ${"SQS req".padStart(8)}`,
  );
  const results = new Map<string, Result>();
  for (const s of scenarios) {
    const out = execFileSync(
      process.execPath,
      ["--expose-gc", "--max-old-space-size=900", "--import", "tsx", __filename, "--child", JSON.stringify(s)],
      {
        encoding: "utf8",
        maxBuffer: 1 << 20,
      },
    );
    const r = JSON.parse(out) as Result;
    results.set(s.name, r);
    const n = (v: number, w: number, d = 0) => v.toFixed(d).padStart(w);
    console.log(
      `${s.name.padEnd(36)} ${n(r.records, 9)} ${n(r.objects, 8)} ${n(r.ms / 1000, 7, 1)} ${n(r.recordsPerSecond, 10)} ${n(r.parseRecordsPerSecond, 12)} ${n(r.wallRatio, 6, 2)} ${n(r.cpuRatio, 6, 2)} ${`${r.cpuRatioMin.toFixed(2)}-${r.cpuRatioMax.toFixed(2)}`.padStart(11)} ${n(r.nestedCpuRatio, 12, 2)} ${n(r.peakRssMiB, 8)} ${n(r.harnessRssMiB, 7)} ${n(r.peakHeapMiB, 5)} ${n(r.s3Requests, 7)} ${n(r.s3Lists, 5)} ${n(r.sqsRequests, 8)}${r.truncated ? "  TRUNCATED" : ""}`,
    );
  }
  const headline = results.get("sagemaker 1M, 50k/object") ?? [...results.values()][0];
  console.log(
    `drift-bench: ${headline.records} records, ${Math.round(headline.recordsPerSecond)} records/s, ${headline.peakRssMiB.toFixed(0)} MiB peak, ${headline.s3Requests} requests`,
  );
}

if (process.argv[2] === "--child") {
  child(JSON.parse(process.argv[3]) as Scenario).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else parent();
