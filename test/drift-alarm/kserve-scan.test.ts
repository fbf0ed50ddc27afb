/**
 * KServe logger objects read from their bytes (`emitKServeLogBytes`): an object in the logger's own
 * layout is scanned for its request bodies instead of parsed whole, and every object, in that layout or
 * not, gives exactly the records and unparseable count of the whole parse (`emitKServeLog`).
 */
import fc from "fast-check";
import { FeatureRecord } from "../../src/drift-alarm/job/baseline";
import { emitKServeLog, emitKServeLogBytes, kserveRequestBodies } from "../../src/drift-alarm/job/parsers";

const ORDER = ["txn_amount", "txn_count_1h", "merchant_category"];

/** What a parser gave: records (rows named by the order), and the unparseable count. */
function read(emit: (sink: { (r: FeatureRecord): void; row?: (v: unknown[]) => void }) => number) {
  const records: unknown[] = [];
  const sink = (r: FeatureRecord) => records.push(r);
  sink.row = (v: unknown[]) => records.push(Object.fromEntries(ORDER.map((k, i) => [k, v[i]])));
  const unparseable = emit(sink);
  return { records, unparseable };
}
const whole = (text: string) => read((sink) => emitKServeLog(text, ORDER, sink));
const scanned = (buf: Buffer) => read((sink) => emitKServeLogBytes(buf, ORDER, sink));

/** Go's encoding of a `*url.URL` (a struct: capitalised keys). */
const goUrl = (host: string, path: string) => ({
  Scheme: "http",
  Opaque: "",
  User: null,
  Host: host,
  Path: path,
  RawPath: "",
  OmitHost: false,
  ForceQuery: false,
  RawQuery: "",
  Fragment: "",
  RawFragment: "",
});

const b64 = (body: string) => Buffer.from(body, "utf8").toString("base64");

/** A log request in `LogRequest`'s field order, as json.Marshal writes it (omitempty fields left out). */
function logRequest(fields: {
  url?: boolean;
  body?: string;
  contentType?: string;
  reqType?: string;
  metadata?: Record<string, readonly string[]>;
  annotations?: Record<string, string>;
}): Record<string, unknown> {
  const e: Record<string, unknown> = {};
  if (fields.url) e.url = goUrl("fraud-predictor.serving", "/v1/models/fraud:predict");
  if (fields.body !== undefined) e.bytes = b64(fields.body);
  if (fields.contentType) e.contentType = fields.contentType;
  if (fields.reqType) e.reqType = fields.reqType;
  e.id = "4f1c";
  e.inferenceService = "fraud";
  e.namespace = "serving";
  e.component = "predictor";
  if (fields.metadata) e.metadata = fields.metadata;
  if (fields.annotations) e.annotations = fields.annotations;
  e.occurrenceTime = "2026-11-25T10:30:00.123456789Z";
  return e;
}

const REQUEST = "org.kubeflow.serving.inference.request";
const RESPONSE = "org.kubeflow.serving.inference.response";
const CATEGORIES = ["grocery", "fuel", "café", "日本", 'say "hi"', "a\\b"];

