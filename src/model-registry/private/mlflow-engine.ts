import { Construct } from "constructs";
import { z } from "zod";
import { TerraformOutput } from "cdktf";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import {
  albIngress,
  AlbIngress,
  applyRemovalPolicy,
  check,
  componentTags,
  createRole,
  dependsOnAcrossStacks,
  encryptedLogGroup,
  exposureNetworkProblem,
  exposureSchema,
  fail,
  fitName,
  listPrefixStatement,
  MlopsStack,
  NameRules,
  physicalName,
  pinnedHelmRelease,
  Pins,
  POD_IDENTITY_TRUST,
  RemovalPolicy,
  validateProps,
  isDeployTimeValue,
  clusterVpcCidr,
  loadBalancerSourceCidrs,
  loadBalancedExposure,
  prometheusScrapeAnnotations,
  secretStoreObject,
  namespaceNetworkPolicies,
} from "../../core";
import { registerManifest } from "../../core/manifest";
import { ITrainingCluster, NodeLabels, TrainingCluster } from "../../training-cluster";
import type { MlflowRegistryOptions } from "../engines";
import type { IModelRegistryHost, IMlflowRegistryResources } from "../contract";
import type { ShapeOf } from "../../core";

/** community-charts mlflow (version in the one table, Pins). */
export const MLFLOW_CHART = Pins.charts.mlflow;

/** The port of the MLflow server's pods (the chart's `service.port`, also its target port). */
export const MLFLOW_PORT = 5000;

/** Name of the Kubernetes Secret External Secrets Operator keeps in step with the RDS-managed secret. */
export const MLFLOW_DB_SECRET = "mlflow-db-credentials";

const schema = z
  .object({
    cluster: z.custom<ITrainingCluster>((c) => TrainingCluster.isTrainingCluster(c), {
      message: "must be a TrainingCluster or TrainingCluster.fromClusterAttributes(...)",
    }),
    namespace: check.dnsLabel(63).optional(),
    replicas: check.int(1, 20).optional(),
    databaseInstanceClass: check.matching(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "must be an RDS instance class such as db.t4g.medium").optional(),
    postgresVersion: check.matching(/^1[4-8](\.\d+)?$/, 'must be a PostgreSQL major version from 14 to 18, e.g. "17"').optional(),
    multiAz: z.boolean().optional(),
    backupRetentionDays: check.int(7, 35).optional(),
    allocatedStorageGiB: check.int(20, 65536).optional(),
    maxAllocatedStorageGiB: check.int(20, 65536).optional(),
    exposure: exposureSchema.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const min = p.allocatedStorageGiB ?? 20;
    if (p.maxAllocatedStorageGiB === undefined && !isDeployTimeValue(min) && min > 200) {
      ctx.addIssue({
        code: "custom",
        path: ["allocatedStorageGiB"],
        message: "must be <= maxAllocatedStorageGiB (200, the default): set maxAllocatedStorageGiB too",
      });
    }
    if (
      p.maxAllocatedStorageGiB !== undefined &&
      !isDeployTimeValue(p.maxAllocatedStorageGiB) &&
      !isDeployTimeValue(min) &&
      p.maxAllocatedStorageGiB < min
    ) {
      ctx.addIssue({ code: "custom", path: ["maxAllocatedStorageGiB"], message: `must be >= allocatedStorageGiB (${min})` });
    }
  }) satisfies ShapeOf<MlflowRegistryOptions>;

/** Checks the options, naming the registry's path in any error. */
export function validateMlflowOptions(owner: Construct, options: MlflowRegistryOptions) {
  const o = validateProps(owner, "RegistryEngine.mlflow", schema, options);
  const problem = exposureNetworkProblem(o.exposure, o.cluster);
  if (problem) fail(owner, "RegistryEngine.mlflow", "exposure", problem);
  return o;
}

