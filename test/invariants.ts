import { allStrings, policyStatements, resources, TfDoc } from "./helpers";

/** AWS resource types the library creates that take tags: each must carry `mlops:component`. */
const TAGGED_TYPES = [
  "aws_vpc",
  "aws_subnet",
  "aws_internet_gateway",
  "aws_route_table",
  "aws_nat_gateway",
  "aws_eip",
  "aws_default_security_group",
  "aws_security_group",
  "aws_vpc_endpoint",
  "aws_flow_log",
  "aws_cloudwatch_log_group",
  "aws_kms_key",
  "aws_iam_role",
  "aws_iam_openid_connect_provider",
  "aws_eks_cluster",
  "aws_eks_node_group",
  "aws_eks_addon",
  "aws_eks_access_entry",
  "aws_eks_pod_identity_association",
  "aws_launch_template",
  "aws_placement_group",
  "aws_s3_bucket",
  "aws_ecr_repository",
  "aws_db_instance",
  "aws_db_subnet_group",
  "aws_dynamodb_table",
  "aws_glue_catalog_database",
  "aws_athena_workgroup",
  "aws_sagemaker_feature_group",
  "aws_sagemaker_model_package_group",
  "aws_sagemaker_mlflow_tracking_server",
  "aws_lambda_function",
  "aws_sqs_queue",
  "aws_sns_topic",
  "aws_cloudwatch_metric_alarm",
  "aws_cloudwatch_composite_alarm",
  "aws_sagemaker_endpoint",
  "aws_sagemaker_endpoint_configuration",
  "aws_sagemaker_model",
];

/** Resource types that hold data: each must be protected from `terraform destroy` (the examples use RETAIN). */
const STATEFUL_TYPES = ["aws_kms_key", "aws_s3_bucket", "aws_ecr_repository", "aws_db_instance", "aws_dynamodb_table", "aws_sagemaker_feature_group"];

/** Statements allowed to name a service-wide action on every resource, with the reason. */
const WILDCARD_ALLOWED: Record<string, string> = {
  EnableIamPoliciesOfTheAccount: "a KMS key policy must let the account administer the key",
};

const READ_ONLY_ACTION = /^[a-z0-9-]+:(Describe|List|Get)[A-Za-z]*$/;

/**
 * Security and correctness rules that every synthesized stack of every example must keep. Returns
 * the list of violations (empty when the document keeps them all), so that a test shows all at once.
 */
