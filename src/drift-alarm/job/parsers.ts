import { FeatureRecord } from "./baseline";

/** What a parser made of one capture object. */
export interface ParsedCapture {
  records: FeatureRecord[];
  /** Lines or payloads that could not be read as features. */
  unparseable: number;
}

/**
 * Receives records one at a time, as they are parsed (nothing is kept). With `row`, positional rows
 * (already checked to be as wide as the feature order) are handed over as they are, unnamed.
 */
export interface RecordSink {
  (record: FeatureRecord): void;
  row?: (values: unknown[]) => void;
}

/** Hands a positional row of the feature order's width to the sink. */
function emitPositional(values: unknown[], featureOrder: string[], sink: RecordSink): void {
  if (sink.row) sink.row(values);
  else sink(positional(values, featureOrder)!);
}

/** Names a positional row by the baseline's feature order; a row of another width is not guessed. */
function positional(row: unknown[], featureOrder: string[]): FeatureRecord | undefined {
  if (row.length !== featureOrder.length) return undefined;
  const r: FeatureRecord = {};
  for (let i = 0; i < row.length; i++) r[featureOrder[i]] = row[i];
  return r;
}

/** Flattens nested tensor data without spreading it into a call's arguments. */
function flatten(data: unknown[]): unknown[] {
  if (!data.some(Array.isArray)) return data;
  const out: unknown[] = [];
  const walk = (a: unknown[]) => {
    for (const v of a) if (Array.isArray(v)) walk(v);
    else out.push(v);
  };
  walk(data);
  return out;
}

/** Rows of records or positional rows; every row is checked before any is emitted, so that a bad body adds nothing. */
function emitRows(a: unknown[], featureOrder: string[], sink: RecordSink): boolean {
  for (const r of a) {
    if (Array.isArray(r)) {
      if (r.length !== featureOrder.length) return false;
    } else if (!r || typeof r !== "object") return false;
  }
  for (const r of a) {
    if (Array.isArray(r)) emitPositional(r, featureOrder, sink);
    else sink(r as FeatureRecord);
  }
  return true;
}

/**
 * Emits the records of an inference request body, in the shapes model servers accept:
 * - KServe v1 / TF serving: `{"instances": [ {...} | [...] ]}`
 * - Open Inference Protocol (KServe v2, MLServer): `{"inputs": [{"name", "data", ...}]}`, one tensor per
 *   feature (columnar) or one tensor of rows
 * - MLflow scoring: `{"dataframe_split": {"columns", "data"}}`, `{"dataframe_records": [...]}`
 * - a bare object (one record) or array (of records or rows).
 * Positional rows take their names from `featureOrder`; a row of another width makes the body
 * unparseable. Returns false (and emits nothing) for a body it cannot read.
 */
export function emitRequestRecords(body: unknown, featureOrder: string[], sink: RecordSink): boolean {
  if (Array.isArray(body)) return emitRows(body, featureOrder, sink);
  if (!body || typeof body !== "object") return false;
  const b = body as Record<string, unknown>;
  if (Array.isArray(b.instances)) return emitRows(b.instances, featureOrder, sink);
  if (Array.isArray(b.dataframe_records)) return emitRows(b.dataframe_records, featureOrder, sink);
  if (b.dataframe_split && typeof b.dataframe_split === "object") {
    const split = b.dataframe_split as { columns?: string[]; data?: unknown[][] };
    if (!Array.isArray(split.columns) || !Array.isArray(split.data)) return false;
    const columns = split.columns;
    if (!split.data.every((r) => Array.isArray(r) && r.length === columns.length)) return false;
    for (const r of split.data) {
      const rec: FeatureRecord = {};
      for (let i = 0; i < columns.length; i++) rec[columns[i]] = r[i];
      sink(rec);
    }
    return true;
  }
  if (Array.isArray(b.inputs)) {
    const inputs = b.inputs as { name?: string; data?: unknown[]; shape?: number[] }[];
    if (!inputs.every((t) => t && typeof t.name === "string" && Array.isArray(t.data))) return false;
    // One tensor of rows: shape [n, features].
    if (inputs.length === 1 && inputs[0].shape?.length === 2 && !featureOrder.includes(inputs[0].name!)) {
      const [n, width] = inputs[0].shape;
      const flat = flatten(inputs[0].data!);
      if (width !== featureOrder.length || flat.length !== n * width) return false;
      for (let i = 0; i < n; i++) emitPositional(flat.slice(i * width, (i + 1) * width), featureOrder, sink);
      return true;
    }
    // One tensor per feature (columnar).
    const columns = inputs.map((t) => flatten(t.data!));
    let length = 0;
    for (const c of columns) length = Math.max(length, c.length);
    for (let i = 0; i < length; i++) {
      const rec: FeatureRecord = {};
      for (let j = 0; j < inputs.length; j++) rec[inputs[j].name!] = columns[j][i];
      sink(rec);
    }
    return true;
  }
  sink(b);
  return true;
}

