import * as fs from "fs";
import * as path from "path";
import { TerraformStack, Token } from "cdktf";
import { IConstruct } from "constructs";

/**
 * The platform manifest: facts the constructs know at synth time (clusters, pools and their GPUs,
 * teams and quotas, registries, feature stores, endpoints, drift alarms), written next to the stacks
 * as `cdktf.out/mlops.json` for `cdktf-mlops review`. Constructs register plain data here; nothing in
 * this file knows any construct, so no construct imports the review and there is no import cycle.
 */
export const MANIFEST_FILE = "mlops.json";
export const MANIFEST_VERSION = 1;

/** One construct's entry in the manifest. */
export interface ManifestEntry {
  readonly kind: string;
  readonly path: string;
  readonly stack: string;
  readonly [fact: string]: unknown;
}

/** The document written to `cdktf.out/mlops.json`. */
export interface ManifestDocument {
  readonly version: number;
  readonly generator: string;
  readonly entries: ManifestEntry[];
}

type Facts = Record<string, unknown> | (() => Record<string, unknown>);
interface Registration {
  kind: string;
  path: string;
  stack: string;
  facts: Facts[];
}

const REGISTRY = new WeakMap<IConstruct, Map<string, Registration>>();

/**
 * Records facts of `construct` for the manifest. Facts are plain JSON data, or a function that returns
 * them at synth time (for what is added after the constructor, such as pools added with a method).
 * Calling it again for the same construct and kind adds to its facts. Tokens (values known only at
 * deploy time) are written as `null`.
 */
export function registerManifest(construct: IConstruct, kind: string, facts: Facts): void {
  const root = construct.node.root;
  let entries = REGISTRY.get(root);
  if (!entries) REGISTRY.set(root, (entries = new Map()));
  const key = `${kind} ${construct.node.path}`;
  const existing = entries.get(key);
  if (existing) {
    existing.facts.push(facts);
    return;
  }
  const stack = construct.node.scopes.find((s) => TerraformStack.isStack(s));
  entries.set(key, { kind, path: construct.node.path, stack: stack?.node.id ?? "", facts: [facts] });
}

/** The manifest of the app that `scope` belongs to. */
export function manifestOf(scope: IConstruct): ManifestDocument {
  const entries = [...(REGISTRY.get(scope.node.root)?.values() ?? [])]
    .map((r) => {
      const merged: Record<string, unknown> = {};
      for (const f of r.facts) Object.assign(merged, typeof f === "function" ? f() : f);
      return { kind: r.kind, path: r.path, stack: r.stack, ...(plain(merged) as Record<string, unknown>) };
    })
    .sort((a, b) => (a.path === b.path ? a.kind.localeCompare(b.kind) : a.path < b.path ? -1 : 1));
  return { version: MANIFEST_VERSION, generator: "cdktf-mlops", entries };
}

/** Writes the manifest of the app of `scope` to `<outdir>/mlops.json` (deterministic: sorted by path). */
export function writeManifest(outdir: string, scope: IConstruct): void {
  fs.mkdirSync(outdir, { recursive: true });
  fs.writeFileSync(path.join(outdir, MANIFEST_FILE), JSON.stringify(manifestOf(scope), null, 2) + "\n");
}

function plain(v: unknown): unknown {
  if (typeof v === "string" || typeof v === "number") return Token.isUnresolved(v) ? null : v;
  if (v === undefined) return undefined;
  if (v === null || typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.map((x) => plain(x) ?? null);
  if (typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const p = plain(x);
      if (p !== undefined) out[k] = p;
    }
    return out;
  }
  return null;
}
