import { Fn, ITerraformDependable, TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { AthenaWorkgroup } from "@cdktf/provider-aws/lib/athena-workgroup";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import { GlueCatalogTable } from "@cdktf/provider-aws/lib/glue-catalog-table";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { IngressV1 } from "@cdktf/provider-kubernetes/lib/ingress-v1";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import {
  albIngress,
  applyRemovalPolicy,
  check,
  exposureNetworkProblem,
  exposureSchema,
  clusterVpcCidr,
  loadBalancerSourceCidrs,
  loadBalancedExposure,
  prometheusScrapeAnnotations,
  POD_READINESS_GATE_LABEL,
  secretStoreObject,
  componentTags,
  createRole,
  dependsOnAcrossStacks,
  fitName,
  listPrefixStatement,
  MlopsStack,
  NameRules,
  pinnedHelmRelease,
  Pins,
  PolicyStatement,
  POD_IDENTITY_TRUST,
  RemovalPolicy,
  stableHash,
  validateProps,
  claimUniqueName,
  claimExactName,
  fail,
  namespaceNetworkPolicies,
} from "../../core";
import { ITrainingCluster, NodeLabels, TrainingCluster } from "../../training-cluster";
import type { FeastEngineOptions } from "../engines";
import type { FeastEngineResources, IFeatureStoreHost } from "../contract";
import type { FeatureGroupDefinition, FeatureGroupIssue } from "../feature-types";
import { feastRepository, GLUE_TYPES } from "./feast-repo";
import type { ShapeOf } from "../../core";
import { registerManifest } from "../../core/manifest";

/** The feast-feature-server chart and the image of its release (versions in the one table, Pins). */
export const FEAST_CHART = Pins.charts.feastFeatureServer;
export const FEAST_IMAGE = Pins.images.feastFeatureServer;

const SNAKE = /^[a-z][a-z0-9_]{0,62}$/;

/** Python's keywords and the lowercase names features.py imports: a group is a Python variable of its name. */
const PYTHON_RESERVED = [
  "and",
  "as",
  "assert",
  "async",
  "await",
  "break",
  "class",
  "continue",
  "def",
  "del",
  "elif",
  "else",
  "except",
  "finally",
  "for",
  "from",
  "global",
  "if",
  "import",
  "in",
  "is",
  "lambda",
  "nonlocal",
  "not",
  "or",
  "pass",
  "raise",
  "return",
  "try",
  "while",
  "with",
  "yield",
  "timedelta",
];

/** Feast may write next to the repository it reads, so the jobs work on a copy of the read-only ConfigMap mount. */
const COPY_REPO = "mkdir -p /tmp/feature-repo && cp -L /feature-repo/*.py /feature-repo/*.yaml /tmp/feature-repo/";

/** Feast's rules over the declarations: snake_case names (DynamoDB, Athena and Python), every group offline. */
export function checkFeastGroups(groups: FeatureGroupDefinition[]): FeatureGroupIssue[] {
  const issues: FeatureGroupIssue[] = [];
  groups.forEach((g, i) => {
    if (!SNAKE.test(g.name))
      issues.push({ path: [i, "name"], message: "must be snake_case (a-z, 0-9, '_', starting with a letter) for the feast engine" });
    else if (PYTHON_RESERVED.includes(g.name)) {
      issues.push({
        path: [i, "name"],
        message: "is a Python keyword or a name the generated Feast repository imports: the group becomes a Python variable",
      });
    }
    g.features.forEach((f, j) => {
      if (!SNAKE.test(f.name)) {
        issues.push({ path: [i, "features", j, "name"], message: "must be snake_case (a-z, 0-9, '_', starting with a letter) for the feast engine" });
      }
    });
    if (g.offline === false) {
      issues.push({
        path: [i, "offline"],
        message: "must not be false with the feast engine: a feature view is materialized from its offline source",
      });
    }
  });
  return issues;
}

const schema = z
  .object({
    cluster: z.custom<ITrainingCluster>((c) => TrainingCluster.isTrainingCluster(c), {
      message: "must be a TrainingCluster or TrainingCluster.fromClusterAttributes(...)",
    }),
    namespace: check.dnsLabel(63).optional(),
    replicas: check.int(1, 50).optional(),
    materializationSchedule: check.matching(/^(\S+\s+){4}\S+$/, 'must be a five-field cron schedule such as "0 * * * *"').optional(),
    exposure: exposureSchema.optional(),
  })
  .strict() satisfies ShapeOf<FeastEngineOptions>;

/** Checks the options, naming the feature store's path in any error. */
export function validateFeastOptions(owner: Construct, options: FeastEngineOptions) {
  const o = validateProps(owner, "FeatureEngine.feast", schema, options);
  // One Feast per namespace of a cluster: a second store there would create the same Kubernetes objects.
  const holder = claimExactName(owner, `feast-namespace:${o.cluster.node.path}`, o.namespace ?? "feast");
  if (holder) {
    fail(
      owner,
      "FeatureEngine.feast",
      "namespace",
      `(${JSON.stringify(o.namespace ?? "feast")}) holds the Feast of the FeatureStore ${holder.node.path} on this cluster already: give this store its own namespace`,
    );
  }
  const problem = exposureNetworkProblem(o.exposure, o.cluster);
  if (problem) fail(owner, "FeatureEngine.feast", "exposure", problem);
  if (o.exposure?.loadBalancer?.signIn?.kind === "oidc" && o.cluster._inClusterStackOf(owner) === o.cluster._inClusterStackOf(o.cluster)) {
    fail(
      owner,
      "FeatureEngine.feast",
      "exposure",
      `(OIDC sign-in) puts the ExternalSecret of the OIDC client in the stack "${o.cluster._inClusterStackOf(owner).node.id}", which installs the External Secrets Operator and its CRDs: a custom resource cannot be planned before its CRD exists. Create the FeatureStore in a separate workloads stack, or sign in with SignIn.cognito(...).`,
    );
  }
  return o;
}

/**
 * The feature server as the chart makes it: release `feast-feature-server` of chart
 * `feast-feature-server` has the full name `feast-feature-server` (templates/_helpers.tpl: the release
 * name contains the chart name), the name of its Service, which listens on port 80 (values.yaml
 * `service.port`) and sends to the container's port `online`, 6566 (templates/deployment.yaml, feast_mode
 * `online`). Chart 0.66.0.
 */
export const FEAST_SERVER = { service: "feast-feature-server", servicePort: 80, containerPort: 6566 } as const;
/**
 * The feature server's Prometheus port: `feast serve --metrics` (the chart's `metrics.enabled`) starts
 * `feast.metrics.start_metrics_server`, whose port defaults to 8000 (sdk/python/feast/metrics.py, v0.66.0).
 */
export const FEAST_METRICS_PORT = 8000;

/**
 * The paths of the feature server (sdk/python/feast/feature_server.py, Feast 0.66.0) the load balancer
 * routes: reading online features and the health check, which answers 200 once the registry is read.
 * The write and materialization paths (`/push`, `/write-to-online-store`, `/materialize*`) get the
 * load balancer's 404.
 */
export const FEAST_EXPOSED_PATHS = ["/get-online-features", "/health"] as const;

/** Builds Feast under `store`. */
export function bindFeastEngine(store: IFeatureStoreHost, options: FeastEngineOptions): FeastEngineResources {
  const o = validateFeastOptions(store, options);
  const scope = new Construct(store, "Feast");
  const cluster = o.cluster;
  const stack = MlopsStack.of(scope);
  const tags = componentTags("feature-store");
  const key = store.kmsKey;
  const retain = store.removalPolicy === RemovalPolicy.RETAIN;
  const namespace = o.namespace ?? "feast";
  // The project names the Glue database, Athena workgroup and DynamoDB tables, unique per region: a second
  // store whose project would repeat (same id in another stack, or user-features beside user_features) gets its stack id.
  const projectOf = (base: string) =>
    base
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, "_")
      .slice(0, 60);
  const project = claimUniqueName(store, `feast-project:${stack.region}`, projectOf(`${stack.platformName}_${store.node.id}`), (stackId) =>
    projectOf(`${stack.platformName}_${stackId}_${store.node.id}`),
  );
  const bucket = store.offlineBucket;
  const s3 = (path: string) => `s3://${bucket.bucketName}/${path}`;
  const arnBase = (service: string) => `arn:${stack.partition}:${service}:${stack.region}:${stack.accountId}`;
  const groups = store.featureGroups;

  // --- online store: the tables feast would create, created here with encryption and backups -------
  const onlineTables: Record<string, DynamodbTable> = {};
  for (const g of groups.filter((x) => x.online)) {
    const table = new DynamodbTable(scope, `OnlineTable-${g.name}`, {
      // Feast's default table_name_template is "{project}.{table_name}", and its key "entity_id".
      name: `${project}.${g.name}`,
      billingMode: "PAY_PER_REQUEST",
      hashKey: "entity_id",
      attribute: [{ name: "entity_id", type: "S" }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
      deletionProtectionEnabled: retain,
      tags,
    });
    applyRemovalPolicy(table, store.removalPolicy);
    onlineTables[g.name] = table;
  }
  const tableArns = Object.values(onlineTables).map((t) => t.arn);

  // --- offline store: Glue tables over Parquet in S3, queried through an Athena workgroup ----------
  const glueDatabase = new GlueCatalogDatabase(scope, "GlueDatabase", {
    name: project,
    description: `Offline features of ${store.node.path} (cdktf-mlops)`,
    tags,
  });
  const glueTables: Record<string, GlueCatalogTable> = {};
  for (const g of groups) {
    glueTables[g.name] = new GlueCatalogTable(scope, `GlueTable-${g.name}`, {
      databaseName: glueDatabase.name,
      name: g.name,
      tableType: "EXTERNAL_TABLE",
      description: g.description,
      parameters: { classification: "parquet", EXTERNAL: "TRUE" },
      storageDescriptor: {
        location: s3(`data/${g.name}/`),
        inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        serDeInfo: { serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" },
        columns: g.features.map((f) => ({ name: f.name, type: GLUE_TYPES[f.type] })),
      },
    });
  }
  const workgroupRule = { maxLength: 128, allowed: /[a-zA-Z0-9._-]/, lowercase: false };
  const workgroupName = claimUniqueName(
    store,
    `athena-workgroup:${stack.region}`,
    fitName(`${stack.platformName}-${store.node.id}`, workgroupRule),
    (stackId) => fitName(`${stack.platformName}-${stackId}-${store.node.id}`, workgroupRule),
  );
  const workgroup = new AthenaWorkgroup(scope, "Workgroup", {
    name: workgroupName,
    description: `Feast offline store of ${store.node.path}`,
    state: "ENABLED",
    forceDestroy: false,
    configuration: {
      enforceWorkgroupConfiguration: true,
      publishCloudwatchMetricsEnabled: true,
      resultConfiguration: {
        outputLocation: s3("athena-results/"),
        encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: key.arn },
      },
    },
    tags,
  });

  // --- feature_store.yaml: built by Terraform, since the bucket name is known only at deploy time --
  // Paths inside a Terraform function are built with format(), not string interpolation.
  const s3f = (path: string) => Fn.format(`s3://%s/${path}`, [bucket.bucketName]);
  const featureStoreYaml = Fn.yamlencode({
    project,
    provider: "aws",
    registry: { registry_type: "file", path: s3f("registry/registry.db"), cache_ttl_seconds: 60 },
    online_store: { type: "dynamodb", region: stack.region },
    offline_store: {
      type: "athena",
      data_source: "AwsDataCatalog",
      region: stack.region,
      database: project,
      workgroup: workgroupName,
      s3_staging_location: s3f("staging"),
    },
    entity_key_serialization_version: 3,
  });

  // --- identities: the server reads; the jobs apply, materialize and query -------------------------
  const bucketArn = bucket.bucketArn;
  const kmsRead: PolicyStatement = { sid: "DecryptWithTheStoreKey", actions: ["kms:Decrypt", "kms:DescribeKey"], resources: [key.arn] };
  const kmsWrite: PolicyStatement = {
    sid: "UseTheStoreKey",
    actions: ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey", "kms:Encrypt"],
    resources: [key.arn],
  };
  // A statement on no resource is invalid: groups kept offline only have no table to name.
  const onTables = (s: PolicyStatement): PolicyStatement[] => (tableArns.length ? [s] : []);
  const readOnline: PolicyStatement[] = [
    ...onTables({
      sid: "ReadOnlineFeatures",
      actions: ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:DescribeTable"],
      resources: tableArns,
    }),
    kmsRead,
  ];
  const serverRole = createRole(scope, "ServerRole", {
    name: fitName(`${stack.platformName}-${store.node.id}-feast-server`, NameRules.iamRole),
    trust: POD_IDENTITY_TRUST,
    statements: [
      ...readOnline,
      // Feast's S3 registry calls HeadBucket first, authorized as s3:ListBucket with no s3:prefix in the request.
      listPrefixStatement("ListTheRegistryPrefix", [bucketArn], ["registry/*"]),
      { sid: "ReadTheRegistry", actions: ["s3:GetObject"], resources: [`${bucketArn}/registry/*`] },
    ],
    tags,
  }).role;
  const jobRole = createRole(scope, "JobRole", {
    name: fitName(`${stack.platformName}-${store.node.id}-feast-jobs`, NameRules.iamRole),
    trust: POD_IDENTITY_TRUST,
    statements: [
      ...onTables({
        sid: "ApplyAndMaterializeOnlineTables",
        actions: [
          "dynamodb:DescribeTable",
          "dynamodb:GetItem",
          "dynamodb:BatchGetItem",
          "dynamodb:BatchWriteItem",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:DeleteItem",
          "dynamodb:ListTagsOfResource",
          "dynamodb:TagResource",
          "dynamodb:UntagResource",
        ],
        resources: tableArns,
      }),
      {
        sid: "QueryThroughTheWorkgroup",
        actions: [
          "athena:StartQueryExecution",
          "athena:GetQueryExecution",
          "athena:GetQueryResults",
          "athena:StopQueryExecution",
          "athena:GetWorkGroup",
        ],
        resources: [workgroup.arn],
      },
      {
        // `feast apply` validates each AthenaSource with GetTableMetadata, which is authorized on the data catalog.
        sid: "ReadTableMetadataOfTheCatalog",
        actions: ["athena:GetTableMetadata"],
        resources: [`${arnBase("athena")}:datacatalog/AwsDataCatalog`],
      },
      {
        // Feast's Athena store reads the source tables and creates and drops temporary tables (CTAS).
        sid: "CatalogOfTheStoreDatabase",
        actions: ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartitions", "glue:CreateTable", "glue:DeleteTable"],
        resources: [`${arnBase("glue")}:catalog`, `${arnBase("glue")}:database/${project}`, `${arnBase("glue")}:table/${project}/*`],
      },
      { sid: "ListTheStoreBucket", actions: ["s3:ListBucket", "s3:GetBucketLocation"], resources: [bucketArn] },
      {
        sid: "ReadWriteStorePrefixes",
        actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
        resources: ["data", "staging", "athena-results", "registry"].map((p) => `${bucketArn}/${p}/*`),
      },
      kmsWrite,
    ],
    tags,
  }).role;

  // --- Kubernetes: namespace, service accounts, the repository, apply job, materialize cron job ----
  // What runs on the cluster goes to the cluster's in-cluster stack (the same stack unless it has one).
  const kube = cluster._inClusterScope(scope);
  const k8s = cluster.connect(kube).kubernetes;
  const ns = new NamespaceV1(kube, "Namespace", {
    provider: k8s,
    metadata: {
      name: namespace,
      labels: {
        "pod-security.kubernetes.io/enforce": "restricted",
        "app.kubernetes.io/managed-by": "cdktf-mlops",
        // Behind a load balancer: the controller's readiness gate, so a rolling update keeps a healthy target.
        ...(loadBalancedExposure(o.exposure) ? POD_READINESS_GATE_LABEL : {}),
      },
    },
  });
  const serverSa = new ServiceAccountV1(kube, "ServerServiceAccount", { provider: k8s, metadata: { name: "feast", namespace: ns.metadata.name } });
  const jobSa = new ServiceAccountV1(kube, "JobServiceAccount", { provider: k8s, metadata: { name: "feast-jobs", namespace: ns.metadata.name } });
  const associations = [
    cluster.addPodIdentityAssociation(scope, "ServerPodIdentity", { namespace, serviceAccount: "feast", roleArn: serverRole.arn, tags }),
    cluster.addPodIdentityAssociation(scope, "JobPodIdentity", { namespace, serviceAccount: "feast-jobs", roleArn: jobRole.arn, tags }),
  ];

  const repository = feastRepository(groups, project);
  const repoHash = stableHash(repository);
  const configMap = new ConfigMapV1(kube, "Repository", {
    provider: k8s,
    metadata: { name: `feast-repo-${repoHash}`, namespace: ns.metadata.name },
    data: { "feature_store.yaml": featureStoreYaml, "features.py": repository },
  });

  const podSpec = (name: string, command: string[]) => ({
    serviceAccountName: jobSa.metadata.name,
    restartPolicy: "Never",
    nodeSelector: { [NodeLabels.POOL]: "system" },
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    container: [
      {
        name,
        image: FEAST_IMAGE,
        command,
        env: [
          { name: "HOME", value: "/tmp" },
          { name: "AWS_DEFAULT_REGION", value: stack.region },
        ],
        volumeMount: [{ name: "repo", mountPath: "/feature-repo", readOnly: true }],
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "2Gi" } },
      },
    ],
    volume: [{ name: "repo", configMap: { name: configMap.metadata.name } }],
  });

  // Named after the repository's hash: a changed declaration is a new Job, so `feast apply` runs again.
  const applyJob = new JobV1(kube, "ApplyJob", {
    provider: k8s,
    metadata: { name: `feast-apply-${repoHash}`, namespace: ns.metadata.name, labels: { "app.kubernetes.io/name": "feast-apply" } },
    spec: {
      backoffLimit: 3,
      template: {
        metadata: { labels: { "app.kubernetes.io/name": "feast-apply" } },
        spec: podSpec("feast-apply", ["/bin/sh", "-c", `${COPY_REPO} && exec feast -c /tmp/feature-repo apply`]),
      },
    },
    waitForCompletion: true,
    timeouts: { create: "15m", update: "15m" },
    // The Job runs on the system nodes, with credentials from the Pod Identity agent.
    dependsOn: dependsOnAcrossStacks(kube, [
      ...associations,
      ...Object.values(onlineTables),
      ...Object.values(glueTables),
      workgroup,
      ...cluster.systemNodeDependencies,
      ...cluster.podIdentityAgentDependencies,
    ]),
  });
  const materializeCronJob = new CronJobV1(kube, "MaterializeCronJob", {
    provider: k8s,
    metadata: { name: "feast-materialize", namespace: ns.metadata.name },
    spec: {
      schedule: o.materializationSchedule ?? "0 * * * *",
      timezone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels: { "app.kubernetes.io/name": "feast-materialize" } },
        spec: {
          backoffLimit: 2,
          template: {
            metadata: { labels: { "app.kubernetes.io/name": "feast-materialize" } },
            spec: podSpec("feast-materialize", [
              "/bin/sh",
              "-c",
              `${COPY_REPO} && exec feast -c /tmp/feature-repo materialize-incremental "$(date -u +%Y-%m-%dT%H:%M:%S)"`,
            ]),
          },
        },
      },
    },
    dependsOn: [applyJob],
  });

  const release = pinnedHelmRelease(kube, "FeatureServer", {
    chart: FEAST_CHART,
    name: "feast-feature-server",
    namespace,
    provider: cluster.connect(kube).helm,
    values: {
      feast_mode: "online",
      // Scraped by the cluster's collector (Prometheus telemetry).
      ...(cluster.scrapesPodMetrics
        ? {
            metrics: { enabled: true },
            podAnnotations: prometheusScrapeAnnotations(FEAST_METRICS_PORT),
          }
        : {}),
      replicaCount: o.replicas ?? 2,
      image: { tag: FEAST_IMAGE.split(":")[1] },
      serviceAccount: { name: "feast" },
      nodeSelector: { [NodeLabels.POOL]: "system" },
      podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
      resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "2Gi" } },
      extraEnvs: [{ name: "AWS_DEFAULT_REGION", value: stack.region }],
    },
    set: [{ name: "feature_store_yaml_base64", value: Fn.base64encode(featureStoreYaml) }],
    dependsOn: dependsOnAcrossStacks(kube, [applyJob, serverSa]),
  });

  // --- exposure: an ALB of the feature server's own, made by the load balancer controller from an Ingress
  const exposure = loadBalancedExposure(o.exposure);
  let ingress: IngressV1 | undefined;
  let externalUrl: string | undefined;
  if (exposure) {
    const alb = albIngress(scope, cluster, exposure, `feast-${namespace}`.slice(0, 63).replace(/-+$/, ""), "/health", tags);
    const deps: ITerraformDependable[] = [cluster.ensureLoadBalancerController()];
    const oidc = exposure.loadBalancer!.signIn?.oidcOptions;
    const extra: Manifest[] = [];
    if (oidc) {
      deps.push(cluster.grantExternalSecretRead(scope, "ExternalSecretsCanReadOidcClient", oidc.clientSecretArn, oidc.clientSecretKmsKeyArn));
      const objects = [secretStoreObject(stack.region), ...alb.extraObjects] as { kind: string; metadata: Record<string, unknown> }[];
      for (const obj of objects)
        extra.push(
          new Manifest(kube, `Oidc${obj.kind}`, {
            provider: k8s,
            manifest: { ...obj, metadata: { ...obj.metadata, namespace } },
            dependsOn: dependsOnAcrossStacks(kube, [ns, ...deps]),
          }),
        );
    }
    const backend = { service: { name: FEAST_SERVER.service, port: { number: FEAST_SERVER.servicePort } } };
    ingress = new IngressV1(kube, "Ingress", {
      provider: k8s,
      metadata: {
        name: FEAST_SERVER.service,
        namespace: ns.metadata.name,
        annotations: alb.annotations,
        labels: { "app.kubernetes.io/managed-by": "cdktf-mlops" },
      },
      spec: {
        ingressClassName: "alb",
        rule: [
          {
            host: exposure.loadBalancer!.hostname,
            http: { path: FEAST_EXPOSED_PATHS.map((path) => ({ path, pathType: "Exact", backend })) },
          },
        ],
      },
      dependsOn: [release, ...dependsOnAcrossStacks(kube, deps), ...extra],
    });
    externalUrl = alb.url;
    new TerraformOutput(scope, "UrlOutput", { value: externalUrl, description: "Feast feature server behind its load balancer" });
    registerManifest(store, "FeatureStore", {
      exposure: { scheme: exposure.scheme, url: externalUrl, signIn: exposure.loadBalancer!.signIn?.kind ?? "none" },
    });
  }

  // --- NetworkPolicies: the feature server serves the teams' and the models' namespaces only -------
  const networkPolicies = cluster.networkPolicies
    ? namespaceNetworkPolicies(kube, "NetworkPolicy", {
        provider: k8s,
        namespace: ns.metadata.name,
        sources: {
          teamNamespaces: true,
          servingNamespaces: true,
          sameNamespace: true,
          // The load balancer sends to the pods' port (target type ip), not to the Service's.
          ...(exposure ? { loadBalancerCidrs: loadBalancerSourceCidrs(kube, cluster, exposure), loadBalancerPort: FEAST_SERVER.containerPort } : {}),
          ...(cluster.scrapesPodMetrics ? { metricsCollectorCidrs: [clusterVpcCidr(kube, cluster)], metricsPort: FEAST_METRICS_PORT } : {}),
        },
      })
    : undefined;

  return {
    readOnlineStatements: readOnline,
    ingestStatements: [
      ...onTables({
        sid: "WriteOnlineFeatures",
        actions: ["dynamodb:DescribeTable", "dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
        resources: tableArns,
      }),
      { sid: "WriteOfflineFeatures", actions: ["s3:PutObject", "s3:AbortMultipartUpload"], resources: [`${bucketArn}/data/*`] },
      kmsWrite,
    ],
    project,
    onlineTables,
    glueDatabase,
    glueTables,
    workgroup,
    serverRole,
    jobRole,
    applyJob,
    materializeCronJob,
    release,
    networkPolicies,
    externalUrl,
    ingress,
  };
}
