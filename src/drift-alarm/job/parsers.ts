import { FeatureRecord } from "./baseline";

/** What a parser made of one capture object. */
export interface ParsedCapture {
  records: FeatureRecord[];
  /** Lines or payloads that could not be read as features. */
  unparseable: number;
}

/**
 * Records of an inference request body, in the shapes model servers accept:
 * - KServe v1 / TF serving: `{"instances": [ {...} | [...] ]}`
 * - Open Inference Protocol (KServe v2, MLServer): `{"inputs": [{"name", "data", ...}]}`, one tensor per
 *   feature (columnar) or one tensor of rows
 * - MLflow scoring: `{"dataframe_split": {"columns", "data"}}`, `{"dataframe_records": [...]}`
 * - a bare object (one record) or array (of records or rows).
 * Positional rows take their names from `featureOrder`.
 */
export function recordsOfRequest(body: unknown, featureOrder: string[]): FeatureRecord[] | undefined {
  const row = (r: unknown): FeatureRecord | undefined => {
    if (Array.isArray(r)) return Object.fromEntries(r.map((v, i) => [featureOrder[i] ?? `column_${i}`, v]));
    if (r && typeof r === "object") return r as FeatureRecord;
    return undefined;
  };
  const rows = (a: unknown[]) => {
    const out = a.map(row);
    return out.every((r) => r !== undefined) ? (out as FeatureRecord[]) : undefined;
  };
  if (Array.isArray(body)) return rows(body);
  if (!body || typeof body !== "object") return undefined;
  const b = body as Record<string, unknown>;
  if (Array.isArray(b.instances)) return rows(b.instances);
  if (Array.isArray(b.dataframe_records)) return rows(b.dataframe_records);
  if (b.dataframe_split && typeof b.dataframe_split === "object") {
    const split = b.dataframe_split as { columns?: string[]; data?: unknown[][] };
    if (Array.isArray(split.columns) && Array.isArray(split.data)) {
      return split.data.map((r) => Object.fromEntries(split.columns!.map((c, i) => [c, r[i]])));
    }
    return undefined;
  }
  if (Array.isArray(b.inputs)) {
    const inputs = b.inputs as { name?: string; data?: unknown[]; shape?: number[] }[];
    const named = inputs.filter((t) => typeof t.name === "string" && Array.isArray(t.data));
    if (named.length !== inputs.length) return undefined;
    // One tensor of rows: shape [n, features].
    if (named.length === 1 && named[0].shape?.length === 2 && !featureOrder.includes(named[0].name!)) {
      const [n, width] = named[0].shape;
      const flat = (named[0].data as unknown[]).flat();
      return Array.from({ length: n }, (_, i) => row(flat.slice(i * width, (i + 1) * width))!);
    }
    // One tensor per feature (columnar).
    const length = Math.max(...named.map((t) => (t.data as unknown[]).flat().length));
    return Array.from({ length }, (_, i) => Object.fromEntries(named.map((t) => [t.name!, (t.data as unknown[]).flat()[i]])));
  }
  return row(b) ? [b as FeatureRecord] : undefined;
}

function decode(data: string, encoding: string | undefined): string {
  return encoding === "BASE64" ? Buffer.from(data, "base64").toString("utf8") : data;
}

/**
 * SageMaker data capture: JSON lines, each with `captureData.endpointInput` (`data`, `encoding`
 * JSON|CSV|BASE64, `observedContentType`). Only inputs are features.
 */
export function parseSageMakerCapture(text: string, featureOrder: string[]): ParsedCapture {
  const out: ParsedCapture = { records: [], unparseable: 0 };
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const event = JSON.parse(line) as { captureData?: { endpointInput?: { data?: string; encoding?: string; observedContentType?: string } } };
      const input = event.captureData?.endpointInput;
      if (!input || typeof input.data !== "string") throw new Error("no endpointInput");
      const raw = decode(input.data, input.encoding);
      const csv = input.encoding === "CSV" || (input.observedContentType ?? "").includes("csv");
      const records = csv
        ? raw
            .split("\n")
            .filter((l) => l.trim())
            .map((l) => Object.fromEntries(l.split(",").map((v, i) => [featureOrder[i] ?? `column_${i}`, v.trim()])))
        : recordsOfRequest(JSON.parse(raw), featureOrder);
      if (!records) throw new Error("unknown payload shape");
      out.records.push(...records);
    } catch {
      out.unparseable++;
    }
  }
  return out;
}

/**
 * KServe's logger with S3 storage and the JSON marshaller: an object is one log request or an array
 * of them, each with `reqType` (`...request` or `...response`) and `bytes` (the body, base64).
 * Only requests are features.
 */
export function parseKServeLog(text: string, featureOrder: string[]): ParsedCapture {
  const out: ParsedCapture = { records: [], unparseable: 0 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { records: [], unparseable: 1 };
  }
  for (const entry of Array.isArray(parsed) ? parsed : [parsed]) {
    const e = entry as { reqType?: string; bytes?: string };
    if (!e || typeof e.reqType !== "string" || !e.reqType.endsWith("request")) continue;
    try {
      const records = recordsOfRequest(JSON.parse(Buffer.from(e.bytes ?? "", "base64").toString("utf8")), featureOrder);
      if (!records) throw new Error("unknown payload shape");
      out.records.push(...records);
    } catch {
      out.unparseable++;
    }
  }
  return out;
}
