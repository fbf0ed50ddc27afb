import * as forceNewData from "./data/force-new.json";
import type { SynthOutput, SynthResource } from "./load";

/** What Terraform will do to a resource, as far as two synth outputs tell. */
export type ChangeAction = "create" | "delete" | "update" | "replace" | "update-or-replace";

/** One changed argument of a resource. */
export interface ArgumentChange {
  /** Path of the argument, e.g. `vpc_config.public_access_cidrs` or `production_variants[0].instance_type`. */
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
  /** True when the provider replaces the resource for this change; undefined when there is no data for the type. */
  readonly forcesReplacement?: boolean;
  /** Why the change may force replacement only under a condition (from the provider's CustomizeDiff). */
  readonly conditional?: string;
}

/** One resource that differs between the base and the head output. */
export interface ResourceChange {
  readonly stack: string;
  readonly address: string;
  readonly type: string;
  /** `settings` for a stack's `terraform` block (backend, provider versions) and `provider` block. */
  readonly mode: "resource" | "data" | "settings";
  /** The construct path of the resource (head's, or base's when deleted). */
  readonly path: string;
  readonly action: ChangeAction;
  readonly arguments: ArgumentChange[];
  readonly before?: Record<string, unknown>;
  readonly after?: Record<string, unknown>;
}

interface ForceNewEntry {
  readonly source: { repo: string; path: string; commit: string };
  readonly forceNew: string[];
  readonly forceNewSubtrees?: string[];
  readonly conditional?: Record<string, string>;
}

const FORCE_NEW = (forceNewData as { types: Record<string, ForceNewEntry> }).types;

/** The provider's replacement data for a resource type, or undefined when the library ships none. */
export function forceNewOf(type: string): ForceNewEntry | undefined {
  return Object.prototype.hasOwnProperty.call(FORCE_NEW, type) ? FORCE_NEW[type] : undefined;
}

/** Meta-arguments and cdktf bookkeeping that are not arguments of the resource. */
const META = new Set(["depends_on", "lifecycle", "provider", "provisioner", "connection", "count", "for_each"]);

/** Whether changing `argPath` of a `type` resource replaces it: true, false, or undefined (no data). */
export function forcesReplacement(type: string, argPath: string): boolean | undefined {
  const entry = forceNewOf(type);
  if (!entry) return undefined;
  const p = argPath.replace(/\[\d+\]/g, "");
  return entry.forceNew.some((f) => f === p || f.startsWith(`${p}.`)) || (entry.forceNewSubtrees ?? []).some((f) => p.startsWith(`${f}.`));
}

/**
 * The changes from `base` to `head`, per stack and address; with no base, every resource of head is
 * created. Data sources are compared too (IAM policy documents are data sources).
 */
export function diffOutputs(base: SynthOutput | undefined, head: SynthOutput): ResourceChange[] {
  const out: ResourceChange[] = [];
  const stacks = [...new Set([...(base ? base.stacks.keys() : []), ...head.stacks.keys()])].sort();
  for (const stack of stacks) {
    const bs = base?.stacks.get(stack);
    const hs = head.stacks.get(stack);
    if (bs && hs) {
      for (const block of ["terraform", "provider"] as const) {
        const args = diffValues(bs.settings[block], hs.settings[block], "");
        if (args.length) out.push({ stack, address: block, type: block, mode: "settings", path: stack, action: "update", arguments: args });
      }
    }
    const b = base?.stacks.get(stack)?.resources ?? new Map<string, SynthResource>();
    const h = head.stacks.get(stack)?.resources ?? new Map<string, SynthResource>();
    const addresses = [...new Set([...b.keys(), ...h.keys()])].sort();
    for (const address of addresses) {
      const before = b.get(address);
      const after = h.get(address);
      if (before && after) {
        const args = diffValues(withoutMeta(before.values), withoutMeta(after.values), "").map((c) => annotate(after.type, c));
        const lifecycle = diffValues(before.values.lifecycle, after.values.lifecycle, "lifecycle");
        if (args.length === 0 && lifecycle.length === 0) continue;
        const action: ChangeAction = args.some((a) => a.forcesReplacement)
          ? "replace"
          : after.mode === "resource" && args.length > 0 && !forceNewOf(after.type)
            ? "update-or-replace"
            : "update";
        out.push({
          stack,
          address,
          type: after.type,
          mode: after.mode,
          path: after.path,
          action,
          arguments: [...args, ...lifecycle],
          before: before.values,
          after: after.values,
        });
      } else if (after) {
        out.push({ stack, address, type: after.type, mode: after.mode, path: after.path, action: "create", arguments: [], after: after.values });
      } else if (before) {
        out.push({ stack, address, type: before.type, mode: before.mode, path: before.path, action: "delete", arguments: [], before: before.values });
      }
    }
  }
  return out;
}

function annotate(type: string, c: ArgumentChange): ArgumentChange {
  const p = c.path.replace(/\[\d+\]/g, "");
  const conditional = forceNewOf(type)?.conditional?.[p];
  return { ...c, forcesReplacement: forcesReplacement(type, c.path), ...(conditional ? { conditional } : {}) };
}

function withoutMeta(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) if (!META.has(k)) out[k] = v;
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isScalarList = (v: unknown): v is unknown[] => Array.isArray(v) && v.every((x) => !isObject(x) && !Array.isArray(x));

/**
 * The changed leaves between two argument trees: objects are walked key by key, lists of blocks item by
 * item, and a list of scalars (a set of ids, CIDRs, actions) is compared as a whole.
 */
export function diffValues(a: unknown, b: unknown, prefix: string): ArgumentChange[] {
  if (a === undefined && b === undefined) return [];
  // JSON documents inside strings (Helm values, policies, lifecycle rules): compare what they say.
  const ja = jsonOf(a);
  const jb = jsonOf(b);
  if (ja !== undefined && jb !== undefined) return diffValues(ja, jb, prefix);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffValues(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  if (Array.isArray(a) && Array.isArray(b) && (!(isScalarList(a) && isScalarList(b)) || [...a, ...b].some((x) => jsonOf(x) !== undefined))) {
    const n = Math.max(a.length, b.length);
    const out: ArgumentChange[] = [];
    for (let i = 0; i < n; i++) out.push(...diffValues(a[i], b[i], `${prefix}[${i}]`));
    return out;
  }
  // A single block may be written as an object on one side and a one-element list on the other.
  if (isObject(a) && Array.isArray(b) && b.length === 1) return diffValues(a, b[0], prefix);
  if (Array.isArray(a) && a.length === 1 && isObject(b)) return diffValues(a[0], b, prefix);
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  return [{ path: prefix, before: a, after: b }];
}

function jsonOf(v: unknown): object | undefined {
  if (typeof v !== "string" || !/^\s*[[{]/.test(v)) return undefined;
  try {
    const parsed = JSON.parse(v);
    return typeof parsed === "object" && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}
