import { execFileSync } from "child_process";
import { allStrings, resources, TfDoc } from "../helpers";

/** A physical-name rule of one resource argument: at most `max` characters matching `re`. */
interface Rule {
  readonly arg: string;
  readonly max: number;
  readonly re: RegExp;
  /** The uniqueness scope of the name: across every account (S3), per account (IAM), per region, or none (unique by its parent). */
  readonly scope: "global" | "account" | "region" | "none";
}

const SAGEMAKER = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
const IAM = /^[\w+=,.@-]+$/;
/** No control characters (CloudWatch alarm and metric names). */
const PRINTABLE = { test: (v: string) => v.length > 0 && ![...v].some((c) => c.charCodeAt(0) < 0x20) } as RegExp;

/** Name rules of the AWS services the library names, from the AWS API references and the provider's validation. */
const NAME_RULES: Record<string, Rule[]> = {
  aws_s3_bucket: [
    { arg: "bucket", max: 63, re: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, scope: "global" },
    { arg: "bucket_prefix", max: 37, re: /^[a-z0-9][a-z0-9.-]*$/, scope: "none" },
  ],
  aws_iam_role: [
    { arg: "name", max: 64, re: IAM, scope: "account" },
    { arg: "name_prefix", max: 38, re: IAM, scope: "none" },
  ],
  aws_iam_policy: [{ arg: "name", max: 128, re: IAM, scope: "account" }],
  aws_iam_role_policy: [{ arg: "name", max: 128, re: IAM, scope: "none" }],
  aws_security_group: [
    { arg: "name", max: 255, re: /^[\x20-\x7e]+$/, scope: "none" },
    { arg: "name_prefix", max: 100, re: /^[\x20-\x7e]+$/, scope: "none" },
  ],
  aws_eks_cluster: [{ arg: "name", max: 100, re: /^[0-9A-Za-z][A-Za-z0-9_-]*$/, scope: "region" }],
  aws_eks_node_group: [
    { arg: "node_group_name", max: 63, re: /^[0-9A-Za-z][A-Za-z0-9_-]*$/, scope: "none" },
    { arg: "node_group_name_prefix", max: 37, re: /^[0-9A-Za-z][A-Za-z0-9_-]*$/, scope: "none" },
  ],
  aws_launch_template: [{ arg: "name_prefix", max: 102, re: /^[a-zA-Z0-9().\/_-]+$/, scope: "none" }],
  aws_sagemaker_endpoint: [{ arg: "name", max: 63, re: SAGEMAKER, scope: "region" }],
  aws_sagemaker_endpoint_configuration: [
    { arg: "name", max: 63, re: SAGEMAKER, scope: "region" },
    { arg: "name_prefix", max: 37, re: /^[a-zA-Z0-9](-*[a-zA-Z0-9])*-?$/, scope: "none" },
  ],
  aws_sagemaker_model: [{ arg: "name", max: 63, re: SAGEMAKER, scope: "region" }],
  aws_sagemaker_model_package_group: [{ arg: "model_package_group_name", max: 63, re: SAGEMAKER, scope: "region" }],
  aws_sagemaker_feature_group: [{ arg: "feature_group_name", max: 64, re: /^[a-zA-Z0-9]([-_]*[a-zA-Z0-9])*$/, scope: "region" }],
  aws_cloudwatch_metric_alarm: [
    { arg: "alarm_name", max: 255, re: PRINTABLE, scope: "region" },
    { arg: "metric_name", max: 255, re: PRINTABLE, scope: "none" },
  ],
  aws_cloudwatch_composite_alarm: [{ arg: "alarm_name", max: 255, re: PRINTABLE, scope: "region" }],
  aws_lambda_function: [{ arg: "function_name", max: 64, re: /^[a-zA-Z0-9_-]+$/, scope: "region" }],
  aws_sns_topic: [{ arg: "name", max: 256, re: /^[A-Za-z0-9_-]+$/, scope: "region" }],
  aws_sqs_queue: [{ arg: "name", max: 80, re: /^[A-Za-z0-9_-]+$/, scope: "region" }],
  aws_dynamodb_table: [{ arg: "name", max: 255, re: /^[a-zA-Z0-9_.-]{3,}$/, scope: "region" }],
  aws_db_instance: [{ arg: "identifier", max: 63, re: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/, scope: "region" }],
  aws_db_subnet_group: [{ arg: "name", max: 255, re: /^[a-z0-9 ._-]+$/, scope: "region" }],
  aws_ecr_repository: [{ arg: "name", max: 256, re: /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/, scope: "region" }],
  aws_kms_alias: [{ arg: "name", max: 256, re: /^alias\/[a-zA-Z0-9\/_-]+$/, scope: "region" }],
  aws_cloudwatch_log_group: [{ arg: "name", max: 512, re: /^[.\-_\/#A-Za-z0-9]+$/, scope: "region" }],
  aws_glue_catalog_database: [{ arg: "name", max: 255, re: /^[a-z0-9_-]+$/, scope: "region" }],
  aws_athena_workgroup: [{ arg: "name", max: 128, re: /^[a-zA-Z0-9._-]+$/, scope: "region" }],
  aws_placement_group: [{ arg: "name", max: 255, re: /^[a-zA-Z0-9_-]+$/, scope: "region" }],
  helm_release: [{ arg: "name", max: 53, re: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, scope: "none" }],
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function isReference(v: string): boolean {
  return v.includes("${");
}

function labelKeyProblem(k: string): string | undefined {
  const parts = k.split("/");
  if (parts.length > 2) return "has more than one '/'";
  const name = parts[parts.length - 1];
  if (parts.length === 2 && (parts[0].length > 253 || !DNS_SUBDOMAIN.test(parts[0]))) return "has an invalid prefix";
  if (name.length > 63 || !LABEL_NAME.test(name)) return "has an invalid name part";
  return undefined;
}

function walk(v: unknown, visit: (v: unknown, path: string) => void, path = ""): void {
  visit(v, path);
  if (Array.isArray(v)) v.forEach((x, i) => walk(x, visit, `${path}[${i}]`));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, visit, `${path}.${k}`);
}

/** Python sources in ConfigMaps (the Feast repository), by address. */
function pythonSources(doc: TfDoc): Array<{ address: string; source: string }> {
  const out: Array<{ address: string; source: string }> = [];
  for (const r of [...resources(doc, "kubernetes_config_map_v1"), ...resources(doc, "kubernetes_config_map")]) {
    for (const [key, source] of Object.entries((r.values.data ?? {}) as Record<string, unknown>)) {
      if (key.endsWith(".py") && typeof source === "string") out.push({ address: `${r.address} ${key}`, source });
    }
  }
  return out;
}

/** The problem of a Python source that does not parse, or undefined. */
export function pythonProblem(source: string): string | undefined {
  try {
    execFileSync("python3", ["-c", "import ast,sys; ast.parse(sys.stdin.read())"], { input: source, stdio: ["pipe", "pipe", "pipe"] });
    return undefined;
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? e);
    return stderr.trim().split("\n").slice(-1)[0];
  }
}

/** Resources whose `policy` is an IAM policy document (an ECR lifecycle policy is not). */
const POLICY_TYPES = /^aws_(iam_.*|s3_bucket_policy|kms_key|sns_topic_policy|sqs_queue_policy|ecr_repository_policy)$/;

function policyProblems(address: string, json: string): string[] {
  if (isReference(json) && !json.trim().startsWith("{")) return [];
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(json);
  } catch {
    return [`${address}: a policy that is not JSON`];
  }
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  if (statements.length === 0) return [`${address}: a policy without statements`];
  const out: string[] = [];
  for (const s of statements as Array<Record<string, unknown>>) {
    const actions = s.Action ?? s.NotAction;
    if (actions === undefined || (Array.isArray(actions) && actions.length === 0)) out.push(`${address}: a statement without actions`);
    const res = s.Resource ?? s.NotResource;
    if (!s.Principal && (res === undefined || (Array.isArray(res) && res.length === 0))) out.push(`${address}: a statement without resources`);
  }
  return out;
}

/**
 * What is wrong with the synthesized stacks of one app (each stack's cdk.tf.json by id): text that
 * should never reach Terraform, physical names outside their service's rules or used twice in their
 * scope, half-built parts, policies without statements and generated Python that does not parse.
 * Returns every problem; empty when the output is clean.
 */
export function outputProblems(docs: Record<string, TfDoc>): string[] {
  const out: string[] = [];
  const names = new Map<string, string>();
  for (const [stackId, doc] of Object.entries(docs)) {
    const region = String((doc.provider?.aws?.[0] as { region?: string } | undefined)?.region ?? "?");
    for (const s of allStrings(doc)) {
      for (const bad of ["undefined", "[object Object]", "TfToken", "TOKEN[", "Token["])
        if (s.includes(bad)) out.push(`${stackId}: a string contains ${bad}: ${s.slice(0, 120)}`);
      if (/\bNaN\b/.test(s)) out.push(`${stackId}: a string contains NaN: ${s.slice(0, 120)}`);
    }
    walk(doc, (v, path) => {
      if (v === null) out.push(`${stackId}: null at ${path}`);
      if (typeof v === "number" && !Number.isFinite(v)) out.push(`${stackId}: ${v} at ${path}`);
    });
    for (const r of resources(doc)) {
      const where = `${stackId}: ${r.address}`;
      const v = r.values;
      for (const rule of NAME_RULES[r.type] ?? []) {
        const name = v[rule.arg];
        if (typeof name !== "string" || isReference(name)) continue;
        if (name.length > rule.max) out.push(`${where}: ${rule.arg} of ${name.length} characters (at most ${rule.max}): ${name}`);
        if (!rule.re.test(name)) out.push(`${where}: ${rule.arg} breaks the service's character rules: ${JSON.stringify(name)}`);
        if (rule.scope !== "none") {
          const key = `${rule.scope === "global" ? "" : rule.scope === "account" ? "account" : region}|${r.type}|${rule.arg}|${name}`;
          const other = names.get(key);
          if (other) out.push(`${where}: ${rule.arg} ${name} is also used by ${other}`);
          else names.set(key, where);
        }
      }
      if (v.tags && typeof v.tags === "object") {
        for (const [k, t] of Object.entries(v.tags as Record<string, unknown>)) {
          if (k.length > 128) out.push(`${where}: tag key of ${k.length} characters`);
          if (typeof t === "string" && !isReference(t) && t.length > 256) out.push(`${where}: tag ${k} value of ${t.length} characters`);
        }
      }
      if (r.type.startsWith("kubernetes_")) {
        const metadata = (Array.isArray(v.metadata) ? v.metadata[0] : v.metadata) as Record<string, unknown> | undefined;
        const manifestMeta = (v.manifest as { metadata?: Record<string, unknown> } | undefined)?.metadata;
        for (const m of [metadata, manifestMeta]) {
          if (!m) continue;
          const name = m.name;
          const isNamespace = r.type.startsWith("kubernetes_namespace");
          if (typeof name === "string" && !isReference(name)) {
            if (isNamespace ? name.length > 63 || !DNS_LABEL.test(name) : name.length > 253 || !DNS_SUBDOMAIN.test(name))
              out.push(`${where}: metadata.name ${JSON.stringify(name)} is not a Kubernetes name`);
            const key = `k8s|${v.provider}|${r.type}|${m.namespace ?? ""}|${(v.manifest as { kind?: string })?.kind ?? ""}|${name}`;
            const other = names.get(key);
            if (other) out.push(`${where}: ${name} is also used by ${other}`);
            else names.set(key, where);
          }
          for (const [k, lv] of Object.entries((m.labels ?? {}) as Record<string, unknown>)) {
            const problem = labelKeyProblem(k);
            if (problem) out.push(`${where}: label key ${JSON.stringify(k)} ${problem}`);
            if (typeof lv === "string" && !isReference(lv) && lv !== "" && (lv.length > 63 || !LABEL_NAME.test(lv)))
              out.push(`${where}: label value ${JSON.stringify(lv)} is invalid`);
          }
        }
      }
      if (r.type === "aws_eks_cluster" && typeof v.version === "string" && !/^\d+\.\d+$/.test(v.version))
        out.push(`${where}: Kubernetes version ${JSON.stringify(v.version)}`);
      if (r.type === "aws_eks_cluster") {
        const subnets = (v.vpc_config as { subnet_ids?: unknown } | undefined)?.subnet_ids;
        if (Array.isArray(subnets) && subnets.length < 2) out.push(`${where}: a cluster with ${subnets.length} subnet(s)`);
      }
      for (const arg of ["policy", "assume_role_policy"]) {
        if (typeof v[arg] === "string" && POLICY_TYPES.test(r.type)) out.push(...policyProblems(`${where}.${arg}`, v[arg]));
      }
    }
    for (const d of resources(doc, "aws_iam_policy_document", "data")) {
      const statements = d.values.statement;
      if (!Array.isArray(statements) || statements.length === 0) out.push(`${stackId}: ${d.address}: a policy document without statements`);
    }
    if (resources(doc, "aws_vpc").length > 0 && resources(doc, "aws_subnet").length === 0) out.push(`${stackId}: a VPC without subnets`);
    for (const { address, source } of pythonSources(doc)) {
      const problem = pythonProblem(source);
      if (problem) out.push(`${stackId}: ${address}: Python that does not parse: ${problem}`);
    }
  }
  return out;
}
