/**
 * cdktf writes a stack's `cdk.tf.json` with `json-stable-stringify` (sorted keys, two-space indent),
 * which builds the document as one string: every object and array is joined from its children's
 * strings, so each level of nesting copies the text below it again, and the copies stay on the heap
 * until the next full collection. For an app of 1,000 endpoints with drift alarms (about 90 MB of JSON)
 * that took the process from 480 MiB before the write to a 1,010 MiB peak (`npm run bench`).
 *
 * The library writes the same bytes as it goes: {@link writeStableJson} walks the resolved
 * configuration once and hands the file system chunks of about 1 MiB, so the write costs one chunk
 * instead of a copy of the document per level. The format is json-stable-stringify 1.3's with
 * `{ space: 2 }`, the options cdktf 0.21 passes: keys in `Array.prototype.sort` order, `toJSON()` called
 * first, `undefined` (and functions, symbols) dropped from objects and written `null` in arrays, an
 * empty object or array written over two lines (`{`, newline, indent, `}`), a circular object refused
 * with the same `TypeError`. test/core/stable-json.test.ts checks it against json-stable-stringify on
 * generated values and every example. `CDKTF_MLOPS_CDKTF_STRINGIFY=1` leaves the write to cdktf.
 */
import * as fs from "fs";
import * as path from "path";
import type { IStackSynthesizer, ISynthesisSession, TerraformStack } from "cdktf";
import { envFlag } from "./env-flag";

const CHUNK = 1 << 20;
const SPACE = "  ";

/** Appends the stable JSON text of `value` to `sink` in pieces (each a complete UTF-16 string). */
export function stableJsonChunks(value: unknown, sink: (text: string) => void): void {
  let buffer = "";
  const indents: string[] = ["\n"];
  const indent = (level: number): string => (indents[level] ??= indent(level - 1) + SPACE);
  const emit = (s: string) => {
    buffer += s;
    if (buffer.length >= CHUNK) {
      sink(buffer);
      buffer = "";
    }
  };
  const seen: object[] = [];

  /** A node as json-stable-stringify writes it: what its `toJSON()` returns, when it has one. */
  const prepare = (node: unknown): unknown =>
    node && typeof (node as { toJSON?: unknown }).toJSON === "function" ? (node as { toJSON(): unknown }).toJSON() : node;

  /** Writes a prepared node that is an object or an array at `level`. */
  const writeObject = (node: object, level: number): void => {
    const close = indent(level);
    const inner = indent(level + 1);
    if (Array.isArray(node)) {
      emit("[");
      for (let i = 0; i < node.length; i++) {
        if (i > 0) emit(",");
        emit(inner);
        const item = prepare(node[i]);
        if (typeof item === "object" && item !== null) writeObject(item, level + 1);
        else emit(JSON.stringify(item) ?? "null"); // JSON.stringify gives undefined for what it omits
      }
      emit(close + "]");
      return;
    }
    if (seen.indexOf(node) !== -1) throw new TypeError("Converting circular structure to JSON");
    seen.push(node);
    emit("{");
    let first = true;
    for (const key of Object.keys(node).sort()) {
      const item = prepare((node as Record<string, unknown>)[key]);
      const head = (first ? "" : ",") + inner + JSON.stringify(key) + ": ";
      if (typeof item === "object" && item !== null) {
        emit(head);
        writeObject(item, level + 1);
      } else {
        const text = JSON.stringify(item);
        if (text === undefined) continue; // undefined, a function or a symbol: no key
        emit(head + text);
      }
      first = false;
    }
    seen.splice(seen.indexOf(node), 1);
    emit(close + "}");
  };

  const root = prepare(value);
  if (typeof root === "object" && root !== null) writeObject(root, 0);
  else {
    const text = JSON.stringify(root);
    if (text !== undefined) emit(text);
  }
  if (buffer) sink(buffer);
}

/**
 * The stable JSON text of `value` as one string: json-stable-stringify's output with `{ space: 2 }`,
 * `undefined` for a value it writes nothing for (`undefined`, a function).
 */
export function stableJson(value: unknown): string | undefined {
  const parts: string[] = [];
  stableJsonChunks(value, (s) => parts.push(s));
  return parts.length > 0 ? parts.join("") : undefined;
}

/** Writes the stable JSON text of `value` to `file`, a chunk at a time. */
export function writeStableJson(file: string, value: unknown): void {
  const fd = fs.openSync(file, "w");
  try {
    stableJsonChunks(value, (s) => {
      fs.writeSync(fd, s);
    });
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Runs cdktf's synthesizer for `stack` but writes its `cdk.tf.json` with {@link writeStableJson}:
 * cdktf does everything else (aspects, validations, custom synthesis, annotations, the manifest) and
 * resolves the configuration at the same moment as always; only the final stringify is replaced. The
 * HCL output (`SYNTH_HCL_OUTPUT`) and `CDKTF_MLOPS_CDKTF_STRINGIFY=1` go through cdktf unchanged.
 */
export function synthesizeWithStableJson(stack: TerraformStack, inner: IStackSynthesizer, session: ISynthesisSession): void {
  if (envFlag(process.env, "CDKTF_MLOPS_CDKTF_STRINGIFY")) {
    inner.synthesize(session);
    return;
  }
  const toTerraform = stack.toTerraform;
  let config: { value: unknown } | undefined;
  stack.toTerraform = () => {
    config = { value: toTerraform.call(stack) };
    return {}; // what cdktf's own stringify then writes, before the file is written here
  };
  try {
    inner.synthesize(session);
  } finally {
    delete (stack as { toTerraform?: unknown }).toTerraform;
    if (stack.toTerraform !== toTerraform) stack.toTerraform = toTerraform;
  }
  if (config) {
    const file = path.join(session.outdir, session.manifest.forStack(stack).synthesizedStackPath);
    writeStableJson(file, config.value);
  }
}