/** The records of a request body as an array, or undefined for a body that cannot be read. */
export function recordsOfRequest(body: unknown, featureOrder: string[]): FeatureRecord[] | undefined {
  const out: FeatureRecord[] = [];
  return emitRequestRecords(body, featureOrder, (r) => out.push(r)) ? out : undefined;
}

/** Emits the rows of a CSV request body (numbers and plain values, as model servers take them). */
function emitCsvBody(raw: string, featureOrder: string[], sink: RecordSink): boolean {
  const lines = raw.split("\n").filter((l) => l.trim());
  const rows = lines.map((l) => l.split(",").map((v) => v.trim()));
  if (!rows.every((r) => r.length === featureOrder.length)) return false;
  for (const r of rows) emitPositional(r, featureOrder, sink);
  return true;
}

interface SageMakerInput {
  data?: string;
  encoding?: string;
  observedContentType?: string;
}

interface SageMakerEvent {
  captureData?: { endpointInput?: SageMakerInput };
}

/**
 * One line of SageMaker data capture: `captureData.endpointInput` (`data`, `encoding` JSON|CSV|BASE64,
 * `observedContentType`). Only inputs are features. Returns false for a line it cannot read.
 */
export function emitSageMakerLine(line: string, featureOrder: string[], sink: RecordSink): boolean {
  try {
    const input = endpointInput(line);
    if (!input || typeof input.data !== "string") return false;
    const raw = input.encoding === "BASE64" ? Buffer.from(input.data, "base64").toString("utf8") : input.data;
    const csv = input.encoding === "CSV" || (input.observedContentType ?? "").includes("csv");
    return csv ? emitCsvBody(raw, featureOrder, sink) : emitRequestRecords(JSON.parse(raw), featureOrder, sink);
  } catch {
    return false;
  }
}

const OUTPUT_KEY = ',"endpointOutput":';
const INPUT_PREFIX = '{"captureData":{"endpointInput":';

/**
 * The `endpointInput` of a capture line: read from SageMaker's own layout ({@link templatedInput}), or
 * else parsed ({@link parsedEndpointInput}); both give the same input for a line that the first reads.
 */
function endpointInput(line: string): SageMakerInput | undefined {
  const cut = line.indexOf(OUTPUT_KEY);
  return (cut > 0 ? templatedInput(line, cut) : undefined) ?? parsedEndpointInput(line, cut);
}

/**
 * The `endpointInput` of a capture line, parsed. SageMaker writes `{"captureData":{"endpointInput":{...},
 * "endpointOutput":{...}},"eventMetadata":...}`: the outputs are no features, so the line is parsed
 * only up to them. `,"endpointOutput":` cannot occur inside a JSON string (its quote would be
 * escaped), so the cut (its first occurrence) is at a key; when the cut text is not such a document,
 * the whole line is parsed. Throws for a line that is not JSON.
 */
