/**
 * The reference ML platform on the Kubernetes-native engines: a training cluster with GPU pools
 * and team namespaces, an MLflow model registry and a Feast feature store in the platform stack; a
 * fraud model served on KServe (GPU) in a workloads stack, watched for drift by the library's job.
 * MLflow and the fraud endpoint are reached through internal ALBs (HTTPS, MLflow behind Okta sign-in);
 * every namespace of the ML layer denies ingress except from what needs it (NetworkPolicies).
 *
 *   npm run synth   # writes cdktf.out/stacks/{ml-platform,ml-platform-kubernetes,ml-workloads}/cdk.tf.json
 */
import { App } from "cdktf";
import {
  CapacityType,
  DriftAlarm,
  Exposure,
  FeatureEngine,
  FeatureStore,
  MlopsStack,
  PlatformAlarms,
  PlatformBudget,
  PlatformDashboard,
  ModelRegistry,
  RegistryEngine,
  ServingEndpoint,
  ServingEngine,
  SignIn,
  TrainingCluster,
} from "../../src";
import { deployerCidrs } from "../shared/deployer";
import { FRAUD_FEATURES } from "../shared/features";
import { withGuardrails } from "../shared/guardrails";
import { fraudDriftAlarm } from "../shared/fraud";

/**
 * The platform's certificate (ACM, `*.ml.acme.io`, in eu-west-1) and the Okta app of MLflow's sign-in
 * (a Secrets Manager secret holding `clientID` and `clientSecret`; the secret never enters Terraform).
 */
export const EXPOSURE_CONFIG = {
  certificateArn: "arn:aws:acm:eu-west-1:111122223333:certificate/6f1c2a7e-3b9d-4c55-9e0a-2d4b8c7f1a90",
  mlflowHostname: "mlflow.ml.acme.io",
  fraudHostname: "fraud.ml.acme.io",
  okta: {
    issuer: "https://acme.okta.com",
    authorizationEndpoint: "https://acme.okta.com/oauth2/v1/authorize",
    tokenEndpoint: "https://acme.okta.com/oauth2/v1/token",
    userInfoEndpoint: "https://acme.okta.com/oauth2/v1/userinfo",
    clientSecretArn: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:acme-ml/mlflow-okta-client-Q1w2E3",
  },
} as const;

export interface ReferencePlatform {
  platform: MlopsStack;
  platformKubernetes: MlopsStack;
  cluster: TrainingCluster;
  registry: ModelRegistry;
  features: FeatureStore;
  workloads: MlopsStack;
  fraud: ServingEndpoint;
  drift: DriftAlarm;
  alarms: PlatformAlarms;
  dashboard: PlatformDashboard;
  budget: PlatformBudget;
}

export function buildReferencePlatform(app: App): ReferencePlatform {
  const platform = new MlopsStack(app, "ml-platform", {
    region: "eu-west-1",
    name: "acme-ml",
    tags: { "cost-center": "ml-platform" },
  });

  // What the platform installs on the cluster (charts, namespaces, the Feast jobs) lives in a stack of
  // its own: the platform stack deploys from any runner, this one from where the API is reachable.
  const platformKubernetes = new MlopsStack(app, "ml-platform-kubernetes", { region: "eu-west-1", name: "acme-ml" });

  const cluster = new TrainingCluster(platform, "training", {
    kubernetesStack: platformKubernetes,
    // The network of the CI runners and the VPN, connected to the VPC: where deploys run from.
    privateEndpointCidrs: ["10.200.0.0/16"],
    // First deploy from outside the VPC: MLOPS_DEPLOYER_CIDRS=<your address>/32 (README, First deploy).
    deployerCidrs: deployerCidrs(),
    adminRoleArns: ["arn:aws:iam::111122223333:role/platform-admins"],
    gpuNodePools: [
      // Large training runs: 8x A100 per node, EFA, scales to zero when idle.
      { name: "a100", instanceTypes: ["p4d.24xlarge"], maxSize: 4, efa: true },
      // Experiments and fine-tuning on cheaper L4 spot capacity. Cluster Autoscaler needs one vCPU and
      // memory size per group: g6.xlarge and g5.xlarge match, but their GPUs differ, so one type.
      { name: "l4-spot", instanceTypes: ["g6.xlarge"], capacityType: CapacityType.SPOT, maxSize: 10 },
    ],
    teams: [
      { name: "fraud", gpuQuota: 16 },
      { name: "search", gpuQuota: 8, cpuQuota: 64, memoryQuotaGiB: 512 },
    ],
  });

  // MLflow on the cluster: RDS PostgreSQL backend, artifacts in S3 through the server only; the UI and
  // API on an internal ALB (the VPC and the VPN), after Okta sign-in.
  const registry = new ModelRegistry(platform, "registry", {
    engine: RegistryEngine.mlflow({
      cluster,
      exposure: Exposure.internalLoadBalancer({
        hostname: EXPOSURE_CONFIG.mlflowHostname,
        certificateArn: EXPOSURE_CONFIG.certificateArn,
        allowedCidrs: ["10.0.0.0/16", "10.200.0.0/16"],
        signIn: SignIn.oidc({ ...EXPOSURE_CONFIG.okta }),
      }),
    }),
    models: ["fraud"],
  });

  // Feast on the cluster: DynamoDB online store, Athena offline store, feature server.
  const features = new FeatureStore(platform, "features", {
    engine: FeatureEngine.feast({ cluster }),
    featureGroups: FRAUD_FEATURES,
  });

  // Custom resources (the InferenceService) live in a stack that deploys after the platform's, since
  // they cannot be planned before KServe's CRDs exist.
  const workloads = new MlopsStack(app, "ml-workloads", { region: "eu-west-1", name: "acme-ml" });
  const fraud = new ServingEndpoint(workloads, "fraud", {
    // Callers in the VPC and behind the VPN reach it at https://fraud.ml.acme.io (an internal ALB).
    engine: ServingEngine.kserve({
      cluster,
      modelFormat: "mlflow",
      exposure: Exposure.internalLoadBalancer({
        hostname: EXPOSURE_CONFIG.fraudHostname,
        certificateArn: EXPOSURE_CONFIG.certificateArn,
        allowedCidrs: ["10.0.0.0/16", "10.200.0.0/16"],
      }),
    }),
    model: registry.model("fraud", "3"),
    gpu: true,
    minReplicas: 1,
    maxReplicas: 4,
  });

  const drift = fraudDriftAlarm(workloads, fraud, registry);

  // Last, so that they see everything above: idle-GPU alarms per pool, the dashboard (its URL is an
  // output of ml-platform) and the month's budget of every resource tagged mlops:platform=acme-ml.
  const alarms = new PlatformAlarms(platform, "alarms", { notify: ["ml-oncall@acme.io"] });
  const dashboard = new PlatformDashboard(platform, "dashboard");
  const budget = new PlatformBudget(platform, "budget", { monthlyLimitUsd: 25000, notify: ["finops@acme.io"], topicArn: alarms.topic.arn });

  return { platform, platformKubernetes, cluster, registry, features, workloads, fraud, drift, alarms, dashboard, budget };
}

if (require.main === module) {
  const app = new App();
  buildReferencePlatform(app);
  withGuardrails(app).synth();
}
