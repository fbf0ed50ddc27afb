import { App } from "cdktf";
import { buildReferencePlatform } from "../examples/reference-platform/main";
import { buildSageMakerPlatform } from "../examples/sagemaker-platform/main";
import { buildExistingClusterPlatform } from "../examples/existing-cluster/main";
import { buildKarpenterPlatform } from "../examples/karpenter-platform/main";

/** Every example app, by the name of its folder under examples/. */
export const EXAMPLES: Record<string, (app: App) => unknown> = {
  "reference-platform": buildReferencePlatform,
  "sagemaker-platform": buildSageMakerPlatform,
  "existing-cluster": buildExistingClusterPlatform,
  "karpenter-platform": buildKarpenterPlatform,
};
