import { IConstruct } from "constructs";
import { GpuInstance } from "../../training-cluster/gpu-instances";
import { block, Element, isRef, list, num, refTarget, StackModel, truth } from "./model";
import { actionMatches, Statement, statementsOf } from "./policy";

/** What a rule is given: the stack's resources and the guardrails' options. */
export interface RuleContext {
  readonly model: StackModel;
  readonly maxOnDemandGpus: number;
  /** The stage of the stack (`prod`, `dev`, ...), when known. */
  readonly stage?: string;
  isSuppressed(construct: IConstruct, ruleId: string): boolean;
}

/** One breach of a rule by one resource. */
export interface Violation {
  readonly element: Element;
  readonly detail: string;
  /** Other constructs whose suppression also covers the finding (e.g. the policy document of a role policy). */
  readonly related?: IConstruct[];
}

export type Pack = "security" | "cost" | "dataProtection";

export interface RuleDef {
  readonly id: string;
  readonly pack: Pack;
  readonly level: "error" | "warning";
  readonly description: string;
  readonly remedy: string;
  readonly checkov: string[];
  check(ctx: RuleContext): Violation[];
}

const v = (element: Element, detail: string, related?: IConstruct[]): Violation => ({ element, detail, related });
const set = (x: unknown): boolean => x !== undefined && x !== null && x !== "";

// ---------------------------------------------------------------------------------------------
// S3: the bucket's settings live in sibling resources that point to it (provider v4+ layout).

function buckets(m: StackModel): Element[] {
  return m.byType("aws_s3_bucket");
}
function siblings(m: StackModel, type: string, bucket: Element): Element[] {
  return m.pointingTo(type, "bucket", bucket, [bucket.values.bucket]);
}

const s3Kms: RuleDef["check"] = ({ model }) =>
  buckets(model).flatMap((b) => {
    const configs = siblings(model, "aws_s3_bucket_server_side_encryption_configuration", b).map((c) => c.values);
    const inline = b.values.server_side_encryption_configuration;
    if (isRef(inline)) return [];
    if (block(inline)) configs.push(block(inline)!);
    const algos = configs.flatMap((c) => list(c.rule).map((r: any) => block(block(r)?.apply_server_side_encryption_by_default)?.sse_algorithm));
    if (algos.some((a) => isRef(a) || a === "aws:kms" || a === "aws:kms:dsse")) return [];
    return [v(b, algos.length ? `objects are encrypted with ${algos.join(", ")}, not SSE-KMS` : "no encryption configuration (S3 applies SSE-S3)")];
  });

const s3PublicAccessBlock: RuleDef["check"] = ({ model }) => {
  const account = model.byType("aws_s3_account_public_access_block").some((a) => allBlocked(a.values) !== false);
  if (account) return [];
  return buckets(model).flatMap((b) => {
    const blocks = siblings(model, "aws_s3_bucket_public_access_block", b);
    if (blocks.some((p) => allBlocked(p.values) !== false)) return [];
    return [v(b, blocks.length ? "the public access block leaves a setting off" : "no public access block")];
  });
};
function allBlocked(x: Record<string, any>): boolean | undefined {
  const keys = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
  if (keys.some((k) => isRef(x[k]))) return undefined;
  return keys.every((k) => truth(x[k]) === true);
}

const s3Versioning: RuleDef["check"] = ({ model }) =>
  buckets(model).flatMap((b) => {
    const statuses = siblings(model, "aws_s3_bucket_versioning", b).map((s) => block(s.values.versioning_configuration)?.status);
    if (statuses.some((s) => isRef(s) || s === "Enabled")) return [];
    const inline = block(b.values.versioning);
    if (inline && truth(inline.enabled) !== false) return [];
    return [v(b, statuses.length ? `versioning is ${statuses.join(", ")}` : "versioning is not enabled")];
  });

const s3TlsOnly: RuleDef["check"] = ({ model }) =>
  buckets(model).flatMap((b) => {
    const policies = siblings(model, "aws_s3_bucket_policy", b);
    const docs = policies.map((p) => statementsOf(model, p.values.policy));
    if (b.values.policy) docs.push(statementsOf(model, b.values.policy));
    if (docs.some((d) => d === undefined)) return []; // a policy that cannot be read here
    const denies = docs.flat().some((s) => s!.effect === "Deny" && s!.conditions.some(isInsecureTransport));
    return denies
      ? []
      : [v(b, policies.length ? "the bucket policy does not deny requests without TLS" : "no bucket policy denies requests without TLS")];
  });
function isInsecureTransport(c: Statement["conditions"][number]): boolean {
  return /^Bool(IfExists)?$/.test(c.test) && c.variable.toLowerCase() === "aws:securetransport" && c.values.includes("false");
}

const s3ForceDestroy: RuleDef["check"] = ({ model }) =>
  buckets(model).flatMap((b) => (truth(b.values.force_destroy) === true ? [v(b, "force_destroy = true deletes every object on destroy")] : []));

// ---------------------------------------------------------------------------------------------

