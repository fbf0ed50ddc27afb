import { createHash } from "crypto";
import { IConstruct } from "constructs";
import { TerraformStack } from "cdktf";

/** The character and length rules of one kind of AWS or Kubernetes name. */
export interface NameRule {
  /** The longest name the service accepts. */
  readonly maxLength: number;
  /** Characters other than these are replaced by `-`. */
  readonly allowed: RegExp;
  /** Whether the service only accepts lowercase. */
  readonly lowercase: boolean;
}

/** Name rules of the services this library names. */
export const NameRules = {
  /** EKS cluster: 1-100 characters, alphanumerics, `-` and `_`. */
  eksCluster: { maxLength: 100, allowed: /[A-Za-z0-9_-]/, lowercase: false },
  /** EKS node group name prefix: the name is at most 63 characters and Terraform appends 26. */
  nodeGroupPrefix: { maxLength: 36, allowed: /[A-Za-z0-9_-]/, lowercase: false },
  /** IAM role and policy names: 64 characters. */
  iamRole: { maxLength: 64, allowed: /[A-Za-z0-9+=,.@_-]/, lowercase: false },
  /** Launch template name prefix: 128 characters less the 26 Terraform appends. */
  launchTemplatePrefix: { maxLength: 100, allowed: /[A-Za-z0-9().\/_-]/, lowercase: false },
  /** CloudWatch log group segment. */
  logGroup: { maxLength: 200, allowed: /[A-Za-z0-9_\-\/.#]/, lowercase: false },
  /** KMS alias suffix (after `alias/`). */
  kmsAlias: { maxLength: 200, allowed: /[A-Za-z0-9\/_-]/, lowercase: false },
  /** Generic AWS Name tag / security group name. */
  generic: { maxLength: 255, allowed: /[A-Za-z0-9_.-]/, lowercase: false },
  /** Placement group name. */
  placementGroup: { maxLength: 255, allowed: /[A-Za-z0-9_-]/, lowercase: false },
} as const satisfies Record<string, NameRule>;

const HASH_LENGTH = 8;

/** A stable short hash of a string (hex sha256 prefix). */
export function stableHash(input: string, length = HASH_LENGTH): string {
  return createHash("sha256").update(input).digest("hex").slice(0, length);
}

/** Negations of the `allowed` classes seen so far, by source and flags (rules are often literals made per call). */
const DISALLOWED = new Map<string, RegExp | null>();

/**
 * For an `allowed` rule that is one class of ASCII characters (`[A-Za-z0-9_.-]`, escapes of punctuation only,
 * flags `i` and `u` at most), the class negated and global: it replaces every disallowed character in one pass.
 * Same result as testing each character against `allowed`: an astral character outside the class becomes one
 * `-` per code unit without the `u` flag, and runs of `-` collapse afterwards. Null for any other pattern, which
 * is tested character by character.
 */
function disallowedCharacters(allowed: RegExp): RegExp | null {
  const key = `${allowed.flags}/${allowed.source}`;
  let negated = DISALLOWED.get(key);
  if (negated === undefined) {
    const m = /^\[((?:[\x20-\x5b\x5d\x5f-\x7e]|\\[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e])+)\]$/.exec(allowed.source);
    negated = m && !m[1].startsWith("^") && /^[iu]*$/.test(allowed.flags) ? new RegExp(`[^${m[1]}]`, `g${allowed.flags}`) : null;
    DISALLOWED.set(key, negated);
  }
  return negated;
}

/**
 * Fits `raw` to `rule`: disallowed characters become `-`, runs of `-` collapse, and a name that
 * is too long is cut and given a stable hash of the full name, so two long names never collide
 * and the same input gives the same name in every release.
 */
export function fitName(raw: string, rule: NameRule): string {
  const input = rule.lowercase ? raw.toLowerCase() : raw;
  const disallowed = disallowedCharacters(rule.allowed);
  const replaced = disallowed
    ? input.replace(disallowed, "-")
    : Array.from(input)
        .map((c) => (rule.allowed.test(c) ? c : "-"))
        .join("");
  const name = replaced.replace(/-+/g, "-").replace(/^-|-$/g, "");
  if (name.length <= rule.maxLength) return name;
  const hash = stableHash(raw);
  return `${name.slice(0, rule.maxLength - HASH_LENGTH - 1).replace(/-$/, "")}-${hash}`;
}

/**
 * A physical name derived from the construct path below its stack, prefixed with the platform
 * name: `acme-ml` + `training/GpuPool-a100` gives `acme-ml-training-gpupool-a100` (rule permitting).
 * Construct ids named `Default` or `Resource` are left out, as in AWS CDK.
 */
export function physicalName(scope: IConstruct, prefix: string, rule: NameRule, suffix?: string): string {
  const stack = TerraformStack.of(scope);
  const parts = scope.node.scopes
    .slice(scope.node.scopes.indexOf(stack) + 1)
    .map((s) => s.node.id)
    .filter((id) => id !== "Default" && id !== "Resource");
  const raw = [prefix, ...parts, ...(suffix ? [suffix] : [])].join("-");
  return fitName(raw, rule);
}

/** `name` with the platform prefix, unless it has it already (`acme-ml-fraud` stays, `fraud` becomes `acme-ml-fraud`). */
export function withPlatformPrefix(platformName: string, name: string): string {
  return name.startsWith(`${platformName}-`) ? name : `${platformName}-${name}`;
}

const claims = new WeakMap<IConstruct, Map<string, IConstruct>>();

function claimsOf(owner: IConstruct): Map<string, IConstruct> {
  const root = owner.node.root;
  let byName = claims.get(root);
  if (!byName) {
    byName = new Map();
    claims.set(root, byName);
  }
  return byName;
}

/**
 * Claims a name the user chose (it is never changed): returns the construct of the app that holds it
 * already in `scopeKey`, or undefined when `owner` now holds it. The caller refuses a taken name with a
 * validation error. Shares its register with {@link claimUniqueName}.
 */
export function claimExactName(owner: IConstruct, scopeKey: string, name: string): IConstruct | undefined {
  const byName = claimsOf(owner);
  const key = `${scopeKey}\u0000${name}`;
  const holder = byName.get(key);
  if (holder !== undefined && holder !== owner) return holder;
  byName.set(key, owner);
  return undefined;
}

/**
 * A physical name that is unique within its scope across every stack of the app (S3 names are
 * global; IAM names are per account). `preferred` is the name a construct gets when it is alone; when
 * another construct of the app holds it already, the stack id is made part of the name
 * (`disambiguate(stackId)`), so that names which never collided keep their form and only the later of
 * two colliding constructs, in the order they are created, changes. `scopeKey` names the uniqueness
 * scope (for S3: the region, since the account is the same for the stacks of one platform).
 */
export function claimUniqueName(owner: IConstruct, scopeKey: string, preferred: string, disambiguate: (stackId: string) => string): string {
  const byName = claimsOf(owner);
  const stack = TerraformStack.of(owner);
  // Made only when the one before is taken: nearly every name is its preferred form.
  const candidates = [() => preferred, () => disambiguate(stack.node.id), () => disambiguate(`${stack.node.id}-${stableHash(owner.node.path)}`)];
  for (const candidate of candidates) {
    const name = candidate();
    const key = `${scopeKey}\u0000${name}`;
    const holder = byName.get(key);
    if (holder === undefined || holder === owner) {
      byName.set(key, owner);
      return name;
    }
  }
  throw new Error(`${owner.node.path}: no unique name could be derived from ${preferred}`);
}
