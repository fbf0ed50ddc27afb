/** The shrunk failures of the fuzz suite (./fuzz.test.ts), each as a plain test. */
import { App, TerraformStack, TerraformVariable } from "cdktf";
import {
  DriftAlarm,
  FeatureEngine,
  FeatureStore,
  FeatureType,
  MlopsNetwork,
  MlopsStack,
  ModelRegistry,
  RegistryEngine,
  SecureBucket,
  ServingEndpoint,
  ServingEngine,
  TrainingCluster,
} from "../../src";
import { newApp, resources, synthApp, validationError } from "../helpers";
import { outputProblems } from "./checker";

function stack(app: App = newApp(), id = "platform", region = "eu-west-1"): MlopsStack {
  return new MlopsStack(app, id, { region, name: "acme-ml" });
}
const strToken = (s: MlopsStack, id = "v") => new TerraformVariable(s, id, { type: "string" }).stringValue;
const numToken = (s: MlopsStack, id = "n") => new TerraformVariable(s, id, { type: "number" }).numberValue;
const listToken = (s: MlopsStack, id = "l") => new TerraformVariable(s, id, { type: "list(string)" }).listValue;

function sagemakerEndpoint(s: MlopsStack, id = "fraud", endpointName?: string) {
  const registry =
    (s.node.tryFindChild("registry") as ModelRegistry | undefined) ??
    new ModelRegistry(s, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
  return new ServingEndpoint(s, id, { engine: ServingEngine.sagemaker(), model: registry.model("fraud", "3"), endpointName });
}

describe("MlopsNetwork", () => {
  test("a token availabilityZoneCount is refused: it sets how many subnets are created (was: a VPC without subnets)", () => {
    const s = stack();
    expect(validationError(() => new MlopsNetwork(s, "network", { availabilityZoneCount: numToken(s) })).message).toBe(
      "MlopsNetwork platform/network: availabilityZoneCount (a deploy-time value) must be known at synth time: it sets how many subnets, NAT gateways and route tables are created",
    );
  });
  test("a token cidr is refused (was: NaN.NaN.NaN.NaN/NaN subnets)", () => {
    const s = stack();
    expect(validationError(() => new MlopsNetwork(s, "network", { cidr: strToken(s) })).message).toContain(
      "cidr (a deploy-time value) must be known at synth time",
    );
  });
  test("a list token of interface endpoints is refused (was: cdktf's list token error at synth)", () => {
    const s = stack();
    expect(validationError(() => new MlopsNetwork(s, "network", { interfaceEndpoints: listToken(s) })).message).toContain(
      "interfaceEndpoints (a deploy-time value) must be known at synth time",
    );
  });
  test("s3 is not an interface endpoint, and ecr.api and ecr-api are one endpoint id (was: a crash)", () => {
    expect(validationError(() => new MlopsNetwork(stack(), "network", { interfaceEndpoints: ["s3"] })).message).toContain(
      'interfaceEndpoints[0] ("s3") is the gateway endpoint',
    );
    expect(validationError(() => new MlopsNetwork(stack(), "network", { interfaceEndpoints: ["ecr.api", "ecr-api"] })).message).toContain(
      "must not name an endpoint twice",
    );
  });
  test("fromExisting checks its props (was: TypeError: not iterable)", () => {
    expect(validationError(() => MlopsNetwork.fromExisting({ vpcId: "vpc-1", privateSubnetIds: "subnet-a" as never })).message).toBe(
      'MlopsNetwork.fromExisting (props): privateSubnetIds ("subnet-a") Invalid input: expected array, received string',
    );
  });
  test("a cluster on an existing network with one private subnet is refused (was: an EKS cluster with one subnet)", () => {
    const s = stack();
    const network = MlopsNetwork.fromExisting({ vpcId: "vpc-1", privateSubnetIds: ["subnet-a"] });
    expect(validationError(() => new TrainingCluster(s, "training", { network })).message).toContain(
      "network (object) must have at least two private subnets",
    );
  });
  test("a list token of private subnets is taken as it is", () => {
    const s = stack();
    const network = MlopsNetwork.fromExisting({ vpcId: strToken(s), privateSubnetIds: listToken(s) });
    new TrainingCluster(s, "training", { network });
    expect(outputProblems(synthApp(App.of(s) as App))).toEqual([]);
  });
});

describe("SecureBucket", () => {
  test("has a schema: no props, or a wrong policyStatements, is a validation error (was: TypeError)", () => {
    expect(validationError(() => new SecureBucket(stack(), "data", undefined as never)).message).toBe(
      "SecureBucket platform/data: component is required",
    );
    const s = stack();
    expect(validationError(() => new SecureBucket(s, "data", { component: "x", policyStatements: numToken(s) as never })).message).toContain(
      "policyStatements (a deploy-time value) must be known at synth time",
    );
    expect(
      validationError(() => new SecureBucket(stack(), "data", { component: "x", policyStatements: [{ sid: "X", actions: [] }] })).message,
    ).toContain("policyStatements[0].actions (array of 0) must name at least one action");
  });
});

describe("TrainingCluster", () => {
  test("an empty instanceTypes with an amiType is a validation error (was: TypeError reading 'architecture')", () => {
    const cluster = new TrainingCluster(stack(), "training");
    expect(
      validationError(() => cluster.addGpuNodePool("pool", { name: "pool", instanceTypes: [], amiType: "AL2023_x86_64_NVIDIA" as never })).message,
    ).toContain("instanceTypes (array of 0) must name at least one instance type");
  });
  test("token sizes are not compared with their placeholder values", () => {
    const s = stack();
    expect(
      () =>
        new TrainingCluster(s, "training", {
          systemNodeMaxSize: numToken(s),
          gpuNodePools: [{ name: "a", instanceTypes: ["g6.xlarge"], minSize: numToken(s, "m") }],
        }),
    ).not.toThrow();
  });
  test("a minimum above the default maximum names the minimum (was: 'maxSize is required')", () => {
    expect(
      validationError(() => new TrainingCluster(stack(), "training", { gpuNodePools: [{ name: "a", instanceTypes: ["g6.xlarge"], minSize: 5 }] }))
        .message,
    ).toBe("TrainingCluster platform/training: gpuNodePools[0].minSize (5) must be <= maxSize (2, the default)");
  });
  test("a token team or pool name is refused: it becomes a namespace and construct ids (was: TfToken text in names)", () => {
    const s = stack();
    expect(validationError(() => new TrainingCluster(s, "training", { teams: [{ name: strToken(s), gpuQuota: 0 }] })).message).toContain(
      "teams[0].name (a deploy-time value) must be known at synth time",
    );
    const t = stack();
    expect(
      validationError(() => new TrainingCluster(t, "training", { gpuNodePools: [{ name: strToken(t), instanceTypes: ["g6.xlarge"] }] })).message,
    ).toContain("gpuNodePools[0].name (a deploy-time value) must be known at synth time");
  });
});

describe("TrainingCluster lists that become resources", () => {
  test("a list token of admin roles or private endpoint CIDRs is refused (was: cdktf's list token error at synth)", () => {
    const s = stack();
    expect(validationError(() => new TrainingCluster(s, "training", { adminRoleArns: listToken(s) })).message).toContain(
      "adminRoleArns (a deploy-time value) must be known at synth time",
    );
    const t = stack();
    expect(validationError(() => new TrainingCluster(t, "training", { privateEndpointCidrs: listToken(t) })).message).toContain(
      "privateEndpointCidrs (a deploy-time value) must be known at synth time",
    );
  });
});

describe("ModelRegistry", () => {
  test("a list token of models is refused (was: cdktf's list token error at synth)", () => {
    const s = stack();
    expect(validationError(() => new ModelRegistry(s, "registry", { engine: RegistryEngine.sagemaker(), models: listToken(s) })).message).toContain(
      "models (a deploy-time value) must be known at synth time",
    );
  });
  test("two registries of one platform name in two stacks of a region: repository and model package group names stay unique", () => {
    const app = newApp();
    for (const id of ["platform", "workloads"])
      new ModelRegistry(stack(app, id), "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
    const docs = synthApp(app);
    expect(outputProblems(docs)).toEqual([]);
    expect(resources(docs.platform, "aws_ecr_repository")[0].values.name).toBe("acme-ml/fraud");
    expect(resources(docs.workloads, "aws_ecr_repository")[0].values.name).toBe("acme-ml/workloads/fraud");
    expect(resources(docs.workloads, "aws_sagemaker_model_package_group")[0].values.model_package_group_name).toBe("acme-ml-workloads-fraud");
  });
});

describe("RegistryEngine.mlflow", () => {
  test("initial storage above the default maximum is refused (was: max_allocated_storage below allocated_storage)", () => {
    const s = stack();
    const cluster = new TrainingCluster(s, "training");
    expect(
      validationError(() => new ModelRegistry(s, "registry", { engine: RegistryEngine.mlflow({ cluster, allocatedStorageGiB: 500 }) })).message,
    ).toBe(
      "RegistryEngine.mlflow platform/registry: allocatedStorageGiB (500) must be <= maxAllocatedStorageGiB (200, the default): set maxAllocatedStorageGiB too",
    );
  });
});

describe("ServingEndpoint", () => {
  test("a token captureSamplingPercentage is refused (was: data capture silently off)", () => {
    const s = stack();
    const registry = new ModelRegistry(s, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
    expect(
      validationError(
        () =>
          new ServingEndpoint(s, "fraud", {
            engine: ServingEngine.sagemaker(),
            model: registry.model("fraud", "3"),
            captureSamplingPercentage: numToken(s),
          }),
      ).message,
    ).toContain("captureSamplingPercentage (a deploy-time value) must be known at synth time: it decides whether data capture");
  });
  test("one endpointName used twice is refused", () => {
    const s = stack();
    sagemakerEndpoint(s, "fraud", "a-a");
    expect(validationError(() => sagemakerEndpoint(s, "fraud-2", "a-a")).message).toBe(
      'ServingEndpoint platform/fraud-2: endpointName ("a-a") is the name of the endpoint platform/fraud already (endpoint names are unique per region)',
    );
  });
  test("the same endpoint id in two stacks of one platform and region: the later gets its stack id", () => {
    const app = newApp();
    const a = sagemakerEndpoint(stack(app, "platform"));
    const b = sagemakerEndpoint(stack(app, "workloads"));
    expect([a.endpointName, b.endpointName]).toEqual(["acme-ml-fraud", "acme-ml-workloads-fraud"]);
    expect(outputProblems(synthApp(app))).toEqual([]);
  });
  test("a token endpointName is refused: resources and alarms are named after it", () => {
    const s = stack();
    expect(validationError(() => sagemakerEndpoint(s, "fraud", strToken(s))).message).toContain(
      "endpointName (a deploy-time value) must be known at synth time",
    );
  });
  test("token replica counts are not compared with their placeholder values", () => {
    const s = stack();
    const registry = new ModelRegistry(s, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
    expect(
      () => new ServingEndpoint(s, "fraud", { engine: ServingEngine.sagemaker(), model: registry.model("fraud", "3"), minReplicas: numToken(s) }),
    ).not.toThrow();
  });
});

describe("DriftAlarm", () => {
  const baseline = "s3://acme-baselines/fraud/baseline.json";
  test("two alarms on one endpoint: Lambda, log group and alarm names stay unique (was: the same names twice)", () => {
    const s = stack();
    const endpoint = sagemakerEndpoint(s);
    new DriftAlarm(s, "drift", { endpoint, baselineS3Uri: baseline, numericFeatures: ["amount"] });
    new DriftAlarm(s, "drift-2", { endpoint, baselineS3Uri: baseline, categoricalFeatures: ["category"] });
    const docs = synthApp(App.of(s) as App);
    expect(outputProblems(docs)).toEqual([]);
    expect(
      resources(docs.platform, "aws_lambda_function")
        .map((f) => f.values.function_name)
        .sort(),
    ).toEqual(["acme-ml-fraud-drift", "acme-ml-fraud-platform-drift"]);
  });
  test("a whole-URI token baselineS3Uri is refused with the reason (was: TypeError); a URI with token parts is taken", () => {
    const s = stack();
    const endpoint = sagemakerEndpoint(s);
    expect(
      validationError(() => new DriftAlarm(s, "drift", { endpoint, baselineS3Uri: strToken(s), numericFeatures: ["amount"] })).message,
    ).toContain("baselineS3Uri (a deploy-time value) must be known at synth time as s3://<bucket>/<key>");
    expect(
      () => new DriftAlarm(s, "drift-2", { endpoint, baselineS3Uri: `s3://${strToken(s, "b")}/fraud/baseline.json`, numericFeatures: ["amount"] }),
    ).not.toThrow();
  });
  test("list tokens of features or notify targets are refused (was: cdktf's list token error at synth)", () => {
    const s = stack();
    const endpoint = sagemakerEndpoint(s);
    expect(validationError(() => new DriftAlarm(s, "drift", { endpoint, baselineS3Uri: baseline, numericFeatures: listToken(s) })).message).toContain(
      "numericFeatures (a deploy-time value) must be known at synth time",
    );
    expect(
      validationError(
        () => new DriftAlarm(s, "drift-2", { endpoint, baselineS3Uri: baseline, numericFeatures: ["amount"], notify: listToken(s, "l2") }),
      ).message,
    ).toContain("notify (a deploy-time value) must be known at synth time");
  });
});

describe("IAM role names", () => {
  test("are unique per account across the stacks of an app: the same platform name in two regions", () => {
    const app = newApp();
    sagemakerEndpoint(stack(app, "platform", "eu-west-1"));
    sagemakerEndpoint(stack(app, "platform-us", "us-east-1"));
    const docs = synthApp(app);
    expect(outputProblems(docs)).toEqual([]);
    const names = Object.values(docs).flatMap((d) => resources(d, "aws_iam_role").map((r) => r.values.name));
    expect(new Set(names).size).toBe(names.length);
  });
});

describe("FeatureStore and GpuNodePool (long random runs)", () => {
  test("a Feast group named after a Python keyword is refused (was: features.py that does not parse)", () => {
    const s = stack();
    const cluster = new TrainingCluster(s, "training");
    const group = {
      name: "global",
      recordIdentifier: "entity_id",
      eventTimeFeature: "event_time",
      features: [
        { name: "entity_id", type: FeatureType.STRING },
        { name: "event_time", type: FeatureType.UNIX_TIMESTAMP },
      ],
    };
    expect(
      validationError(() => new FeatureStore(s, "features", { engine: FeatureEngine.feast({ cluster }), featureGroups: [group] })).message,
    ).toContain('featureGroups[0].name ("global") is a Python keyword');
  });
  test("two label keys that differ only in punctuation (was: a construct id clash after resources were created)", () => {
    const s = stack();
    const cluster = new TrainingCluster(s, "training");
    cluster.addGpuNodePool("pool", { name: "a", instanceTypes: ["g6.xlarge"], labels: { a_b: "v", "a-b": "v" } });
    const docs = synthApp(App.of(s) as App);
    expect(outputProblems(docs)).toEqual([]);
    const keys = resources(docs.platform, "aws_autoscaling_group_tag").map((t) => t.values.tag.key);
    expect(keys).toEqual(
      expect.arrayContaining(["k8s.io/cluster-autoscaler/node-template/label/a_b", "k8s.io/cluster-autoscaler/node-template/label/a-b"]),
    );
  });
});

describe("two FeatureStores", () => {
  const group = {
    name: "users",
    recordIdentifier: "entity_id",
    eventTimeFeature: "event_time",
    features: [
      { name: "entity_id", type: FeatureType.STRING },
      { name: "event_time", type: FeatureType.UNIX_TIMESTAMP },
    ],
  };
  test("SageMaker: one group name in two stores keeps feature group names unique", () => {
    const s = stack();
    new FeatureStore(s, "user-features", { engine: FeatureEngine.sagemaker(), featureGroups: [group] });
    new FeatureStore(s, "features", { engine: FeatureEngine.sagemaker(), featureGroups: [group] });
    const docs = synthApp(App.of(s) as App);
    expect(outputProblems(docs)).toEqual([]);
    expect(
      resources(docs.platform, "aws_sagemaker_feature_group")
        .map((g) => g.values.feature_group_name)
        .sort(),
    ).toEqual(["acme-ml-platform-users", "acme-ml-users"]);
  });
  test("Feast: user-features and user_features in two stacks get distinct projects, and a second Feast in one namespace is refused", () => {
    const app = newApp();
    const platform = stack(app);
    const cluster = new TrainingCluster(platform, "training");
    new FeatureStore(platform, "user-features", { engine: FeatureEngine.feast({ cluster }), featureGroups: [group] });
    expect(
      validationError(() => new FeatureStore(platform, "user_features", { engine: FeatureEngine.feast({ cluster }), featureGroups: [group] }))
        .message,
    ).toContain(
      'FeatureEngine.feast platform/user_features: namespace ("feast") holds the Feast of the FeatureStore platform/user-features on this cluster already',
    );
    expect(platform.node.tryFindChild("user_features")?.node.children.length).toBe(0);
    new FeatureStore(stack(app, "workloads"), "user_features", {
      engine: FeatureEngine.feast({ cluster, namespace: "feast-users" }),
      featureGroups: [group],
    });
    const docs = synthApp(app);
    expect(outputProblems(docs)).toEqual([]);
    expect(resources(docs.workloads, "aws_glue_catalog_database")[0].values.name).toBe("acme_ml_workloads_user_features");
  });
});

describe("grant*", () => {
  test("a role without a name is refused (was: an inline policy without a role)", () => {
    const s = stack();
    const registry = new ModelRegistry(s, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
    expect(validationError(() => registry.grantRead({ arn: "arn:aws:iam::111122223333:role/ci" } as never)).message).toBe(
      "ModelRegistry platform/registry: grantRead(role) must be a role with a name and an ARN (an IamRole, a DataAwsIamRole or RoleRef.fromRoleArn(arn))",
    );
  });
});

describe("outside an MlopsStack", () => {
  test("a construct in a plain TerraformStack gets an MlopsValidationError (was: a plain Error)", () => {
    const plain = new TerraformStack(newApp(), "plain");
    expect(validationError(() => new TrainingCluster(plain, "t")).message).toBe(
      "TrainingCluster plain/t: cdktf-mlops constructs must be created inside an MlopsStack",
    );
  });
});

describe("ServingEngine.kserve", () => {
  test("a token namespace is refused (was: cdktf's token-as-construct-id error)", () => {
    const app = newApp();
    const platform = stack(app);
    const workloads = stack(app, "workloads");
    const cluster = new TrainingCluster(platform, "training", { gpuNodePools: [{ name: "l4", instanceTypes: ["g6.xlarge"] }] });
    const registry = new ModelRegistry(platform, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
    expect(
      validationError(
        () =>
          new ServingEndpoint(workloads, "fraud", {
            engine: ServingEngine.kserve({ cluster, namespace: strToken(workloads) }),
            model: registry.model("fraud", "3"),
            gpu: true,
          }),
      ).message,
    ).toContain("namespace (a deploy-time value) must be known at synth time");
  });
});

describe("kubernetesVersion", () => {
  test("a name of an Object.prototype member is not a version (was: 'constructor' accepted)", () => {
    expect(validationError(() => new TrainingCluster(stack(), "t", { kubernetesVersion: "constructor" })).message).toContain(
      'kubernetesVersion ("constructor") must be one of',
    );
  });
});