const kmsRotation: RuleDef["check"] = ({ model }) =>
  model.byType("aws_kms_key").flatMap((k) => {
    const spec = k.values.customer_master_key_spec;
    if (set(spec) && spec !== "SYMMETRIC_DEFAULT") return []; // asymmetric and HMAC keys cannot rotate
    if (isRef(k.values.enable_key_rotation) || truth(k.values.enable_key_rotation) === true) return [];
    return [v(k, "automatic key rotation is off")];
  });

const logsKms: RuleDef["check"] = ({ model }) =>
  model.byType("aws_cloudwatch_log_group").flatMap((g) => (set(g.values.kms_key_id) ? [] : [v(g, "no kms_key_id")]));

const logsRetention: RuleDef["check"] = ({ model }) =>
  model.byType("aws_cloudwatch_log_group").flatMap((g) => {
    const days = g.values.retention_in_days;
    if (isRef(days) || (num(days) ?? 0) > 0) return [];
    return [v(g, "events are kept forever (no retention_in_days)")];
  });

// ---------------------------------------------------------------------------------------------
// EKS

const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

const eksEndpoint: RuleDef["check"] = ({ model }) =>
  model.byType("aws_eks_cluster").flatMap((c) => {
    const vpc = block(c.values.vpc_config) ?? {};
    const isPublic = truth(vpc.endpoint_public_access);
    if (isPublic === false || isRef(vpc.endpoint_public_access)) return [];
    if (isRef(vpc.public_access_cidrs)) return [];
    const cidrs = list(vpc.public_access_cidrs).map(String);
    if (cidrs.length > 0 && !cidrs.some((x) => x === "0.0.0.0/0" || x === "::/0")) return [];
    return [v(c, cidrs.length ? "the public API endpoint is open to 0.0.0.0/0" : "the public API endpoint is on, open to 0.0.0.0/0 (the default)")];
  });

const eksSecrets: RuleDef["check"] = ({ model }) =>
  model.byType("aws_eks_cluster").flatMap((c) => {
    const enc = block(c.values.encryption_config);
    const key = block(enc?.provider)?.key_arn;
    const resources = enc?.resources;
    if (set(key) && (isRef(resources) || list(resources).includes("secrets"))) return [];
    return [v(c, "Kubernetes secrets are not envelope-encrypted with a KMS key")];
  });

const eksLogs: RuleDef["check"] = ({ model }) =>
  model.byType("aws_eks_cluster").flatMap((c) => {
    const types = c.values.enabled_cluster_log_types;
    if (isRef(types)) return [];
    const missing = CONTROL_PLANE_LOGS.filter((t) => !list(types).includes(t));
    return missing.length ? [v(c, `control-plane logs missing: ${missing.join(", ")}`)] : [];
  });

// ---------------------------------------------------------------------------------------------
// EC2 launch templates and instances

function metadataHolders(m: StackModel): Element[] {
  return [...m.byType("aws_launch_template"), ...m.byType("aws_instance")];
}

const imdsV2: RuleDef["check"] = ({ model }) =>
  metadataHolders(model).flatMap((t) => {
    const tokens = block(t.values.metadata_options)?.http_tokens;
    if (tokens === "required" || isRef(tokens)) return [];
    return [v(t, `http_tokens is ${tokens ?? "unset (IMDSv1 allowed)"}`)];
  });

const imdsHopLimit: RuleDef["check"] = ({ model }) =>
  metadataHolders(model).flatMap((t) => {
    const hops = num(block(t.values.metadata_options)?.http_put_response_hop_limit);
    return hops !== undefined && hops > 1 ? [v(t, `http_put_response_hop_limit is ${hops}: pods can reach the node's credentials`)] : [];
  });

const ebsEncrypted: RuleDef["check"] = ({ model }) =>
  model.byType("aws_launch_template").flatMap((t) =>
    list(t.values.block_device_mappings).flatMap((b: any) => {
      const ebs = block(b.ebs);
      if (!ebs || isRef(ebs.encrypted) || truth(ebs.encrypted) === true || set(ebs.snapshot_id)) return [];
      return [v(t, `volume ${b.device_name ?? "?"} is not encrypted`)];
    }),
  );

// ---------------------------------------------------------------------------------------------
// RDS

function databases(m: StackModel): Element[] {
  return [...m.byType("aws_db_instance"), ...m.byType("aws_rds_cluster")];
}

const rdsEncryption: RuleDef["check"] = ({ model }) =>
  databases(model).flatMap((d) => {
    const x = d.values.storage_encrypted;
    if (isRef(x) || truth(x) === true) return [];
    // An instance of an Aurora cluster takes the cluster's encryption.
    if (d.type === "aws_db_instance" && set(d.values.replicate_source_db)) return [];
    return [v(d, "storage is not encrypted")];
  });

const rdsPublic: RuleDef["check"] = ({ model }) =>
  model.byType("aws_db_instance").flatMap((d) => (truth(d.values.publicly_accessible) === true ? [v(d, "publicly_accessible = true")] : []));

const rdsPassword: RuleDef["check"] = ({ model }) =>
  databases(model).flatMap((d) => {
    const arg = d.type === "aws_db_instance" ? "password" : "master_password";
    const pw = d.values[arg];
    return typeof pw === "string" && pw !== "" && !isRef(pw) ? [v(d, `${arg} is a literal in the code and the state`)] : [];
  });