export function parsedEndpointInput(line: string, cut = line.indexOf(OUTPUT_KEY)): SageMakerInput | undefined {
  if (cut > 0 && line.startsWith(INPUT_PREFIX)) {
    // The usual line: the text between is `endpointInput` itself. When it is a JSON value on its own,
    // the cut document below is that value inside two objects, so parsing it alone gives the same input
    // without copying the line into a new string.
    try {
      const input = JSON.parse(line.slice(INPUT_PREFIX.length, cut)) as SageMakerInput | null;
      if (input && typeof input.data === "string") return input;
    } catch {
      // parsed as the cut document below
    }
  }
  if (cut > 0) {
    try {
      const input = (JSON.parse(line.slice(0, cut) + "}}") as SageMakerEvent).captureData?.endpointInput;
      if (input && typeof input.data === "string") return input;
    } catch {
      // another layout: parse the whole line
    }
  }
  return (JSON.parse(line) as SageMakerEvent).captureData?.endpointInput;
}

/**
 * The head of a line in the layout SageMaker writes, up to the opening quote of the input's data: a
 * content type without quote, backslash or control character (a value that would need one is left to the
 * parse). Sticky: matched at the start of the line only.
 */
// eslint-disable-next-line no-control-regex -- the control characters are what a plain content type excludes
const TEMPLATE_HEAD = /\{"captureData":\{"endpointInput":\{"observedContentType":"[^"\\\x00-\x1f]*","mode":"INPUT","data":"/y;
const TEMPLATE_ENCODING = '","encoding":"';
/** Where the content type starts in a line that {@link TEMPLATE_HEAD} matches. */
const TYPE_START = '{"captureData":{"endpointInput":{"observedContentType":"'.length;
const TYPE_TO_DATA = '","mode":"INPUT","data":"'.length;

/**
 * The `endpointInput` of a line in the layout SageMaker writes, read without parsing the object around
 * its `data` (whose quotes are escaped, so that the object's parse unescapes it once before the body's):
 * `{"captureData":{"endpointInput":{"observedContentType":"<type>","mode":"INPUT","data":"<data>","encoding":"<encoding>"},"endpointOutput":`.
 * - `<type>` and `<encoding>` hold no quote, backslash or control character.
 * - The data's string literal (from its opening quote to the quote before `,"encoding":`) is parsed
 *   alone: `JSON.parse` rejects it unless it is exactly one string.
 * So when this returns an input, the text up to the outputs is exactly that object, and parsing it would
 * give the same input. Any other line gives undefined, and is parsed. `cut` is where `,"endpointOutput":`
 * first occurs in the line.
 */
export function templatedInput(line: string, cut: number): SageMakerInput | undefined {
  TEMPLATE_HEAD.lastIndex = 0;
  if (!TEMPLATE_HEAD.test(line)) return undefined;
  const dataOpen = TEMPLATE_HEAD.lastIndex - 1;
  // Backwards from the outputs: `","encoding":"<encoding>"}` right before them.
  const encodingEnd = cut - 2;
  if (line.charCodeAt(encodingEnd) !== 0x22 || line.charCodeAt(cut - 1) !== 0x7d) return undefined;
  let encodingStart = encodingEnd;
  for (let c = line.charCodeAt(encodingStart - 1); c !== 0x22; c = line.charCodeAt(--encodingStart - 1)) {
    if (c < 0x20 || c === 0x5c || encodingStart <= dataOpen) return undefined;
  }
  const dataClose = encodingStart - TEMPLATE_ENCODING.length;
  if (!line.startsWith(TEMPLATE_ENCODING, dataClose)) return undefined;
  let data: string;
  try {
    // From the data's opening quote to a quote: a string, or (also when the two are one) an error.
    data = JSON.parse(line.slice(dataOpen, dataClose + 1)) as string;
  } catch {
    return undefined;
  }
  return { observedContentType: line.slice(TYPE_START, dataOpen + 1 - TYPE_TO_DATA), data, encoding: line.slice(encodingStart, encodingEnd) };
}

/** A line of nothing but white space (cheap for the usual line, which starts with `{`). */
export function isBlank(line: string): boolean {
  return line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === "");
}

/** SageMaker data capture (JSON lines), whole object at once. Returns the unparseable lines. */
export function emitSageMakerCapture(text: string, featureOrder: string[], sink: RecordSink): number {
  let unparseable = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (!isBlank(line) && !emitSageMakerLine(line, featureOrder, sink)) unparseable++;
  }
  return unparseable;
}