/** Builds the engine under `registry`. */
export function bindMlflowEngine(registry: IModelRegistryHost, options: MlflowRegistryOptions): IMlflowRegistryResources {
  const o = validateMlflowOptions(registry, options);
  const scope = new Construct(registry, "Mlflow");
  const cluster = o.cluster;
  const stack = MlopsStack.of(scope);
  const tags = componentTags("model-registry");
  const namespace = o.namespace ?? "mlflow";
  const key = registry.kmsKey;
  const retain = registry.removalPolicy === RemovalPolicy.RETAIN;
  const identifier = physicalName(scope, stack.platformName, { maxLength: 63, allowed: /[a-z0-9-]/, lowercase: true });

  // --- backend store: RDS PostgreSQL, reachable only from the cluster --------------------------
  const sg = new SecurityGroup(scope, "DatabaseSecurityGroup", {
    name: `${identifier}-db`,
    description: "MLflow backend store: PostgreSQL from the cluster only",
    vpcId: cluster.network.vpcId,
    tags: { ...tags, Name: `${identifier}-db` },
  });
  new VpcSecurityGroupIngressRule(scope, "DatabaseFromCluster", {
    securityGroupId: sg.id,
    description: "PostgreSQL from the cluster's nodes",
    ipProtocol: "tcp",
    fromPort: 5432,
    toPort: 5432,
    referencedSecurityGroupId: cluster.clusterSecurityGroupId,
  });
  const subnets = new DbSubnetGroup(scope, "DatabaseSubnets", {
    name: `${identifier}-db`,
    subnetIds: cluster.network.privateSubnetIds,
    tags,
  });
  // RDS creates its log groups without encryption or retention unless they exist first.
  const logGroups = ["postgresql", "upgrade"].map((t) =>
    encryptedLogGroup(scope, `DatabaseLogs-${t}`, {
      name: `/aws/rds/instance/${identifier}/${t}`,
      retentionDays: 90,
      kmsKeyArn: key.arn,
      tags,
    }),
  );
  const db = new DbInstance(scope, "Database", {
    identifier,
    engine: "postgres",
    engineVersion: o.postgresVersion ?? "17",
    autoMinorVersionUpgrade: true,
    instanceClass: o.databaseInstanceClass ?? "db.t4g.medium",
    allocatedStorage: o.allocatedStorageGiB ?? 20,
    maxAllocatedStorage: o.maxAllocatedStorageGiB ?? 200,
    storageType: "gp3",
    storageEncrypted: true,
    kmsKeyId: key.arn,
    dbName: "mlflow",
    username: "mlflow",
    // The password never reaches Terraform: RDS keeps it in Secrets Manager, encrypted with our key.
    manageMasterUserPassword: true,
    masterUserSecretKmsKeyId: key.arn,
    dbSubnetGroupName: subnets.name,
    vpcSecurityGroupIds: [sg.id],
    publiclyAccessible: false,
    multiAz: o.multiAz ?? false,
    backupRetentionPeriod: o.backupRetentionDays ?? 7,
    copyTagsToSnapshot: true,
    deletionProtection: retain,
    skipFinalSnapshot: false,
    finalSnapshotIdentifier: `${identifier}-final`,
    enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
    performanceInsightsEnabled: true,
    performanceInsightsKmsKeyId: key.arn,
    tags,
    dependsOn: logGroups,
  });
  applyRemovalPolicy(db, registry.removalPolicy);
  const secretArn = db.masterUserSecret.get(0).secretArn;

  // --- the password reaches the pod through External Secrets; rotation restarts the pod ----------
  const eso = cluster.ensureExternalSecrets();
  const reloader = cluster.ensureReloader();
  const esoGrant = cluster.grantExternalSecretRead(scope, "ExternalSecretsCanReadDatabaseSecret", secretArn, key.arn);

  // --- the server's own identity: only it touches the artifact bucket (proxied artifacts) --------
  const serverRole = createRole(scope, "ServerRole", {
    name: fitName(`${identifier}-server`, NameRules.iamRole),
    trust: POD_IDENTITY_TRUST,
    statements: [
      listPrefixStatement("ListTheArtifactPrefix", [registry.artifactBucket.bucketArn], ["mlflow/*", "mlflow"]),
      {
        sid: "ReadWriteArtifacts",
        actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
        resources: [`${registry.artifactBucket.bucketArn}/mlflow/*`],
      },
      {
        sid: "UseTheArtifactKey",
        actions: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
        resources: [key.arn],
      },
    ],
    tags,
  }).role;
  const association = cluster.addPodIdentityAssociation(scope, "ServerPodIdentity", {
    namespace,
    serviceAccount: "mlflow",
    roleArn: serverRole.arn,
    tags,
  });

  const serviceHosts = ["mlflow", `mlflow.${namespace}`, `mlflow.${namespace}.svc`, `mlflow.${namespace}.svc.cluster.local`];
  // What runs on the cluster goes to the cluster's in-cluster stack (the same stack unless it has one).
  const kube = cluster._inClusterScope(scope);

  // --- exposure: an ALB made by the load balancer controller from the chart's Ingress --------------
  const exposure = loadBalancedExposure(o.exposure);
  let ingress: AlbIngress | undefined;
  const exposureDeps = [];
  if (exposure) {
    ingress = albIngress(scope, cluster, exposure, `${identifier.slice(0, 56).replace(/-+$/, "")}-mlflow`, "/health", tags);
    exposureDeps.push(cluster.ensureLoadBalancerController());
    const oidc = exposure.loadBalancer!.signIn?.oidcOptions;
    if (oidc)
      exposureDeps.push(cluster.grantExternalSecretRead(scope, "ExternalSecretsCanReadOidcClient", oidc.clientSecretArn, oidc.clientSecretKmsKeyArn));
    new TerraformOutput(scope, "UrlOutput", { value: ingress.url, description: "MLflow UI and API behind the load balancer" });
    registerManifest(registry, "ModelRegistry", {
      exposure: { scheme: exposure.scheme, url: ingress.url, signIn: exposure.loadBalancer!.signIn?.kind ?? "none" },
    });
  }
  const hostname = exposure?.loadBalancer!.hostname;
  const release = pinnedHelmRelease(kube, "Server", {
    chart: MLFLOW_CHART,
    name: "mlflow",
    namespace,
    createNamespace: true,
    provider: cluster.connect(kube).helm,
    values: {
      replicaCount: o.replicas ?? 2,
      serviceAccount: { create: true, name: "mlflow" },
      deploymentAnnotations: { "secret.reloader.stakater.com/reload": MLFLOW_DB_SECRET },
      backendStore: {
        databaseMigration: true,
        databaseConnectionCheck: true,
        postgres: { enabled: true, host: db.address, port: 5432, database: "mlflow" },
        existingDatabaseSecret: { name: MLFLOW_DB_SECRET, usernameKey: "username", passwordKey: "password" },
      },
      artifactRoot: {
        proxiedArtifactStorage: true,
        s3: { enabled: true, bucket: registry.artifactBucket.bucketName, path: "mlflow" },
      },
      extraEnvVars: { AWS_DEFAULT_REGION: stack.region },
      serverAllowedHosts: hostname ? [...serviceHosts, hostname] : serviceHosts,
      // TLS ends at the load balancer, so the chart cannot tell that browsers use https://.
      ...(hostname ? { corsAllowedOrigins: [`https://${hostname}`] } : {}),
      service: { type: "ClusterIP" },
      ...(ingress
        ? {
            ingress: {
              enabled: true,
              className: "alb",
              annotations: ingress.annotations,
              hosts: [{ host: hostname, paths: [{ path: "/", pathType: "Prefix" }] }],
            },
          }
        : {}),
      // Scraped by the cluster's collector (Prometheus telemetry): MLflow's exporter serves /metrics on the server's
      // port; its multiprocess files go to the chart's /tmp volume (the chart's serviceMonitor would add a CRD object).
      ...(cluster.scrapesPodMetrics
        ? {
            extraArgs: { exposePrometheus: "/tmp/mlflow-metrics" },
            podAnnotations: prometheusScrapeAnnotations(MLFLOW_PORT),
          }
        : {}),
      nodeSelector: { [NodeLabels.POOL]: "system" },
      resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "2Gi" } },
      // Ride in the chart, so that these custom resources are applied by Helm after the operator's
      // CRDs exist, instead of being planned by Terraform before they do.
      extraDeploy: [
        secretStoreObject(stack.region),
        {
          apiVersion: "external-secrets.io/v1",
          kind: "ExternalSecret",
          metadata: { name: MLFLOW_DB_SECRET },
          spec: {
            // RDS rotates the managed master password every 7 days and the old one stops working at
            // once: a refresh every minute (about 43,000 reads a month, some 0.22 USD) brings the new
            // one to the pod within a minute, and Reloader then rolls the server. Connections already
            // open keep working (PostgreSQL does not close sessions on a password change).
            refreshInterval: "1m",
            secretStoreRef: { name: "aws-secrets-manager", kind: "SecretStore" },
            target: { name: MLFLOW_DB_SECRET, creationPolicy: "Owner" },
            data: [
              { secretKey: "username", remoteRef: { key: secretArn, property: "username" } },
              { secretKey: "password", remoteRef: { key: secretArn, property: "password" } },
            ],
          },
        },
        ...(ingress?.extraObjects ?? []),
      ],
    },
    dependsOn: dependsOnAcrossStacks(kube, [eso, reloader, esoGrant, association, db, ...exposureDeps]),
  });

  // --- NetworkPolicies: the teams' namespaces, kube-system, and the load balancer, if any --------
  // The chart creates the namespace, so the policies follow the release.
  const networkPolicies = cluster.networkPolicies
    ? namespaceNetworkPolicies(kube, "NetworkPolicy", {
        provider: cluster.connect(kube).kubernetes,
        namespace,
        sources: {
          teamNamespaces: true,
          sameNamespace: true,
          ...(exposure ? { loadBalancerCidrs: loadBalancerSourceCidrs(kube, cluster, exposure), loadBalancerPort: MLFLOW_PORT } : {}),
          ...(cluster.scrapesPodMetrics ? { metricsCollectorCidrs: [clusterVpcCidr(kube, cluster)], metricsPort: MLFLOW_PORT } : {}),
        },
        dependsOn: [release],
      })
    : undefined;

  return {
    trackingUri: `http://mlflow.${namespace}.svc.cluster.local`,
    modelPackageGroupArn: () => undefined,
    readStatements: [],
    writeStatements: [],
    database: db,
    databaseSecurityGroup: sg,
    serverRole,
    release,
    namespace,
    externalUrl: ingress?.url,
    networkPolicies,
  };
}