export function violations(doc: TfDoc): string[] {
  const out: string[] = [];
  const text = JSON.stringify(doc);
  for (const bad of ["undefined", "[object Object]", "${TfToken[", "NaN"]) {
    if (allStrings(doc).some((s) => s.includes(bad))) out.push(`a string contains ${bad}`);
  }
  if (/"[^"]*": null/.test(text)) out.push("a null argument");

  const podIdentityAgents = resources(doc, "aws_eks_addon").filter((a) => a.values.addon_name === "eks-pod-identity-agent");
  const apiAccessRules = resources(doc, "aws_vpc_security_group_ingress_rule").filter((r) =>
    /^Kubernetes API from /.test(r.values.description ?? ""),
  );
  for (const r of resources(doc)) {
    const v = r.values;
    // An argument that names the cluster must reference it, so that Terraform orders it after the cluster.
    if (
      r.type.startsWith("aws_") &&
      typeof v.cluster_name === "string" &&
      !/^\$\{(aws_eks_cluster\.[^.}]+\.name|data\.aws_eks_cluster\.[^.}]+\.name|data\.terraform_remote_state\.[^}]+)\}$/.test(v.cluster_name)
    ) {
      out.push(`${r.address}: cluster_name is not a reference to the cluster (${v.cluster_name})`);
    }
    // Pods get Pod Identity credentials only once the agent runs.
    if (r.type === "aws_eks_pod_identity_association" && podIdentityAgents.length > 0) {
      if (!podIdentityAgents.some((a) => (v.depends_on ?? []).includes(a.address)))
        out.push(`${r.address}: does not wait for the Pod Identity agent`);
    }
    // In a stack that opens the private API endpoint to a network, what Terraform installs on the cluster waits for that rule.
    if ((r.type.startsWith("kubernetes_") || r.type.startsWith("helm_")) && apiAccessRules.length > 0) {
      if (!apiAccessRules.every((a) => (v.depends_on ?? []).includes(a.address))) out.push(`${r.address}: does not wait for the API access rules`);
    }
    if (STATEFUL_TYPES.includes(r.type) && v.lifecycle?.prevent_destroy !== true) out.push(`${r.address}: stateful data without prevent_destroy`);
    for (const secretArg of ["password", "master_password", "secret_string"]) {
      if (typeof v[secretArg] === "string") out.push(`${r.address}: a password argument (${secretArg}) in the document`);
    }
    if (TAGGED_TYPES.includes(r.type) && !(v.tags && v.tags["mlops:component"])) out.push(`${r.address}: no mlops:component tag`);
    if ((r.type.startsWith("kubernetes_") || r.type.startsWith("helm_")) && !v.provider) {
      out.push(`${r.address}: no explicit provider (each cluster's providers carry an alias)`);
    }
    switch (r.type) {
      case "aws_cloudwatch_log_group":
        if (!v.kms_key_id) out.push(`${r.address}: log group not encrypted with KMS`);
        if (!v.retention_in_days) out.push(`${r.address}: log group without retention`);
        break;
      case "aws_kms_key":
        if (v.enable_key_rotation !== true) out.push(`${r.address}: KMS key without rotation`);
        break;
      case "aws_launch_template":
        if (v.metadata_options?.http_tokens !== "required") out.push(`${r.address}: IMDSv2 not required`);
        if (v.metadata_options?.http_put_response_hop_limit !== 1) out.push(`${r.address}: IMDS hop limit is not 1`);
        for (const b of v.block_device_mappings ?? []) {
          if (b.ebs?.encrypted !== "true" || !b.ebs?.kms_key_id) out.push(`${r.address}: ${b.device_name} not encrypted with KMS`);
        }
        break;
      case "aws_eks_cluster": {
        const vpc = v.vpc_config;
        if (vpc.endpoint_public_access !== false) {
          const cidrs: string[] = vpc.public_access_cidrs ?? [];
          if (cidrs.length === 0 || cidrs.includes("0.0.0.0/0")) out.push(`${r.address}: public endpoint without an allow-list`);
        }
        if (!v.encryption_config?.provider?.key_arn) out.push(`${r.address}: secrets not encrypted with KMS`);
        if ((v.enabled_cluster_log_types ?? []).length < 5) out.push(`${r.address}: control-plane logs missing`);
        break;
      }
      case "aws_eks_node_group":
        if (!v.launch_template) out.push(`${r.address}: node group without the library's launch template`);
        if (v.lifecycle?.create_before_destroy !== true || !v.node_group_name_prefix) {
          out.push(`${r.address}: node group would be replaced in place (no name prefix + create_before_destroy)`);
        }
        break;
      case "aws_s3_bucket":
        if (v.force_destroy !== false) out.push(`${r.address}: bucket may be force_destroy-ed`);
        break;
      case "aws_db_instance":
        if (v.publicly_accessible !== false) out.push(`${r.address}: database publicly accessible`);
        if (v.deletion_protection !== true) out.push(`${r.address}: database without deletion protection`);
        if (v.storage_encrypted !== true || !v.kms_key_id) out.push(`${r.address}: database storage not encrypted with KMS`);
        if (v.manage_master_user_password !== true) out.push(`${r.address}: database password not managed by RDS`);
        if (v.skip_final_snapshot !== false || (v.backup_retention_period ?? 0) < 7)
          out.push(`${r.address}: database without backups and final snapshot`);
        break;
      case "aws_dynamodb_table":
        if (v.point_in_time_recovery?.enabled !== true) out.push(`${r.address}: table without point-in-time recovery`);
        if (!v.server_side_encryption?.kms_key_arn) out.push(`${r.address}: table not encrypted with a customer KMS key`);
        break;
      case "aws_sns_topic":
        if (!v.kms_master_key_id || String(v.kms_master_key_id).includes("alias/aws/"))
          out.push(`${r.address}: topic not under a customer-managed key`);
        break;
      case "aws_sqs_queue":
        if (!v.kms_master_key_id && v.sqs_managed_sse_enabled !== true) out.push(`${r.address}: queue not encrypted`);
        break;
      case "aws_lambda_function":
        if (!v.logging_config?.log_group) out.push(`${r.address}: function without its own (encrypted) log group`);
        break;
      case "aws_cloudwatch_metric_alarm":
        if (!v.treat_missing_data) out.push(`${r.address}: missing-data treatment not chosen`);
        break;
      case "aws_ecr_repository":
        if (v.image_tag_mutability !== "IMMUTABLE") out.push(`${r.address}: mutable image tags`);
        if (v.encryption_configuration?.[0]?.encryption_type !== "KMS") out.push(`${r.address}: repository not encrypted with KMS`);
        break;
      case "helm_release":
        if (!/^v?\d+\.\d+\.\d+$/.test(v.version ?? "")) out.push(`${r.address}: chart version not pinned`);
        if (!/^(https|oci):\/\//.test(v.repository ?? "")) out.push(`${r.address}: chart repository not https or oci`);
        try {
          (v.values ?? []).forEach((x: string) => JSON.parse(x));
        } catch {
          out.push(`${r.address}: values are not one JSON document`);
        }
        break;
    }
    for (const [arg, value] of Object.entries(v)) {
      if ((arg === "policy" || arg === "assume_role_policy") && typeof value === "string" && value.startsWith("${data.aws_iam_policy_document")) {
        for (const s of policyStatements(doc, value)) {
          const actions: string[] = s.actions ?? [];
          // HeadBucket is authorized as s3:ListBucket without s3:prefix: a plain StringLike on s3:prefix refuses it.
          const prefixTests = (s.condition ?? [])
            .filter((c: { variable: string }) => c.variable === "s3:prefix")
            .map((c: { test: string }) => c.test);
          if (actions.includes("s3:ListBucket") && prefixTests.some((t: string) => !t.endsWith("IfExists"))) {
            out.push(`${r.address}: statement ${s.sid} limits s3:ListBucket by s3:prefix in a way that refuses HeadBucket`);
          }
          // A key policy naming a principal that does not exist yet (a service-linked role) is refused by KMS.
          if (r.type === "aws_kms_key") {
            for (const p of s.principals ?? []) {
              for (const id of p.identifiers ?? []) {
                if (/:role\/aws-service-role\//.test(id))
                  out.push(`${r.address}: statement ${s.sid} names the service-linked role ${id}, which may not exist`);
              }
            }
          }
          if (actions.includes("*")) out.push(`${r.address}: statement ${s.sid} allows every action`);
          const onEverything = (s.resources ?? []).includes("*");
          const broad = actions.filter((a) => a.endsWith(":*"));
          if (onEverything && broad.length > 0 && !WILDCARD_ALLOWED[s.sid]) {
            out.push(`${r.address}: statement ${s.sid} allows ${broad.join(", ")} on every resource`);
          }
          const isResourcePolicy = !!s.principals && arg === "policy" && r.type === "aws_kms_key";
          // The AWS Load Balancer Controller's published policy (kept unchanged) manages load balancers and
          // security groups it has yet to create, some without a tag condition.
          const publishedPolicy = /^AwsLoadBalancerController\d+$/.test(s.sid ?? "");
          if (onEverything && !isResourcePolicy && !publishedPolicy && !s.condition && !actions.every((a) => READ_ONLY_ACTION.test(a))) {
            out.push(`${r.address}: statement ${s.sid} writes on every resource without a condition`);
          }
        }
      }
    }
  }
  // No internet-facing load balancer without an allow-list and a sign-in (Ingress annotations in chart values).
  for (const r of resources(doc, "helm_release")) {
    const walk = (v: unknown): void => {
      if (!v || typeof v !== "object") return;
      const o = v as Record<string, unknown>;
      if (o["alb.ingress.kubernetes.io/scheme"] === "internet-facing") {
        const cidrs = String(o["alb.ingress.kubernetes.io/inbound-cidrs"] ?? "");
        if (!cidrs || cidrs.split(",").some((c) => /\/0$/.test(c.trim())))
          out.push(`${r.address}: an internet-facing load balancer without an allow-list`);
        if (!o["alb.ingress.kubernetes.io/auth-type"]) out.push(`${r.address}: an internet-facing load balancer without sign-in`);
      }
      Object.values(o).forEach(walk);
    };
    for (const values of (r.values.values as string[] | undefined) ?? []) walk(JSON.parse(values));
  }
  for (const r of resources(doc, "kubernetes_ingress_v1")) {
    const a = ((r.values.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {}) as Record<string, string>;
    if (a["alb.ingress.kubernetes.io/scheme"] !== "internet-facing") continue;
    const cidrs = a["alb.ingress.kubernetes.io/inbound-cidrs"] ?? "";
    if (!cidrs || cidrs.split(",").some((c) => /\/0$/.test(c.trim())))
      out.push(`${r.address}: an internet-facing load balancer without an allow-list`);
    if (!a["alb.ingress.kubernetes.io/auth-type"]) out.push(`${r.address}: an internet-facing load balancer without sign-in`);
  }
  return out;
}