/** SageMaker data capture as an array of records (for tests and small objects). */
export function parseSageMakerCapture(text: string, featureOrder: string[]): ParsedCapture {
  const records: FeatureRecord[] = [];
  const unparseable = emitSageMakerCapture(text, featureOrder, (r) => records.push(r));
  return { records, unparseable };
}

let scratch = Buffer.alloc(0);

/**
 * `Buffer.from(text, "base64").toString("utf8")` through one reused buffer (the same decoder, `base64Write`),
 * without a buffer per request body. Anything but a string throws, as `Buffer.from` does for most values.
 */
function fromBase64(text: unknown): string {
  if (typeof text !== "string") return Buffer.from(text as string, "base64").toString("utf8");
  const room = ((text.length * 3) >>> 2) + 3;
  if (scratch.length < room) scratch = Buffer.allocUnsafe(Math.max(room, 2 * scratch.length, 4096));
  return scratch.toString("utf8", 0, scratch.write(text, "base64"));
}

/**
 * KServe's logger with S3 storage and the JSON marshaller: an object is one log request, or, with the
 * logger's `batchSize` above 1, a JSON array of them (KServe v0.20 `pkg/logger/marshaller_json.go`),
 * each with `reqType` (`...request` or `...response`) and `bytes` (the body, base64). Only requests are
 * features. Returns the unparseable requests (a whole object that is not JSON counts one).
 */
export function emitKServeLog(text: string, featureOrder: string[], sink: RecordSink): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 1;
  }
  let unparseable = 0;
  for (const entry of Array.isArray(parsed) ? parsed : [parsed]) {
    const e = entry as { reqType?: string; bytes?: string };
    if (!e || typeof e.reqType !== "string" || !e.reqType.endsWith("request")) continue;
    try {
      if (!emitRequestRecords(JSON.parse(fromBase64(e.bytes ?? "")), featureOrder, sink)) unparseable++;
    } catch {
      unparseable++;
    }
  }
  return unparseable;
}

const REQ_TYPE_KEY = Buffer.from('"reqType"');
const CONTENT_TYPE_KEY = Buffer.from(',"contentType":"');
const BYTES_KEY = Buffer.from('"bytes":"');
const ANNOTATIONS_KEY = Buffer.from('"annotations":');
const REQUEST = Buffer.from("request");
const QUOTE = 0x22;

/** A Buffer over the same memory as `bytes` (no copy). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Whether `needle` is in `buf` at `at`. */
function isAt(buf: Buffer, needle: Buffer, at: number): boolean {
  if (at < 0 || at + needle.length > buf.length) return false;
  for (let i = 0; i < needle.length; i++) if (buf[at + i] !== needle[i]) return false;
  return true;
}

/** The offset of the next quote from `at` (short distances: a loop costs less than a call into C++), or -1. */
function quoteAfter(buf: Buffer, at: number): number {
  for (let i = at; i < buf.length; i++) if (buf[i] === QUOTE) return i;
  return -1;
}

/** The offset of the last quote before `at`, or -1. */
function quoteBefore(buf: Buffer, at: number): number {
  for (let i = at - 1; i >= 0; i--) if (buf[i] === QUOTE) return i;
  return -1;
}

/** Whether the first and last bytes that are not white space are `[` and `]`, or `{` and `}`. */
function isArrayOrObject(buf: Buffer): boolean {
  let a = 0;
  let z = buf.length - 1;
  while (a < z && buf[a] <= 32) a++;
  while (z > a && buf[z] <= 32) z--;
  return a < z && ((buf[a] === 0x5b && buf[z] === 0x5d) || (buf[a] === 0x7b && buf[z] === 0x7d));
}

