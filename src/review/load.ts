import * as fs from "fs";
import * as path from "path";
import type { ManifestDocument, ManifestEntry } from "../core/manifest";

/** One resource or data source of a synthesized stack. */
export interface SynthResource {
  readonly stack: string;
  /** `type.name`, or `data.type.name` for a data source: Terraform's address inside the stack. */
  readonly address: string;
  readonly type: string;
  readonly mode: "resource" | "data";
  /** The construct path cdktf records in the resource's `//` metadata (empty when absent). */
  readonly path: string;
  /** The arguments, without cdktf's `//` metadata. */
  readonly values: Record<string, unknown>;
}

/** One stack of a synth output. */
export interface SynthStack {
  readonly name: string;
  /** The AWS provider's region, when the stack has one with a literal region. */
  readonly region?: string;
  readonly resources: Map<string, SynthResource>;
  /** The stack's `terraform` block (backend, required providers) and `provider` block. */
  readonly settings: { readonly terraform?: unknown; readonly provider?: unknown };
}

/** A `cdktf.out` directory, read: its stacks and, when the app used cdktf-mlops, its platform manifest. */
export interface SynthOutput {
  readonly dir: string;
  readonly stacks: Map<string, SynthStack>;
  readonly manifest?: ManifestDocument;
}

/** Thrown when a directory is not a cdktf synth output. */
export class SynthOutputError extends Error {}

/**
 * Reads a cdktf synth output: the stacks listed in its `manifest.json` (or every `stacks/<name>/cdk.tf.json`
 * when there is none) and `mlops.json` when present. Works on the output of any cdktf app.
 */
export function readSynthOutput(dir: string): SynthOutput {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new SynthOutputError(`${dir}: no such directory (run \`cdktf synth\` first, or pass the synth output directory)`);
  }
  const files = stackFiles(dir);
  if (files.length === 0) throw new SynthOutputError(`${dir}: no synthesized stack (no manifest.json and no stacks/*/cdk.tf.json)`);
  const stacks = new Map<string, SynthStack>();
  for (const [name, file] of files) {
    let doc: Record<string, any>;
    try {
      doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      throw new SynthOutputError(`${file}: not JSON (${(e as Error).message}); HCL output (hcl: true in cdktf.json) is not supported`);
    }
    const resources = new Map<string, SynthResource>();
    for (const mode of ["resource", "data"] as const) {
      for (const [type, byName] of Object.entries((doc[mode] ?? {}) as Record<string, Record<string, Record<string, unknown>>>)) {
        for (const [rname, raw] of Object.entries(byName)) {
          const { "//": meta, ...values } = raw;
          const address = `${mode === "data" ? "data." : ""}${type}.${rname}`;
          const p = (meta as { metadata?: { path?: string } } | undefined)?.metadata?.path ?? "";
          resources.set(address, { stack: name, address, type, mode, path: p, values });
        }
      }
    }
    const aws = (doc.provider?.aws ?? []) as { region?: unknown }[];
    const region = aws.map((a) => a.region).find((r): r is string => typeof r === "string" && !r.includes("${"));
    stacks.set(name, { name, region, resources, settings: { terraform: doc.terraform, provider: doc.provider } });
  }
  let manifest: ManifestDocument | undefined;
  const mf = path.join(dir, "mlops.json");
  if (fs.existsSync(mf)) {
    const m = JSON.parse(fs.readFileSync(mf, "utf8")) as ManifestDocument;
    if (m && Array.isArray(m.entries)) manifest = m;
  }
  return { dir, stacks, manifest };
}

function stackFiles(dir: string): [string, string][] {
  const cdktfManifest = path.join(dir, "manifest.json");
  if (fs.existsSync(cdktfManifest)) {
    const m = JSON.parse(fs.readFileSync(cdktfManifest, "utf8")) as { stacks?: Record<string, { synthesizedStackPath?: string }> };
    const out = Object.entries(m.stacks ?? {})
      .filter(([, s]) => s.synthesizedStackPath)
      .map(([name, s]) => [name, path.join(dir, s.synthesizedStackPath!)] as [string, string])
      .filter(([, f]) => fs.existsSync(f));
    if (out.length) return out.sort(([a], [b]) => a.localeCompare(b));
  }
  const stacksDir = path.join(dir, "stacks");
  if (!fs.existsSync(stacksDir)) return [];
  return fs
    .readdirSync(stacksDir)
    .filter((s) => fs.existsSync(path.join(stacksDir, s, "cdk.tf.json")))
    .sort()
    .map((s) => [s, path.join(stacksDir, s, "cdk.tf.json")] as [string, string]);
}

/** The manifest entries of `kind`, in path order. */
export function entriesOf(output: SynthOutput | undefined, kind: string): ManifestEntry[] {
  return (output?.manifest?.entries ?? []).filter((e) => e.kind === kind);
}
