/**
 * `npm run synth [-- <example>]`: synthesizes one example app (reference-platform by default), removes
 * the stacks of an earlier synth that this app no longer has from the output folder, and prints where
 * it wrote what: each stack's file with its resource and data source counts.
 *
 *   npm run synth                          # examples/reference-platform
 *   npm run synth -- sagemaker-platform    # examples/sagemaker-platform
 *   npm run synth -- sagemaker-platform --outdir /tmp/out
 */
import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { buildReferencePlatform } from "../examples/reference-platform/main";
import { buildSageMakerPlatform } from "../examples/sagemaker-platform/main";
import { buildExistingClusterPlatform } from "../examples/existing-cluster/main";
import { buildKarpenterPlatform } from "../examples/karpenter-platform/main";
import { withGuardrails } from "../examples/shared/guardrails";
import { count, Manifest, removeStaleStacks } from "./synth-output";

const EXAMPLES: Record<string, (app: App) => unknown> = {
  "reference-platform": buildReferencePlatform,
  "sagemaker-platform": buildSageMakerPlatform,
  "existing-cluster": buildExistingClusterPlatform,
  "karpenter-platform": buildKarpenterPlatform,
};

function main(argv: string[]): number {
  const outIndex = argv.indexOf("--outdir");
  const outdir = path.resolve(outIndex >= 0 ? argv[outIndex + 1] : "cdktf.out");
  const names = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] !== "--outdir");
  const name = names[0] ?? "reference-platform";
  const build = EXAMPLES[name];
  if (!build || names.length > 1) {
    console.error(`usage: npm run synth -- [${Object.keys(EXAMPLES).join("|")}] [--outdir DIR]`);
    return 2;
  }

  const app = withGuardrails(new App({ outdir }));
  build(app);
  app.synth();

  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as Manifest;
  const removed = removeStaleStacks(outdir, manifest);

  console.log(`examples/${name} -> ${path.relative(process.cwd(), outdir) || "."}`);
  for (const [stack, entry] of Object.entries(manifest.stacks)) {
    const file = path.join(outdir, entry.synthesizedStackPath);
    const json = JSON.parse(fs.readFileSync(file, "utf8")) as { resource?: object; data?: object };
    const kib = (fs.statSync(file).size / 1024).toFixed(0);
    console.log(`  ${stack}: ${path.relative(process.cwd(), file)}  ${count(json.resource)} resources, ${count(json.data)} data sources, ${kib} KiB`);
  }
  for (const stale of removed) console.log(`  removed stale stack ${path.relative(process.cwd(), stale)}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
