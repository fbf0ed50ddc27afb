/**
 * The drift job's shortcuts for throughput (ASCII chunks copied as latin1, one reused buffer for base64
 * bodies, one pass over a record's keys, bins counted through a few cuts) give the same results as the
 * plain way.
 */
import fc from "fast-check";
import { buildBaseline, FeatureAccumulator, FeatureRecord } from "../../src/drift-alarm/job/baseline";
import { DriftJobConfig, DriftReport, runDriftJob } from "../../src/drift-alarm/job/handler";
import { CaptureFormats } from "../../src/drift-alarm/job/metrics";
import { parseKServeLog, parseSageMakerCapture } from "../../src/drift-alarm/job/parsers";
import { binIndex, normalise } from "../../src/drift-alarm/job/stats";
import { FakeMetrics, FakeQueue, FakeS3, s3Notification } from "./fixtures/fake-aws";

const CATEGORIES = ["grocery", "fuel", "café", "électronique", "travel", "日本"];
const sample = () =>
  Array.from({ length: 200 }, (_, i) => ({ txn_amount: (i * 7) % 100, txn_count_1h: i % 5, merchant_category: CATEGORIES[i % CATEGORIES.length] }));
const ORDER = ["txn_amount", "txn_count_1h", "merchant_category"];

const sagemaker: DriftJobConfig = {
  endpointName: "fraud",
  captureBucket: "cap",
  captureKeyPrefix: "captures/fraud/",
  captureFormat: CaptureFormats.sagemaker,
  baselineBucket: "base",
  baselineKey: "baseline.json",
  windowMinutes: 60,
  minRecords: 1,
  features: [],
};
const kserve: DriftJobConfig = {
  ...sagemaker,
  captureKeyPrefix: "captures/serving/fraud/",
  captureFormat: CaptureFormats.kserve,
  queueUrl: "https://sqs.eu-west-1.amazonaws.com/111122223333/q",
};

const captureLine = (r: Record<string, unknown>, pad = "") =>
  JSON.stringify({
    captureData: {
      endpointInput: { observedContentType: "application/json", mode: "INPUT", data: JSON.stringify({ instances: [r] }), encoding: "JSON" },
      endpointOutput: { observedContentType: "application/json", mode: "OUTPUT", data: '{"predictions": [0.1]}', encoding: "JSON" },
    },
    eventMetadata: { eventId: `e-${pad}` },
  });

/** Runs the job over one SageMaker object, streamed in 64 KiB chunks (`stream`) or read whole. */
async function runSageMaker(text: string, streamed: boolean, config = sagemaker): Promise<DriftReport> {
  const s3 = new FakeS3();
  s3.put("base", "baseline.json", JSON.stringify(buildBaseline(sample())));
  s3.put("cap", "captures/fraud/primary/2026/11/25/10/a.jsonl", text, new Date("2026-11-25T10:30:00Z"));
  const store = streamed ? s3 : { list: s3.list.bind(s3), get: s3.get.bind(s3) };
  return runDriftJob(config, { store, metrics: new FakeMetrics(), now: new Date("2026-11-25T11:00:00Z") });
}

