import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { FeatureEngine, FeatureGroupDefinition, FeatureStore, FeatureType, TrainingCluster } from "../../src";
import { helmValues, newStack, policyStatements, ref, resource, resources, synth, validationError } from "../helpers";

const transactions: FeatureGroupDefinition = {
  name: "transactions",
  recordIdentifier: "customer_id",
  eventTimeFeature: "event_time",
  ttlDays: 7,
  features: [
    { name: "customer_id", type: FeatureType.STRING },
    { name: "event_time", type: FeatureType.UNIX_TIMESTAMP },
    { name: "amount_avg", type: FeatureType.FLOAT64 },
    { name: "txn_count", type: FeatureType.INT64 },
  ],
};

function feast(groups: FeatureGroupDefinition[] = [transactions]) {
  const stack = newStack();
  const cluster = new TrainingCluster(stack, "training");
  const store = new FeatureStore(stack, "features", { engine: FeatureEngine.feast({ cluster }), featureGroups: groups });
  const role = new IamRole(stack, "app", { assumeRolePolicy: "{}" });
  store.grantReadOnline(role);
  store.grantIngest(role);
  return { stack, store, doc: synth(stack) };
}

function sagemaker(groups: FeatureGroupDefinition[] = [transactions], options = {}) {
  const stack = newStack();
  const store = new FeatureStore(stack, "features", { engine: FeatureEngine.sagemaker(options), featureGroups: groups });
  const role = new IamRole(stack, "app", { assumeRolePolicy: "{}" });
  store.grantReadOnline(role);
  store.grantIngest(role);
  return { stack, store, doc: synth(stack) };
}