const value = fc.oneof(
  fc.integer({ min: -5, max: 500 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(...CATEGORIES),
  fc.constant(null),
);
const bodyArb = fc.oneof(
  fc.array(fc.tuple(value, value, value), { maxLength: 4 }).map((rows) => JSON.stringify({ instances: rows })),
  fc.array(fc.record({ txn_amount: value, merchant_category: value }), { maxLength: 3 }).map((rs) => JSON.stringify({ instances: rs })),
  fc.constant('{"instances":[[1,2]]}'),
  fc.constant('{"predictions":[0.1]}'),
  fc.constant("not json"),
  fc.constant(""),
);
/** `arb` in `present` out of `of` cases, otherwise undefined. */
const sometimes = <T>(arb: fc.Arbitrary<T>, present: number, of: number) =>
  fc.oneof({ weight: present, arbitrary: arb }, { weight: of - present, arbitrary: fc.constant(undefined) });
const entryArb = fc
  .record({
    url: fc.boolean(),
    body: sometimes(bodyArb, 9, 10),
    contentType: sometimes(fc.constantFrom("application/json", "text/plain"), 1, 2),
    reqType: sometimes(fc.constantFrom(REQUEST, RESPONSE, "org.kubeflow.serving.inference.other", "request"), 9, 10),
    metadata: sometimes(fc.constant({ "Content-Type": ["application/json"], bytes: ["x"] }), 1, 4),
    annotations: sometimes(
      fc.constantFrom<Record<string, string>>({ team: "fraud" }, { bytes: b64('{"instances":[[9,9,"x"]]}'), reqType: REQUEST }),
      1,
      10,
    ),
  })
  .map(logRequest);

describe("KServe objects scanned from their bytes", () => {
  test("any batch or single log request gives the records and unparseable count of the whole parse", () => {
    let scans = 0;
    let scannedRequests = 0;
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 6 }), fc.boolean(), fc.constantFrom("", "\n", " \n"), (entries, single, pad) => {
        const text = (single && entries.length === 1 ? JSON.stringify(entries[0]) : JSON.stringify(entries)) + pad;
        const bodies = kserveRequestBodies(Buffer.from(text, "utf8"));
        if (bodies) {
          scans++;
          scannedRequests += bodies.length / 2;
        }
        expect(scanned(Buffer.from(text, "utf8"))).toEqual(whole(text));
      }),
      { numRuns: 400, seed: 13 },
    );
    // Both ways were compared: many objects were scanned, many parsed whole.
    expect(scans).toBeGreaterThan(40);
    expect(scans).toBeLessThan(360);
    expect(scannedRequests).toBeGreaterThan(40);
  });

  test("a batch in the logger's layout is scanned: one body per request, responses skipped", () => {
    const entries = [
      logRequest({ url: true, body: '{"instances":[[12.5,3,"grocery"]]}', contentType: "application/json", reqType: REQUEST }),
      logRequest({ url: true, body: '{"predictions":[0.02]}', contentType: "application/json", reqType: RESPONSE }),
      logRequest({ url: true, body: '{"instances":[{"txn_amount":7,"merchant_category":"日本"}]}', reqType: REQUEST, metadata: { bytes: ["x"] } }),
    ];
    const buf = Buffer.from(JSON.stringify(entries));
    expect(kserveRequestBodies(buf)).toHaveLength(4);
    expect(scanned(buf)).toEqual({
      records: [
        { txn_amount: 12.5, txn_count_1h: 3, merchant_category: "grocery" },
        { txn_amount: 7, merchant_category: "日本" },
      ],
      unparseable: 0,
    });
  });

  test.each([
    ["another key order (reqType first)", JSON.stringify([{ reqType: REQUEST, bytes: b64('{"instances":[[1,2,"fuel"]]}') }])],
    [
      "annotations (a map of strings, which may hold a key named bytes)",
      JSON.stringify([logRequest({ body: "{}", reqType: REQUEST, annotations: { bytes: "e30=" } })]),
    ],
    [
      "an escape anywhere (Go writes & in a query as \\u0026)",
      JSON.stringify([{ ...logRequest({ body: '{"instances":[[1,2,"x"]]}', reqType: REQUEST }), id: 'a"b' }]),
    ],
    [
      "a header named reqType in metadata",
      JSON.stringify([logRequest({ body: '{"instances":[[1,2,"x"]]}', reqType: REQUEST, metadata: { reqType: ["request"] } })]),
    ],
    ["a request without a body", JSON.stringify([logRequest({ reqType: REQUEST })])],
    ["white space between tokens", JSON.stringify([logRequest({ body: '{"instances":[[1,2,"x"]]}', reqType: REQUEST })], null, 1)],
    ["a truncated object", JSON.stringify([logRequest({ body: '{"instances":[[1,2,"x"]]}', reqType: REQUEST })]).slice(0, -1)],
  ])("%s: parsed whole, with the same result", (_name, text) => {
    const buf = Buffer.from(text);
    expect(kserveRequestBodies(buf)).toBeUndefined();
    expect(scanned(buf)).toEqual(whole(text));
  });

  test("a body without a type is skipped, as the whole parse skips it", () => {
    const text = JSON.stringify([
      logRequest({ body: '{"instances":[[1,2,"x"]]}' }),
      logRequest({ body: '{"instances":[[3,4,"y"]]}', reqType: REQUEST }),
    ]);
    expect(kserveRequestBodies(Buffer.from(text))).toHaveLength(2);
    expect(scanned(Buffer.from(text))).toEqual(whole(text));
    expect(whole(text).records).toEqual([{ txn_amount: 3, txn_count_1h: 4, merchant_category: "y" }]);
  });

  test("a Uint8Array that is a view into a larger buffer is read at its own offset", () => {
    const text = JSON.stringify([logRequest({ body: '{"instances":[[1,2,"x"]]}', reqType: REQUEST })]);
    const big = Buffer.from(`xxxx${text}yyyy`);
    const view = new Uint8Array(big.buffer, big.byteOffset + 4, Buffer.byteLength(text));
    expect(scanned(Buffer.from(view))).toEqual(whole(text));
    expect(read((sink) => emitKServeLogBytes(view, ORDER, sink))).toEqual(whole(text));
  });
});
