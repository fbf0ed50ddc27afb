/**
 * Fast paths of the capture parsers, for the shapes real traffic has: a SageMaker capture line's
 * `endpointInput`, a KServe logger object's request bodies, and a request body of `instances` rows.
 *
 * Each one reads only what it recognises, checks it as strictly as `JSON.parse` would, and emits
 * nothing until the whole input was read. For anything else (another shape, an escape in a key, a
 * number it cannot convert exactly, malformed JSON) it returns `false`/`undefined` without emitting,
 * and the general parser (`JSON.parse` and the shape rules in `parsers.ts`) decides. So a fast path
 * never changes a result; it only spares the objects and strings `JSON.parse` would allocate.
 */

/** Marks a value the scanner does not read (the general parser decides). */
const NOPE: unique symbol = Symbol("not read");

/** Position after the last value `scalar` read. */
let pos = 0;

/** Powers of ten that a double holds exactly. */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/**
 * Quotes are one character, or two (`\\"`) in escaped mode: a JSON document read in place inside a JSON
 * string (a SageMaker capture's `data`), where only `\\"` may be escaped and white space is spaces.
 */
let esc = false;

/** The index after JSON white space at `p` (spaces only in escaped mode); small enough to be inlined. */
function ws(s: string, p: number): number {
  return s.charCodeAt(p) > 32 ? p : skipSpace(s, p);
}

function skipSpace(s: string, p: number): number {
  let c = s.charCodeAt(p);
  if (esc) while (c === 32) c = s.charCodeAt(++p);
  else while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++p);
  return p;
}

/** Whether `s` holds `name` at `p` (a loop the compiler inlines, unlike `startsWith`). */
function holds(s: string, p: number, name: string): boolean {
  const n = name.length;
  for (let i = 0; i < n; i++) if (s.charCodeAt(p + i) !== name.charCodeAt(i)) return false;
  return true;
}

/** Whether a quote starts at `p`. */
function quoteAt(s: string, p: number): boolean {
  return esc ? s.charCodeAt(p) === 92 && s.charCodeAt(p + 1) === 34 : s.charCodeAt(p) === 34;
}

/** The index of the quote that closes the string whose content starts at `p`, if it has no escape; -1 otherwise. */
function stringEnd(s: string, p: number): number {
  for (let i = p; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) return esc && s.charCodeAt(i + 1) === 34 ? i : -1;
    if (c === 34 || c < 32) return esc ? -1 : c === 34 ? i : -1;
  }
  return -1;
}

/**
 * A JSON number at `p` (the grammar of RFC 8259, checked). Up to 15 significant digits without an
 * exponent, the value is the digits as an integer divided by a power of ten: both are exact doubles, so
 * the one IEEE division is correctly rounded, as `JSON.parse` is. Longer numbers and exponents go
 * through `Number`, which converts JSON's number grammar exactly as `JSON.parse` does.
 */
function number(s: string, p: number): number | typeof NOPE {
  const start = p;
  let c = s.charCodeAt(p);
  const negative = c === 45;
  if (negative) c = s.charCodeAt(++p);
  let m = 0;
  let digits = 0;
  let fraction = 0;
  if (c === 48) {
    c = s.charCodeAt(++p);
    digits = 1;
    if (c >= 48 && c <= 57) return NOPE; // a leading zero
  } else if (c >= 49 && c <= 57) {
    do {
      m = m * 10 + (c - 48);
      digits++;
      c = s.charCodeAt(++p);
    } while (c >= 48 && c <= 57);
  } else return NOPE;
  if (c === 46) {
    c = s.charCodeAt(++p);
    if (!(c >= 48 && c <= 57)) return NOPE;
    do {
      m = m * 10 + (c - 48);
      digits++;
      fraction++;
      c = s.charCodeAt(++p);
    } while (c >= 48 && c <= 57);
  }
  if (c === 101 || c === 69) {
    c = s.charCodeAt(++p);
    if (c === 43 || c === 45) c = s.charCodeAt(++p);
    if (!(c >= 48 && c <= 57)) return NOPE;
    do c = s.charCodeAt(++p);
    while (c >= 48 && c <= 57);
    pos = p;
    return Number(s.slice(start, p));
  }
  pos = p;
  if (digits > 15) return Number(s.slice(start, p));
  const v = fraction === 0 ? m : m / POW10[fraction];
  return negative ? -v : v;
}

