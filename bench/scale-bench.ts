/**
 * Scale benchmark: synthesis of N serving endpoints with drift alarms (SageMaker and KServe engines) and of
 * one cluster with N GPU pools and N teams, each against a raw cdktf floor: the library's own output
 * replayed as plain `TerraformResource`s / `TerraformDataSource`s with the same attributes in a fresh app
 * (bench/scale-scenario.ts). And the reference platform against its import floor: a process that only
 * loads the node_modules files the reference platform loads.
 *
 * The library, the examples and the scenario are compiled first (tsc, into bench/out/build), so that
 * nothing is transpiled while measured. One fresh process per run. Synthesis is timed from the first
 * construct to the end of `app.synth()` (module loading excluded), in wall time and in the process's CPU
 * time (user + system, GC threads included); ratios use CPU time, which the other work on a shared
 * machine disturbs less than wall time.
 *
 *   npm run bench                                   # bench/synth-bench.ts, then this
 *   npx tsx bench/scale-bench.ts [endpoints|pools|reference]...   # some groups only
 *   BENCH_SIZES_ENDPOINTS=10,100 BENCH_SIZES_POOLS=10 npx tsx bench/scale-bench.ts
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { median } from "./median";

interface Run {
  loadMs: number;
  synthMs: number;
  synthCpuMs: number;
  totalMs: number;
  cpuMs: number;
  peakRssMiB: number;
  resources: number;
}

const root = path.join(__dirname, "..");
const out = path.join(__dirname, "out");
const scenarioJs = path.join(out, "build", "bench", "scale-scenario.js");
const sizes = (name: string, dflt: number[]) => (process.env[name] ? process.env[name]!.split(",").map(Number) : dflt);
const ENDPOINTS = sizes("BENCH_SIZES_ENDPOINTS", [10, 100, 1000]);
const POOLS = sizes("BENCH_SIZES_POOLS", [10, 100, 500]);
const REFERENCE_RUNS = Number(process.env.BENCH_REFERENCE_RUNS ?? 5);
const groups = process.argv.slice(2).length ? process.argv.slice(2) : ["endpoints", "pools", "reference"];

function run(...args: string[]): Run {
  return JSON.parse(execFileSync(process.execPath, [scenarioJs, ...args], { encoding: "utf8", maxBuffer: 1 << 24 }));
}

const f0 = (x: number) => x.toFixed(0);
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const row = (cells: (string | number)[]) => console.log(`| ${cells.join(" | ")} |`);

console.log(`node ${process.version}; compiling the library, the examples and the scenario (tsc)…`);
execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(__dirname, "tsconfig.json")], { cwd: root, stdio: "inherit" });
fs.mkdirSync(out, { recursive: true });

const results: Record<string, { n: number; lib: Run; floor: Run; floorLib: Run }[]> = {};
function scale(kind: string, unit: string, ns: number[]): void {
  console.log(`\n${kind}: synth = constructs + app.synth(); per ${unit} and ratio on CPU time; RSS = the process's peak`);
  const header = ["N", "resources", "synth ms (wall)", "synth ms (CPU)", `CPU ms per ${unit}`, "peak RSS MiB"];
  row([...header, "floor synth ms (CPU)", "floor peak RSS MiB", "ratio to floor", "floor + library resolver and write ms (CPU)", "ratio to it"]);
  row(Array(11).fill("---"));
  results[kind] = [];
  for (const n of ns) {
    const libDir = path.join(out, `${kind}-${n}`);
    const floorDir = path.join(out, `${kind}-${n}-floor`);
    fs.rmSync(libDir, { recursive: true, force: true });
    fs.rmSync(floorDir, { recursive: true, force: true });
    const lib = run("lib", kind, String(n), libDir);
    const floor = run("floor", libDir, floorDir);
    fs.rmSync(floorDir, { recursive: true, force: true });
    const floorLib = run("floor-lib", libDir, floorDir);
    fs.rmSync(libDir, { recursive: true, force: true });
    fs.rmSync(floorDir, { recursive: true, force: true });
    results[kind].push({ n, lib, floor, floorLib });
    row(
      [n, lib.resources, f0(lib.synthMs), f0(lib.synthCpuMs), f1(lib.synthCpuMs / n), f0(lib.peakRssMiB)].concat([
        f0(floor.synthCpuMs),
        f0(floor.peakRssMiB),
        f2(lib.synthCpuMs / floor.synthCpuMs),
        f0(floorLib.synthCpuMs),
        f2(lib.synthCpuMs / floorLib.synthCpuMs),
      ]),
    );
  }
  const rs = results[kind];
  if (rs.length > 1) {
    const first = rs[rs.length - 2];
    const last = rs[rs.length - 1];
    console.log(
      `growth N=${first.n} -> ${last.n}: CPU ms per ${unit} x${f2(last.lib.synthCpuMs / last.n / (first.lib.synthCpuMs / first.n))} ` +
        `(floor per ${unit} x${f2(last.floor.synthCpuMs / last.n / (first.floor.synthCpuMs / first.n))}; 1.00 = linear)`,
    );
  }
}

if (groups.includes("endpoints")) {
  scale("endpoints-sagemaker", "endpoint", ENDPOINTS);
  scale("endpoints-kserve", "endpoint", ENDPOINTS);
}
if (groups.includes("pools")) scale("pools", "pool", POOLS);

if (groups.includes("reference")) {
  const refDir = path.join(out, "reference");
  const modules = path.join(out, "reference-modules.json");
  const rawDir = path.join(out, "reference-floor");
  const ref: Run[] = [];
  const floor: Run[] = [];
  const raw: Run[] = [];
  for (let i = 0; i < REFERENCE_RUNS; i++) {
    fs.rmSync(refDir, { recursive: true, force: true });
    fs.rmSync(rawDir, { recursive: true, force: true });
    ref.push(run("reference", refDir, modules));
    floor.push(run("import-floor", modules));
    raw.push(run("floor", refDir, rawDir));
  }
  fs.rmSync(refDir, { recursive: true, force: true });
  fs.rmSync(rawDir, { recursive: true, force: true });
  const m = (rs: Run[], k: keyof Run) => median(rs.map((r) => r[k]));
  const files = JSON.parse(fs.readFileSync(modules, "utf8")).length;
  console.log(`\nreference platform vs its import floor (${files} node_modules files); median of ${REFERENCE_RUNS} runs`);
  row(["process", "load ms (wall)", "synth ms (wall)", "synth ms (CPU)", "total ms (wall)", "total ms (CPU)", "peak RSS MiB"]);
  row(Array(7).fill("---"));
  const cells = (r: Run[], ks: (keyof Run | "-")[]) => ks.map((k) => (k === "-" ? "-" : f0(m(r, k))));
  row(["reference platform", ...cells(ref, ["loadMs", "synthMs", "synthCpuMs", "totalMs", "cpuMs", "peakRssMiB"])]);
  row(["import floor (its node_modules files, loaded only)", ...cells(floor, ["loadMs", "-", "-", "totalMs", "cpuMs", "peakRssMiB"])]);
  row(["raw cdktf floor (its JSON replayed)", ...cells(raw, ["-", "synthMs", "synthCpuMs", "-", "-", "peakRssMiB"])]);
  const cpu = f2(m(ref, "cpuMs") / m(floor, "cpuMs"));
  console.log(`ratio to the import floor: ${cpu} on CPU time, ${f2(m(ref, "totalMs") / m(floor, "totalMs"))} on wall time`);
  console.log(`synth ratio to the raw cdktf floor: ${f2(m(ref, "synthCpuMs") / m(raw, "synthCpuMs"))} on CPU time`);
}
