/**
 * A training platform whose GPU capacity is Karpenter's: an H100 pool that launches into a Capacity Block
 * for ML bought ahead (by its reservation id), and an L4 spot pool for experiments that may mix sizes.
 * The cluster's AWS resources are in one stack, what it installs on the cluster (Karpenter's charts among
 * them) in a second, and the pools' NodePool and EC2NodeClass custom resources in a third that deploys
 * after the Karpenter CRDs exist; `cdktf deploy '*'` applies the three in that order.
 *
 *   npm run synth -- karpenter-platform   # writes cdktf.out/stacks/{ml-gpu,ml-gpu-kubernetes,ml-gpu-pools}/cdk.tf.json
 */
import { App } from "cdktf";
import { CapacityType, ClusterAutoscaling, MlopsStack, TrainingCluster } from "../../src";
import { deployerCidrs } from "../shared/deployer";
import { withGuardrails } from "../shared/guardrails";

export interface KarpenterPlatform {
  platform: MlopsStack;
  platformKubernetes: MlopsStack;
  pools: MlopsStack;
  cluster: TrainingCluster;
}

export function buildKarpenterPlatform(app: App): KarpenterPlatform {
  const platform = new MlopsStack(app, "ml-gpu", { region: "us-east-2", name: "acme-gpu", tags: { "cost-center": "ml-training" } });
  const platformKubernetes = new MlopsStack(app, "ml-gpu-kubernetes", { region: "us-east-2", name: "acme-gpu" });
  // NodePools and EC2NodeClasses cannot be planned before Karpenter's CRDs exist: a stack of their own.
  const pools = new MlopsStack(app, "ml-gpu-pools", { region: "us-east-2", name: "acme-gpu" });

  const cluster = new TrainingCluster(platform, "training", {
    kubernetesStack: platformKubernetes,
    privateEndpointCidrs: ["10.200.0.0/16"],
    deployerCidrs: deployerCidrs(),
    autoscaling: ClusterAutoscaling.karpenter({ nodePoolStack: pools }),
    gpuNodePools: [
      // Two p5.48xlarge of a Capacity Block for ML (16 H100): only the block's instances, never on-demand.
      {
        name: "h100-block",
        instanceTypes: ["p5.48xlarge"],
        capacityType: CapacityType.CAPACITY_BLOCK,
        capacityReservationId: "cr-0a1b2c3d4e5f60718",
        maxSize: 2,
        efa: true,
      },
      // Experiments on spot L4s of either size: Karpenter sizes each node from its own instance type.
      { name: "l4-spot", instanceTypes: ["g6.xlarge", "g6.2xlarge"], capacityType: CapacityType.SPOT, maxSize: 8 },
    ],
    teams: [{ name: "research", gpuQuota: 24 }],
  });

  return { platform, platformKubernetes, pools, cluster };
}

if (require.main === module) {
  const app = new App();
  buildKarpenterPlatform(app);
  withGuardrails(app).synth();
}