const rdsBackups: RuleDef["check"] = ({ model }) =>
  databases(model).flatMap((d) => {
    if (d.type === "aws_db_instance" && set(d.values.replicate_source_db)) return [];
    const out: Violation[] = [];
    const days = d.values.backup_retention_period;
    if (!isRef(days) && (num(days) ?? 0) < 7) out.push(v(d, `backup_retention_period is ${days ?? "unset"} (fewer than 7 days)`));
    if (truth(d.values.skip_final_snapshot) === true) out.push(v(d, "skip_final_snapshot = true: destroying it loses the data"));
    return out;
  });

const rdsDeletionProtection: RuleDef["check"] = ({ model }) =>
  databases(model).flatMap((d) => {
    const x = d.values.deletion_protection;
    return isRef(x) || truth(x) === true ? [] : [v(d, "deletion_protection is off")];
  });

// ---------------------------------------------------------------------------------------------
// DynamoDB, SNS, SQS, ECR, SageMaker

const ddbPitr: RuleDef["check"] = ({ model }) =>
  model.byType("aws_dynamodb_table").flatMap((t) => {
    const x = block(t.values.point_in_time_recovery)?.enabled;
    return isRef(x) || truth(x) === true ? [] : [v(t, "point-in-time recovery is off")];
  });

const ddbKms: RuleDef["check"] = ({ model }) =>
  model.byType("aws_dynamodb_table").flatMap((t) => {
    const sse = block(t.values.server_side_encryption);
    if (sse && truth(sse.enabled) !== false && set(sse.kms_key_arn)) return [];
    return [v(t, "encrypted with an AWS-owned key, not a customer-managed KMS key")];
  });

const snsKms: RuleDef["check"] = ({ model }) =>
  model.byType("aws_sns_topic").flatMap((t) => (set(t.values.kms_master_key_id) ? [] : [v(t, "no kms_master_key_id")]));

const sqsKms: RuleDef["check"] = ({ model }) =>
  model.byType("aws_sqs_queue").flatMap((q) => {
    if (set(q.values.kms_master_key_id)) return [];
    return [v(q, truth(q.values.sqs_managed_sse_enabled) === false ? "not encrypted" : "SSE-SQS only (a key no policy of yours controls)")];
  });

const ecrImmutable: RuleDef["check"] = ({ model }) =>
  model.byType("aws_ecr_repository").flatMap((r) => {
    const x = r.values.image_tag_mutability;
    return isRef(x) || (typeof x === "string" && x.startsWith("IMMUTABLE")) ? [] : [v(r, `image_tag_mutability is ${x ?? "MUTABLE (the default)"}`)];
  });

const ecrScan: RuleDef["check"] = ({ model }) => {
  if (model.byType("aws_ecr_registry_scanning_configuration").length > 0) return [];
  return model.byType("aws_ecr_repository").flatMap((r) => {
    const x = block(r.values.image_scanning_configuration)?.scan_on_push;
    return isRef(x) || truth(x) === true ? [] : [v(r, "images are not scanned on push")];
  });
};

const smEndpointKms: RuleDef["check"] = ({ model }) =>
  model
    .byType("aws_sagemaker_endpoint_configuration")
    .flatMap((c) => (set(c.values.kms_key_arn) ? [] : [v(c, "no kms_key_arn for the ML storage volumes")]));

const smNetworkIsolation: RuleDef["check"] = ({ model }) =>
  model.byType("aws_sagemaker_model").flatMap((m) => {
    const x = m.values.enable_network_isolation;
    return isRef(x) || truth(x) === true ? [] : [v(m, "the model container can reach the network")];
  });

// ---------------------------------------------------------------------------------------------
// IAM

const IDENTITY_POLICY_TYPES = ["aws_iam_role_policy", "aws_iam_policy", "aws_iam_user_policy", "aws_iam_group_policy"];

/** Every identity-policy statement of the stack, with the resource that carries it. */
function identityStatements(m: StackModel): { element: Element; statements: Statement[] }[] {
  const out: { element: Element; statements: Statement[] }[] = [];
  for (const type of IDENTITY_POLICY_TYPES) {
    for (const e of m.byType(type)) {
      const s = statementsOf(m, e.values.policy);
      if (s) out.push({ element: e, statements: s });
    }
  }
  for (const role of m.byType("aws_iam_role")) {
    for (const p of list(role.values.inline_policy)) {
      const s = statementsOf(m, p?.policy);
      if (s) out.push({ element: role, statements: s });
    }
  }
  return out;
}

const related = (s: Statement): IConstruct[] => (s.document ? [s.document.construct] : []);
const onEveryResource = (s: Statement): boolean =>
  !s.notResources && s.resources.some((r) => r === "*" || /^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$/.test(r));
const label = (s: Statement): string => (s.sid ? `statement ${s.sid}` : "a statement");

