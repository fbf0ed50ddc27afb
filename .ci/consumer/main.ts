// A team's app, compiled with tsc against the installed cdktf-mlops tarball and its own copies of cdktf,
// constructs and the providers (the library's peer dependencies). .ci/consumer-check.sh runs it.
import * as assert from "assert";
import { App, TerraformStack } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import {
  DriftAlarm,
  MlopsStack,
  MlopsValidationError,
  ModelRegistry,
  RegistryEngine,
  ServingEndpoint,
  ServingEngine,
  TrainingCluster,
} from "cdktf-mlops";

const app = new App({ outdir: "cdktf.out" });
const platform = new MlopsStack(app, "consumer-platform", { region: "eu-west-1", name: "consumer" });

// One copy of cdktf: the library's stack is the app's TerraformStack, and the team's own provider
// classes live in it next to the library's.
assert.ok(platform instanceof TerraformStack, "MlopsStack is not a TerraformStack of the app's cdktf");
assert.strictEqual(TerraformStack.of(platform), platform);
new S3Bucket(platform, "team-bucket", { bucketPrefix: "team-" });

const cluster = new TrainingCluster(platform, "training", {
  gpuNodePools: [{ name: "l4", instanceTypes: ["g6.xlarge"], maxSize: 2 }],
});
const registry = new ModelRegistry(platform, "registry", { engine: RegistryEngine.sagemaker({}), models: ["fraud"] });
const endpoint = new ServingEndpoint(platform, "fraud", {
  engine: ServingEngine.sagemaker({ instanceType: "ml.m5.xlarge", network: cluster.network }),
  model: registry.model("fraud", "1"),
});
// The drift job's Lambda code comes from the package's compiled lib/drift-alarm/job.
new DriftAlarm(platform, "fraud-drift", {
  endpoint,
  baselineS3Uri: `${registry.model("fraud", "1").artifactS3Uri}baseline.json`,
  numericFeatures: ["amount"],
  notify: ["oncall@example.com"],
});

// Bad props are refused with the library's error class, before anything is built.
assert.throws(
  () =>
    new TrainingCluster(new MlopsStack(app, "bad", { region: "eu-west-1", name: "bad" }), "training", {
      gpuNodePools: [{ name: "x", instanceTypes: ["p4d.24xlarge"], maxSize: -1 }],
    }),
  (e: unknown) => e instanceof MlopsValidationError && /maxSize/.test(e.message),
);
app.node.tryRemoveChild("bad");

app.synth();
