/**
 * The same platform on the AWS-managed engines: a training cluster for GPU training, the SageMaker
 * model registry (with a managed MLflow tracking server), SageMaker Feature Store, and the fraud model
 * served on a SageMaker endpoint with blue/green deployments and autoscaling, watched for drift with
 * a retraining pipeline started when it drifts.
 *
 *   npx tsx examples/sagemaker-platform/main.ts   # writes cdktf.out/stacks/ml-platform-sagemaker{,-kubernetes}/cdk.tf.json
 */
import { App } from "cdktf";
import {
  DriftAlarm,
  FeatureEngine,
  FeatureStore,
  MlopsStack,
  ModelRegistry,
  PlatformAlarms,
  PlatformBudget,
  PlatformDashboard,
  RegistryEngine,
  ServingEndpoint,
  ServingEngine,
  TrafficRouting,
  TrainingCluster,
} from "../../src";
import { FRAUD_FEATURES } from "../shared/features";
import { withGuardrails } from "../shared/guardrails";
import { fraudDriftAlarm } from "../shared/fraud";
import { deployerCidrs } from "../shared/deployer";

export interface SageMakerPlatform {
  platform: MlopsStack;
  platformKubernetes: MlopsStack;
  cluster: TrainingCluster;
  registry: ModelRegistry;
  features: FeatureStore;
  fraud: ServingEndpoint;
  drift: DriftAlarm;
  alarms: PlatformAlarms;
  dashboard: PlatformDashboard;
  budget: PlatformBudget;
}

export function buildSageMakerPlatform(app: App): SageMakerPlatform {
  const platform = new MlopsStack(app, "ml-platform-sagemaker", {
    region: "us-east-1",
    name: "acme-sm",
    tags: { "cost-center": "ml-platform" },
  });

  // The cluster's charts in a stack of their own (see examples/reference-platform and the README's First deploy).
  const platformKubernetes = new MlopsStack(app, "ml-platform-sagemaker-kubernetes", { region: "us-east-1", name: "acme-sm" });
  const cluster = new TrainingCluster(platform, "training", {
    kubernetesStack: platformKubernetes,
    privateEndpointCidrs: ["10.200.0.0/16"],
    deployerCidrs: deployerCidrs(),
    gpuNodePools: [{ name: "h100", instanceTypes: ["p5.48xlarge"], maxSize: 2, efa: true }],
  });

  const registry = new ModelRegistry(platform, "registry", {
    engine: RegistryEngine.sagemaker({ mlflowTrackingServer: true, crossAccountReadAccountIds: ["444455556666"] }),
    models: ["fraud"],
  });

  const features = new FeatureStore(platform, "features", {
    engine: FeatureEngine.sagemaker({ offlineTableFormat: "Iceberg" }),
    featureGroups: FRAUD_FEATURES,
  });

  const fraud = new ServingEndpoint(platform, "fraud", {
    engine: ServingEngine.sagemaker({
      instanceType: "ml.m5.xlarge",
      trafficRouting: TrafficRouting.CANARY,
      trafficShiftPercent: 10,
      network: cluster.network,
    }),
    model: registry.model("fraud", "3"),
    minReplicas: 2,
    maxReplicas: 6,
    captureSamplingPercentage: 20,
  });

  const drift = fraudDriftAlarm(platform, fraud, registry, {
    notify: ["ml-oncall@acme.io", "https://hooks.acme.io/ml-drift"],
    retrainingTargetArn: "arn:aws:sagemaker:us-east-1:111122223333:pipeline/fraud-retraining",
  });

  // Idle-GPU alarms for the h100 pool, the dashboard (pool, endpoint, drift) and the month's budget.
  const alarms = new PlatformAlarms(platform, "alarms", { notify: ["ml-oncall@acme.io"] });
  const dashboard = new PlatformDashboard(platform, "dashboard");
  const budget = new PlatformBudget(platform, "budget", { monthlyLimitUsd: 15000, topicArn: alarms.topic.arn });

  return { platform, platformKubernetes, cluster, registry, features, fraud, drift, alarms, dashboard, budget };
}

if (require.main === module) {
  const app = new App();
  buildSageMakerPlatform(app);
  withGuardrails(app).synth();
}
