import { TerraformResource, TerraformStack } from "cdktf";
import { check } from "./harness";

/** Every argument a rule reads, by resource type. */
const READ: Record<string, string[]> = {
  aws_s3_bucket: ["bucket", "force_destroy", "server_side_encryption_configuration", "versioning", "lifecycle_rule", "policy"],
  aws_s3_bucket_server_side_encryption_configuration: ["bucket", "rule"],
  aws_s3_bucket_policy: ["bucket", "policy"],
  aws_s3_bucket_public_access_block: ["bucket", "block_public_acls", "restrict_public_buckets"],
  aws_s3_account_public_access_block: ["block_public_acls"],
  aws_s3_bucket_versioning: ["bucket", "versioning_configuration"],
  aws_s3_bucket_lifecycle_configuration: ["bucket", "rule"],
  aws_kms_key: ["enable_key_rotation", "customer_master_key_spec"],
  aws_cloudwatch_log_group: ["retention_in_days", "kms_key_id"],
  aws_eks_cluster: ["vpc_config", "encryption_config", "enabled_cluster_log_types", "upgrade_policy"],
  aws_launch_template: ["metadata_options", "block_device_mappings", "instance_type"],
  aws_instance: ["metadata_options"],
  aws_db_instance: [
    "storage_encrypted",
    "publicly_accessible",
    "password",
    "backup_retention_period",
    "skip_final_snapshot",
    "deletion_protection",
    "replicate_source_db",
  ],
  aws_rds_cluster: ["master_password", "backup_retention_period"],
  aws_dynamodb_table: ["point_in_time_recovery", "server_side_encryption"],
  aws_sns_topic: ["kms_master_key_id"],
  aws_sqs_queue: ["kms_master_key_id", "sqs_managed_sse_enabled"],
  aws_ecr_repository: ["image_tag_mutability", "image_scanning_configuration"],
  aws_sagemaker_endpoint_configuration: ["kms_key_arn", "data_capture_config"],
  aws_sagemaker_model: ["enable_network_isolation"],
  aws_iam_role: ["assume_role_policy", "inline_policy"],
  aws_iam_role_policy: ["policy"],
  aws_iam_policy: ["policy"],
  aws_iam_role_policy_attachment: ["policy_arn"],
  aws_security_group: ["ingress"],
  aws_security_group_rule: ["type", "cidr_blocks", "from_port", "security_group_id"],
  aws_vpc_security_group_ingress_rule: ["cidr_ipv4", "from_port", "to_port", "ip_protocol", "security_group_id"],
  aws_lb: ["security_groups"],
  aws_eks_node_group: ["instance_types", "scaling_config", "launch_template", "capacity_type", "ami_type"],
  aws_nat_gateway: ["subnet_id"],
  helm_release: ["version"],
  kubernetes_deployment_v1: ["spec"],
  kubernetes_manifest: ["manifest"],
};

/** Values of every shape, including tokens, and policies that parse but are not policies. */
const ODD: unknown[] = [
  "${var.anything}",
  "",
  7,
  true,
  ["a", 1, { b: "c" }],
  [{}],
  { nested: { deeper: [1, "x", { y: true }] } },
  '{"Statement": 5}',
  '{"Statement": [{"Action": 5, "Principal": {"AWS": 3}, "Condition": "no"}]}',
  "not json {",
  { kind: "Deployment", spec: { containers: "none" } },
];

describe("no rule crashes on a value of an unexpected shape", () => {
  test.each(ODD.map((v, i) => [i, JSON.stringify(v)] as const))("odd value %i: %s", (i) => {
    const value = ODD[i];
    // `check` fails when a rule threw (reported as a "could not judge" warning).
    const c = check((s: TerraformStack) => {
      for (const [type, args] of Object.entries(READ)) {
        for (const arg of args) {
          new TerraformResource(s, `${type}-${arg}`, { terraformResourceType: type }).addOverride(arg, value);
        }
      }
    });
    expect(Array.isArray(c.findings)).toBe(true);
  });
});