describe("FeatureEngine.feast", () => {
  const { doc } = feast();
  const table = resource(doc, "aws_dynamodb_table", "OnlineTable-transactions");
  const bucket = resource(doc, "aws_s3_bucket", "features/OfflineStore/Resource");

  test("pre-creates the DynamoDB table Feast expects: {project}.{view}, key entity_id, on-demand, PITR, KMS, protected", () => {
    expect(table.values).toMatchObject({
      name: "acme_ml_features.transactions",
      hash_key: "entity_id",
      attribute: [{ name: "entity_id", type: "S" }],
      billing_mode: "PAY_PER_REQUEST",
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true, kms_key_arn: "${aws_kms_key.PlatformKey.arn}" },
      deletion_protection_enabled: true,
      lifecycle: { prevent_destroy: true },
    });
  });

  test("an Athena offline store: Glue table over Parquet in the offline bucket, workgroup with encrypted results", () => {
    const glue = resource(doc, "aws_glue_catalog_table", "GlueTable-transactions").values;
    expect(glue.database_name).toBe(ref(resource(doc, "aws_glue_catalog_database", "GlueDatabase"), "name"));
    expect(glue.storage_descriptor.location).toBe(`s3://${ref(bucket, "bucket")}/data/transactions/`);
    expect(glue.storage_descriptor.columns).toEqual([
      { name: "customer_id", type: "string" },
      { name: "event_time", type: "timestamp" },
      { name: "amount_avg", type: "double" },
      { name: "txn_count", type: "bigint" },
    ]);
    const wg = resource(doc, "aws_athena_workgroup", "Workgroup").values;
    expect(wg.configuration).toMatchObject({
      enforce_workgroup_configuration: true,
      result_configuration: {
        output_location: `s3://${ref(bucket, "bucket")}/athena-results/`,
        encryption_configuration: { encryption_option: "SSE_KMS", kms_key_arn: "${aws_kms_key.PlatformKey.arn}" },
      },
    });
  });

  test("feature_store.yaml names every key the Athena offline store requires and the S3 registry", () => {
    const yaml = resource(doc, "kubernetes_config_map_v1", "Feast/Repository").values.data["feature_store.yaml"] as string;
    for (const key of ["data_source", "region", "database", "workgroup", "s3_staging_location"])
      expect(yaml).toContain(`\\"${key}\\" =`.replace(/\\/g, ""));
    expect(yaml).toContain('"type" = "dynamodb"');
    expect(yaml).toContain('"type" = "athena"');
    expect(yaml).toContain(`format("s3://%s/registry/registry.db", ${bucket.address}.bucket)`);
    expect(yaml).toContain('"entity_key_serialization_version" = 3');
  });

  test("the feature server gets the same configuration, base64-encoded, and runs as our ServiceAccount", () => {
    const release = resource(doc, "helm_release", "Feast/FeatureServer");
    expect(release.values).toMatchObject({
      chart: "feast-feature-server",
      version: "0.66.0",
      repository: "https://feast-helm-charts.storage.googleapis.com",
    });
    const [set] = release.values.set;
    expect(set.name).toBe("feature_store_yaml_base64");
    const yaml = resource(doc, "kubernetes_config_map_v1", "Feast/Repository").values.data["feature_store.yaml"] as string;
    expect(set.value).toBe(`\${base64encode(${yaml.slice(2, -1)})}`);
    const values = helmValues(release);
    expect(values).toMatchObject({ feast_mode: "online", serviceAccount: { name: "feast" }, image: { tag: "0.66.0" } });
    expect(resource(doc, "kubernetes_service_account_v1", "ServerServiceAccount").values.metadata.name).toBe("feast");
    expect(release.values.depends_on).toContain(resource(doc, "kubernetes_job_v1", "ApplyJob").address);
  });

  test("feast apply runs as a Job over the generated repository, named by its hash so a change re-runs it", () => {
    const job = resource(doc, "kubernetes_job_v1", "ApplyJob").values;
    const cm = resource(doc, "kubernetes_config_map_v1", "Feast/Repository").values;
    const hash = job.metadata.name.replace("feast-apply-", "");
    expect(cm.metadata.name).toBe(`feast-repo-${hash}`);
    expect(job.wait_for_completion).toBe(true);
    const pod = job.spec.template.spec;
    expect(pod.container[0].command.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    expect(pod.container[0].command[2]).toMatch(
      /cp -L \/feature-repo\/\*\.py \/feature-repo\/\*\.yaml \/tmp\/feature-repo\/ && exec feast -c \/tmp\/feature-repo apply$/,
    );
    expect(pod.container[0].image).toBe("quay.io/feastdev/feature-server:0.66.0");
    expect(pod.service_account_name).toBe(ref(resource(doc, "kubernetes_service_account_v1", "JobServiceAccount"), "metadata[0].name"));
    const py = cm.data["features.py"] as string;
    expect(py).toContain('transactions_entity = Entity(name="transactions_customer_id", join_keys=["customer_id"])');
    expect(py).toContain('table="transactions"');
    expect(py).toContain("ttl=timedelta(days=7)");
    expect(py).toContain('Field(name="amount_avg", dtype=Float64)');
    expect(py).not.toContain('Field(name="event_time"');

    const changed = feast([{ ...transactions, features: [...transactions.features, { name: "extra", type: FeatureType.BOOL }] }]).doc;
    expect(resource(changed, "kubernetes_job_v1", "ApplyJob").values.metadata.name).not.toBe(job.metadata.name);
  });

  test("materialize-incremental runs on a schedule, never twice at once", () => {
    const cron = resource(doc, "kubernetes_cron_job_v1", "MaterializeCronJob").values.spec;
    expect(cron).toMatchObject({ schedule: "0 * * * *", concurrency_policy: "Forbid" });
    expect(cron.job_template.spec.template.spec.container[0].command.join(" ")).toContain("feast -c /tmp/feature-repo materialize-incremental");
  });

  test("IAM: the server reads exactly the tables and registry; the jobs write the tables, query the workgroup", () => {
    const server = policyStatements(doc, resource(doc, "aws_iam_role_policy", "Feast/ServerRole/Policy").values.policy);
    expect(server.find((s) => s.sid === "ReadOnlineFeatures")!.resources).toEqual([ref(table, "arn")]);
    expect(server.flatMap((s) => s.actions)).not.toEqual(expect.arrayContaining(["dynamodb:BatchWriteItem"]));
    const jobs = policyStatements(doc, resource(doc, "aws_iam_role_policy", "Feast/JobRole/Policy").values.policy);
    expect(jobs.find((s) => s.sid === "QueryThroughTheWorkgroup")!.resources).toEqual([
      ref(resource(doc, "aws_athena_workgroup", "Workgroup"), "arn"),
    ]);
    for (const s of [...server, ...jobs]) expect(s.resources).not.toContain("*");
    const assoc = resources(doc, "aws_eks_pod_identity_association").filter((a) => a.path.includes("Feast"));
    expect(assoc.map((a) => [a.values.namespace, a.values.service_account]).sort()).toEqual([
      ["feast", "feast"],
      ["feast", "feast-jobs"],
    ]);
  });

  test("grants scope to the store's tables and prefixes", () => {
    const read = resources(doc, "aws_iam_role_policy").find((p) => p.values.name === "features-read-online")!;
    expect(policyStatements(doc, read.values.policy)[0].resources).toEqual([ref(table, "arn")]);
    const ingest = resources(doc, "aws_iam_role_policy").find((p) => p.values.name === "features-ingest")!;
    expect(policyStatements(doc, ingest.values.policy).find((s) => s.sid === "WriteOfflineFeatures")!.resources).toEqual([
      `${ref(bucket, "arn")}/data/*`,
    ]);
  });
});

