import * as fs from "fs";
import * as path from "path";
import { parseKServeLog, parseSageMakerCapture, recordsOfRequest } from "../../src/drift-alarm/job/parsers";

const fixture = (f: string) => fs.readFileSync(path.join(__dirname, "fixtures", f), "utf8");
const ORDER = ["txn_amount", "txn_count_1h", "merchant_category"];

describe("SageMaker data capture (JSON lines)", () => {
  const parsed = parseSageMakerCapture(fixture("sagemaker-capture.jsonl"), ORDER);

  test("reads JSON inputs, base64 CSV inputs (positional, named from the baseline order), skips outputs", () => {
    expect(parsed.records).toEqual([
      { txn_amount: 12.5, txn_count_1h: 3, merchant_category: "grocery" },
      { txn_amount: 830, txn_count_1h: 1, merchant_category: "electronics" },
      { txn_amount: 45.2, txn_count_1h: 7, merchant_category: "grocery" },
      { txn_amount: "19.99", txn_count_1h: "2", merchant_category: "travel" },
    ]);
  });

  test("a broken line is counted, not fatal", () => {
    expect(parsed.unparseable).toBe(1);
  });
});

describe("KServe logger objects (S3 storage, JSON marshaller)", () => {
  test("a single request in the Open Inference Protocol (columnar named tensors)", () => {
    const parsed = parseKServeLog(fixture("kserve-request-v2.json"), ORDER);
    expect(parsed).toEqual({
      records: [
        { txn_amount: 12.5, txn_count_1h: 3, merchant_category: "grocery" },
        { txn_amount: 99, txn_count_1h: 1, merchant_category: "fuel" },
      ],
      unparseable: 0,
    });
  });

  test("a batch array: requests only (v1 instances, positional or named), responses ignored", () => {
    expect(parseKServeLog(fixture("kserve-batch-v1.json"), ORDER).records).toEqual([
      { txn_amount: 830, txn_count_1h: 1, merchant_category: "electronics" },
      { txn_amount: 5, txn_count_1h: 9, merchant_category: "grocery" },
    ]);
  });

  test("an object that is not JSON is one unparseable", () => {
    expect(parseKServeLog("not json", ORDER)).toEqual({ records: [], unparseable: 1 });
  });
});

describe("request bodies", () => {
  test("MLflow scoring shapes", () => {
    expect(
      recordsOfRequest(
        {
          dataframe_split: {
            columns: ["a", "b"],
            data: [
              [1, 2],
              [3, 4],
            ],
          },
        },
        [],
      ),
    ).toEqual([
      { a: 1, b: 2 },
      { a: 3, b: 4 },
    ]);
    expect(recordsOfRequest({ dataframe_records: [{ a: 1 }] }, [])).toEqual([{ a: 1 }]);
  });

  test("one tensor of rows", () => {
    expect(recordsOfRequest({ inputs: [{ name: "input-0", shape: [2, 2], datatype: "FP32", data: [1, 2, 3, 4] }] }, ["x", "y"])).toEqual([
      { x: 1, y: 2 },
      { x: 3, y: 4 },
    ]);
  });

  test("a bare record, and an unknown shape", () => {
    expect(recordsOfRequest({ a: 1 }, [])).toEqual([{ a: 1 }]);
    expect(recordsOfRequest(42, [])).toBeUndefined();
  });
});

describe("KServe v0.20 batched logger objects (batchSize > 1: a JSON array of LogRequests)", () => {
  // pkg/logger/marshaller_json.go: one record marshals as the object, more as an array; requests and
  // responses share a batch; Go marshals []byte as base64 and url.URL as an object.
  const record = (i: number, type: "request" | "response", body: unknown) => ({
    url: { Scheme: "http", Host: "acme-ml-fraud-predictor.serving", Path: "/v1/models/acme-ml-fraud:predict" },
    bytes: Buffer.from(JSON.stringify(body)).toString("base64"),
    contentType: "application/json",
    reqType: `org.kubeflow.serving.inference.${type}`,
    id: `id-${i}`,
    inferenceService: "acme-ml-fraud",
    namespace: "serving",
    component: "predictor",
    occurrenceTime: "2026-11-25T10:00:00Z",
  });

  test("every request of the batch is read, responses skipped, a broken request counted", () => {
    const batch = Array.from({ length: 50 }, (_, i) => [
      record(i, "request", { instances: [[i, i % 5, "grocery"]] }),
      record(i, "response", { predictions: [0.1] }),
    ]).flat();
    batch.push({ ...record(99, "request", {}), bytes: Buffer.from("not json").toString("base64") });
    const parsed = parseKServeLog(JSON.stringify(batch), ORDER);
    expect(parsed.records).toHaveLength(50);
    expect(parsed.records[7]).toEqual({ txn_amount: 7, txn_count_1h: 2, merchant_category: "grocery" });
    expect(parsed.unparseable).toBe(1);
  });

  test("a row whose width differs from the baseline's feature order is unparseable, not shifted", () => {
    const parsed = parseKServeLog(JSON.stringify([record(1, "request", { instances: [[0, 12.5, 3, "grocery"]] })]), ORDER);
    expect(parsed).toEqual({ records: [], unparseable: 1 });
  });
});

describe("SageMaker capture lines are parsed up to their outputs, whatever the layout", () => {
  const input = { observedContentType: "application/json", mode: "INPUT", data: JSON.stringify({ instances: [{ a: 1 }] }), encoding: "JSON" };
  const output = { observedContentType: "application/json", mode: "OUTPUT", data: '{"predictions": [0.5]}', encoding: "JSON" };
  const read = (line: string) => parseSageMakerCapture(line, ["a"]);

  test("inputs first (SageMaker's layout), outputs first, and no outputs give the same record", () => {
    for (const captureData of [
      { endpointInput: input, endpointOutput: output },
      { endpointOutput: output, endpointInput: input },
      { endpointInput: input },
    ]) {
      expect(read(JSON.stringify({ captureData, eventMetadata: { eventId: "1" } }))).toEqual({ records: [{ a: 1 }], unparseable: 0 });
    }
  });

  test("a payload whose text contains the output key is not cut inside its string", () => {
    const tricky = { ...input, data: JSON.stringify({ instances: [{ a: ',"endpointOutput":{' }] }) };
    expect(read(JSON.stringify({ captureData: { endpointInput: tricky, endpointOutput: output } })).records).toEqual([{ a: ',"endpointOutput":{' }]);
  });

  test("a line whose inputs come after another object with an endpointOutput key is read whole", () => {
    const line = JSON.stringify({ eventMetadata: { x: { y: 1 } }, captureData: { endpointOutput: output, endpointInput: input } });
    expect(read(line).records).toEqual([{ a: 1 }]);
  });
});