const iamAdmin: RuleDef["check"] = ({ model }) => [
  ...identityStatements(model).flatMap(({ element, statements }) =>
    statements
      .filter((s) => s.effect === "Allow" && !s.notActions && s.actions.includes("*") && onEveryResource(s))
      .map((s) => v(element, `${label(s)} allows every action on every resource`, related(s))),
  ),
  ...["aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment"].flatMap(
    (type) =>
      model
        .byType(type)
        .flatMap((a) => (/:policy\/AdministratorAccess$/.test(String(a.values.policy_arn)) ? [v(a, "attaches AdministratorAccess")] : [])),
  ),
  ...model
    .byType("aws_iam_role")
    .flatMap((r) =>
      list(r.values.managed_policy_arns).some((arn) => /:policy\/AdministratorAccess$/.test(String(arn)))
        ? [v(r, "managed_policy_arns include AdministratorAccess")]
        : [],
    ),
];

/** Actions that read or write the data itself (objects, items, messages, secrets, plaintext keys, predictions). */
const DATA_PLANE_ACTIONS = [
  "s3:GetObject",
  "s3:PutObject",
  "s3:DeleteObject",
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:Scan",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
  "sqs:ReceiveMessage",
  "sqs:SendMessage",
  "sqs:DeleteMessage",
  "sns:Publish",
  "kinesis:GetRecords",
  "kinesis:PutRecord",
  "kinesis:PutRecords",
  "firehose:PutRecord",
  "secretsmanager:GetSecretValue",
  "ssm:GetParameter",
  "ssm:GetParameters",
  "ssm:GetParametersByPath",
  "kms:Decrypt",
  "kms:Encrypt",
  "kms:GenerateDataKey",
  "kms:ReEncryptFrom",
  "sagemaker:InvokeEndpoint",
  "sagemaker:PutRecord",
  "sagemaker:GetRecord",
  "rds-data:ExecuteStatement",
  "athena:GetQueryResults",
];

const iamDataPlaneWildcard: RuleDef["check"] = ({ model }) =>
  identityStatements(model).flatMap(({ element, statements }) =>
    statements.flatMap((s) => {
      if (s.effect !== "Allow" || s.conditions.length > 0 || !onEveryResource(s)) return [];
      const granted = s.notActions
        ? ["every action but " + s.actions.join(", ")]
        : DATA_PLANE_ACTIONS.filter((d) => s.actions.some((a) => actionMatches(a, d)));
      if (granted.length === 0 || (!s.notActions && s.actions.includes("*"))) return []; // `*` on `*` is IAM-ADMIN's
      return [
        v(
          element,
          `${label(s)} allows ${granted.slice(0, 4).join(", ")}${granted.length > 4 ? ", …" : ""} on every resource without a condition`,
          related(s),
        ),
      ];
    }),
  );

const iamTrustOpen: RuleDef["check"] = ({ model }) =>
  model.byType("aws_iam_role").flatMap((role) => {
    const statements = statementsOf(model, role.values.assume_role_policy) ?? [];
    return statements
      .filter((s) => s.effect === "Allow" && s.conditions.length === 0 && (s.notPrincipals || s.principals.some((p) => p === "*" || p === "AWS:*")))
      .map((s) => v(role, `${label(s)} lets every AWS principal assume the role`, related(s)));
  });

// ---------------------------------------------------------------------------------------------
// Security groups

const OPEN = ["0.0.0.0/0", "::/0"];

const sgOpenIngress: RuleDef["check"] = ({ model }) => {
  const lbGroups = new Set(
    ["aws_lb", "aws_alb", "aws_elb"].flatMap((t) => model.byType(t).flatMap((lb) => list(lb.values.security_groups).map(refTarget))).filter(Boolean),
  );
  const webOnly = (from: unknown, to: unknown, protocol: unknown): boolean => {
    const f = num(from);
    const t = num(to);
    return String(protocol) !== "-1" && String(protocol) !== "all" && f !== undefined && f === t && (f === 80 || f === 443);
  };
  const out: Violation[] = [];
  const judge = (e: Element, group: unknown, cidrs: unknown[], from: unknown, to: unknown, protocol: unknown) => {
    const open = cidrs.map(String).filter((c) => OPEN.includes(c));
    if (open.length === 0) return;
    const groupAddress = e.type.endsWith("security_group") ? e.address : refTarget(group);
    if (webOnly(from, to, protocol) && groupAddress && lbGroups.has(groupAddress)) return;
    const ports = String(protocol) === "-1" ? "every port" : num(from) === num(to) ? `port ${from}` : `ports ${from}-${to}`;
    out.push(v(e, `ingress from ${open.join(", ")} on ${ports}`));
  };
  for (const g of [...model.byType("aws_security_group"), ...model.byType("aws_default_security_group")]) {
    for (const r of list(g.values.ingress))
      judge(g, undefined, [...list(r.cidr_blocks), ...list(r.ipv6_cidr_blocks)], r.from_port, r.to_port, r.protocol);
  }
  for (const r of model.byType("aws_security_group_rule")) {
    if (r.values.type !== "ingress") continue;
    judge(
      r,
      r.values.security_group_id,
      [...list(r.values.cidr_blocks), ...list(r.values.ipv6_cidr_blocks)],
      r.values.from_port,
      r.values.to_port,
      r.values.protocol,
    );
  }
  for (const r of model.byType("aws_vpc_security_group_ingress_rule")) {
    judge(
      r,
      r.values.security_group_id,
      [r.values.cidr_ipv4, r.values.cidr_ipv6].filter(Boolean),
      r.values.from_port,
      r.values.to_port,
      r.values.ip_protocol,
    );
  }
  return out;
};