describe("SageMaker objects streamed in chunks", () => {
  // Lines long enough that chunk boundaries (every 65,536 bytes) fall inside lines, some inside a
  // multi-byte character: ASCII chunks first, then chunks with é and 日本.
  const ascii = sample()
    .filter((r) => /^[a-z]+$/.test(r.merchant_category))
    .map((r, i) => captureLine(r, "x".repeat(300 + (i % 17))));
  const mixed = sample().map((r, i) => captureLine(r, "y".repeat(250 + (i % 13))));
  const joined = [...Array(40).fill(ascii).flat(), ...Array(40).fill(mixed).flat(), ...Array(10).fill(ascii).flat()].join("\n") + "\n";
  // A blank line in front moves the first multi-byte character after 1.5 MiB onto a chunk boundary.
  const bytes = Buffer.from(joined, "utf8");
  let lead = 24 * 65536;
  while (bytes[lead] < 0xc0) lead++;
  const shift = (65536 - ((lead + 1) % 65536)) % 65536;
  const text = (shift > 0 ? " ".repeat(shift - 1) + "\n" : "") + joined;

  test("the object spans many chunks and has multi-byte characters cut by chunk boundaries", () => {
    const bytes = Buffer.from(text, "utf8");
    expect(bytes.length).toBeGreaterThan(20 * 65536);
    // Some chunk boundary cuts a character: its first byte is a UTF-8 continuation byte (10xxxxxx).
    let cut = 0;
    for (let i = 65536; i < bytes.length; i += 65536) if ((bytes[i] & 0xc0) === 0x80) cut++;
    expect(cut).toBeGreaterThan(0);
    expect(bytes.subarray(0, 20 * 65536).every((x) => x < 128)).toBe(true);
  });

  test("the same report streamed as read whole, and the same records as the parser gives", async () => {
    const [streamed, whole] = await Promise.all([runSageMaker(text, true), runSageMaker(text, false)]);
    expect(streamed).toEqual(whole);
    const parsed = parseSageMakerCapture(text, ORDER);
    expect(streamed.records).toBe(parsed.records.length);
    expect(streamed.unparseable).toBe(0);
    // The categories are decoded, not mangled: the statistics of the parser's records.
    const b = buildBaseline(sample());
    expect(streamed.drift).toEqual(
      ORDER.map((n) => {
        const a = new FeatureAccumulator(n, b.features[n]);
        for (const r of parsed.records) a.add(r[n]);
        return a.result(parsed.records.length);
      }),
    );
    expect(streamed.fieldsAdded).toEqual([]);
  });

  test("a line longer than several chunks, between short ones and last without a newline: read as whole", async () => {
    const long = captureLine(sample()[0], "z".repeat(5 * 65536)); // spans five chunk boundaries
    const lines = [...ascii.slice(0, 50), long, ...ascii.slice(0, 50), long];
    const text = lines.join("\n"); // the last line has no newline
    expect(Buffer.byteLength(text)).toBeGreaterThan(10 * 65536);
    const [streamed, whole] = await Promise.all([runSageMaker(text, true), runSageMaker(text, false)]);
    expect(streamed).toEqual(whole);
    expect(streamed.records).toBe(102);
    expect(streamed.unparseable).toBe(0);
  });

  test("a non-ASCII byte in the first chunk: every later chunk goes through the UTF-8 decoder", async () => {
    const first = [...Array(30).fill(mixed).flat(), ...Array(30).fill(ascii).flat()].join("\n");
    const [streamed, whole] = await Promise.all([runSageMaker(first, true), runSageMaker(first, false)]);
    expect(streamed).toEqual(whole);
    expect(streamed.records).toBe(30 * mixed.length + 30 * ascii.length);
  });
});

describe("KServe bodies decoded through one reused buffer", () => {
  const request = (body: unknown) => ({
    reqType: "org.kubeflow.serving.inference.request",
    bytes: Buffer.from(JSON.stringify(body)).toString("base64"),
  });

  test("a large body, then small ones, then non-ASCII ones: each decoded as Buffer.from(bytes, 'base64') decodes it", () => {
    const big = Array.from({ length: 5000 }, (_, i) => [i % 100, i % 5, CATEGORIES[i % 6]]);
    const batch = [
      request({ instances: big }),
      request({ instances: [[1, 2, "fuel"]] }),
      { reqType: "org.kubeflow.serving.inference.response", bytes: Buffer.from('{"predictions":[1]}').toString("base64") },
      request({ instances: [{ txn_amount: 3, txn_count_1h: 4, merchant_category: "日本" }] }),
      // base64 without padding and with a line break (Buffer.from accepts both)
      {
        reqType: "org.kubeflow.serving.inference.request",
        bytes: Buffer.from('{"instances":[[5,1,"café"]]}')
          .toString("base64")
          .replace(/=+$/, "")
          .replace(/^(.{8})/, "$1\n"),
      },
    ];
    const parsed = parseKServeLog(JSON.stringify(batch), ORDER);
    expect(parsed.unparseable).toBe(0);
    expect(parsed.records).toHaveLength(5003);
    expect(parsed.records.slice(5000)).toEqual([
      { txn_amount: 1, txn_count_1h: 2, merchant_category: "fuel" },
      { txn_amount: 3, txn_count_1h: 4, merchant_category: "日本" },
      { txn_amount: 5, txn_count_1h: 1, merchant_category: "café" },
    ]);
    expect(parsed.records[4999]).toEqual({ txn_amount: 99, txn_count_1h: 4, merchant_category: CATEGORIES[4999 % 6] });
  });

  test("bytes that are no string, or missing, count as unparseable requests, as before", () => {
    const batch = [
      { reqType: "org.kubeflow.serving.inference.request", bytes: 12 },
      { reqType: "org.kubeflow.serving.inference.request" },
      { reqType: "org.kubeflow.serving.inference.request", bytes: null },
      request({ instances: [[1, 2, "fuel"]] }),
    ];
    expect(parseKServeLog(JSON.stringify(batch), ORDER)).toEqual({
      records: [{ txn_amount: 1, txn_count_1h: 2, merchant_category: "fuel" }],
      unparseable: 3,
    });
  });
});

