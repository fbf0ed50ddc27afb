import type { ResourceChange } from "./diff";

/** The kinds of findings a reviewer must not miss; `--fail-on` takes these names. */
export const DANGER_KINDS = ["state", "destroy", "replace", "may-replace", "protection-off", "iam", "network", "gpu", "cost"] as const;
export type DangerKind = (typeof DANGER_KINDS)[number];

/** One line of "what a reviewer must not miss". */
export interface Danger {
  readonly kind: DangerKind;
  readonly stack: string;
  readonly address?: string;
  readonly path?: string;
  readonly message: string;
}

/** Resource types that hold data (or, for the cluster, workloads) that a replacement or removal loses. */
export const STATEFUL_TYPES: Record<string, string> = {
  aws_s3_bucket: "bucket",
  aws_db_instance: "database",
  aws_rds_cluster: "database cluster",
  aws_dynamodb_table: "table",
  aws_sagemaker_feature_group: "feature group",
  aws_kms_key: "KMS key",
  aws_ecr_repository: "ECR repository",
  aws_eks_cluster: "EKS cluster",
  aws_efs_file_system: "file system",
  aws_sagemaker_model_package_group: "model package group",
  aws_secretsmanager_secret: "secret",
};

const q = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
const where = (c: ResourceChange) => `\`${c.path || c.address}\` (\`${c.stack}\` \`${c.address}\`)`;

/** Stateful resources removed, replaced or possibly replaced; protection turned off. */
export function dataDangers(changes: ResourceChange[]): Danger[] {
  const out: Danger[] = [];
  for (const c of changes) {
    if (c.mode !== "resource") continue;
    const what = STATEFUL_TYPES[c.type];
    const base = { stack: c.stack, address: c.address, path: c.path };
    if (what && c.action === "delete") {
      const guarded = (c.before?.lifecycle as { prevent_destroy?: boolean } | undefined)?.prevent_destroy === true;
      const protectedByService = c.before?.deletion_protection === true || c.before?.deletion_protection_enabled === true;
      const note = guarded
        ? ": it has prevent_destroy, so the plan fails until it is removed from state or kept in the code"
        : protectedByService
          ? ": it has deletion protection, so the apply fails until protection is turned off in an apply of its own"
          : "";
      out.push({ ...base, kind: "destroy", message: `DESTROY ${what} ${where(c)}${note}` });
    } else if (what && c.action === "replace") {
      const forcing = c.arguments.filter((a) => a.forcesReplacement).map((a) => `\`${a.path}\` ${q(a.before)} → ${q(a.after)}`);
      out.push({
        ...base,
        kind: "replace",
        message: `REPLACE ${what} ${where(c)}: ${forcing.join(", ")} forces a new resource (its data does not move)`,
      });
    } else if (what && c.action === "update-or-replace") {
      out.push({
        ...base,
        kind: "may-replace",
        message: `MAY BE REPLACED ${what} ${where(c)}: no ForceNew data for ${c.type}; changed ${c.arguments.map((a) => `\`${a.path}\``).join(", ")}`,
      });
    } else if (what && c.action === "update") {
      const conditional = c.arguments.filter((a) => a.conditional);
      if (conditional.length) {
        out.push({
          ...base,
          kind: "may-replace",
          message: `MAY BE REPLACED ${what} ${where(c)}: ${conditional.map((a) => `\`${a.path}\` (${a.conditional})`).join(", ")}`,
        });
      }
    }
    if (c.action === "update" || c.action === "replace" || c.action === "update-or-replace") {
      const guard = (v?: Record<string, unknown>) => (v?.lifecycle as { prevent_destroy?: unknown } | undefined)?.prevent_destroy;
      if (guard(c.before) === true && guard(c.after) !== true) {
        out.push({
          ...base,
          kind: "protection-off",
          message: `PROTECTION OFF ${where(c)}: \`lifecycle.prevent_destroy\` true → ${guard(c.after) === undefined ? "(none)" : q(guard(c.after))}`,
        });
      }
      for (const a of c.arguments) {
        const off =
          (/^(deletion_protection|deletion_protection_enabled)$/.test(a.path) && a.before === true && a.after !== true) ||
          (/^(force_destroy|force_delete|skip_final_snapshot)$/.test(a.path) && a.before !== true && a.after === true);
        if (off) out.push({ ...base, kind: "protection-off", message: `PROTECTION OFF ${where(c)}: \`${a.path}\` ${q(a.before)} → ${q(a.after)}` });
      }
    }
  }
  return out;
}

interface Statement {
  effect: string;
  actions: string[];
  resources: string[];
  principals: string[];
}