// ---------------------------------------------------------------------------------------------
// Helm and Kubernetes

const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

const helmPinned: RuleDef["check"] = ({ model }) =>
  model.byType("helm_release").flatMap((r) => {
    const ver = r.values.version;
    if (isRef(ver) || (typeof ver === "string" && EXACT_VERSION.test(ver))) return [];
    return [v(r, ver ? `version "${ver}" is a range` : "no version: every apply may install the chart's latest")];
  });

const WORKLOAD_TYPES = [
  "kubernetes_deployment",
  "kubernetes_deployment_v1",
  "kubernetes_stateful_set",
  "kubernetes_stateful_set_v1",
  "kubernetes_daemonset",
  "kubernetes_daemon_set_v1",
  "kubernetes_job",
  "kubernetes_job_v1",
  "kubernetes_cron_job",
  "kubernetes_cron_job_v1",
  "kubernetes_pod",
  "kubernetes_pod_v1",
  "kubernetes_replication_controller",
  "kubernetes_replication_controller_v1",
];
const MANIFEST_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "ReplicaSet"];

/** Every container (and init container) block anywhere under `v`, by the key names of the schema. */
function containers(v: unknown, keys: string[], out: any[] = []): any[] {
  if (Array.isArray(v)) v.forEach((x) => containers(x, keys, out));
  else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      if (keys.includes(k)) out.push(...list(x));
      else containers(x, keys, out);
    }
  }
  return out;
}

const k8sRequests: RuleDef["check"] = ({ model }) => {
  const out: Violation[] = [];
  const judge = (e: Element, cs: any[]) => {
    for (const c of cs) {
      const requests = block(block(c?.resources)?.requests) ?? {};
      const missing = ["cpu", "memory"].filter((k) => !set(requests[k]));
      if (missing.length) out.push(v(e, `container ${c?.name ?? "?"} requests no ${missing.join(" or ")}`));
    }
  };
  for (const t of WORKLOAD_TYPES) for (const e of model.byType(t)) judge(e, containers(e.values.spec, ["container", "init_container"]));
  for (const e of model.byType("kubernetes_manifest")) {
    const manifest = block(e.values.manifest);
    if (manifest && MANIFEST_KINDS.includes(manifest.kind)) judge(e, containers(manifest.spec, ["containers", "initContainers"]));
    if (manifest?.kind === "InferenceService" && String(manifest.apiVersion).startsWith("serving.kserve.io/")) {
      // Each component runs its `model` (the serving runtime's container) and/or its own containers.
      const spec = block(manifest.spec) ?? {};
      const components = [spec.predictor, spec.transformer, spec.explainer, ...list(spec.canary).map((c: any) => block(c)?.predictor ?? c)]
        .map(block)
        .filter(Boolean);
      for (const c of components) {
        const model = block(c!.model);
        judge(e, [...(model ? [{ name: "kserve-container", ...model }] : []), ...containers(c, ["containers", "initContainers"])]);
      }
    }
  }
  return out;
};

// ---------------------------------------------------------------------------------------------
// Cost

/** GPUs per node of a node group (the largest of its instance types), or undefined when it is no GPU group. */
function gpusPerNode(m: StackModel, group: Element): number | undefined {
  const types = list(group.values.instance_types).map(String);
  const lt = m.deref(block(group.values.launch_template)?.id);
  if (lt && typeof lt.values.instance_type === "string") types.push(lt.values.instance_type);
  const counts = types.map((t) => GpuInstance.tryLookup(t)?.gpuCount ?? (/^(g\d|gr\d|p\d)[a-z]*\./.test(t) ? 1 : 0));
  const gpuAmi = /GPU|NVIDIA/.test(String(group.values.ami_type ?? ""));
  const n = Math.max(0, ...counts);
  return n > 0 ? n : gpuAmi ? 1 : undefined;
}

const gpuScaleToZero: RuleDef["check"] = ({ model }) =>
  model.byType("aws_eks_node_group").flatMap((g) => {
    if (gpusPerNode(model, g) === undefined) return [];
    const min = num(block(g.values.scaling_config)?.min_size);
    return min !== undefined && min > 0 ? [v(g, `GPU pool keeps ${min} node(s) running when idle (min_size ${min})`)] : [];
  });