describe("a record's keys visited once", () => {
  /** What the plain loop (every accumulator reads its name from every record) gives. */
  function plainResult(records: FeatureRecord[], names: string[], b = buildBaseline(sample())) {
    return names
      .filter((n) => n in b.features)
      .map((n) => {
        const a = new FeatureAccumulator(n, b.features[n]);
        for (const r of records) a.add(r[n]);
        return a.result(records.length);
      });
  }

  const records: FeatureRecord[] = [
    ...sample(),
    { txn_amount: 5, extra: 1 },
    { merchant_category: "new" },
    { txn_amount: null, txn_count_1h: "", merchant_category: "fuel" },
    {},
  ];

  async function runKServe(features: string[], baseline = buildBaseline(sample())) {
    const s3 = new FakeS3();
    const queue = new FakeQueue();
    s3.put("base", "baseline.json", JSON.stringify(baseline));
    const key = "captures/serving/fraud/p/1-request.json";
    s3.put(
      "cap",
      key,
      JSON.stringify({
        reqType: "org.kubeflow.serving.inference.request",
        bytes: Buffer.from(JSON.stringify({ instances: records })).toString("base64"),
      }),
    );
    queue.send(s3Notification("cap", key));
    return runDriftJob({ ...kserve, features }, { store: s3, queue, metrics: new FakeMetrics(), now: new Date("2026-11-25T11:00:00Z") });
  }

  test("every feature, present or missing, gets the statistics of the plain loop", async () => {
    const report = await runKServe([]);
    expect(report.records).toBe(records.length);
    expect(report.drift).toEqual(plainResult(records, ORDER));
    expect(report.fieldsAdded).toEqual(["extra"]);
  });

  test("a feature watched twice, and a feature named like an inherited property, take the plain loop", async () => {
    const twice = await runKServe(["txn_amount", "txn_amount"]);
    expect(twice.drift).toEqual(plainResult(records, ["txn_amount", "txn_amount"]));
    // `constructor` is in no record, but every record inherits one: read as the plain loop reads it.
    const withInherited = buildBaseline(sample().map((r) => ({ ...r, constructor: "x" })));
    const inherited = await runKServe(["constructor", "txn_amount"], withInherited);
    expect(inherited.drift).toEqual(plainResult(records, ["constructor", "txn_amount"], withInherited));
  });
});

describe("a SageMaker line's endpointInput parsed on its own", () => {
  const data = JSON.stringify({ instances: [{ txn_amount: 1, txn_count_1h: 2, merchant_category: "fuel" }] });
  const record = { txn_amount: 1, txn_count_1h: 2, merchant_category: "fuel" };

  test("the usual line, and lines where the text before the outputs is no value on its own, read as the cut document", () => {
    const lines = [
      // the usual line
      `{"captureData":{"endpointInput":${JSON.stringify({ data, encoding: "JSON" })},"endpointOutput":{"data":"{}"}}}`,
      // endpointInput closes early: the cut document is still valid (another key follows captureData)
      `{"captureData":{"endpointInput":${JSON.stringify({ data })}},"x":{"y":2,"endpointOutput":{}}}`,
      // endpointInput is not the first key of captureData
      `{"captureData":{"other":1,"endpointInput":${JSON.stringify({ data })},"endpointOutput":{}}}`,
    ];
    for (const line of lines) expect(parseSageMakerCapture(line, ORDER)).toEqual({ records: [record], unparseable: 0 });
  });

  test("an endpointInput without a data string, or a broken line, is unparseable as before", () => {
    const lines = [
      `{"captureData":{"endpointInput":{"data":5},"endpointOutput":{}}}`,
      `{"captureData":{"endpointInput":null,"endpointOutput":{}}}`,
      `{"captureData":{"endpointInput":{"data":"{}"}},"endpointOutput":`,
    ];
    expect(parseSageMakerCapture(lines.join("\n"), ORDER)).toEqual({ records: [], unparseable: 3 });
  });
});

describe("numeric bins counted through a few sorted cuts", () => {
  test("every value lands in binIndex's bin, at, between and beyond the cuts, with 1 to 20 cuts", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.oneof(fc.integer({ min: -60, max: 60 }), fc.double({ noNaN: true, min: -60, max: 60 })), { maxLength: 40 }),
        (rawCuts, values) => {
          const cuts = [...rawCuts].sort((a, b) => a - b);
          const baseline = { type: "numeric" as const, cuts, frequencies: new Array(cuts.length + 1).fill(1 / (cuts.length + 1)), missingRate: 0 };
          const acc = new FeatureAccumulator("x", baseline);
          const counts = new Array<number>(cuts.length + 1).fill(0);
          for (const v of [...values, ...cuts]) {
            acc.add(v);
            counts[binIndex(cuts, v)]++;
          }
          // The counts behind the statistics: the same histogram as binIndex gives.
          const actual = normalise(counts);
          const r = acc.result(values.length + cuts.length);
          let ce = 0;
          let ca = 0;
          let ks = 0;
          for (let i = 0; i < actual.length; i++) {
            ce += baseline.frequencies[i];
            ca += actual[i];
            ks = Math.max(ks, Math.abs(ca - ce));
          }
          expect(r.ks).toBeCloseTo(ks, 12);
        },
      ),
      { numRuns: 300, seed: 16 },
    );
  });
});
