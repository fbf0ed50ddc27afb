import * as fs from "fs";
import { buildBaseline, FeatureRecord } from "./baseline";

/** Reads a training sample: CSV with a header row, or JSON lines of objects. */
export function readSample(path: string, text: string): FeatureRecord[] {
  if (path.endsWith(".jsonl") || path.endsWith(".ndjson")) {
    return text
      .split("\n")
      .filter((l) => l.trim())
      .map((l, i) => {
        const v = JSON.parse(l);
        if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error(`line ${i + 1}: not a JSON object`);
        return v as FeatureRecord;
      });
  }
  if (path.endsWith(".csv")) {
    const lines = text.split(/\r?\n/).filter((l) => l.trim());
    const header = lines[0].split(",").map((h) => h.trim());
    return lines.slice(1).map((l) => {
      const cells = l.split(",");
      return Object.fromEntries(header.map((h, i) => [h, cells[i] === undefined ? undefined : cells[i].trim()]));
    });
  }
  throw new Error(`${path}: expected a .csv or .jsonl training sample`);
}

/** `cdktf-mlops baseline <sample.csv|sample.jsonl> [--out baseline.json] [--bins 10]`. Returns the exit code. */
export function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): number {
  const [command, input, ...rest] = argv;
  if (command !== "baseline" || !input) {
    err("usage: cdktf-mlops baseline <training-sample.csv|.jsonl> [--out baseline.json] [--bins 10]\n");
    return 2;
  }
  const flag = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const bins = Number(flag("--bins") ?? 10);
  if (!Number.isInteger(bins) || bins < 2 || bins > 100) {
    err("--bins must be a whole number from 2 to 100\n");
    return 2;
  }
  try {
    if (!/\.(csv|jsonl|ndjson)$/.test(input)) throw new Error(`${input}: expected a .csv or .jsonl training sample`);
    const records = readSample(input, fs.readFileSync(input, "utf8"));
    const json = JSON.stringify(buildBaseline(records, bins), null, 2) + "\n";
    const target = flag("--out");
    if (target) fs.writeFileSync(target, json);
    else out(json);
    return 0;
  } catch (e) {
    err(`cdktf-mlops baseline: ${(e as Error).message}\n`);
    return 1;
  }
}
