/**
 * The first `cdktf deploy` on a fresh account (issue 8): one test per defect found by reviewing the
 * synthesized Terraform against the real sources. Each fails on the output of release 0.1.
 */
import { App } from "cdktf";
import {
  FeatureEngine,
  FeatureStore,
  FeatureType,
  MlopsStack,
  ModelRegistry,
  RegistryEngine,
  ServingEndpoint,
  ServingEngine,
  TrainingCluster,
} from "../src";
import { buildReferencePlatform } from "../examples/reference-platform/main";
import { newApp, newStack, policyStatements, resource, resources, synthApp, TfDoc, validationError } from "./helpers";

const GROUPS = [
  {
    name: "transactions",
    recordIdentifier: "customer_id",
    eventTimeFeature: "event_time",
    features: [
      { name: "customer_id", type: FeatureType.STRING },
      { name: "event_time", type: FeatureType.UNIX_TIMESTAMP },
      { name: "amount", type: FeatureType.FLOAT64 },
    ],
  },
];

/** The statement `sid` of the inline policy of the role at `rolePath`. */
function statement(doc: TfDoc, rolePath: string, sid: string): Record<string, any> {
  const found = policyStatements(doc, resource(doc, "aws_iam_role_policy", `${rolePath}/Policy`).values.policy).find((s) => s.sid === sid);
  if (!found) throw new Error(`no statement ${sid} in ${rolePath}`);
  return found;
}

function warnings(app: App): string[] {
  return app.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type === "@cdktf/warn")
    .map((m) => String(m.data));
}

/** A platform stack, an in-cluster stack and a workloads stack with every engine on the cluster, as in the reference platform. */
function platform(clusterProps: Record<string, unknown> = {}, split = true) {
  const app = newApp();
  const aws = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
  const kube = split ? new MlopsStack(app, "platform-kubernetes", { region: "eu-west-1", name: "acme-ml" }) : aws;
  const cluster = new TrainingCluster(aws, "training", {
    ...(split ? { kubernetesStack: kube } : {}),
    privateEndpointCidrs: ["10.200.0.0/16"],
    gpuNodePools: [{ name: "l4", instanceTypes: ["g6.xlarge"] }],
    ...clusterProps,
  });
  const registry = new ModelRegistry(aws, "registry", { engine: RegistryEngine.mlflow({ cluster }), models: ["fraud"] });
  new FeatureStore(aws, "features", { engine: FeatureEngine.feast({ cluster }), featureGroups: GROUPS });
  const workloads = new MlopsStack(app, "workloads", { region: "eu-west-1", name: "acme-ml" });
  const fraud = new ServingEndpoint(workloads, "fraud", {
    engine: ServingEngine.kserve({ cluster, modelFormat: "mlflow" }),
    model: registry.model("fraud", "3"),
    gpu: true,
  });
  const docs = synthApp(app);
  return { app, aws, kube, cluster, fraud, docs, platform: docs.platform, kubeDoc: docs[kube.node.id], workloads: docs.workloads };
}

