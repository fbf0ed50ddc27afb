import * as fs from "fs";
import { Baseline, buildBaseline, FeatureRecord } from "./baseline";

/**
 * The `cdktf-mlops baseline` command. It runs on a workstation or in a training pipeline, never in the
 * drift job's Lambda, so it may use csv-parse and hyparquet (the job itself has no dependency).
 */

const USAGE =
  "usage: cdktf-mlops baseline <training-sample.csv|.jsonl|.ndjson|.parquet> [--out baseline.json] [--bins 10] [--exclude label[,column...]]\n";

/** The part of hyparquet (ESM only, pure JavaScript, no dependency) that the command uses. */
interface Hyparquet {
  asyncBufferFromFile(path: string): Promise<unknown>;
  parquetReadObjects(options: { file: unknown }): Promise<Record<string, unknown>[]>;
}

/**
 * `import()` that TypeScript leaves as it is: compiled to CommonJS, a plain `import()` would become
 * `require()`, which cannot load an ES module on Node.js 20.
 */
const importEsm = new Function("url", "return import(url)") as (url: string) => Promise<unknown>;

/**
 * The rows of a Parquet training sample (hyparquet). INT64 columns come back as BigInt and timestamps as
 * Date: they are turned into numbers and ISO strings, so that they bin and count like CSV values.
 */
export async function readParquet(path: string): Promise<FeatureRecord[]> {
  let hyparquet: Hyparquet;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { pathToFileURL } = require("url") as typeof import("url");
    hyparquet = (await importEsm(pathToFileURL(require.resolve("hyparquet")).href)) as Hyparquet;
  } catch (e) {
    throw new Error(`${path}: reading Parquet needs the hyparquet package, which could not be loaded (${(e as Error).message})`);
  }
  let rows: Record<string, unknown>[];
  try {
    rows = await hyparquet.parquetReadObjects({ file: await hyparquet.asyncBufferFromFile(path) });
  } catch (e) {
    throw new Error(`${path}: not a readable Parquet file (${(e as Error).message})`);
  }
  if (rows.length === 0) throw new Error(`${path} has no records: a training sample needs at least one`);
  for (const r of rows) {
    for (const k in r) {
      const v = r[k];
      if (typeof v === "bigint") r[k] = Number(v);
      else if (v instanceof Date) r[k] = v.toISOString();
    }
  }
  return rows;
}

/** Reads a training sample: CSV with a header row (RFC 4180 quoting), or JSON lines of objects. */
export function readSample(path: string, text: string): FeatureRecord[] {
  if (text.trim() === "") throw new Error(`${path} is empty: a training sample needs ${path.endsWith(".csv") ? "a header row and " : ""}at least one record`);
  if (path.endsWith(".jsonl") || path.endsWith(".ndjson")) {
    const records: FeatureRecord[] = [];
    text.split("\n").forEach((l, i) => {
      if (!l.trim()) return;
      let v: unknown;
      try {
        v = JSON.parse(l);
      } catch (e) {
        throw new Error(`${path} line ${i + 1}: not JSON (${(e as Error).message})`);
      }
      if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error(`${path} line ${i + 1}: not a JSON object`);
      records.push(v as FeatureRecord);
    });
    return records;
  }
  if (path.endsWith(".csv")) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parse } = require("csv-parse/sync") as typeof import("csv-parse/sync");
    let header: string[] = [];
    let records: FeatureRecord[];
    try {
      records = parse(text, {
        bom: true,
        trim: true,
        skip_empty_lines: true,
        columns: (h: string[]) => {
          header = h;
          const twice = h.filter((c, i) => h.indexOf(c) !== i);
          if (twice.length) throw new Error(`the header names ${[...new Set(twice)].join(", ")} more than once`);
          if (h.some((c) => c === "")) throw new Error("the header has an empty column name");
          return h;
        },
      }) as FeatureRecord[];
    } catch (e) {
      throw new Error(`${path}: ${(e as Error).message}`);
    }
    if (records.length === 0) throw new Error(`${path} has a header row (${header.join(", ")}) and no records`);
    return records;
  }
  throw new Error(`${path}: expected a .csv, .jsonl, .ndjson or .parquet training sample`);
}

