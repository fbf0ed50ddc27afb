/**
 * Property-based fuzzing of every public construct and method (issue 10). Each generated prop set
 * must end in an MlopsValidationError naming the construct path and field, or in stacks that pass
 * the output checker (./checker.ts). CI runs a fixed seed and few runs; `npm run fuzz` many runs with
 * a random seed. Every shrunk failure becomes a plain test in ./regressions.test.ts.
 */
import * as fc from "fast-check";
import { App, TerraformStack } from "cdktf";
import {
  ClusterAutoscaling,
  ClusterObservability,
  Exposure,
  SignIn,
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
  PoolPlacement,
  RoleRef,
  TrainingCluster,
} from "../../src";
import { DataAwsIamRole } from "@cdktf/provider-aws/lib/data-aws-iam-role";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { buildEnds, countsFor, fuzzParameters, report } from "./harness";
import { field, listToken, materialize, nameLike, numberToken, props, stringToken } from "./values";

const int = (min: number, max: number) =>
  fc.oneof({ weight: 14, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: fc.constantFrom(min - 1, max + 1, min, max) });
/** Mostly one of `good`, sometimes one of `bad`. */
const pick = <T>(good: T[], bad: unknown[]) =>
  fc.oneof({ weight: 14, arbitrary: fc.constantFrom(...good) as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: fc.constantFrom(...bad) });
const bool = fc.boolean();
const withTokens = <T>(a: fc.Arbitrary<T>, token: fc.Arbitrary<unknown> = stringToken) =>
  fc.oneof({ weight: 10, arbitrary: a as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: token });

function stackOf(app: App, id = "platform", region = "eu-west-1", name = "acme-ml"): MlopsStack {
  return new MlopsStack(app, id, { region, name });
}

const CERT_ARN = "arn:aws:acm:eu-west-1:111122223333:certificate/0f0e0d0c-aaaa-bbbb-cccc-111122223333";
const COGNITO = SignIn.cognito({
  userPoolArn: "arn:aws:cognito-idp:eu-west-1:111122223333:userpool/eu-west-1_AbC",
  userPoolClientId: "abc",
  userPoolDomain: "acme-ml",
});

const GPU_TYPES = ["g6.xlarge", "g6.2xlarge", "g5.xlarge", "p4d.24xlarge", "p5.48xlarge", "p5en.48xlarge", "g5g.xlarge", "m5.large", ""];

const poolOptions = props(
  {
    name: field(nameLike(22)),
    instanceTypes: field(
      fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom(["g6.xlarge"], ["p4d.24xlarge"], ["p5.48xlarge"], ["g5.xlarge"], ["g6.xlarge", "g5.xlarge"]) },
        fc.array(fc.constantFrom(...GPU_TYPES), { maxLength: 3 }),
      ),
    ),
    amiType: field(pick(["AL2023_x86_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA"], ["AL2_x86_64_GPU", "AL2023_ARM_64_NVIDIA"])),
    capacityType: field(pick(["ON_DEMAND", "CAPACITY_BLOCK"], ["SPOT", "RESERVED"])),
    minSize: field(withTokens(int(0, 1000), numberToken)),
    maxSize: field(withTokens(int(1, 1000), numberToken)),
    rootVolumeSizeGiB: field(int(50, 16384)),
    efa: field(bool),
    capacityReservationId: field(pick(["cr-0123456789abcdef0"], ["cr-x"])),
    capacityReservationTags: field(pick([{ purpose: "training" }], [{}, { "": "x" }])),
    placement: field(
      pick([PoolPlacement.cluster(), PoolPlacement.none(), PoolPlacement.existing("training-pg")], [PoolPlacement.existing(""), "cluster"]),
    ),
    labels: field(
      fc.dictionary(
        pick(["team", "a.b/c", "a_b", "a-b", "k"], ["nvidia.com/x", "bad key", "x".repeat(70), "a/b/c"]) as fc.Arbitrary<string>,
        pick(["v", "", "gpu"], ["x".repeat(64), "a b"]),
        { maxKeys: 3 },
      ),
    ),
    subnetIds: field(pick([["subnet-1"], ["subnet-1", "subnet-2"]], [[]])),
  },
  ["name", "instanceTypes"],
);

