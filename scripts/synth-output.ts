import * as fs from "fs";
import * as path from "path";

/** The parts of cdktf's `manifest.json` that `npm run synth` reads. */
export interface Manifest {
  readonly stacks: Record<string, { readonly synthesizedStackPath: string; readonly workingDirectory: string }>;
}

/** Number of blocks in a `resource` or `data` section: `{ type: { name: {...} } }`. */
export function count(section: object | undefined): number {
  return Object.values(section ?? {}).reduce((n: number, byName: object) => n + Object.keys(byName).length, 0);
}

/**
 * Deletes the folders under `<outdir>/stacks` that hold a synthesized stack (a `cdk.tf.json`) this app
 * did not write. Stacks of this app are left alone, `.terraform` folders included; Terraform state is not
 * kept there (local state lives next to cdktf.out).
 */
export function removeStaleStacks(outdir: string, manifest: Manifest): string[] {
  const stacksDir = path.join(outdir, "stacks");
  if (!fs.existsSync(stacksDir)) return [];
  const current = new Set(Object.values(manifest.stacks).map((s) => path.resolve(outdir, s.workingDirectory)));
  const removed: string[] = [];
  for (const entry of fs.readdirSync(stacksDir, { withFileTypes: true })) {
    const dir = path.join(stacksDir, entry.name);
    if (!entry.isDirectory() || current.has(dir) || !fs.existsSync(path.join(dir, "cdk.tf.json"))) continue;
    fs.rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