/** A string without escapes, a number, `true`, `false` or `null` at `p`; NOPE for anything else. */
function scalar(s: string, p: number): unknown {
  const c = s.charCodeAt(p);
  if (c === 34 || c === 92) {
    if (!quoteAt(s, p)) return NOPE;
    const from = p + (esc ? 2 : 1);
    const to = stringEnd(s, from);
    if (to < 0) return NOPE;
    pos = to + (esc ? 2 : 1);
    return s.slice(from, to);
  }
  if (c === 45 || (c >= 48 && c <= 57)) return number(s, p);
  if (c === 116 && s.startsWith("true", p)) {
    pos = p + 4;
    return true;
  }
  if (c === 102 && s.startsWith("false", p)) {
    pos = p + 5;
    return false;
  }
  if (c === 110 && s.startsWith("null", p)) {
    pos = p + 4;
    return null;
  }
  return NOPE;
}

/** Slot of each name of a feature order (undefined for an order a key can never match: repeats, quotes, escapes). */
const slotCache = new WeakMap<string[], Map<string, number> | null>();
function slotsOf(order: string[]): Map<string, number> | undefined {
  let slots = slotCache.get(order);
  if (slots === undefined) {
    slots = new Map(order.map((f, i) => [f, i]));
    if (slots.size !== order.length || order.some((f) => /["\\\u0000-\u001f]/.test(f))) slots = null;
    slotCache.set(order, slots);
  }
  return slots ?? undefined;
}

/** Where rows go: `row` takes positional rows (read during the call only); without it, records named by the order. */
export interface RowSink {
  (record: Record<string, unknown>): void;
  row?: (values: unknown[]) => void;
}

/** Values of the rows of the body being read, row after row, in feature order. */
const values: unknown[] = [];
/** Values in `values` (rows times the order's width). */
let valueCount = 0;
/** The row handed to the sink (the sink reads it during the call only). */
let row: unknown[] = [];
/** Per slot, the row (by `stamp`) in which a key set it: a key twice in one row is left to JSON.parse. */
const setIn: number[] = [];
let stamp = 0;

/**
 * Reads `{"instances": [row, ...]}` from `p`, rows into `values`: positional arrays of the order's width
 * or objects whose keys are exactly the order's names (each once), every value a string without escapes,
 * a number, a boolean or null. The index after the closing brace, or -1 for anything else.
 */
function instancesAt(s: string, p: number, order: string[]): number {
  const width = order.length;
  const qw = esc ? 2 : 1;
  valueCount = 0;
  p = ws(s, p);
  if (s.charCodeAt(p) !== 123) return -1;
  p = ws(s, p + 1);
  if (!quoteAt(s, p) || !holds(s, p + qw, "instances") || !quoteAt(s, p + qw + 9)) return -1;
  p = ws(s, p + 2 * qw + 9);
  if (s.charCodeAt(p) !== 58) return -1;
  p = ws(s, p + 1);
  if (s.charCodeAt(p) !== 91) return -1;
  p = ws(s, p + 1);
  let n = 0;
  if (s.charCodeAt(p) !== 93) {
    for (;;) {
      const c = s.charCodeAt(p);
      let count = 0;
      if (c === 91) {
        p = ws(s, p + 1);
        if (s.charCodeAt(p) !== 93) {
          for (;;) {
            const v = scalar(s, p);
            if (v === NOPE || count === width) return -1;
            values[n + count++] = v;
            p = ws(s, pos);
            const d = s.charCodeAt(p);
            if (d === 44) p = ws(s, p + 1);
            else if (d === 93) break;
            else return -1;
          }
        }
      } else if (c === 123) {
        const slots = slotsOf(order);
        if (!slots) return -1;
        stamp++;
        p = ws(s, p + 1);
        if (s.charCodeAt(p) !== 125) {
          for (;;) {
            if (!quoteAt(s, p)) return -1;
            const from = p + qw;
            // Keys usually come in the order's order: compared in place; any other key is looked up.
            let slot: number | undefined = count < width ? count : -1;
            const name = slot >= 0 ? order[slot] : "";
            let to = from + name.length;
            if (slot < 0 || !holds(s, from, name) || !quoteAt(s, to)) {
              to = stringEnd(s, from);
              if (to < 0) return -1;
              slot = slots.get(s.slice(from, to));
              if (slot === undefined) return -1;
            }
            if (setIn[slot] === stamp) return -1;
            setIn[slot] = stamp;
            p = ws(s, to + qw);
            if (s.charCodeAt(p) !== 58) return -1;
            const v = scalar(s, ws(s, p + 1));
            if (v === NOPE) return -1;
            values[n + slot] = v;
            count++;
            p = ws(s, pos);
            const d = s.charCodeAt(p);
            if (d === 44) p = ws(s, p + 1);
            else if (d === 125) break;
            else return -1;
          }
        }
      } else return -1;
      if (count !== width) return -1;
      n += width;
      p = ws(s, p + 1);
      const d = s.charCodeAt(p);
      if (d === 44) p = ws(s, p + 1);
      else if (d === 93) break;
      else return -1;
    }
  }
  p = ws(s, p + 1);
  if (s.charCodeAt(p) !== 125) return -1;
  valueCount = n;
  return p + 1;
}

/** Hands the rows read by `instancesAt` to the sink. */
function emitValues(order: string[], sink: RowSink): void {
  const width = order.length;
  const n = valueCount;
  valueCount = 0;
  if (sink.row) {
    if (row.length !== width) row = new Array<unknown>(width);
    for (let at = 0; at < n; at += width) {
      for (let i = 0; i < width; i++) row[i] = values[at + i];
      sink.row(row);
    }
  } else {
    for (let at = 0; at < n; at += width) {
      const record: Record<string, unknown> = {};
      for (let i = 0; i < width; i++) record[order[i]] = values[at + i];
      sink(record);
    }
  }
  if (values.length > 4096) values.length = 0;
}

/**
 * Reads a request body `{"instances": [row, ...]}` whose rows are positional arrays of the feature
 * order's width or objects whose keys are exactly the feature order's names (each once), every value a
 * string without escapes, a number, a boolean or null. Each row is handed to the sink in feature order
 * (as `parsers.ts` hands positional rows; an object row of exactly those keys names the same values).
 * Returns false, having emitted nothing, for any other body.
 */
export function readInstances(s: string, order: string[], sink: RowSink): boolean {
  esc = false;
  const end = instancesAt(s, 0, order);
  if (end < 0 || ws(s, end) !== s.length) return false;
  emitValues(order, sink);
  return true;
}

/** A string at `p` (escapes checked as JSON.parse checks them); the index after it, or -1. */
function skipString(s: string, p: number): number {
  for (let i = p + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c < 32) return -1;
    if (c === 92) {
      const e = s.charCodeAt(++i);
      if (e === 117) {
        if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) return -1;
        i += 4;
      } else if (e !== 34 && e !== 92 && e !== 47 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116) return -1;
    }
  }
  return -1;
}

/** Any JSON value at `p` (checked, not built); the index after it, or -1. */
function skipValue(s: string, p: number): number {
  const c = s.charCodeAt(p);
  if (c === 34) return skipString(s, p);
  if (c === 123 || c === 91) {
    const close = c === 123 ? 125 : 93;
    p = ws(s, p + 1);
    if (s.charCodeAt(p) === close) return p + 1;
    for (;;) {
      if (c === 123) {
        if (s.charCodeAt(p) !== 34) return -1;
        p = skipString(s, p);
        if (p < 0) return -1;
        p = ws(s, p);
        if (s.charCodeAt(p) !== 58) return -1;
        p = ws(s, p + 1);
      }
      p = skipValue(s, p);
      if (p < 0) return -1;
      p = ws(s, p);
      const d = s.charCodeAt(p);
      if (d === close) return p + 1;
      if (d !== 44) return -1;
      p = ws(s, p + 1);
    }
  }
  return scalar(s, p) === NOPE ? -1 : pos;
}

/** What the skim of a capture line found in `captureData.endpointInput`. */
let lineOrder: string[] = [];
let found = 0;
let encoding: string | undefined;
let contentType: string | undefined;

const CAPTURE_DATA = 1;
const ENDPOINT_INPUT = 2;
const DATA = 4;
const ENCODING = 8;
const CONTENT_TYPE = 16;

/** The key of `level` (0 the line, 1 captureData, 2 endpointInput) whose name is `s[from, to)`, or 0. */
function keyOf(s: string, from: number, to: number, level: number): number {
  const n = to - from;
  if (level === 0) return n === 11 && holds(s, from, "captureData") ? CAPTURE_DATA : 0;
  if (level === 1) return n === 13 && holds(s, from, "endpointInput") ? ENDPOINT_INPUT : 0;
  if (level === 2) {
    if (n === 4 && holds(s, from, "data")) return DATA;
    if (n === 8 && holds(s, from, "encoding")) return ENCODING;
    if (n === 19 && holds(s, from, "observedContentType")) return CONTENT_TYPE;
  }
  return 0;
}

/** The object at `p` of `level`; the index after it, or -1 for anything the fast path does not read. */
function captureObject(s: string, p: number, level: number): number {
  p = ws(s, p + 1);
  if (s.charCodeAt(p) === 125) return p + 1;
  for (;;) {
    if (s.charCodeAt(p) !== 34) return -1;
    const to = stringEnd(s, p + 1);
    if (to < 0) return -1;
    const key = keyOf(s, p + 1, to, level);
    // A key twice is left to JSON.parse (which keeps the last).
    if (found & key) return -1;
    found |= key;
    p = ws(s, to + 1);
    if (s.charCodeAt(p) !== 58) return -1;
    p = ws(s, p + 1);
    if (key === CAPTURE_DATA || key === ENDPOINT_INPUT) {
      if (s.charCodeAt(p) !== 123) return -1;
      p = captureObject(s, p, level + 1);
    } else if (key === DATA) {
      // The request body, read in place inside its JSON string.
      if (s.charCodeAt(p) !== 34) return -1;
      esc = true;
      const end = instancesAt(s, p + 1, lineOrder);
      p = end < 0 ? -1 : ws(s, end);
      esc = false;
      if (p < 0 || s.charCodeAt(p) !== 34) return -1;
      p++;
    } else if (key === ENCODING || key === CONTENT_TYPE) {
      if (s.charCodeAt(p) !== 34) return -1;
      const end = stringEnd(s, p + 1);
      if (end < 0) return -1;
      if (key === ENCODING) encoding = s.slice(p + 1, end);
      else contentType = s.slice(p + 1, end);
      p = end + 1;
    } else p = skipValue(s, p);
    if (p < 0) return -1;
    p = ws(s, p);
    const d = s.charCodeAt(p);
    if (d === 125) return p + 1;
    if (d !== 44) return -1;
    p = ws(s, p + 1);
  }
}

/**
 * Emits the records of one SageMaker capture line whose document (`doc`: the line, or its part before
 * the outputs closed with `}}`, as `parsers.ts` parses it) is valid JSON and has in
 * `captureData.endpointInput` a JSON `data` string holding a request body that `readInstances` reads, with
 * the `encoding` and `observedContentType` strings of a JSON body. The body is read in place, inside its
 * string (whose only escapes may be `\\"`), so neither the line nor the body is built. Returns false, having
 * emitted nothing, for any other line.
 */
export function readSageMakerLine(doc: string, order: string[], sink: RowSink): boolean {
  lineOrder = order;
  found = 0;
  encoding = undefined;
  contentType = undefined;
  esc = false;
  try {
    const p = ws(doc, 0);
    if (doc.charCodeAt(p) !== 123) return false;
    const end = captureObject(doc, p, 0);
    if (end < 0 || ws(doc, end) !== doc.length || !(found & DATA)) return false;
  } catch {
    // nested past the stack: JSON.parse decides
    esc = false;
    return false;
  }
  if (encoding === "BASE64" || encoding === "CSV" || (contentType ?? "").includes("csv")) return false;
  emitValues(order, sink);
  return true;
}
