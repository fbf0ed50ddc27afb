/**
 * How long `cdktf-mlops review` takes on the two examples: each example against itself (a pull request
 * that changes nothing, the whole document still compared) and the reference platform against the
 * SageMaker platform (hundreds of resources added and removed). Synthesis happens once, before timing.
 * In-process: read both outputs + diff + dangers + cost + Markdown. Command: a fresh `node
 * bin/cdktf-mlops.js review` process (from the TypeScript sources through tsx in a checkout).
 *
 *   npm run bench:review
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { buildReferencePlatform } from "../examples/reference-platform/main";
import { buildSageMakerPlatform } from "../examples/sagemaker-platform/main";
import { readSynthOutput, renderMarkdown, review } from "../src/review";
import { median } from "./median";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-mlops-review-bench-"));

function synth(name: string, build: (app: App) => unknown): string {
  const outdir = path.join(tmp, name);
  const app = new App({ outdir });
  build(app);
  app.synth();
  return outdir;
}

const ref = synth("reference-platform", buildReferencePlatform);
const sm = synth("sagemaker-platform", buildSageMakerPlatform);
const pairs: [string, string, string][] = [
  ["reference-platform vs itself", ref, ref],
  ["sagemaker-platform vs itself", sm, sm],
  ["reference -> sagemaker", ref, sm],
];

console.log(`runs: ${RUNS} (median); node ${process.version}`);
console.log("review                          in-process ms  command ms  changes  dangers  report KiB");
for (const [name, base, head] of pairs) {
  const inProcess: number[] = [];
  let changes = 0;
  let dangers = 0;
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const h = readSynthOutput(head);
    const b = readSynthOutput(base);
    const r = review(h, b);
    const md = renderMarkdown(r, h, b);
    inProcess.push(performance.now() - start);
    changes = r.changes.length;
    dangers = r.dangers.length;
    bytes = md.length;
  }
  const command: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    execFileSync(process.execPath, [
      path.join(__dirname, "..", "bin", "cdktf-mlops.js"),
      "review",
      "--base",
      base,
      head,
      "--out",
      path.join(tmp, "report.md"),
    ]);
    command.push(performance.now() - start);
  }
  console.log(
    `${name.padEnd(31)} ${median(inProcess).toFixed(1).padStart(13)} ${median(command).toFixed(0).padStart(11)} ${String(changes).padStart(8)} ${String(dangers).padStart(8)} ${(bytes / 1024).toFixed(1).padStart(11)}`,
  );
}
fs.rmSync(tmp, { recursive: true, force: true });