function statementsOf(change: ResourceChange, side: "before" | "after"): Statement[] | undefined {
  const v = change[side];
  if (!v) return undefined;
  if (change.type === "aws_iam_policy_document" && change.mode === "data") {
    const st = (Array.isArray(v.statement) ? v.statement : v.statement ? [v.statement] : []) as Record<string, unknown>[];
    return st.map((s) => ({
      effect: String(s.effect ?? "Allow"),
      actions: ((s.actions as string[]) ?? []).map(String),
      resources: ((s.resources as string[]) ?? []).map(String),
      principals: ((s.principals as { type: string; identifiers: string[] }[]) ?? []).flatMap((p) =>
        (p.identifiers ?? []).map((i) => `${p.type}:${i}`),
      ),
    }));
  }
  // Literal JSON policies (aws_iam_role_policy.policy, aws_iam_policy.policy, aws_iam_role.assume_role_policy, ...).
  const docs = ["policy", "assume_role_policy"].map((k) => v[k]).filter((p): p is string => typeof p === "string" && p.trim().startsWith("{"));
  if (docs.length === 0) return undefined;
  const list = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
  return docs.flatMap((d) => {
    let doc: { Statement?: Record<string, unknown> | Record<string, unknown>[] };
    try {
      doc = JSON.parse(d);
    } catch {
      return [];
    }
    return list(doc.Statement).map((s) => ({
      effect: String(s.Effect ?? "Allow"),
      actions: list(s.Action as string | string[]).map(String),
      resources: list(s.Resource as string | string[]).map(String),
      principals: Object.entries(
        typeof s.Principal === "object" && s.Principal
          ? (s.Principal as Record<string, string | string[]>)
          : s.Principal
            ? { AWS: String(s.Principal) }
            : {},
      ).flatMap(([t, ids]) => list(ids).map((i) => `${t}:${i}`)),
    }));
  });
}

