/**
 * Wall time and peak memory of synthesis: the two example platforms, and one cluster with 10 and with
 * 100 GPU pools and teams. Each scenario runs `RUNS` times in a fresh process; the median is printed.
 *
 *   npm run bench
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { median } from "./median";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const scenarios = ["reference-platform", "ref+guardrails", "sagemaker-platform", "pools-10", "pools-100"];

interface Sample {
  loadMs: number;
  synthMs: number;
  peakRssMiB: number;
  jsonKiB: number;
  wallMs: number;
  aspectMs?: number;
}

console.log(`runs per scenario: ${RUNS} (median); node ${process.version}; wall = process start to exit`);
console.log("scenario            wall ms  load ms  synth ms  peak RSS MiB  JSON KiB");
for (const s of scenarios) {
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const out = execFileSync(process.execPath, ["--import", "tsx", path.join(__dirname, "scenario.ts"), s], { encoding: "utf8" });
    samples.push({ ...JSON.parse(out), wallMs: performance.now() - start });
  }
  const m = (k: Exclude<keyof Sample, "aspectMs">) => median(samples.map((x) => x[k]));
  console.log(
    `${s.padEnd(18)} ${m("wallMs").toFixed(0).padStart(8)} ${m("loadMs").toFixed(0).padStart(8)} ${m("synthMs").toFixed(0).padStart(9)} ${m("peakRssMiB").toFixed(0).padStart(13)} ${m("jsonKiB").toFixed(0).padStart(9)}`,
  );
  if (samples[0].aspectMs !== undefined)
    console.log(`${"".padEnd(18)} of which the MlopsGuardrails aspect (every pack): ${median(samples.map((x) => x.aspectMs ?? 0)).toFixed(0)} ms`);
}
