/**
 * One scale-benchmark process (run by bench/scale-bench.ts, one process per size so that peak memory is
 * its own). Nothing is imported before the clock starts: `loadMs` is the time to load the modules.
 *
 *   node scale-scenario.js lib <endpoints-sagemaker|endpoints-kserve|pools> <N> <outdir>
 *   node scale-scenario.js floor <outdir of a lib run> <outdir>
 *   node scale-scenario.js floor-lib <outdir of a lib run> <outdir>   # the same, with the library's resolver and write
 *   node scale-scenario.js reference <outdir> <modules list to write>
 *   node scale-scenario.js import-floor <modules list>
 *
 * Prints one line of JSON: loadMs, synthMs (building the constructs and `app.synth()`), totalMs (since the
 * process started), cpuMs (user + system of the whole process), peakRssMiB, resources.
 */
const startMs = performance.now();
type Lib = typeof import("../src");
type Cdktf = typeof import("cdktf");

function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

function report(extra: Record<string, unknown>): void {
  const cpu = process.cpuUsage();
  process.stdout.write(
    JSON.stringify({
      ...extra,
      totalMs: performance.now(),
      cpuMs: (cpu.user + cpu.system) / 1000,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

/** The stacks' synthesized documents under `outdir`. */
function readStacks(outdir: string): Record<string, Record<string, any>> {
  const fs = require("fs") as typeof import("fs");
  const path = require("path") as typeof import("path");
  const dir = path.join(outdir, "stacks");
  return Object.fromEntries(fs.readdirSync(dir).map((s) => [s, JSON.parse(fs.readFileSync(path.join(dir, s, "cdk.tf.json"), "utf8"))]));
}

const countResources = (docs: Record<string, Record<string, any>>) =>
  Object.values(docs)
    .flatMap((d) => [d.resource, d.data])
    .flatMap((byType) => Object.values(byType ?? {}))
    .reduce((sum: number, byName: any) => sum + Object.keys(byName).length, 0);

function buildLib(lib: Lib, app: import("cdktf").App, kind: string, n: number): void {
  const { DriftAlarm, MlopsStack, ModelRegistry, RegistryEngine, ServingEndpoint, ServingEngine, TrainingCluster } = lib;
  const drift = (scope: import("constructs").Construct, i: number, endpoint: import("../src").IServingEndpoint) =>
    new DriftAlarm(scope, `model-${i}-drift`, {
      endpoint,
      baselineS3Uri: `s3://acme-baselines/model-${i}/baseline.json`,
      numericFeatures: ["txn_amount", "txn_count_1h"],
      categoricalFeatures: ["merchant_category"],
      notify: ["ml-oncall@acme.io"],
    });
  if (kind === "endpoints-sagemaker") {
    const stack = new MlopsStack(app, "bench", { region: "eu-west-1", name: "bench" });
    const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
    for (let i = 0; i < n; i++) {
      const endpoint = new ServingEndpoint(stack, `model-${i}`, { engine: ServingEngine.sagemaker(), model: registry.model("fraud", String(i + 1)) });
      drift(stack, i, endpoint);
    }
  } else if (kind === "endpoints-kserve") {
    const platform = new MlopsStack(app, "bench-platform", { region: "eu-west-1", name: "bench" });
    const cluster = new TrainingCluster(platform, "training", {});
    const registry = new ModelRegistry(platform, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
    const workloads = new MlopsStack(app, "bench-workloads", { region: "eu-west-1", name: "bench" });
    for (let i = 0; i < n; i++) {
      const model = registry.model("fraud", String(i + 1));
      const endpoint = new ServingEndpoint(workloads, `model-${i}`, { engine: ServingEngine.kserve({ cluster }), model });
      drift(workloads, i, endpoint);
    }
  } else if (kind === "pools") {
    const stack = new MlopsStack(app, "bench", { region: "eu-west-1", name: "bench" });
    new TrainingCluster(stack, "training", {
      gpuNodePools: Array.from({ length: n }, (_, i) => ({ name: `pool-${i}`, instanceTypes: ["g6.xlarge"], maxSize: 4 })),
      teams: Array.from({ length: n }, (_, i) => ({ name: `team-${i}`, gpuQuota: 4 })),
    });
  } else {
    throw new Error(`unknown scenario ${kind}`);
  }
}

/**
 * The raw cdktf floor: every resource and data source of the library's output, created again as a plain
 * `TerraformResource` / `TerraformDataSource` with the same attributes in a fresh app; providers, the
 * `terraform` block and outputs as stack overrides.
 */
function replay(cdktf: Cdktf, app: import("cdktf").App, docs: Record<string, Record<string, any>>): void {
  class RawResource extends cdktf.TerraformResource {
    constructor(
      scope: import("constructs").Construct,
      id: string,
      type: string,
      private readonly attrs: Record<string, unknown>,
    ) {
      super(scope, id, { terraformResourceType: type });
      this.overrideLogicalId(id);
    }
    protected synthesizeAttributes() {
      return this.attrs;
    }
  }
  class RawDataSource extends cdktf.TerraformDataSource {
    constructor(
      scope: import("constructs").Construct,
      id: string,
      type: string,
      private readonly attrs: Record<string, unknown>,
    ) {
      super(scope, id, { terraformResourceType: type });
      this.overrideLogicalId(id);
    }
    protected synthesizeAttributes() {
      return this.attrs;
    }
  }
  for (const [stackId, doc] of Object.entries(docs)) {
    const stack = new cdktf.TerraformStack(app, stackId);
    for (const [key, value] of Object.entries(doc)) {
      if (key === "//") continue;
      if (key === "resource" || key === "data") {
        for (const [type, byName] of Object.entries(value as Record<string, Record<string, Record<string, unknown>>>)) {
          for (const [name, attrs] of Object.entries(byName)) {
            const { "//": _meta, ...rest } = attrs;
            if (key === "resource") new RawResource(stack, `${type}.${name}`, type, rest);
            else new RawDataSource(stack, `${type}.${name}`, type, rest);
          }
        }
      } else {
        stack.addOverride(key, value);
      }
    }
  }
}

function main(): void {
  const [mode, a, b, c] = process.argv.slice(2);
  const fs = require("fs") as typeof import("fs");
  if (mode === "import-floor") {
    for (const m of JSON.parse(fs.readFileSync(a, "utf8")) as string[]) require(m);
    report({ loadMs: performance.now() - startMs, synthMs: 0, resources: 0 });
    return;
  }
  const cdktf = require("cdktf") as Cdktf;
  if (mode === "lib" || mode === "reference") {
    const lib = require("../src") as Lib;
    type Examples = typeof import("../examples/reference-platform/main");
    const examples = mode === "reference" ? (require("../examples/reference-platform/main") as Examples) : undefined;
    const loadedMs = performance.now();
    const cpu0 = process.cpuUsage();
    const outdir = mode === "lib" ? c : a;
    const app = new cdktf.App({ outdir });
    if (examples) examples.buildReferencePlatform(app);
    else buildLib(lib, app, a, Number(b));
    app.synth();
    const synthMs = performance.now() - loadedMs;
    const synthCpuMs = cpuSince(cpu0);
    if (mode === "reference") {
      const used = Object.keys(require.cache).filter((f) => f.includes(`${require("path").sep}node_modules${require("path").sep}`));
      fs.writeFileSync(b, JSON.stringify(used));
    }
    report({ loadMs: loadedMs - startMs, synthMs, synthCpuMs, resources: countResources(readStacks(outdir)) });
  } else if (mode === "floor" || mode === "floor-lib") {
    // floor-lib: the same replay with the two mechanics the library puts around cdktf, the walk in front
    // of its resolver (src/core/fast-resolve.ts) and the chunked write of cdk.tf.json
    // (src/core/stable-json.ts), to tell what they save from what the constructs cost.
    type StableJson = typeof import("../src/core/stable-json");
    const withLibrary = mode === "floor-lib";
    if (withLibrary) require("../src/core/fast-resolve");
    const stableJson = withLibrary ? (require("../src/core/stable-json") as StableJson) : undefined;
    const docs = readStacks(a);
    const loadedMs = performance.now();
    const cpu0 = process.cpuUsage();
    const app = new cdktf.App({ outdir: b });
    replay(cdktf, app, docs);
    if (stableJson) {
      for (const stack of app.node.children.filter(cdktf.TerraformStack.isStack)) {
        const inner = stack.synthesizer;
        stack.synthesizer = { synthesize: (session) => stableJson.synthesizeWithStableJson(stack, inner, session) };
      }
    }
    app.synth();
    const synthMs = performance.now() - loadedMs;
    const synthCpuMs = cpuSince(cpu0);
    const mine = readStacks(b);
    const resources = countResources(mine);
    if (resources !== countResources(docs)) throw new Error(`the floor has ${resources} resources, the library ${countResources(docs)}`);
    report({ loadMs: loadedMs - startMs, synthMs, synthCpuMs, resources });
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
}

main();