describe("FeatureEngine.sagemaker", () => {
  const { doc } = sagemaker();
  const group = resource(doc, "aws_sagemaker_feature_group", "Group-transactions");
  const bucket = resource(doc, "aws_s3_bucket", "features/OfflineStore/Resource");

  test("a feature group with typed features, online store with KMS and TTL, offline store in the bucket", () => {
    expect(group.values).toMatchObject({
      feature_group_name: "acme-ml-transactions",
      record_identifier_feature_name: "customer_id",
      event_time_feature_name: "event_time",
      feature_definition: [
        { feature_name: "customer_id", feature_type: "String" },
        { feature_name: "event_time", feature_type: "Fractional" },
        { feature_name: "amount_avg", feature_type: "Fractional" },
        { feature_name: "txn_count", feature_type: "Integral" },
      ],
      online_store_config: {
        enable_online_store: true,
        storage_type: "Standard",
        security_config: { kms_key_id: "${aws_kms_key.PlatformKey.arn}" },
        ttl_duration: { unit: "Days", value: 7 },
      },
      offline_store_config: {
        s3_storage_config: { s3_uri: `s3://${ref(bucket, "bucket")}/offline`, kms_key_id: "${aws_kms_key.PlatformKey.arn}" },
        disable_glue_table_creation: false,
        table_format: "Glue",
      },
      lifecycle: { prevent_destroy: true },
    });
    expect(resources(doc, "aws_glue_catalog_table")).toHaveLength(0);
  });

  test("the offline store role writes only its prefix with the store key", () => {
    const role = resource(doc, "aws_iam_role", "OfflineStoreRole/Role");
    expect(group.values.role_arn).toBe(ref(role, "arn"));
    const statements = policyStatements(doc, resource(doc, "aws_iam_role_policy", "OfflineStoreRole/Policy").values.policy);
    expect(statements.find((s) => s.sid === "WriteTheOfflineStore")!.resources).toEqual([`${ref(bucket, "arn")}/offline/*`]);
    for (const s of statements) expect(s.resources).not.toContain("*");
  });

  test("grants name the feature groups", () => {
    const read = resources(doc, "aws_iam_role_policy").find((p) => p.values.name === "features-read-online")!;
    expect(policyStatements(doc, read.values.policy)[0]).toMatchObject({
      actions: ["sagemaker:GetRecord", "sagemaker:BatchGetRecord"],
      resources: [ref(group, "arn")],
    });
  });

  test("an offline-only group has no online store", () => {
    const d = sagemaker([{ ...transactions, online: false }], { offlineTableFormat: "Iceberg" }).doc;
    const g = resource(d, "aws_sagemaker_feature_group", "Group-transactions").values;
    expect(g.online_store_config).toBeUndefined();
    expect(g.offline_store_config.table_format).toBe("Iceberg");
  });
});