const onDemandGpuLimit: RuleDef["check"] = (ctx) => {
  const pools: { g: Element; total: number }[] = ctx.model.byType("aws_eks_node_group").flatMap((g) => {
    const gpus = gpusPerNode(ctx.model, g);
    const cap = g.values.capacity_type ?? "ON_DEMAND";
    const max = num(block(g.values.scaling_config)?.max_size);
    if (gpus === undefined || cap !== "ON_DEMAND" || max === undefined) return [];
    if (ctx.isSuppressed(g.construct, "COST-ON-DEMAND-GPU-LIMIT")) return [];
    return [{ g, total: gpus * max }];
  });
  // Karpenter NodePools: their `nvidia.com/gpu` limit bounds them; on-demand unless their capacity-type requirement says otherwise.
  for (const m of ctx.model.byType("kubernetes_manifest")) {
    const manifest = block(m.values.manifest);
    if (manifest?.kind !== "NodePool" || !String(manifest.apiVersion ?? "").startsWith("karpenter.sh/")) continue;
    const spec = block(manifest.spec);
    const requirements = list(block(block(block(spec?.template)?.spec))?.requirements).map(block);
    const capacity = requirements.find((r) => r?.key === "karpenter.sh/capacity-type");
    const onDemand = !capacity || list(capacity.values).map(String).includes("on-demand");
    const limit = num(block(spec?.limits)?.["nvidia.com/gpu"]);
    if (!onDemand || limit === undefined || ctx.isSuppressed(m.construct, "COST-ON-DEMAND-GPU-LIMIT")) continue;
    pools.push({ g: m, total: limit });
  }
  const total = pools.reduce((s, p) => s + p.total, 0);
  if (total <= ctx.maxOnDemandGpus) return [];
  return pools.map((p) =>
    v(p.g, `on-demand GPU pools of the stack can scale to ${total} GPUs (this one to ${p.total}), above the limit of ${ctx.maxOnDemandGpus}`),
  );
};

const natPerAz: RuleDef["check"] = ({ model, stage }) => {
  if (!stage || /^prod/i.test(stage)) return [];
  const nats = model.byType("aws_nat_gateway");
  if (nats.length <= 1) return [];
  return nats.slice(1).map((n) => v(n, `${nats.length} NAT gateways in the ${stage} stage`));
};

const extendedSupport: RuleDef["check"] = ({ model }) =>
  model.byType("aws_eks_cluster").flatMap((c) => {
    const t = block(c.values.upgrade_policy)?.support_type;
    if (isRef(t) || t === "STANDARD") return [];
    return [v(c, t ? `support_type is ${t}` : "no upgrade_policy: EKS defaults to EXTENDED support, billed per cluster-hour when the version ages")];
  });

const captureExpiry: RuleDef["check"] = ({ model }) => {
  const writers = [
    ...model.byType("aws_sagemaker_endpoint_configuration").map((c) => c.values.data_capture_config),
    ...model
      .byType("kubernetes_manifest")
      .map((m) => (block(m.values.manifest)?.kind === "InferenceService" ? JSON.stringify(block(m.values.manifest)?.spec ?? {}) : undefined)),
  ].map((x) => (typeof x === "string" ? x : JSON.stringify(x ?? "")));
  return buckets(model).flatMap((b) => {
    const name = b.values.bucket;
    const isCapture = writers.some(
      (w) => w.includes(`\${${b.address}.`) || (typeof name === "string" && !isRef(name) && w.includes(`s3://${name}/`)),
    );
    if (!isCapture) return [];
    const rules = siblings(model, "aws_s3_bucket_lifecycle_configuration", b).flatMap((l) => list(l.values.rule));
    rules.push(...list(b.values.lifecycle_rule));
    const expires = rules.some(
      (r: any) => r.status !== "Disabled" && truth(r.enabled) !== false && list(r.expiration).some((e: any) => set(e?.days) || set(e?.date)),
    );
    return expires ? [] : [v(b, "captured payloads are kept forever (no expiration rule)")];
  });
};

// ---------------------------------------------------------------------------------------------

