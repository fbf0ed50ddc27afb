/** One benchmark scenario, run in its own process so that its peak memory is its own. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, Aspects } from "cdktf";
import { buildReferencePlatform } from "../examples/reference-platform/main";
import { buildSageMakerPlatform } from "../examples/sagemaker-platform/main";
import { GuardrailPack, MlopsGuardrails, MlopsStack, TrainingCluster } from "../src";

const scenario = process.argv[2];
const loadedMs = performance.now();
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-mlops-bench-"));
const app = new App({ outdir });
let aspectMs: number | undefined;

if (scenario === "reference-platform") {
  buildReferencePlatform(app);
} else if (scenario === "ref+guardrails") {
  buildReferencePlatform(app);
  aspectMs = 0;
  const guardrails = new MlopsGuardrails({ packs: [GuardrailPack.SECURITY, GuardrailPack.COST, GuardrailPack.DATA_PROTECTION] });
  Aspects.of(app).add({
    visit(node) {
      const t = performance.now();
      guardrails.visit(node);
      aspectMs = (aspectMs ?? 0) + performance.now() - t;
    },
  });
} else if (scenario === "sagemaker-platform") {
  buildSageMakerPlatform(app);
} else {
  const n = Number(/^pools-(\d+)$/.exec(scenario)?.[1]);
  if (!n) throw new Error(`unknown scenario ${scenario}`);
  const stack = new MlopsStack(app, "bench", { region: "eu-west-1", name: "bench" });
  new TrainingCluster(stack, "training", {
    gpuNodePools: Array.from({ length: n }, (_, i) => ({ name: `pool-${i}`, instanceTypes: ["g6.xlarge"], maxSize: 4 })),
    teams: Array.from({ length: n }, (_, i) => ({ name: `team-${i}`, gpuQuota: 4 })),
  });
}
app.synth();
const doneMs = performance.now();
const bytes = fs
  .readdirSync(path.join(outdir, "stacks"))
  .reduce((sum, s) => sum + fs.statSync(path.join(outdir, "stacks", s, "cdk.tf.json")).size, 0);
fs.rmSync(outdir, { recursive: true, force: true });
process.stdout.write(
  JSON.stringify({
    scenario,
    loadMs: loadedMs,
    synthMs: doneMs - loadedMs,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    jsonKiB: bytes / 1024,
    aspectMs,
  }),
);