describe("1. two stacks of one platform and region get distinct bucket names", () => {
  test("GIVEN two MlopsStacks with access-log buckets THEN the first keeps its name and the second has its stack id in it", () => {
    const app = newApp();
    const a = new MlopsStack(app, "ml-platform", { region: "eu-west-1", name: "acme-ml" });
    const b = new MlopsStack(app, "ml-workloads", { region: "eu-west-1", name: "acme-ml" });
    void a.accessLogBucket;
    void b.accessLogBucket;
    const docs = synthApp(app);
    const name = (d: TfDoc) => resource(d, "aws_s3_bucket", "AccessLogBucket/Resource").values.bucket as string;
    expect(name(docs["ml-platform"])).toMatch(/^acme-ml-accesslogbucket-\$\{/);
    expect(name(docs["ml-workloads"])).toMatch(/^acme-ml-ml-workloads-accesslogbucket-\$\{/);
  });

  test("GIVEN stacks in two regions THEN neither name changes (the region is part of it)", () => {
    const app = newApp();
    const a = new MlopsStack(app, "eu", { region: "eu-west-1", name: "acme-ml" });
    const b = new MlopsStack(app, "us", { region: "us-east-1", name: "acme-ml" });
    void a.accessLogBucket;
    void b.accessLogBucket;
    const docs = synthApp(app);
    expect(resource(docs.us, "aws_s3_bucket", "AccessLogBucket/Resource").values.bucket).toMatch(/^acme-ml-accesslogbucket-.*-us-east-1$/);
  });

  test("bucket names stay within S3's 63 characters for the longest base (account id and region included)", () => {
    const stack = newStack({ name: "acme-ml" }, newApp(), "p");
    new FeatureStore(stack, "a".repeat(40), { engine: FeatureEngine.sagemaker(), featureGroups: GROUPS });
    const bucket = resource(synthApp(stack.node.root as App).p, "aws_s3_bucket", "OfflineStore/Resource");
    const rendered = String(bucket.values.bucket).replace("${data.aws_caller_identity.CallerIdentity.account_id}", "111122223333");
    expect(rendered.length).toBeLessThanOrEqual(63);
  });
});

describe("2. everything that names the cluster references it; workload identities wait for the agent", () => {
  const { platform: doc } = platform();
  const cluster = resource(doc, "aws_eks_cluster", "training/Resource");
  const agent = resources(doc, "aws_eks_addon").find((a) => a.values.addon_name === "eks-pod-identity-agent")!;

  test.each([
    "features/Feast/ServerPodIdentity",
    "features/Feast/JobPodIdentity",
    "registry/Mlflow/ServerPodIdentity",
    "training/ClusterAutoscalerPodIdentity",
  ])("%s", (path) => {
    const association = resource(doc, "aws_eks_pod_identity_association", path);
    expect(association.values.cluster_name).toBe(`\${${cluster.address}.name}`);
    expect(association.values.depends_on).toContain(agent.address);
  });

  test("GPU node groups name the cluster by reference", () => {
    expect(resource(doc, "aws_eks_node_group", "GpuPool-l4/Resource").values.cluster_name).toBe(`\${${cluster.address}.name}`);
  });
});

describe("3-4. Feast: feast apply can validate its Athena sources; the server can open its S3 registry", () => {
  const { platform: doc } = platform();

  test("the job role may read table metadata of the AwsDataCatalog (GetTableMetadata is authorized on the data catalog)", () => {
    const s = statement(doc, "features/Feast/JobRole", "ReadTableMetadataOfTheCatalog");
    expect(s.actions).toEqual(["athena:GetTableMetadata"]);
    expect(s.resources[0]).toMatch(/:athena:eu-west-1:.*:datacatalog\/AwsDataCatalog$/);
  });

  test("the server's ListBucket lets HeadBucket through (no s3:prefix in that request) and keeps listings to registry/", () => {
    const s = statement(doc, "features/Feast/ServerRole", "ListTheRegistryPrefix");
    expect(s.condition).toEqual([{ test: "StringLikeIfExists", variable: "s3:prefix", values: ["registry/*"] }]);
  });
});

describe("5. a first deploy from an ordinary runner; private afterwards", () => {
  test("GIVEN kubernetesStack THEN the cluster's stack holds no Kubernetes or Helm resource or provider", () => {
    const { platform: doc, kubeDoc } = platform();
    expect(Object.keys(doc.resource ?? {}).filter((t) => /^(kubernetes|helm)_/.test(t))).toEqual([]);
    expect(doc.provider?.kubernetes).toBeUndefined();
    expect(resources(kubeDoc, "helm_release").length).toBeGreaterThan(5);
    // The providers of the in-cluster stack read the cluster from the platform stack's outputs.
    const [k8s] = kubeDoc.provider!.kubernetes as Record<string, any>[];
    expect(k8s.host).toMatch(/^\$\{data\.terraform_remote_state\./);
  });

  test("GIVEN kubernetesStack THEN addresses keep their form: the same logical ids, in the other stack", () => {
    const split = platform();
    const single = platform({}, false);
    const ids = (d: TfDoc, re: RegExp) =>
      resources(d)
        .filter((r) => re.test(r.type))
        .map((r) => r.address)
        .sort();
    expect(ids(split.kubeDoc, /^(kubernetes|helm)_/)).toEqual(ids(single.platform, /^(kubernetes|helm)_/));
  });

  test("GIVEN deployerCidrs THEN the endpoint is public to those blocks only, with a warning to close it", () => {
    const { platform: doc, app } = platform({ deployerCidrs: ["203.0.113.7/32"], publicEndpointCidrs: ["198.51.100.0/24"] });
    expect(resource(doc, "aws_eks_cluster", "training/Resource").values.vpc_config).toMatchObject({
      endpoint_private_access: true,
      endpoint_public_access: true,
      public_access_cidrs: ["198.51.100.0/24", "203.0.113.7/32"],
    });
    expect(warnings(app)).toEqual(expect.arrayContaining([expect.stringContaining("leave deployerCidrs out in the next deploy")]));
  });

  test("WITHOUT deployerCidrs THEN the endpoint is private again (an in-place update of vpc_config)", () => {
    const { platform: doc } = platform();
    expect(resource(doc, "aws_eks_cluster", "training/Resource").values.vpc_config.endpoint_public_access).toBe(false);
  });

  test("GIVEN no way to reach the API THEN a warning says how to get one", () => {
    const app = newApp();
    new TrainingCluster(new MlopsStack(app, "p", { region: "eu-west-1", name: "acme-ml" }), "training");
    app.synth();
    expect(warnings(app)).toEqual([expect.stringContaining("reachable only from the cluster's own nodes")]);
  });

  test("GIVEN one stack THEN what is installed on the cluster waits for the rules that open the API to the runner", () => {
    const { platform: doc } = platform({ adminRoleArns: ["arn:aws:iam::111122223333:role/admins"] }, false);
    const rule = resource(doc, "aws_vpc_security_group_ingress_rule", "training/ApiAccess1");
    const admin = resource(doc, "aws_eks_access_policy_association", "training/AdminAccess1Policy");
    const inCluster = resources(doc).filter((r) => /^(kubernetes|helm)_/.test(r.type));
    expect(inCluster.length).toBeGreaterThan(10);
    for (const r of inCluster) expect([r.address, r.values.depends_on]).toEqual([r.address, expect.arrayContaining([rule.address, admin.address])]);
  });

  test("bad bootstrap input is refused", () => {
    expect(validationError(() => new TrainingCluster(newStack(), "t", { deployerCidrs: ["0.0.0.0/0"] })).message).toBe(
      'TrainingCluster platform/t: deployerCidrs[0] ("0.0.0.0/0") opens the API server to the whole internet: name the deploying machine\'s address (/32)',
    );
    expect(validationError(() => new TrainingCluster(newStack(), "t", { kubernetesStack: {} as MlopsStack })).message).toBe(
      "TrainingCluster platform/t: kubernetesStack (object) must be an MlopsStack",
    );
    const other = new MlopsStack(newApp(), "elsewhere", { region: "eu-west-1", name: "acme-ml" });
    expect(validationError(() => new TrainingCluster(newStack(), "t", { kubernetesStack: other })).message).toBe(
      "TrainingCluster platform/t: kubernetesStack (elsewhere) must be a stack of the cluster's app",
    );
  });

  test("an InferenceService may not live in the in-cluster stack, which installs the KServe CRDs", () => {
    const app = newApp();
    const aws = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
    const kube = new MlopsStack(app, "platform-kubernetes", { region: "eu-west-1", name: "acme-ml" });
    const cluster = new TrainingCluster(aws, "training", { kubernetesStack: kube, privateEndpointCidrs: ["10.0.0.0/8"] });
    const registry = new ModelRegistry(aws, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
    const message = validationError(
      () =>
        new ServingEndpoint(kube, "fraud", {
          engine: ServingEngine.kserve({ cluster, modelFormat: "sklearn" }),
          model: registry.model("fraud", "1"),
        }),
    ).message;
    expect(message).toContain('puts the InferenceService in the stack "platform-kubernetes", which installs the KServe CRDs');
  });
});

describe("6. the platform key names no principal that may not exist, and speaks to Auto Scaling only where nodes launch", () => {
  const app = newApp();
  buildReferencePlatform(app);
  const docs = synthApp(app);
  const keyStatements = (d: TfDoc) => policyStatements(d, resource(d, "aws_kms_key", "PlatformKey").values.policy);

  test("the workloads stack (no nodes) has no Auto Scaling statement", () => {
    expect(keyStatements(docs["ml-workloads"]).map((s) => s.sid)).toEqual(["EnableIamPoliciesOfTheAccount", "AllowCloudWatchLogsOfThisAccount"]);
  });

  test("the cluster's stack matches the service-linked role by aws:PrincipalArn", () => {
    const statements = keyStatements(docs["ml-platform"]).filter((s) => s.sid.startsWith("AllowAutoScaling"));
    expect(statements).toHaveLength(2);
    for (const s of statements) {
      expect(s.principals).toEqual([{ type: "AWS", identifiers: ["*"] }]);
      expect(s.condition[0].variable).toBe("aws:PrincipalArn");
    }
  });
});

describe("8, 9, 13, 14. KServe: a runtime for mlflow, a model it can download, captures it can write, in order", () => {
  const { workloads } = platform();
  const isvc = resource(workloads, "kubernetes_manifest", "fraud/InferenceService");
  const predictor = isvc.values.manifest.spec.predictor;

  test("modelFormat mlflow asks for protocol v2 (kserve-mlserver, the only mlflow runtime, speaks v2 only)", () => {
    expect(predictor.model).toMatchObject({ modelFormat: { name: "mlflow" }, protocolVersion: "v2" });
  });

  test("other formats keep KServe's default protocol unless told", () => {
    const app = newApp();
    const aws = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
    const cluster = new TrainingCluster(aws, "training", { privateEndpointCidrs: ["10.0.0.0/8"] });
    const registry = new ModelRegistry(aws, "registry", { engine: RegistryEngine.sagemaker(), models: ["a", "b"] });
    const w = new MlopsStack(app, "w", { region: "eu-west-1", name: "acme-ml" });
    new ServingEndpoint(w, "a", { engine: ServingEngine.kserve({ cluster, modelFormat: "sklearn" }), model: registry.model("a", "1") });
    new ServingEndpoint(w, "b", {
      engine: ServingEngine.kserve({ cluster, modelFormat: "sklearn", protocolVersion: "v2" }),
      model: registry.model("b", "1"),
    });
    const d = synthApp(app).w;
    expect(resource(d, "kubernetes_manifest", "a/InferenceService").values.manifest.spec.predictor.model.protocolVersion).toBeUndefined();
    expect(resource(d, "kubernetes_manifest", "b/InferenceService").values.manifest.spec.predictor.model.protocolVersion).toBe("v2");
  });

  test("the storage initializer's HeadBucket is allowed; listings stay on the version's prefix", () => {
    expect(statement(workloads, "fraud/Role", "ListOnlyTheModelPrefixes").condition).toEqual([
      { test: "StringLikeIfExists", variable: "s3:prefix", values: ["models/fraud/3/*"] },
    ]);
  });

  test("the logger can complete multipart uploads to SSE-KMS (kms:Decrypt)", () => {
    expect(statement(workloads, "fraud/Role", "EncryptCaptures").actions).toEqual(["kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"]);
  });

  test("the InferenceService waits for its role's policy", () => {
    expect(isvc.values.depends_on).toContain(resource(workloads, "aws_iam_role_policy", "fraud/Role/Policy").address);
  });

  test("the feast apply Job waits for the system nodes and the Pod Identity agent", () => {
    const { platform: doc } = platform({}, false);
    const job = resource(doc, "kubernetes_job_v1", "features/Feast/ApplyJob");
    expect(job.values.depends_on).toEqual(
      expect.arrayContaining([
        resource(doc, "aws_eks_node_group", "training/SystemNodes/Resource").address,
        resources(doc, "aws_eks_addon").find((a) => a.values.addon_name === "eks-pod-identity-agent")!.address,
      ]),
    );
  });
});

describe("10, 13. SageMaker: the Iceberg offline store can commit; the execution role can write captures", () => {
  function sagemaker(offlineTableFormat: string) {
    const stack = newStack();
    new FeatureStore(stack, "features", { engine: FeatureEngine.sagemaker({ offlineTableFormat }), featureGroups: GROUPS });
    const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
    new ServingEndpoint(stack, "fraud", { engine: ServingEngine.sagemaker({}), model: registry.model("fraud", "3") });
    return synthApp(stack.node.root as App).platform;
  }

  test("GIVEN Iceberg THEN the offline-store role may get and update the tables of sagemaker_featurestore", () => {
    const s = statement(sagemaker("Iceberg"), "features/SageMaker/OfflineStoreRole", "CommitIcebergTables");
    expect(s.actions).toEqual(["glue:GetTable", "glue:UpdateTable"]);
    expect(s.resources.map((r: string) => r.replace(/^.*:glue:[^:]+:[^:]+:/, ""))).toEqual([
      "catalog",
      "database/sagemaker_featurestore",
      "table/sagemaker_featurestore/*",
    ]);
  });

  test("GIVEN Glue tables THEN no Glue permission (SageMaker creates them itself)", () => {
    const doc = sagemaker("Glue");
    const sids = policyStatements(doc, resource(doc, "aws_iam_role_policy", "features/SageMaker/OfflineStoreRole/Policy").values.policy).map(
      (s) => s.sid,
    );
    expect(sids).not.toContain("CommitIcebergTables");
  });

  test("the endpoint's execution role can decrypt for multipart capture uploads", () => {
    expect(statement(sagemaker("Glue"), "fraud/Role", "EncryptCaptures").actions).toContain("kms:Decrypt");
  });
});

describe("15. Cluster Autoscaler needs one vCPU and memory size per node group", () => {
  test("GIVEN g6.xlarge and g6.2xlarge in one pool THEN a clear error", () => {
    const message = validationError(
      () => new TrainingCluster(newStack(), "t", { gpuNodePools: [{ name: "l4", instanceTypes: ["g6.xlarge", "g6.2xlarge"] }] }),
    ).message;
    expect(message).toBe(
      'TrainingCluster platform/t: gpuNodePools[0].instanceTypes[1] ("g6.2xlarge") has 8 vCPUs and 32 GiB, but g6.xlarge has 4 vCPUs and 16 GiB: Cluster Autoscaler needs equal vCPU and memory across a node group\'s instance types (make a pool per size)',
    );
  });

  test("GIVEN types of one shape (p4d and p4de) THEN a pool", () => {
    expect(
      () => new TrainingCluster(newStack(), "t", { gpuNodePools: [{ name: "a100", instanceTypes: ["p4d.24xlarge", "p4de.24xlarge"] }] }),
    ).not.toThrow();
  });
});

describe("7. one access entry per role", () => {
  test("GIVEN a role twice in adminRoleArns THEN a clear error instead of a 409 at apply", () => {
    const arn = "arn:aws:iam::111122223333:role/admins";
    expect(validationError(() => new TrainingCluster(newStack(), "t", { adminRoleArns: [arn, arn] })).message).toBe(
      "TrainingCluster platform/t: adminRoleArns (array of 2) must not name a role twice (a second access entry for one role fails with 409)",
    );
  });
});

describe("7. the deploying role and the cluster's admins", () => {
  const deployer = "arn:aws:iam::111122223333:role/ci-deployer";

  test("GIVEN the stack's deployRoleArn among adminRoleArns THEN a clear error instead of a 409 at apply", () => {
    const stack = newStack({ deployRoleArn: deployer });
    expect(validationError(() => new TrainingCluster(stack, "t", { adminRoleArns: [deployer] })).message).toContain(
      "TrainingCluster platform/t: adminRoleArns names arn:aws:iam::111122223333:role/ci-deployer, the role that deploys the stack and so creates the cluster",
    );
    // Without the creator's own entry, listing it is how it gets access.
    expect(
      () => new TrainingCluster(newStack({ deployRoleArn: deployer }), "t", { adminRoleArns: [deployer], clusterCreatorAdmin: false }),
    ).not.toThrow();
  });

  test("GIVEN deployRoleArn THEN Terraform assumes it, and the cluster's providers ask for tokens as it", () => {
    const app = newApp();
    const aws = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml", deployRoleArn: deployer });
    const kube = new MlopsStack(app, "platform-kubernetes", { region: "eu-west-1", name: "acme-ml", deployRoleArn: deployer });
    new TrainingCluster(aws, "training", { kubernetesStack: kube, privateEndpointCidrs: ["10.0.0.0/8"] });
    const docs = synthApp(app);
    expect((docs.platform.provider!.aws as Record<string, any>[])[0].assume_role).toEqual([{ role_arn: deployer }]);
    const [k8s] = docs["platform-kubernetes"].provider!.kubernetes as Record<string, any>[];
    expect(k8s.exec[0].args).toEqual(expect.arrayContaining(["--role-arn", deployer]));
  });
});