/** Every rule, by pack. Ids are stable: suppressions name them. */
export const RULES: RuleDef[] = [
  // security
  {
    id: "S3-KMS",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_145"],
    check: s3Kms,
    description: "S3 buckets encrypt objects with SSE-KMS (a customer-managed key), or say why not",
    remedy:
      "Set an aws_s3_bucket_server_side_encryption_configuration with sse_algorithm aws:kms and your key (SecureBucket with kmsKey), or suppress with the reason (S3 access-log targets must be SSE-S3)",
  },
  {
    id: "S3-PUBLIC-ACCESS-BLOCK",
    pack: "security",
    level: "error",
    checkov: ["CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"],
    check: s3PublicAccessBlock,
    description: "S3 buckets block every kind of public access",
    remedy: "Add an aws_s3_bucket_public_access_block with all four settings true (or use SecureBucket)",
  },
  {
    id: "S3-TLS-ONLY",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_379"],
    check: s3TlsOnly,
    description: "S3 bucket policies deny requests made without TLS",
    remedy: "Add a bucket policy statement that denies s3:* when aws:SecureTransport is false (SecureBucket does)",
  },
  {
    id: "KMS-ROTATION",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_7"],
    check: kmsRotation,
    description: "Symmetric KMS keys rotate automatically",
    remedy: "Set enable_key_rotation = true on the aws_kms_key",
  },
  {
    id: "LOGS-KMS",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_158"],
    check: logsKms,
    description: "CloudWatch log groups are encrypted with a KMS key",
    remedy: "Set kms_key_id to a key whose policy lets logs.<region>.amazonaws.com use it (the stack's platform key does)",
  },
  {
    id: "EKS-PRIVATE-ENDPOINT",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_39", "CKV_AWS_38"],
    check: eksEndpoint,
    description: "EKS API endpoints are private, or public only to allow-listed CIDRs",
    remedy: "Set vpc_config.endpoint_public_access = false, or public_access_cidrs to the addresses that must reach the API",
  },
  {
    id: "EKS-SECRETS-ENCRYPTION",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_58"],
    check: eksSecrets,
    description: "EKS clusters envelope-encrypt Kubernetes secrets with a KMS key",
    remedy: 'Set encryption_config { resources = ["secrets"], provider { key_arn } } on the aws_eks_cluster',
  },
  {
    id: "EKS-CONTROL-PLANE-LOGS",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_37"],
    check: eksLogs,
    description: "EKS clusters send all five control-plane log types to CloudWatch",
    remedy: 'Set enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]',
  },
  {
    id: "EC2-IMDSV2",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_79"],
    check: imdsV2,
    description: "Launch templates and instances require IMDSv2 session tokens",
    remedy: 'Set metadata_options { http_tokens = "required" }',
  },
  {
    id: "EC2-IMDS-HOP-LIMIT",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_341"],
    check: imdsHopLimit,
    description: "The instance metadata hop limit is 1, so that pods cannot take the node's role",
    remedy: "Set metadata_options { http_put_response_hop_limit = 1 } and give pods their own role (Pod Identity or IRSA)",
  },
  {
    id: "EC2-EBS-ENCRYPTED",
    pack: "security",
    level: "error",
    checkov: [],
    check: ebsEncrypted,
    description: "Launch template volumes are encrypted",
    remedy: "Set ebs { encrypted = true, kms_key_id = <key> } on every block device mapping",
  },
  {
    id: "RDS-ENCRYPTION",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_16", "CKV_AWS_96"],
    check: rdsEncryption,
    description: "RDS storage is encrypted",
    remedy: "Set storage_encrypted = true and kms_key_id (this needs a new instance for an existing one)",
  },
  {
    id: "RDS-NOT-PUBLIC",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_17"],
    check: rdsPublic,
    description: "RDS instances are not reachable from the internet",
    remedy: "Set publicly_accessible = false and reach the database from inside the VPC",
  },
  {
    id: "RDS-NO-LITERAL-PASSWORD",
    pack: "security",
    level: "error",
    checkov: [],
    check: rdsPassword,
    description: "RDS master passwords are not literals in the code",
    remedy: "Set manage_master_user_password = true (RDS keeps it in Secrets Manager) instead of password",
  },
  {
    id: "DYNAMODB-KMS",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_119"],
    check: ddbKms,
    description: "DynamoDB tables are encrypted with a customer-managed KMS key",
    remedy: "Set server_side_encryption { enabled = true, kms_key_arn = <key> }",
  },
  {
    id: "SNS-KMS",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_26"],
    check: snsKms,
    description: "SNS topics are encrypted with KMS",
    remedy: "Set kms_master_key_id to a key whose policy lets the publishing services use it",
  },
  {
    id: "SQS-KMS",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_27"],
    check: sqsKms,
    description: "SQS queues are encrypted with a KMS key",
    remedy: "Set kms_master_key_id to a customer-managed key",
  },
  {
    id: "ECR-IMMUTABLE-TAGS",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_51"],
    check: ecrImmutable,
    description: "ECR repositories have immutable tags, so a tag always names the same image",
    remedy: 'Set image_tag_mutability = "IMMUTABLE"',
  },
  {
    id: "ECR-SCAN-ON-PUSH",
    pack: "security",
    level: "warning",
    checkov: ["CKV_AWS_163"],
    check: ecrScan,
    description: "ECR images are scanned for vulnerabilities on push",
    remedy: "Set image_scanning_configuration { scan_on_push = true }, or an aws_ecr_registry_scanning_configuration",
  },
  {
    id: "SAGEMAKER-ENDPOINT-KMS",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_98"],
    check: smEndpointKms,
    description: "SageMaker endpoint configurations encrypt their storage volumes with a KMS key",
    remedy: "Set kms_key_arn on the aws_sagemaker_endpoint_configuration",
  },
  {
    id: "SAGEMAKER-NETWORK-ISOLATION",
    pack: "security",
    level: "warning",
    checkov: ["CKV_AWS_370"],
    check: smNetworkIsolation,
    description: "SageMaker model containers run without network access",
    remedy: "Set enable_network_isolation = true (the model is read from S3 by SageMaker, not by the container)",
  },
  {
    id: "IAM-NO-ADMIN",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_62", "CKV_AWS_1", "CKV_AWS_274"],
    check: iamAdmin,
    description: "No identity policy allows every action on every resource",
    remedy: "Grant the actions the workload calls on the resources it uses (the constructs' grant methods do)",
  },
  {
    id: "IAM-DATA-PLANE-WILDCARD",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_288", "CKV_AWS_355"],
    check: iamDataPlaneWildcard,
    description: "No identity policy allows data-plane actions (objects, items, messages, secrets, decryption) on every resource without a condition",
    remedy: "Name the buckets, tables, queues, secrets or keys in resources, or add a condition (aws:ResourceTag, kms:ViaService, ...)",
  },
  {
    id: "IAM-TRUST-NOT-OPEN",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_60"],
    check: iamTrustOpen,
    description: "Role trust policies do not let every principal assume the role",
    remedy: "Name the service, account, role or OIDC provider in the trust policy's principals, with conditions for federated ones",
  },
  {
    id: "SG-NO-OPEN-INGRESS",
    pack: "security",
    level: "error",
    checkov: ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277"],
    check: sgOpenIngress,
    description: "No security group admits 0.0.0.0/0 or ::/0, except on ports 80 and 443 of a load balancer",
    remedy: "Admit the VPC's CIDR, a prefix list or another security group instead",
  },
  {
    id: "HELM-PINNED",
    pack: "security",
    level: "error",
    checkov: [],
    check: helmPinned,
    description: "Helm releases pin an exact chart version",
    remedy: "Set version to an exact chart version (e.g. 1.17.2), and upgrade deliberately",
  },
  {
    id: "K8S-RESOURCE-REQUESTS",
    pack: "security",
    level: "warning",
    checkov: ["CKV_K8S_10", "CKV_K8S_13"],
    check: k8sRequests,
    description: "Kubernetes workloads (and KServe InferenceServices) request CPU and memory for every container",
    remedy: "Set resources.requests.cpu and resources.requests.memory on every container (and init container)",
  },
  // dataProtection
  {
    id: "S3-VERSIONING",
    pack: "dataProtection",
    level: "warning",
    checkov: ["CKV_AWS_21"],
    check: s3Versioning,
    description: "S3 buckets keep object versions, so that an overwrite or delete can be undone",
    remedy: "Add an aws_s3_bucket_versioning with status Enabled (and a lifecycle rule for noncurrent versions)",
  },
  {
    id: "S3-NO-FORCE-DESTROY",
    pack: "dataProtection",
    level: "error",
    checkov: [],
    check: s3ForceDestroy,
    description: "S3 buckets holding data are not force_destroy",
    remedy: "Set force_destroy = false (the default); empty a bucket deliberately before removing it",
  },
  {
    id: "RDS-BACKUPS",
    pack: "dataProtection",
    level: "error",
    checkov: ["CKV_AWS_133"],
    check: rdsBackups,
    description: "RDS keeps at least 7 days of automated backups and a final snapshot",
    remedy: "Set backup_retention_period >= 7 and skip_final_snapshot = false with a final_snapshot_identifier",
  },
  {
    id: "RDS-DELETION-PROTECTION",
    pack: "dataProtection",
    level: "error",
    checkov: ["CKV_AWS_293", "CKV_AWS_139"],
    check: rdsDeletionProtection,
    description: "RDS instances and clusters have deletion protection",
    remedy: "Set deletion_protection = true",
  },
  {
    id: "DYNAMODB-PITR",
    pack: "dataProtection",
    level: "error",
    checkov: ["CKV_AWS_28"],
    check: ddbPitr,
    description: "DynamoDB tables have point-in-time recovery",
    remedy: "Set point_in_time_recovery { enabled = true }",
  },
  // cost
  {
    id: "COST-GPU-SCALE-TO-ZERO",
    pack: "cost",
    level: "warning",
    checkov: [],
    check: gpuScaleToZero,
    description: "GPU node pools scale to zero when idle",
    remedy: "Set the pool's minSize to 0 (scaling_config.min_size) and let the cluster autoscaler add nodes on demand",
  },
  {
    id: "COST-ON-DEMAND-GPU-LIMIT",
    pack: "cost",
    level: "warning",
    checkov: [],
    check: onDemandGpuLimit,
    description: "On-demand GPU pools of a stack cannot scale beyond the configured number of GPUs",
    remedy: "Lower maxSize, move pools to SPOT, raise maxOnDemandGpus, or suppress on a pool with the reason (e.g. a capacity reservation)",
  },
  {
    id: "COST-NAT-PER-AZ",
    pack: "cost",
    level: "warning",
    checkov: [],
    check: natPerAz,
    description: "A non-production stage runs one NAT gateway, not one per availability zone",
    remedy: "Set singleNatGateway: true on the network of non-production stages",
  },
  {
    id: "COST-EKS-EXTENDED-SUPPORT",
    pack: "cost",
    level: "warning",
    checkov: [],
    check: extendedSupport,
    description: "EKS clusters use the STANDARD upgrade policy, not paid extended support",
    remedy: 'Set upgrade_policy { support_type = "STANDARD" } (upgradeSupportType) and upgrade before standard support ends',
  },
  {
    id: "COST-LOG-RETENTION",
    pack: "cost",
    level: "warning",
    checkov: ["CKV_AWS_66"],
    check: logsRetention,
    description: "CloudWatch log groups expire their events",
    remedy: "Set retention_in_days (the library's log groups keep 90 days by default)",
  },
  {
    id: "COST-CAPTURE-EXPIRY",
    pack: "cost",
    level: "warning",
    checkov: ["CKV2_AWS_61"],
    check: captureExpiry,
    description: "Buckets that receive captured inference payloads expire them",
    remedy: "Add a lifecycle rule with an expiration (captureRetentionDays on ServingEndpoint)",
  },
];

export const RULE_IDS = new Set(RULES.map((r) => r.id));