/** One screen: records, features with their types and bins or categories, excluded columns. */
export function summary(input: string, b: Baseline, bins: number, target?: string): string {
  const width = Math.max(7, ...b.featureOrder.map((f) => f.length));
  const rows = b.featureOrder.map((f) => {
    const x = b.features[f];
    const detail = x.type === "numeric" ? `${x.cuts.length + 1} bins` : `${Object.keys(x.frequencies).length} categories`;
    return `  ${f.padEnd(width)}  ${x.type.padEnd(11)}  ${detail.padEnd(14)}  ${(x.missingRate * 100).toFixed(1)}% missing`;
  });
  const excluded = b.excludedColumns?.length ? `; excluded: ${b.excludedColumns.join(", ")}` : "";
  return [
    `cdktf-mlops baseline: ${input}: ${b.recordCount} records, ${b.featureOrder.length} features (up to ${bins} bins)${excluded}`,
    `  ${"feature".padEnd(width)}  ${"type".padEnd(11)}  ${"bins".padEnd(14)}  missing`,
    ...rows,
    `  positional inputs (CSV bodies, row tensors) are read in this order, ${b.featureOrder.length} wide`,
    ...(target ? [`wrote ${target}`] : []),
    "",
  ].join("\n");
}

/**
 * `cdktf-mlops baseline <sample> [--out baseline.json] [--bins 10] [--exclude label]`. Returns the exit
 * code: 0 written, 1 bad input, 2 bad usage; a Parquet sample is read asynchronously, so for one the
 * code comes as a promise. The baseline goes to `--out` (summary on stdout) or to stdout (summary on stderr).
 */
export function main(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
): number | Promise<number> {
  const [command, input, ...rest] = argv;
  if (command !== "baseline" || !input || input.startsWith("--")) {
    err(USAGE);
    return 2;
  }
  const flags = new Map<string, string[]>();
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i];
    if (!["--out", "--bins", "--exclude"].includes(name) || rest[i + 1] === undefined) {
      err(`cdktf-mlops baseline: ${rest[i + 1] === undefined && name.startsWith("--") ? `${name} needs a value` : `unknown argument ${name}`}\n${USAGE}`);
      return 2;
    }
    flags.set(name, [...(flags.get(name) ?? []), rest[i + 1]]);
  }
  const bins = Number(flags.get("--bins")?.[0] ?? 10);
  if (!Number.isInteger(bins) || bins < 2 || bins > 100) {
    err("--bins must be a whole number from 2 to 100\n");
    return 2;
  }
  const exclude = (flags.get("--exclude") ?? []).flatMap((v) => v.split(",")).map((c) => c.trim()).filter(Boolean);
  const fail = (e: unknown) => {
    err(`cdktf-mlops baseline: ${(e as Error).message}\n`);
    return 1;
  };
  const write = (records: FeatureRecord[]) => {
    const columns = new Set<string>();
    for (const r of records) for (const k of Object.keys(r)) columns.add(k);
    const unknown = exclude.filter((c) => !columns.has(c));
    if (unknown.length) throw new Error(`--exclude ${unknown.join(", ")}: no such column in ${input} (columns: ${[...columns].join(", ")})`);
    if (exclude.length >= columns.size) throw new Error(`--exclude leaves no feature of ${input}`);
    const baseline = buildBaseline(records, bins, exclude);
    const json = JSON.stringify(baseline, null, 2) + "\n";
    const target = flags.get("--out")?.[0];
    if (target) {
      fs.writeFileSync(target, json);
      out(summary(input, baseline, bins, target));
    } else {
      out(json);
      err(summary(input, baseline, bins));
    }
    return 0;
  };
  try {
    if (!/\.(csv|jsonl|ndjson|parquet)$/.test(input)) throw new Error(`${input}: expected a .csv, .jsonl, .ndjson or .parquet training sample`);
    if (!fs.existsSync(input)) throw new Error(`${input}: no such file`);
    if (input.endsWith(".parquet")) {
      if (fs.statSync(input).size === 0) throw new Error(`${input} is empty: a training sample needs at least one record`);
      return readParquet(input).then(write).catch(fail);
    }
    return write(readSample(input, fs.readFileSync(input, "utf8")));
  } catch (e) {
    return fail(e);
  }
}