describe("FeatureStore rejects bad declarations", () => {
  const withFeature = (name: string, type = FeatureType.STRING) => ({ ...transactions, features: [...transactions.features, { name, type }] });
  const cases: [string, "feast" | "sagemaker", FeatureGroupDefinition[], string][] = [
    ["duplicate group", "sagemaker", [transactions, transactions], 'featureGroups[1].name ("transactions") names a group twice'],
    [
      "identifier not a feature",
      "sagemaker",
      [{ ...transactions, recordIdentifier: "nope" }],
      'featureGroups[0].recordIdentifier ("nope") must be one of the group\'s features',
    ],
    [
      "event time not a feature",
      "sagemaker",
      [{ ...transactions, eventTimeFeature: "ts" }],
      'featureGroups[0].eventTimeFeature ("ts") must be one of the group\'s features',
    ],
    [
      "event time of a numeric type",
      "sagemaker",
      [{ ...transactions, eventTimeFeature: "txn_count" }],
      'eventTimeFeature ("txn_count") must be a UnixTimestamp or an ISO-8601 String feature',
    ],
    [
      "duplicate feature",
      "sagemaker",
      [withFeature("txn_count", FeatureType.INT64)],
      'featureGroups[0].features[4].name ("txn_count") names a feature twice',
    ],
    [
      "unknown type",
      "sagemaker",
      [withFeature("x", "Decimal" as FeatureType)],
      'featureGroups[0].features[4].type ("Decimal") must be one of String',
    ],
    [
      "SageMaker reserved name",
      "sagemaker",
      [withFeature("write_time")],
      'featureGroups[0].features[4].name ("write_time") is reserved by SageMaker Feature Store',
    ],
    [
      "SageMaker reserved name, any case",
      "sagemaker",
      [withFeature("Is_Deleted")],
      'features[4].name ("Is_Deleted") is reserved by SageMaker Feature Store',
    ],
    [
      "type SageMaker does not know",
      "sagemaker",
      [withFeature("flag", FeatureType.BOOL)],
      'features[4].type ("Bool") is not a SageMaker Feature Store type',
    ],
    [
      "SageMaker group name",
      "sagemaker",
      [{ ...transactions, name: "bad name!" }],
      'featureGroups[0].name ("bad name!") must be 1-39 letters, digits',
    ],
    ["Feast snake_case", "feast", [withFeature("amountAvg")], 'featureGroups[0].features[4].name ("amountAvg") must be snake_case'],
    ["Feast online-only", "feast", [{ ...transactions, offline: false }], "featureGroups[0].offline (false) must not be false with the feast engine"],
    [
      "stored nowhere",
      "sagemaker",
      [{ ...transactions, online: false, offline: false }],
      "featureGroups[0].online (false) and offline are both false",
    ],
    ["no groups", "sagemaker", [], "featureGroups (array of 0) must declare at least one feature group"],
    ["Terraform syntax in a description", "feast", [{ ...transactions, description: "cost ${var.x}" }], "must not contain ${ or %{"],
    ["zero TTL", "sagemaker", [{ ...transactions, ttlDays: 0 }], "featureGroups[0].ttlDays (0) must be at least 1"],
  ];
  test.each(cases)("%s", (_n, engine, groups, message) => {
    const build = () =>
      new FeatureStore(newStack(), "features", {
        engine: engine === "feast" ? FeatureEngine.feast({ cluster: new TrainingCluster(newStack(), "c") }) : FeatureEngine.sagemaker(),
        featureGroups: groups,
      });
    const error = validationError(() => build());
    expect(error.message).toContain(message);
    expect(error.message).toMatch(/^FeatureStore platform\/features: /);
  });

  test("engine options are checked before anything is built", () => {
    const stack = newStack();
    const build = () =>
      new FeatureStore(stack, "features", {
        engine: FeatureEngine.feast({ cluster: new TrainingCluster(stack, "c"), materializationSchedule: "hourly" }),
        featureGroups: [transactions],
      });
    expect(build).toThrow('FeatureEngine.feast platform/features: materializationSchedule ("hourly") must be a five-field cron schedule');
    expect(stack.node.tryFindChild("features")?.node.children ?? []).toHaveLength(0);
  });
});
