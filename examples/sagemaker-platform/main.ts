/**
 * The same platform on the AWS-managed engines: a training cluster for GPU training, the SageMaker
 * model registry (with a managed MLflow tracking server), SageMaker Feature Store, and the fraud model
 * served on a SageMaker endpoint with blue/green deployments and autoscaling.
 *
 *   npx tsx examples/sagemaker-platform/main.ts   # writes cdktf.out/stacks/ml-platform-sagemaker/cdk.tf.json
 */
import { App } from "cdktf";
import {
  FeatureEngine,
  FeatureStore,
  MlopsStack,
  ModelRegistry,
  RegistryEngine,
  ServingEndpoint,
  ServingEngine,
  TrafficRouting,
  TrainingCluster,
} from "../../src";
import { FRAUD_FEATURES } from "../shared/features";

export interface SageMakerPlatform {
  platform: MlopsStack;
  cluster: TrainingCluster;
  registry: ModelRegistry;
  features: FeatureStore;
  fraud: ServingEndpoint;
}

export function buildSageMakerPlatform(app: App): SageMakerPlatform {
  const platform = new MlopsStack(app, "ml-platform-sagemaker", {
    region: "us-east-1",
    name: "acme-sm",
    tags: { "cost-center": "ml-platform" },
  });

  const cluster = new TrainingCluster(platform, "training", {
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

  return { platform, cluster, registry, features, fraud };
}

if (require.main === module) {
  const app = new App();
  buildSageMakerPlatform(app);
  app.synth();
}