/**
 * Where the base64 bodies of a KServe logger object's requests are (start and end byte offsets, in
 * pairs), found without parsing the object, or undefined when it is not in the layout that allows it.
 * The layout is Go's encoding of v0.20's `LogRequest` (`pkg/logger/types.go`): compact, fields in struct
 * order (`url`, `bytes`, `contentType`, `reqType`, ...), quotes in strings escaped with a backslash.
 * - In an object without any backslash, every quote is a JSON delimiter: `"reqType"` is a string,
 *   and followed by `:"` a key with a string value (any other `"reqType"` sends the object to the parse), and the string right before it (or before a `contentType` right before it) is the
 *   value of its sibling key when that key is `bytes`.
 * - Without `annotations` (a log request's only map of strings: its other objects are the URLs, with
 *   capitalised keys, and `metadata`, whose values are arrays), every `reqType` key is a log request's own.
 * An object in another layout, or with a log request whose body is not right before its type (a request
 * without a body), is parsed whole instead. A body without a type is skipped either way.
 */
export function kserveRequestBodies(buf: Buffer): number[] | undefined {
  if (!isArrayOrObject(buf) || buf.indexOf(0x5c) >= 0 || buf.indexOf(ANNOTATIONS_KEY) >= 0) return undefined;
  const bodies: number[] = [];
  for (let at = 0; ; ) {
    const r = buf.indexOf(REQ_TYPE_KEY, at);
    if (r < 0) return bodies;
    // Every "reqType" string is a key of a string value here, or the whole object is parsed: with white
    // space around its colon, or a value that is no string, it would not be where this looks.
    if (buf[r + REQ_TYPE_KEY.length] !== 0x3a || buf[r + REQ_TYPE_KEY.length + 1] !== QUOTE) return undefined;
    const typeStart = r + REQ_TYPE_KEY.length + 2;
    const typeEnd = quoteAfter(buf, typeStart);
    // A type that is not right after a string (the first key, or after an object) is in another layout.
    if (typeEnd < 0 || buf[r - 1] !== 0x2c || buf[r - 2] !== QUOTE) return undefined;
    at = typeEnd + 1;
    // The string right before the type: the content type, or the body.
    let end = r - 2;
    let open = quoteBefore(buf, end);
    if (isAt(buf, CONTENT_TYPE_KEY, open - CONTENT_TYPE_KEY.length + 1)) {
      end = open - CONTENT_TYPE_KEY.length;
      if (buf[end] !== QUOTE) return undefined;
      open = quoteBefore(buf, end);
    }
    if (!isAt(buf, BYTES_KEY, open - BYTES_KEY.length + 1)) return undefined;
    if (typeEnd - typeStart >= REQUEST.length && isAt(buf, REQUEST, typeEnd - REQUEST.length)) bodies.push(open + 1, end);
  }
}

/**
 * {@link emitKServeLog} of an object's bytes, as S3 returns them: an object in the logger's own layout
 * (see {@link kserveRequestBodies}) gives its request bodies without a parse of the whole and without
 * decoding it as UTF-8; any other object is decoded and parsed whole. Both give the same records.
 */
export function emitKServeLogBytes(bytes: Uint8Array, featureOrder: string[], sink: RecordSink): number {
  const buf = asBuffer(bytes);
  const bodies = kserveRequestBodies(buf);
  if (!bodies) return emitKServeLog(buf.toString("utf8"), featureOrder, sink);
  let unparseable = 0;
  for (let i = 0; i < bodies.length; i += 2) {
    try {
      if (!emitRequestRecords(JSON.parse(fromBase64(buf.toString("latin1", bodies[i], bodies[i + 1]))), featureOrder, sink)) unparseable++;
    } catch {
      unparseable++;
    }
  }
  return unparseable;
}

/** KServe logger objects as an array of records (for tests and small objects). */
export function parseKServeLog(text: string, featureOrder: string[]): ParsedCapture {
  const records: FeatureRecord[] = [];
  const unparseable = emitKServeLog(text, featureOrder, (r) => records.push(r));
  return { records, unparseable };
}
