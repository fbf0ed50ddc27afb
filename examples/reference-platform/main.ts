/**
 * The reference ML platform: a training cluster with GPU pools and team namespaces. Later releases
 * add the model registry, feature store, serving endpoints and drift alarms of the design.
 *
 *   npm run synth   # writes cdktf.out/stacks/ml-platform/cdk.tf.json
 */
import { App } from "cdktf";
import { CapacityType, MlopsStack, TrainingCluster } from "../../src";

export function buildReferencePlatform(app: App): { platform: MlopsStack; cluster: TrainingCluster } {
  const platform = new MlopsStack(app, "ml-platform", {
    region: "eu-west-1",
    name: "acme-ml",
    tags: { "cost-center": "ml-platform" },
  });

  const cluster = new TrainingCluster(platform, "training", {
    adminRoleArns: ["arn:aws:iam::111122223333:role/platform-admins"],
    gpuNodePools: [
      // Large training runs: 8x A100 per node, EFA, scales to zero when idle.
      { name: "a100", instanceTypes: ["p4d.24xlarge"], maxSize: 4, efa: true },
      // Experiments and fine-tuning on cheaper L4 spot capacity.
      { name: "l4-spot", instanceTypes: ["g6.xlarge", "g6.2xlarge"], capacityType: CapacityType.SPOT, maxSize: 10 },
    ],
    teams: [
      { name: "fraud", gpuQuota: 16 },
      { name: "search", gpuQuota: 8, cpuQuota: 64, memoryQuotaGiB: 512 },
    ],
  });

  return { platform, cluster };
}

if (require.main === module) {
  const app = new App();
  buildReferencePlatform(app);
  app.synth();
}