const teamOptions = props(
  {
    name: field(nameLike(63)),
    gpuQuota: field(withTokens(int(0, 100000), numberToken)),
    cpuQuota: field(int(1, 1000000)),
    memoryQuotaGiB: field(int(1, 10000000)),
    podSecurity: field(pick(["privileged", "baseline", "restricted"], ["open"])),
  },
  ["name", "gpuQuota"],
);

interface Scenario {
  readonly runs: number;
  readonly input: fc.Arbitrary<unknown>;
  readonly build: (app: App, input: any) => void;
}

const scenarios: Record<string, Scenario> = {
  MlopsStack: {
    runs: 200,
    input: props(
      {
        region: field(withTokens(pick(["eu-west-1", "us-east-1", "us-gov-west-1"], ["eu-west", "EU-WEST-1"]))),
        name: field(withTokens(nameLike(26))),
        tags: field(
          fc.dictionary(pick(["team", "cost-center"], ["aws:x", "", "k".repeat(129)]) as fc.Arbitrary<string>, pick(["ml", ""], ["v".repeat(257)]), {
            maxKeys: 2,
          }),
        ),
        allowedAccountIds: field(fc.array(pick(["111122223333"], ["123", "abcdefghijkl"]), { maxLength: 2 })),
        removalPolicy: field(pick(["retain", "destroy"], ["keep"])),
      },
      ["region", "name"],
    ),
    build: (app, input) => {
      const holder = new TerraformStack(app, "vars");
      new MlopsStack(app, "platform", materialize(holder, input) as never);
    },
  },
  MlopsNetwork: {
    runs: 120,
    input: props({
      cidr: field(withTokens(pick(["10.0.0.0/16", "10.20.0.0/20", "10.0.0.0/8"], ["10.0.0.0/24", "300.0.0.0/16", "10.0.0.0"]))),
      availabilityZoneCount: field(withTokens(int(2, 6), numberToken)),
      singleNatGateway: field(bool),
      interfaceEndpoints: field(
        withTokens(
          fc.array(pick(["ecr.api", "ecr.dkr", "sts", "logs", "sagemaker.runtime"], ["ecr-api", "s3", "", "Bad"]), { maxLength: 4 }),
          listToken,
        ),
      ),
      flowLogRetentionDays: field(pick([1, 7, 30, 365], [0, 2, 10000])),
      clusterName: field(withTokens(nameLike(100))),
    }),
    build: (app, input) => {
      const stack = stackOf(app);
      new MlopsNetwork(stack, "network", materialize(stack, input) as never);
    },
  },
  "MlopsNetwork.fromExisting": {
    runs: 80,
    input: props(
      {
        vpcId: field(withTokens(pick(["vpc-0123456789abcdef0"], ["vpc-1", ""]))),
        privateSubnetIds: field(withTokens(pick([["subnet-a", "subnet-b"]], [["subnet-a"], [], "subnet-a"]), listToken)),
        publicSubnetIds: field(pick([["subnet-c"], []], ["subnet-c"])),
      },
      ["vpcId", "privateSubnetIds"],
    ),
    build: (app, input) => {
      const stack = stackOf(app);
      const network = MlopsNetwork.fromExisting(materialize(stack, input) as never);
      new TrainingCluster(stack, "training", { network });
    },
  },
  SecureBucket: {
    runs: 120,
    input: fc.tuple(
      props({
        component: field(nameLike(40)),
        accessLogs: field(bool),
        noncurrentVersionExpirationDays: field(withTokens(int(1, 3650), numberToken)),
        receivesAccessLogs: field(bool),
        expireObjectsAfterDays: field(withTokens(int(1, 3650), numberToken)),
        policyStatements: field(
          pick(
            [
              [],
              [
                {
                  sid: "X",
                  effect: "Allow",
                  actions: ["s3:GetObject"],
                  principals: [{ type: "AWS", identifiers: ["arn:aws:iam::111122223333:root"] }],
                },
              ],
            ],
            [[{}], "statement", [{ sid: "X", actions: [] }]],
          ),
        ),
        removalPolicy: field(fc.constantFrom("retain", "destroy")),
      }),
      fc.oneof(fc.constant("data"), nameLike(40)),
      bool,
    ),
    build: (app, [input, id, twoStacks]) => {
      const stack = stackOf(app);
      new SecureBucket(stack, id, materialize(stack, input) as never);
      if (twoStacks) {
        const other = stackOf(app, "workloads");
        new SecureBucket(other, id, materialize(other, input) as never);
      }
    },
  },
  TrainingCluster: {
    runs: 80,
    input: props({
      clusterName: field(withTokens(nameLike(100))),
      kubernetesVersion: field(pick(["1.34", "1.35"], ["1.33", "1.29", "constructor", "toString", "1.99", ""])),
      publicEndpointCidrs: field(pick([["203.0.113.0/24"]], [["0.0.0.0/0"], ["x"], []])),
      adminRoleArns: field(pick([["arn:aws:iam::111122223333:role/admin"], []], [["arn:aws:iam::1:role/x"]])),
      logRetentionDays: field(pick([7, 30, 90], [0, 13])),
      systemNodeInstanceTypes: field(pick([["m6i.large"], ["m6i.large", "m6i.xlarge"]], [[], ["nope"]])),
      systemNodeMinSize: field(withTokens(int(1, 4), numberToken)),
      systemNodeMaxSize: field(withTokens(int(4, 100), numberToken)),
      gpuNodePools: field(fc.array(poolOptions, { maxLength: 2 })),
      teams: field(fc.array(teamOptions, { maxLength: 1 })),
      addonVersions: field(pick([{ coredns: "v1.11.4-eksbuild.2" }, {}], [{ nope: "v1" }, { coredns: "" }])),
      deletionProtection: field(bool),
    }),
    build: (app, input) => {
      const stack = stackOf(app);
      new TrainingCluster(stack, "training", materialize(stack, input) as never);
    },
  },
  "TrainingCluster.addGpuNodePool": {
    runs: 80,
    input: fc.tuple(fc.oneof(fc.constant("pool"), nameLike(30)), poolOptions),
    build: (app, [id, options]) => {
      const stack = stackOf(app);
      const cluster = new TrainingCluster(stack, "training");
      cluster.addGpuNodePool(id, materialize(stack, options) as never);
    },
  },
  "TrainingCluster with Karpenter": {
    runs: 40,
    input: fc.tuple(fc.array(poolOptions, { maxLength: 2 }), fc.constantFrom("pools", "platform", "none")),
    build: (app, [pools, where]) => {
      const stack = stackOf(app);
      const nodePoolStack = where === "pools" ? stackOf(app, "pools") : where === "platform" ? stack : undefined;
      new TrainingCluster(stack, "training", {
        autoscaling: ClusterAutoscaling.karpenter({ nodePoolStack }),
        gpuNodePools: materialize(stack, pools) as never,
      });
    },
  },
  ModelRegistry: {
    runs: 120,
    input: fc.tuple(
      props({
        models: field(withTokens(fc.array(nameLike(70), { maxLength: 3 }), listToken)),
        imageRetentionCount: field(withTokens(int(1, 1000), numberToken)),
        noncurrentVersionExpirationDays: field(int(1, 3650)),
        removalPolicy: field(fc.constantFrom("retain", "destroy")),
      }),
      fc.array(fc.tuple(withTokens(nameLike(70)), pick(["3", "latest"], ["", "v 1"])), { maxLength: 2 }),
      fc.nat(2),
    ),
    build: (app, [input, modelCalls, grants]) => {
      const stack = stackOf(app);
      const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), ...(materialize(stack, input) as object) });
      for (const [name, version] of modelCalls as [unknown, string][]) registry.model(materialize(stack, name) as string, version);
      const role = new IamRole(stack, "app", {
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ec2.amazonaws.com" } }],
        }),
      });
      for (let i = 0; i < grants; i++) registry.grantRead(role);
    },
  },
  FeatureStore: {
    runs: 80,
    input: fc.tuple(
      fc.array(
        props(
          {
            name: field(nameLike(70)),
            recordIdentifier: field(pick(["entity_id"], ["id", "class", "", "a b"])),
            eventTimeFeature: field(pick(["event_time"], ["ts", "missing"])),
            features: fc.oneof(
              {
                weight: 5,
                arbitrary: fc
                  .array(fc.constantFrom({ name: "amount", type: "Float64" }, { name: "count", type: "Int64" }, { name: "label", type: "String" }), {
                    maxLength: 3,
                  })
                  .map((fs) => [
                    { name: "entity_id", type: "String" },
                    { name: "event_time", type: "UnixTimestamp" },
                    ...new Map(fs.map((f) => [f.name, f])).values(),
                  ]),
              },
              field(
                fc.array(
                  props(
                    {
                      name: field(pick(["entity_id", "event_time", "amount", "count"], ["ts", "class", "x-y", "é", "global"])),
                      type: field(pick(Object.values(FeatureType), ["Nope"])),
                    },
                    ["name", "type"],
                  ),
                  { maxLength: 4 },
                ),
              ),
            ),
            online: field(fc.constant(true)),
            offline: field(bool),
            ttlDays: field(int(1, 3650)),
            description: field(pick(["txns", ""], ["d".repeat(300), 'quote """ and \\ backslash'])),
          },
          ["name", "recordIdentifier", "eventTimeFeature", "features"],
        ),
        { minLength: 1, maxLength: 2 },
      ),
      fc.constantFrom("sagemaker", "feast"),
    ),
    build: (app, [groups, engine]) => {
      const stack = stackOf(app);
      const featureEngine = engine === "feast" ? FeatureEngine.feast({ cluster: new TrainingCluster(stack, "training") }) : FeatureEngine.sagemaker();
      new FeatureStore(stack, "features", { engine: featureEngine, featureGroups: materialize(stack, groups) as never });
    },
  },
  ServingEndpoint: {
    runs: 120,
    input: fc.tuple(
      props({
        gpu: field(pick([false], [true])),
        endpointName: field(withTokens(nameLike(70))),
        minReplicas: field(withTokens(int(1, 3), numberToken)),
        maxReplicas: field(withTokens(int(3, 100), numberToken)),
        captureSamplingPercentage: field(withTokens(int(0, 100), numberToken)),
        captureRetentionDays: field(int(1, 3650)),
      }),
      props({
        instanceType: field(pick(["ml.m5.large", "ml.g5.xlarge"], ["m5.large"])),
        variants: field(
          fc.constantFrom(
            undefined,
            [{ name: "a", weight: 1 }],
            [
              { name: "a", weight: 1 },
              { name: "a", weight: 1 },
            ],
          ),
        ),
        trafficShiftPercent: field(int(1, 50)),
        targetInvocationsPerInstance: field(int(1, 100000)),
      }),
      bool,
    ),
    build: (app, [input, engineOptions, twice]) => {
      const stack = stackOf(app);
      const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
      const model = registry.model("fraud", "3");
      const opts = materialize(stack, engineOptions) as Record<string, unknown>;
      if (Array.isArray(opts.variants)) opts.variants = opts.variants.map((v: object) => ({ ...v, model }));
      const p = materialize(stack, input) as object;
      new ServingEndpoint(stack, "fraud", { engine: ServingEngine.sagemaker(opts as never), model, ...p });
      if (twice) new ServingEndpoint(stack, "fraud-2", { engine: ServingEngine.sagemaker(), model, ...p });
    },
  },
  DriftAlarm: {
    runs: 120,
    input: fc.tuple(
      props({
        baselineS3Uri: field(withTokens(pick(["s3://acme-baselines/fraud/baseline.json"], ["s3://b", "http://x", ""]))),
        numericFeatures: field(
          withTokens(
            fc.oneof({ weight: 5, arbitrary: fc.constant(["amount"]) }, fc.array(pick(["amount", "count"], ["a b", "é", ""]), { maxLength: 3 })),
            listToken,
          ),
        ),
        categoricalFeatures: field(pick([["category"], []], [["amount"], ["x", "x"]])),
        psiThreshold: field(withTokens(pick([0.1, 0.2], [0, -1, 5]), numberToken)),
        ksThreshold: field(pick([0.1, 0.3], [0, 1, 2])),
        intervalMinutes: field(withTokens(pick([5, 60, 1440], [0, 7]), numberToken)),
        minRecords: field(int(1, 100000)),
        notify: field(
          fc.array(
            pick(
              [
                "oncall@acme.io",
                "https://hooks.acme.io/x",
                "arn:aws:lambda:eu-west-1:111122223333:function:pager",
                "arn:aws:sns:eu-west-1:111122223333:t",
              ],
              ["nope"],
            ),
            { maxLength: 3 },
          ),
        ),
        retrainingTargetArn: field(pick(["arn:aws:sagemaker:eu-west-1:111122223333:pipeline/fraud"], ["arn:x"])),
        logRetentionDays: field(pick([7, 30], [0, 13])),
      }),
      bool,
    ),
    build: (app, [input, twice]) => {
      const stack = stackOf(app);
      const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
      const endpoint = new ServingEndpoint(stack, "fraud", { engine: ServingEngine.sagemaker(), model: registry.model("fraud", "3") });
      const p = materialize(stack, input) as object;
      new DriftAlarm(stack, "drift", { endpoint, ...p } as never);
      if (twice) new DriftAlarm(stack, "drift-2", { endpoint, ...p } as never);
    },
  },
  "fromClusterAttributes + RegistryEngine.mlflow": {
    runs: 40,
    input: fc.tuple(
      props(
        {
          clusterName: field(withTokens(pick(["acme-prod"], ["", "a b"]))),
          clusterEndpoint: field(withTokens(pick(["https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com"], ["http://x", ""]))),
          clusterCertificateAuthorityData: field(withTokens(fc.constant("LS0tLS1CRUdJTi0tLS0t"))),
          oidcProviderArn: field(withTokens(pick(["arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF"], ["arn:x"]))),
          oidcIssuerUrl: field(withTokens(pick(["https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF"], ["oidc"]))),
          clusterSecurityGroupId: field(withTokens(pick(["sg-0123456789abcdef0"], ["x"]))),
          vpcId: field(withTokens(fc.constant("vpc-0123456789abcdef0"))),
          privateSubnetIds: field(withTokens(pick([["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]], [["subnet-a"], []]), listToken)),
          kubernetesVersion: field(pick(["1.34"], ["x"])),
          gpuNodes: field(bool),
        },
        [
          "clusterName",
          "clusterEndpoint",
          "clusterCertificateAuthorityData",
          "oidcProviderArn",
          "oidcIssuerUrl",
          "clusterSecurityGroupId",
          "vpcId",
          "privateSubnetIds",
        ],
      ),
      props({
        namespace: field(withTokens(pick(["mlflow", "registry"], ["default", "A"]))),
        replicas: field(int(1, 10)),
        databaseInstanceClass: field(pick(["db.t4g.medium", "db.r7g.large"], ["t4g.medium"])),
        postgresVersion: field(pick(["17", "16"], ["9"])),
        multiAz: field(bool),
        backupRetentionDays: field(withTokens(int(1, 35), numberToken)),
        allocatedStorageGiB: field(withTokens(int(20, 500), numberToken)),
        maxAllocatedStorageGiB: field(withTokens(int(20, 1000), numberToken)),
      }),
    ),
    build: (app, [attrs, mlflow]) => {
      const stack = stackOf(app);
      const cluster = TrainingCluster.fromClusterAttributes(stack, "cluster", materialize(stack, attrs) as never);
      new ModelRegistry(stack, "registry", {
        engine: RegistryEngine.mlflow({ cluster, ...(materialize(stack, mlflow) as object) }),
        models: ["fraud"],
      });
    },
  },
  "ServingEngine.kserve": {
    runs: 40,
    input: props({
      namespace: field(withTokens(pick(["serving", "models"], ["default", "A"]))),
      modelFormat: field(pick(["sklearn", "xgboost", "pytorch"], ["", "a b"])),
      gpuCount: field(withTokens(int(1, 8), numberToken)),
      cpu: field(pick(["1", "500m", "2"], ["x"])),
      memoryGiB: field(int(1, 64)),
      targetCpuUtilization: field(int(1, 100)),
      loggerBatchSize: field(int(1, 1000)),
      loggerBatchIntervalSeconds: field(int(1, 3600)),
      exposure: field(
        fc.oneof(
          fc.constant(Exposure.internalOnly()),
          fc
            .record({
              hostname: pick(["fraud.ml.acme.io"], ["", "Fraud..io", "*.acme.io"]) as fc.Arbitrary<string>,
              certificateArn: fc.option(pick([CERT_ARN], ["arn:aws:acm:x"]) as fc.Arbitrary<string>, { nil: undefined }),
              hostedZoneId: fc.option(pick(["Z0123456789ABCDEFGHIJ"], ["zone"]) as fc.Arbitrary<string>, { nil: undefined }),
              allowedCidrs: fc.option(pick([["10.20.0.0/16"], ["203.0.113.0/24"]], [["0.0.0.0/0"], ["x"], []]) as fc.Arbitrary<string[]>, {
                nil: undefined,
              }),
              signIn: fc.option(fc.constant(COGNITO), { nil: undefined }),
              internet: fc.boolean(),
            })
            .map(({ internet, ...o }) => (internet ? Exposure.internetFacingLoadBalancer(o) : Exposure.internalLoadBalancer(o))),
        ),
      ),
      canary: field(fc.record({ trafficPercent: fc.constantFrom(0, 10, 50, 100, 101) })),
    }),
    build: (app, options) => {
      const platform = stackOf(app);
      const workloads = stackOf(app, "workloads");
      const prometheus = (options as { canary?: { trafficPercent: number } }).canary?.trafficPercent === 10;
      const cluster = new TrainingCluster(platform, "training", {
        gpuNodePools: [{ name: "l4", instanceTypes: ["g6.xlarge"] }],
        ...(prometheus ? { observability: ClusterObservability.prometheus() } : {}),
      });
      const registry = new ModelRegistry(platform, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
      const { canary, ...rest } = materialize(workloads, options) as { canary?: { trafficPercent: number } };
      new ServingEndpoint(workloads, "fraud", {
        engine: ServingEngine.kserve({ cluster, ...rest, ...(canary ? { canary: { ...canary, model: registry.model("fraud", "4") } } : {}) }),
        model: registry.model("fraud", "3"),
        gpu: true,
      });
    },
  },
  "grant* with every role shape": {
    runs: 30,
    input: fc.array(
      fc.tuple(
        fc.constantFrom("registry.grantRead", "registry.grantWrite", "store.grantReadOnline", "store.grantIngest", "endpoint.grantInvoke"),
        fc.constantFrom("created", "data", "arn", "arn-token", "bad"),
      ),
      { maxLength: 5 },
    ),
    build: (app, grants: [string, string][]) => {
      const stack = stackOf(app);
      const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
      const store = new FeatureStore(stack, "features", {
        engine: FeatureEngine.sagemaker(),
        featureGroups: [
          {
            name: "users",
            recordIdentifier: "entity_id",
            eventTimeFeature: "event_time",
            features: [
              { name: "entity_id", type: FeatureType.STRING },
              { name: "event_time", type: FeatureType.UNIX_TIMESTAMP },
            ],
          },
        ],
      });
      const endpoint = new ServingEndpoint(stack, "fraud", { engine: ServingEngine.sagemaker(), model: registry.model("fraud", "3") });
      const trust = JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ec2.amazonaws.com" } }],
      });
      const roles: Record<string, () => unknown> = {
        created: () => (stack.node.tryFindChild("app") as IamRole | undefined) ?? new IamRole(stack, "app", { assumeRolePolicy: trust }),
        data: () => (stack.node.tryFindChild("existing") as DataAwsIamRole | undefined) ?? new DataAwsIamRole(stack, "existing", { name: "ci" }),
        arn: () => RoleRef.fromRoleArn("arn:aws:iam::111122223333:role/ci"),
        "arn-token": () => RoleRef.fromRoleArn(materialize(stack, { $token: "string" }) as string),
        bad: () => ({ arn: "x" }),
      };
      const targets: Record<string, (role: never) => unknown> = {
        "registry.grantRead": (r) => registry.grantRead(r),
        "registry.grantWrite": (r) => registry.grantWrite(r),
        "store.grantReadOnline": (r) => store.grantReadOnline(r),
        "store.grantIngest": (r) => store.grantIngest(r),
        "endpoint.grantInvoke": (r) => endpoint.grantInvoke(r),
      };
      for (const [target, role] of grants) targets[target](roles[role]() as never);
    },
  },
  "two FeatureStores": {
    runs: 24,
    input: fc.tuple(
      fc.constantFrom("user-features", "user_features", "features", "Features"),
      fc.constantFrom("user-features", "user_features", "features"),
      fc.constantFrom("sagemaker", "feast"),
      bool,
    ),
    build: (app, [id1, id2, engine, twoStacks]) => {
      const group = {
        name: "users",
        recordIdentifier: "entity_id",
        eventTimeFeature: "event_time",
        features: [
          { name: "entity_id", type: FeatureType.STRING },
          { name: "event_time", type: FeatureType.UNIX_TIMESTAMP },
        ],
      };
      const first = stackOf(app);
      const cluster = engine === "feast" ? new TrainingCluster(first, "training") : undefined;
      const featureEngine = () => (cluster ? FeatureEngine.feast({ cluster }) : FeatureEngine.sagemaker());
      new FeatureStore(first, id1, { engine: featureEngine(), featureGroups: [group] });
      const second = twoStacks ? stackOf(app, "workloads") : first;
      if (second.node.tryFindChild(id2)) return;
      new FeatureStore(second, id2, { engine: featureEngine(), featureGroups: [group] });
    },
  },
  "two stacks of one platform name": {
    runs: 16,
    input: fc.tuple(pick(["eu-west-1"], ["us-east-1"]), fc.constantFrom("platform", "workloads-a"), fc.constantFrom("fraud", "churn"), bool),
    build: (app, [region2, id2, endpointId, withRegistry]) => {
      for (const [id, region] of [
        ["platform", "eu-west-1"],
        [id2 === "platform" ? "platform-2" : id2, region2],
      ]) {
        const stack = stackOf(app, id, region);
        const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
        const endpoint = new ServingEndpoint(stack, endpointId, { engine: ServingEngine.sagemaker(), model: registry.model("fraud", "3") });
        if (withRegistry)
          new DriftAlarm(stack, "drift", { endpoint, baselineS3Uri: "s3://acme-baselines/fraud/baseline.json", numericFeatures: ["amount"] });
      }
    },
  },
};

describe("fuzz: every input gets a clear error or a correct stack", () => {
  test.each(Object.keys(scenarios))("%s", (name) => {
    const s = scenarios[name];
    fc.assert(fc.property(s.input, buildEnds(s.build, countsFor(name))), fuzzParameters(s.runs) as fc.Parameters<[unknown]>);
  });

  afterAll(() => {
    const rows = Object.entries(report).map(
      ([n, c]) =>
        `${n.padEnd(32)} runs ${String(c.runs).padStart(5)}  validation errors ${String(c.validationErrors).padStart(5)}  clean stacks ${String(c.cleanStacks).padStart(5)}  other ${c.other}`,
    );
    process.stdout.write(`fuzz counts\n${rows.join("\n")}\n`);
  });
});
