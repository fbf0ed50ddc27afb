import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { ModelRegistry, MlopsValidationError, RegistryEngine, TrainingCluster } from "../../src";
import { helmValues, newStack, policyStatements, ref, resource, resources, synth } from "../helpers";

function mlflowPlatform(options: Record<string, unknown> = {}) {
  const stack = newStack();
  const cluster = new TrainingCluster(stack, "training");
  const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.mlflow({ cluster, ...options }), models: ["fraud", "churn"] });
  return { stack, cluster, registry, doc: synth(stack) };
}

describe("ModelRegistry (shared by both engines)", () => {
  const { doc, registry } = mlflowPlatform();
  const bucket = resource(doc, "aws_s3_bucket", "registry/Artifacts/Resource");

  test("an artifact bucket built as SecureBucket: KMS, versioned, TLS-only, access-logged", () => {
    const sse = resources(doc, "aws_s3_bucket_server_side_encryption_configuration").find((r) => r.values.bucket === ref(bucket, "id"))!;
    expect(sse.values.rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe("aws:kms");
    expect(resources(doc, "aws_s3_bucket_logging").map((l) => l.values.bucket)).toContain(ref(bucket, "id"));
  });

  test("an ECR repository per model: immutable tags, scan on push, KMS at creation, lifecycle, protected", () => {
    const repo = resource(doc, "aws_ecr_repository", "Repository-fraud");
    expect(repo.values).toMatchObject({
      name: "acme-ml/fraud",
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: { scan_on_push: true },
      encryption_configuration: [{ encryption_type: "KMS", kms_key: "${aws_kms_key.PlatformKey.arn}" }],
      force_delete: false,
      lifecycle: { prevent_destroy: true },
    });
    const policy = JSON.parse(resource(doc, "aws_ecr_lifecycle_policy", "Repository-fraud-Lifecycle").values.policy);
    expect(policy.rules.map((r: { selection: { tagStatus: string } }) => r.selection.tagStatus)).toEqual(["untagged", "any"]);
  });

  test("model(name, version) points at the artifact bucket and the model's repository", () => {
    const m = registry.model("fraud", "3");
    expect(m).toMatchObject({ modelName: "fraud", version: "3", artifactKeyPrefix: "models/fraud/3/", engine: "mlflow" });
    expect(m.artifactS3Uri).toMatch(/^s3:\/\/.+\/models\/fraud\/3\/$/);
    expect(m.modelPackageArn).toBeUndefined();
    expect(() => registry.model("nope")).toThrow(
      'ModelRegistry platform/registry: model ("nope") is not a model of this registry (models: fraud, churn)',
    );
    expect(() => registry.model("fraud", "v 1")).toThrow('version ("v 1") must be "latest" or a version label');
  });

  test("grantRead and grantWrite scope S3 to the bucket, ECR to the repositories, KMS to the key", () => {
    const stack = newStack();
    const cluster = new TrainingCluster(stack, "training");
    const reg = new ModelRegistry(stack, "registry", { engine: RegistryEngine.mlflow({ cluster }), models: ["fraud"] });
    const role = new IamRole(stack, "ci", { assumeRolePolicy: "{}" });
    reg.grantRead(role);
    reg.grantWrite(role);
    const d = synth(stack);
    const policies = resources(d, "aws_iam_role_policy").filter((p) => p.path.includes("/Grant"));
    expect(policies).toHaveLength(2);
    for (const p of policies) {
      expect(p.values.role).toBe("${aws_iam_role.ci.name}");
      for (const s of policyStatements(d, p.values.policy)) {
        if (s.sid === "EcrLogin") expect(s.actions).toEqual(["ecr:GetAuthorizationToken"]);
        else expect(s.resources).not.toContain("*");
      }
    }
    const write = policyStatements(d, policies.find((p) => p.values.name === "registry-write")!.values.policy);
    expect(write.find((s) => s.sid === "PushModelImages")!.actions).toContain("ecr:PutImage");
  });
});

describe("RegistryEngine.mlflow", () => {
  const { doc } = mlflowPlatform();
  const db = resource(doc, "aws_db_instance", "registry/Mlflow/Database");
  const release = resource(doc, "helm_release", "registry/Mlflow/Server");
  const values = helmValues(release);

  test("RDS PostgreSQL: encrypted, private, backed up, protected, password managed by RDS with our key", () => {
    expect(db.values).toMatchObject({
      engine: "postgres",
      engine_version: "17",
      db_name: "mlflow",
      storage_encrypted: true,
      kms_key_id: "${aws_kms_key.PlatformKey.arn}",
      publicly_accessible: false,
      backup_retention_period: 7,
      deletion_protection: true,
      skip_final_snapshot: false,
      manage_master_user_password: true,
      master_user_secret_kms_key_id: "${aws_kms_key.PlatformKey.arn}",
      multi_az: false,
    });
    expect(db.values.password).toBeUndefined();
    expect(db.values.final_snapshot_identifier).toBe(`${db.values.identifier}-final`);
  });

  test("the database admits PostgreSQL only from the cluster's security group, in the private subnets", () => {
    const sg = resource(doc, "aws_security_group", "registry/Mlflow/DatabaseSecurityGroup");
    expect(db.values.vpc_security_group_ids).toEqual([ref(sg, "id")]);
    expect(resource(doc, "aws_vpc_security_group_ingress_rule", "DatabaseFromCluster").values).toMatchObject({
      security_group_id: ref(sg, "id"),
      from_port: 5432,
      to_port: 5432,
      referenced_security_group_id: "${aws_eks_cluster.training_1CA5CB2F.vpc_config[0].cluster_security_group_id}",
    });
    const subnets = resource(doc, "aws_db_subnet_group", "DatabaseSubnets");
    expect(subnets.values.subnet_ids).toEqual([1, 2, 3].map((i) => ref(resource(doc, "aws_subnet", `training/Network/PrivateSubnet${i}`), "id")));
  });

  test("the Helm values point at the real database, bucket and secret", () => {
    expect(release.values).toMatchObject({ chart: "mlflow", version: "1.11.5", repository: "https://community-charts.github.io/helm-charts" });
    expect(values.backendStore).toEqual({
      databaseMigration: true,
      databaseConnectionCheck: true,
      postgres: { enabled: true, host: ref(db, "address"), port: 5432, database: "mlflow" },
      existingDatabaseSecret: { name: "mlflow-db-credentials", usernameKey: "username", passwordKey: "password" },
    });
    expect(values.artifactRoot).toEqual({
      proxiedArtifactStorage: true,
      s3: { enabled: true, bucket: ref(resource(doc, "aws_s3_bucket", "registry/Artifacts/Resource"), "bucket"), path: "mlflow" },
    });
    const [store, externalSecret] = values.extraDeploy;
    expect(store).toMatchObject({ apiVersion: "external-secrets.io/v1", kind: "SecretStore" });
    expect(externalSecret.spec.data.map((d: { remoteRef: { key: string } }) => d.remoteRef.key)).toEqual([
      ref(db, "master_user_secret[0].secret_arn"),
      ref(db, "master_user_secret[0].secret_arn"),
    ]);
    expect(externalSecret.spec.target.name).toBe(values.backendStore.existingDatabaseSecret.name);
  });

  test("rotation reaches the pod: the ExternalSecret refreshes and Reloader restarts MLflow on change", () => {
    expect(values.extraDeploy[1].spec.refreshInterval).toBe("1m");
    expect(values.deploymentAnnotations).toEqual({ "secret.reloader.stakater.com/reload": "mlflow-db-credentials" });
    const charts = resources(doc, "helm_release").map((r) => r.values.chart);
    expect(charts).toEqual(expect.arrayContaining(["external-secrets", "reloader"]));
    expect(release.values.depends_on).toEqual(
      expect.arrayContaining([
        resource(doc, "helm_release", "training/ExternalSecrets").address,
        resource(doc, "helm_release", "training/Reloader").address,
      ]),
    );
  });

  test("External Secrets may read exactly that secret; only the server's role touches the artifacts", () => {
    const eso = resource(doc, "aws_iam_role_policy", "ExternalSecretsCanReadDatabaseSecret");
    expect(eso.values.role).toBe(ref(resource(doc, "aws_iam_role", "training/ExternalSecretsRole/Role"), "name"));
    const [read] = policyStatements(doc, eso.values.policy);
    expect(read.resources).toEqual([ref(db, "master_user_secret[0].secret_arn")]);
    const server = policyStatements(doc, resource(doc, "aws_iam_role_policy", "registry/Mlflow/ServerRole/Policy").values.policy);
    expect(server.find((s) => s.sid === "ReadWriteArtifacts")!.resources).toEqual([
      `${ref(resource(doc, "aws_s3_bucket", "registry/Artifacts/Resource"), "arn")}/mlflow/*`,
    ]);
    expect(resource(doc, "aws_eks_pod_identity_association", "registry/Mlflow/ServerPodIdentity").values).toMatchObject({
      namespace: "mlflow",
      service_account: "mlflow",
    });
  });

  test("internal endpoint only, allowed hosts are the service's names", () => {
    expect(values.service).toEqual({ type: "ClusterIP" });
    expect(values.ingress).toBeUndefined();
    expect(values.serverAllowedHosts).toContain("mlflow.mlflow.svc.cluster.local");
  });

  test("no secret value anywhere in the synthesized JSON", () => {
    const text = JSON.stringify(doc);
    expect(text).not.toMatch(/"password"\s*:\s*"[^$]/);
    expect(text).not.toMatch(/master_password/);
  });
});

describe("RegistryEngine.sagemaker", () => {
  const stack = newStack();
  const registry = new ModelRegistry(stack, "registry", {
    engine: RegistryEngine.sagemaker({ crossAccountReadAccountIds: ["444455556666"], mlflowTrackingServer: true }),
    models: ["fraud"],
  });
  const doc = synth(stack);

  test("a model package group per model, readable from the named account", () => {
    const group = resource(doc, "aws_sagemaker_model_package_group", "Group-fraud");
    expect(group.values.model_package_group_name).toBe("acme-ml-fraud");
    const policy = resource(doc, "aws_sagemaker_model_package_group_policy", "Group-fraud-Policy");
    const [s] = policyStatements(doc, policy.values.resource_policy);
    expect(s.principals[0].identifiers).toEqual(["arn:${data.aws_partition.Partition.partition}:iam::444455556666:root"]);
    expect(s.actions).not.toContain("sagemaker:CreateModelPackage");
  });

  test("a managed MLflow tracking server on the artifact bucket with a role scoped to its prefix", () => {
    const server = resource(doc, "aws_sagemaker_mlflow_tracking_server", "TrackingServer");
    // Automatic registration would sync versions into `fraud-<hash>`, a group model() does not read.
    expect(server.values).toMatchObject({ tracking_server_size: "Small", automatic_model_registration: false });
    expect(server.values.artifact_store_uri).toBe(`s3://${ref(resource(doc, "aws_s3_bucket", "registry/Artifacts/Resource"), "bucket")}/mlflow`);
    const statements = policyStatements(doc, resource(doc, "aws_iam_role_policy", "TrackingServerRole/Policy").values.policy);
    expect(statements.find((x) => x.sid === "ReadWriteMlflowArtifacts")!.resources[0]).toMatch(/\/mlflow\/\*$/);
    expect(statements.flatMap((x) => x.actions).filter((a: string) => a.startsWith("sagemaker:"))).toEqual([]);
  });

  test("model(name, version) carries the model package ARN", () => {
    expect(registry.model("fraud", "3").modelPackageArn).toMatch(/:model-package\/acme-ml-fraud\/3$/);
    expect(registry.model("fraud").modelPackageArn).toBeUndefined();
    // The escape hatch is typed: no cast needed.
    const groups = registry.sagemaker!.modelPackageGroups;
    expect(registry.mlflow).toBeUndefined();
    expect(groups.fraud.modelPackageGroupNameInput).toBe("acme-ml-fraud");
    expect(registry.modelPackageGroupArn("fraud")).toEqual(expect.any(String));
    expect(registry.modelPackageGroupArn("unknown")).toBeUndefined();
  });
});

describe("ModelRegistry rejects bad input", () => {
  const cases: [string, () => unknown, string][] = [
    ["no engine", () => new ModelRegistry(newStack(), "r", {} as never), "ModelRegistry platform/r: engine is required"],
    [
      "bad model name",
      () => new ModelRegistry(newStack(), "r", { engine: RegistryEngine.sagemaker(), models: ["Fraud_Model"] }),
      "ModelRegistry platform/r: models[0] (\"Fraud_Model\") must be lowercase letters, digits and '-', at most 48 characters",
    ],
    [
      "duplicate model",
      () => new ModelRegistry(newStack(), "r", { engine: RegistryEngine.sagemaker(), models: ["a", "a"] }),
      "models (array of 2) must not name a model twice",
    ],
    [
      "mlflow without a cluster",
      () => new ModelRegistry(newStack(), "r", { engine: RegistryEngine.mlflow({} as never) }),
      "RegistryEngine.mlflow platform/r: cluster is required",
    ],
    [
      "backups under 7 days",
      () => {
        const s = newStack();
        return new ModelRegistry(s, "r", { engine: RegistryEngine.mlflow({ cluster: new TrainingCluster(s, "c"), backupRetentionDays: 1 }) });
      },
      "RegistryEngine.mlflow platform/r: backupRetentionDays (1) must be between 7 and 35",
    ],
    [
      "bad instance class",
      () => {
        const s = newStack();
        return new ModelRegistry(s, "r", {
          engine: RegistryEngine.mlflow({ cluster: new TrainingCluster(s, "c"), databaseInstanceClass: "m5.large" }),
        });
      },
      'databaseInstanceClass ("m5.large") must be an RDS instance class such as db.t4g.medium',
    ],
    [
      "tracking server size without server",
      () => new ModelRegistry(newStack(), "r", { engine: RegistryEngine.sagemaker({ trackingServerSize: "Small" }) }),
      'RegistryEngine.sagemaker platform/r: trackingServerSize ("Small") needs mlflowTrackingServer: true',
    ],
    [
      "bad cross-account id",
      () => new ModelRegistry(newStack(), "r", { engine: RegistryEngine.sagemaker({ crossAccountReadAccountIds: ["12"] }) }),
      'crossAccountReadAccountIds[0] ("12") must be a 12-digit AWS account id',
    ],
  ];
  test.each(cases)("%s", (_n, build, message) => {
    expect(build).toThrow(MlopsValidationError);
    expect(build).toThrow(message);
  });
});