/** IAM widened: new actions, resources or trust principals on an Allow statement, `*`, managed policies attached. */
export function iamDangers(changes: ResourceChange[]): Danger[] {
  const out: Danger[] = [];
  for (const c of changes) {
    const base = { stack: c.stack, address: c.address, path: c.path, kind: "iam" as const };
    if (c.type === "aws_iam_role_policy_attachment" && c.action !== "delete") {
      const before = c.before?.policy_arn;
      const after = c.after?.policy_arn;
      if (before !== after) out.push({ ...base, message: `IAM widened ${where(c)}: managed policy \`${q(after)}\` attached` });
      continue;
    }
    if (c.action === "delete") continue;
    const after = statementsOf(c, "after");
    if (!after) continue;
    const before = statementsOf(c, "before") ?? [];
    const allow = (ss: Statement[]) => ss.filter((s) => s.effect === "Allow");
    const set = (ss: Statement[], k: "actions" | "resources" | "principals") => new Set(allow(ss).flatMap((s) => s[k]));
    const added = (k: "actions" | "resources" | "principals") => [...set(after, k)].filter((x) => !set(before, k).has(x));
    const actions = added("actions");
    const resources = added("resources");
    const principals = added("principals");
    const parts: string[] = [];
    if (actions.length) parts.push(`new actions ${actions.map((a) => `\`${a}\``).join(", ")}`);
    if (resources.length) parts.push(`new resources ${resources.map((r) => `\`${r}\``).join(", ")}`);
    if (principals.length) parts.push(`new trust principals ${principals.map((p) => `\`${p}\``).join(", ")}`);
    if (!parts.length) continue;
    const star = [...actions, ...resources, ...principals].some((x) => x === "*" || x.endsWith(":*") || x === "AWS:*");
    out.push({ ...base, message: `IAM widened ${where(c)}${star ? " (wildcard `*`)" : ""}: ${parts.join("; ")}` });
  }
  return out;
}

const OPEN = ["0.0.0.0/0", "::/0"];

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => strings(x, out));
  return out;
}

/** Network exposure: a public API endpoint or its CIDRs, `0.0.0.0/0`, a route to an internet gateway, an ingress rule. */
export function networkDangers(changes: ResourceChange[]): Danger[] {
  const out: Danger[] = [];
  for (const c of changes) {
    if (c.mode !== "resource" || c.action === "delete") continue;
    const base = { stack: c.stack, address: c.address, path: c.path, kind: "network" as const };
    const b = (c.before ?? {}) as Record<string, any>;
    const a = (c.after ?? {}) as Record<string, any>;
    if (c.type === "aws_eks_cluster") {
      const vb = [b.vpc_config].flat()[0] ?? {};
      const va = [a.vpc_config].flat()[0] ?? {};
      if (va.endpoint_public_access === true && vb.endpoint_public_access !== true) {
        out.push({ ...base, message: `PUBLIC API ENDPOINT ${where(c)}: \`endpoint_public_access\` ${q(vb.endpoint_public_access ?? false)} → true` });
      }
      const added = ((va.public_access_cidrs ?? []) as string[]).filter((x) => !((vb.public_access_cidrs ?? []) as string[]).includes(x));
      if (added.length)
        out.push({ ...base, message: `PUBLIC API ENDPOINT ${where(c)}: \`public_access_cidrs\` + ${added.map((x) => `\`${x}\``).join(", ")}` });
    }
    if (c.type === "aws_db_instance" && a.publicly_accessible === true && b.publicly_accessible !== true) {
      out.push({ ...base, message: `PUBLIC DATABASE ${where(c)}: \`publicly_accessible\` → true` });
    }
    if (c.type === "aws_s3_bucket_public_access_block") {
      for (const k of ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]) {
        if (b[k] === true && a[k] !== true) out.push({ ...base, message: `PUBLIC BUCKET ACCESS ${where(c)}: \`${k}\` true → ${q(a[k] ?? false)}` });
      }
    }
    if (
      c.type === "aws_route" &&
      typeof a.gateway_id === "string" &&
      a.gateway_id.includes("aws_internet_gateway") &&
      a.gateway_id !== b.gateway_id
    ) {
      out.push({
        ...base,
        message: `PUBLIC ROUTE ${where(c)}: \`${q(a.destination_cidr_block ?? a.destination_ipv6_cidr_block)}\` via an internet gateway`,
      });
    }
    const ingress =
      c.type === "aws_vpc_security_group_ingress_rule" ||
      (c.type === "aws_security_group_rule" && a.type === "ingress") ||
      c.type === "aws_security_group";
    if (ingress) {
      // A rule created, or one whose source, ports or protocol changed (not its description or tags).
      const exposure =
        /^(ingress|cidr_|ipv6_cidr|from_port|to_port|ip_protocol|protocol|referenced_security_group_id|source_security_group_id|prefix_list_id|type)/;
      const changedIngress = c.action === "create" || c.arguments.some((x) => exposure.test(x.path));
      if (changedIngress) {
        const rules = c.type === "aws_security_group" ? ([a.ingress].flat().filter(Boolean) as Record<string, any>[]) : [a];
        for (const r of rules) {
          const from = [
            r.cidr_ipv4,
            r.cidr_ipv6,
            ...(r.cidr_blocks ?? []),
            ...(r.ipv6_cidr_blocks ?? []),
            r.referenced_security_group_id,
            r.source_security_group_id,
            r.prefix_list_id,
          ]
            .filter((x) => x !== undefined && x !== null)
            .map(String);
          const ports =
            r.from_port === undefined ? "all ports" : r.from_port === r.to_port ? `port ${r.from_port}` : `ports ${r.from_port}-${r.to_port}`;
          out.push({
            ...base,
            message: `INGRESS OPENED ${where(c)}: ${q(r.ip_protocol ?? r.protocol ?? "")} ${ports} from ${from.map((x) => `\`${x}\``).join(", ") || "(unspecified)"}`,
          });
        }
        continue;
      }
    }
    if (
      c.type === "aws_vpc_security_group_egress_rule" ||
      c.type === "aws_route" ||
      c.type === "aws_security_group" ||
      (c.type === "aws_security_group_rule" && a.type === "egress")
    )
      continue;
    const newlyOpen = OPEN.filter((o) => strings(a).includes(o) && !strings(b).includes(o));
    for (const o of newlyOpen) out.push({ ...base, message: `OPEN TO THE INTERNET ${where(c)}: \`${o}\` appears` });
  }
  return out;
}

/**
 * The stack's state moved (a backend changed) or its provider's region changed: Terraform would look
 * for every resource of the stack elsewhere, and plan to create them all anew.
 */
export function stateDangers(changes: ResourceChange[]): Danger[] {
  const out: Danger[] = [];
  for (const c of changes) {
    if (c.mode !== "settings") continue;
    for (const a of c.arguments) {
      if (c.address === "terraform" && a.path.startsWith("backend")) {
        out.push({
          kind: "state",
          stack: c.stack,
          address: c.address,
          message: `STATE BACKEND CHANGED \`${c.stack}\`: \`${a.path}\` ${q(a.before)} → ${q(a.after)}: migrate the state (\`terraform init -migrate-state\`) before the next apply, or Terraform plans every resource of the stack anew`,
        });
      } else if (c.address === "provider" && /^aws\[\d+\]\.region$/.test(a.path)) {
        out.push({
          kind: "state",
          stack: c.stack,
          address: c.address,
          message: `REGION CHANGED \`${c.stack}\`: \`provider.${a.path}\` ${q(a.before)} → ${q(a.after)}: the stack's resources would be looked for, and created, in the new region`,
        });
      }
    }
  }
  return out;
}
