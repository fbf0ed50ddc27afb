#!/usr/bin/env node
// Regenerates ../force-new.json. The AWS lists are transcribed from the provider files and commits
// named (the repository is too large to mirror); the Kubernetes cron job list is extracted from a
// checkout of hashicorp/terraform-provider-kubernetes at the commit named.
//
//   node src/review/data/generate/force-new.js <path to a terraform-provider-kubernetes git checkout>
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

const K8S_COMMIT = "3a33fb6cc6055853584af1731b1369164c35ffc7";

/** ForceNew / RequiresReplace() paths of a schema in Go source, following helper functions of the package. */
function forceNewPaths(repo, commit, pkg, file, fn) {
  const git = (...a) => execFileSync("git", ["-C", repo, ...a], { encoding: "utf8", maxBuffer: 1 << 28 });
  const files = git("ls-tree", "--name-only", `${commit}:${pkg}`)
    .split("\n")
    .filter((f) => f.endsWith(".go") && !f.endsWith("_test.go"));
  const all = files.map((f) => git("show", `${commit}:${pkg}/${f}`)).join("\n");
  function body(name) {
    const m = new RegExp(`\\nfunc ${name}\\(`).exec(all);
    if (!m) return undefined;
    let i = all.indexOf("{", all.indexOf(")", m.index)); // naive: first brace after params
    // skip return type braces like map[string]*schema.Schema
    const start = i;
    let depth = 0;
    for (; i < all.length; i++) {
      if (all[i] === "{") depth++;
      else if (all[i] === "}") {
        depth--;
        if (depth === 0) break;
      }
    }
    return all.slice(start, i + 1);
  }
  function extract(text, prefix, seen) {
    const out = [];
    const stack = []; // {key, depth}
    let depth = 0;
    for (const line of text.split("\n")) {
      const km = /^\s*("([\w]+)"|names\.Attr(\w+))\s*:\s*(.*)$/.exec(line);
      const opens = (line.match(/\{/g) || []).length,
        closes = (line.match(/\}/g) || []).length;
      if (km) {
        const key = km[2] ?? snake(km[3]);
        const rest = km[4];
        const call = /^(\w+)\(/.exec(rest);
        if (call && !rest.includes("{") && !seen.has(call[1])) {
          const b = body(call[1]);
          if (b) out.push(...extract(b, [...prefix, ...stack.map((s) => s.key), key], new Set([...seen, call[1]])));
        }
        if (opens > closes) stack.push({ key, depth });
      }
      if (/ForceNew:\s*true/.test(line) || /RequiresReplace\(\)/.test(line)) {
        const top = stack[stack.length - 1];
        if (top) out.push([...prefix, ...stack.map((s) => s.key)].join("."));
      }
      // helper calls in Elem / Schema positions: Schema: fooFields(...)
      const sm = /^\s*(Schema|Elem)\s*:\s*&?(\w+)\(/.exec(line);
      if (sm && !seen.has(sm[2])) {
        const b = body(sm[2]);
        if (b) out.push(...extract(b, [...prefix, ...stack.map((s) => s.key)], new Set([...seen, sm[2]])));
      }
      depth += opens - closes;
      while (stack.length && depth <= stack[stack.length - 1].depth) stack.pop();
    }
    return out;
  }
  function snake(s) {
    const map = { ARN: "arn", ID: "id", IDs: "ids", KMS: "kms", VPC: "vpc" };
    return s
      .replace(/IDs|ARN|ID|KMS|VPC/g, (m) => "_" + map[m])
      .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
      .replace(/^_/, "")
      .toLowerCase();
  }
  const text = fn ? body(fn) : git("show", `${commit}:${pkg}/${file}`);
  return [...new Set(extract(text, [], new Set()))].sort();
}

const k8sRepo = process.argv[2];
if (!k8sRepo) {
  console.error("usage: node src/review/data/generate/force-new.js <terraform-provider-kubernetes checkout>");
  process.exit(2);
}
const aws = (path, commit) => ({ repo: "hashicorp/terraform-provider-aws", path, commit });
const k8s = (path) => ({ repo: "hashicorp/terraform-provider-kubernetes", path, commit: K8S_COMMIT });
const meta = ["metadata.generate_name", "metadata.name"];
const nsMeta = [...meta, "metadata.namespace"];
// The helper-following extractor names the pod template of jobSpecFields "spec.spec"; those paths are dropped.
const cron = forceNewPaths(k8sRepo, K8S_COMMIT, "kubernetes", "resource_kubernetes_cron_job_v1.go", "").filter(
  (p) => !p.startsWith("spec.job_template.spec.spec"),
);
const types = {
  aws_eks_cluster: {
    source: aws("internal/service/eks/cluster.go", "00555dc5b38f92abbfa230badea0ed0754cea81e"),
    forceNew: [
      "access_config.bootstrap_cluster_creator_admin_permissions",
      "bootstrap_self_managed_addons",
      "kubernetes_network_config.ip_family",
      "kubernetes_network_config.service_ipv4_cidr",
      "name",
      "outpost_config.control_plane_instance_type",
      "outpost_config.control_plane_placement.group_name",
      "remote_network_config",
      "remote_network_config.remote_node_networks.cidrs",
      "remote_network_config.remote_pod_networks.cidrs",
      "role_arn",
    ],
    conditional: {
      encryption_config: "replaced when encryption is removed (customdiff.ForceNewIfChange)",
      "compute_config.node_role_arn": "replaced when an existing node role changes (CustomizeDiff)",
    },
  },
  aws_eks_node_group: {
    source: aws("internal/service/eks/node_group.go", "012e0a32f0686212f447447fd3d81c3d0ce256ad"),
    forceNew: [
      "ami_type",
      "capacity_type",
      "cluster_name",
      "disk_size",
      "instance_types",
      "launch_template.id",
      "launch_template.name",
      "node_group_name",
      "node_group_name_prefix",
      "node_role_arn",
      "remote_access",
      "remote_access.ec2_ssh_key",
      "remote_access.source_security_group_ids",
      "subnet_ids",
    ],
  },
  aws_db_instance: {
    source: aws("internal/service/rds/instance.go", "00e4b23838859616dd0ebc9d1fd9364c0f6bff22"),
    forceNew: [
      "availability_zone",
      "character_set_name",
      "custom_iam_instance_profile",
      "db_name",
      "engine",
      "identifier",
      "identifier_prefix",
      "kms_key_id",
      "name",
      "nchar_character_set_name",
      "restore_to_point_in_time",
      "s3_import.bucket_name",
      "s3_import.bucket_prefix",
      "s3_import.ingestion_role",
      "s3_import.source_engine",
      "s3_import.source_engine_version",
      "snapshot_identifier",
      "storage_encrypted",
      "timezone",
      "username",
    ],
  },
  aws_ecr_repository: {
    source: aws("internal/service/ecr/repository.go", "0072eea2d6046230a1fb7717741c17fd2122175e"),
    forceNew: ["encryption_configuration", "encryption_configuration.encryption_type", "encryption_configuration.kms_key", "name"],
  },
  aws_kms_key: {
    source: aws("internal/service/kms/key.go", "00a35305dc1b297a6fcdecdfbba33f1e63c3da39"),
    forceNew: ["custom_key_store_id", "customer_master_key_spec", "key_usage", "multi_region", "xks_key_id"],
  },
  aws_sagemaker_feature_group: {
    source: aws("internal/service/sagemaker/feature_group.go", "00a35305dc1b297a6fcdecdfbba33f1e63c3da39"),
    forceNew: [
      "description",
      "event_time_feature_name",
      "feature_definition",
      "feature_definition.collection_config",
      "feature_definition.collection_config.vector_config",
      "feature_definition.collection_config.vector_config.dimension",
      "feature_definition.collection_type",
      "feature_definition.feature_name",
      "feature_definition.feature_type",
      "feature_group_name",
      "offline_store_config",
      "offline_store_config.data_catalog_config",
      "offline_store_config.data_catalog_config.catalog",
      "offline_store_config.data_catalog_config.database",
      "offline_store_config.data_catalog_config.table_name",
      "offline_store_config.disable_glue_table_creation",
      "offline_store_config.s3_storage_config",
      "offline_store_config.s3_storage_config.kms_key_id",
      "offline_store_config.s3_storage_config.resolved_output_s3_uri",
      "offline_store_config.s3_storage_config.s3_uri",
      "offline_store_config.table_format",
      "online_store_config",
      "online_store_config.enable_online_store",
      "online_store_config.security_config",
      "online_store_config.security_config.kms_key_id",
      "online_store_config.storage_type",
      "record_identifier_feature_name",
      "role_arn",
    ],
  },
  aws_eks_addon: {
    source: aws("internal/service/eks/addon.go", "00a35305dc1b297a6fcdecdfbba33f1e63c3da39"),
    forceNew: ["addon_name", "cluster_name"],
  },
  aws_iam_role_policy: {
    source: aws("internal/service/iam/role_policy.go", "02f97af85f89a04e8ed89f5e8b64a9a67f3cfe07"),
    forceNew: ["name", "name_prefix", "role"],
  },
  aws_iam_role_policy_attachment: {
    source: aws("internal/service/iam/role_policy_attachment.go", "04c79849dbe7fbe76c3054b364357bcdaade9ac5"),
    forceNew: ["policy_arn", "role"],
  },
  aws_cloudwatch_log_group: {
    source: aws("internal/service/logs/group.go", "0073593e7d6993ba482409f4dc35438daaa79bb3"),
    forceNew: ["log_group_class", "name", "name_prefix"],
  },
  aws_sagemaker_endpoint_configuration: (() => {
    const variant = [
      "accelerator_type",
      "container_startup_health_check_timeout_in_seconds",
      "core_dump_config",
      "enable_ssm_access",
      "initial_instance_count",
      "initial_variant_weight",
      "instance_type",
      "model_data_download_timeout_in_seconds",
      "model_name",
      "serverless_config",
      "variant_name",
      "volume_size_in_gb",
    ];
    const lists = ["production_variants", "shadow_production_variants"];
    return {
      source: aws("internal/service/sagemaker/endpoint_configuration.go", "050ac11163cab8cdae5936a7f40b0e528ff780df"),
      forceNew: [
        "async_inference_config",
        "data_capture_config",
        "kms_key_arn",
        "name",
        "name_prefix",
        ...lists.flatMap((l) => variant.map((v) => `${l}.${v}`)),
      ],
      forceNewSubtrees: [
        "async_inference_config",
        "data_capture_config",
        ...lists.flatMap((l) => [`${l}.core_dump_config`, `${l}.serverless_config`]),
      ],
    };
  })(),
  aws_sagemaker_model_package_group: {
    source: aws("internal/service/sagemaker/model_package_group.go", "050ac11163cab8cdae5936a7f40b0e528ff780df"),
    forceNew: ["model_package_group_description", "model_package_group_name"],
  },
  aws_kms_alias: { source: aws("internal/service/kms/alias.go", "01c08000ddb14181b5bd19201d8fca311dc570e4"), forceNew: ["name", "name_prefix"] },
  aws_eks_access_entry: {
    source: aws("internal/service/eks/access_entry.go", "01f431114674c27cf790fafb67ac274bf8f765e1"),
    forceNew: ["cluster_name", "principal_arn", "type"],
  },
  aws_iam_role: {
    source: aws("internal/service/iam/role.go", "0040ea6911af00bea2cca6dbb14e86829826ad8e"),
    forceNew: ["name", "name_prefix", "path"],
    note: "assume_role_policy, description, max_session_duration, permissions_boundary, inline_policy and managed_policy_arns are updated in place (resourceRoleUpdate)",
  },
  aws_s3_bucket: {
    source: aws("internal/service/s3/bucket.go", "0070bcd12c952f14c5434a6f351ef7b6fa791226"),
    forceNew: ["bucket", "bucket_prefix"],
    note: "the stored version predates object_lock_enabled; newer provider versions also replace the bucket when it changes",
  },
  aws_dynamodb_table: {
    source: aws("internal/service/dynamodb/table.go", "01335dd3cd3dff10ace08b5250b7302d4dbb0e04"),
    forceNew: [
      "hash_key",
      "local_secondary_index",
      "local_secondary_index.name",
      "local_secondary_index.non_key_attributes",
      "local_secondary_index.projection_type",
      "local_secondary_index.range_key",
      "name",
      "range_key",
      "restore_date_time",
      "restore_source_name",
      "restore_to_latest_time",
    ],
  },
  helm_release: {
    source: { repo: "hashicorp/terraform-provider-helm", path: "helm/resource_helm_release.go", commit: "ecffae07748ea9e2e99660e5ad3f852a12fbc5fc" },
    forceNew: ["name", "namespace"],
  },
  kubernetes_manifest: {
    source: k8s("manifest/provider/plan.go"),
    forceNew: ["manifest.apiVersion", "manifest.kind", "manifest.metadata.name", "manifest.metadata.namespace"],
  },
  kubernetes_namespace_v1: { source: k8s("kubernetes/resource_kubernetes_namespace_v1.go"), forceNew: meta },
  kubernetes_priority_class_v1: {
    source: k8s("kubernetes/resource_kubernetes_priority_class_v1.go"),
    forceNew: [...meta, "preemption_policy", "value"],
  },
  kubernetes_resource_quota_v1: { source: k8s("kubernetes/resource_kubernetes_resource_quota_v1.go"), forceNew: [...nsMeta, "spec.scopes"] },
  kubernetes_limit_range_v1: { source: k8s("kubernetes/resource_kubernetes_limit_range_v1.go"), forceNew: nsMeta },
  kubernetes_service_account_v1: { source: k8s("kubernetes/resource_kubernetes_service_account_v1.go"), forceNew: nsMeta },
  kubernetes_config_map_v1: {
    source: k8s("kubernetes/resource_kubernetes_config_map_v1.go"),
    forceNew: nsMeta,
    conditional: {
      data: "replaced when immutable is true",
      binary_data: "replaced when immutable is true",
      immutable: "replaced when immutable was true",
    },
  },
  kubernetes_job_v1: {
    source: k8s("kubernetes/resource_kubernetes_job_v1.go"),
    forceNew: [
      ...nsMeta,
      "spec.backoff_limit_per_index",
      "spec.completion_mode",
      "spec.completions",
      "spec.pod_failure_policy",
      "spec.selector",
      "spec.template",
    ],
    forceNewSubtrees: ["spec.template"],
  },
  kubernetes_cron_job_v1: { source: k8s("kubernetes/resource_kubernetes_cron_job_v1.go"), forceNew: [...nsMeta, ...cron] },
};
const doc = {
  description:
    "Arguments whose change makes the provider replace the resource (ForceNew: true in SDKv2 schemas, RequiresReplace() in plugin-framework schemas, RequiresReplace in kubernetes_manifest's plan), read from each provider's Go source at the commit named (the version the research index held, not necessarily the newest release). Paths use '.' between nested blocks and no list indices. metadata.* of the kubernetes resources come from kubernetes/schema_metadata.go (metadataFields, namespacedMetadataSchema). A type missing here has no data: the review says 'may be replaced'.",
  types: Object.fromEntries(
    Object.entries(types)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, { ...v, forceNew: [...new Set(v.forceNew)].sort() }]),
  ),
};
fs.writeFileSync(path.join(__dirname, "..", "force-new.json"), JSON.stringify(doc, null, 2) + "\n");
