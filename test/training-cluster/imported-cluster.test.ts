import { App } from "cdktf";
import { DataAwsIamRole } from "@cdktf/provider-aws/lib/data-aws-iam-role";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import {
  FeatureEngine,
  FeatureStore,
  FeatureType,
  IKmsKeyRef,
  KmsKeyRef,
  MlopsStack,
  ModelRegistry,
  RegistryEngine,
  RoleRef,
  ServingEndpoint,
  ServingEngine,
  TrainingCluster,
  TrainingClusterAttributes,
} from "../../src";
import { newApp, newStack, resource, resources, synthApp, validationError } from "../helpers";

const ATTRS: TrainingClusterAttributes = {
  clusterName: "acme-prod",
  clusterEndpoint: "https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com",
  clusterCertificateAuthorityData: "LS0tLS1CRUdJTi0tLS0t",
  oidcProviderArn: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF",
  oidcIssuerUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF",
  clusterSecurityGroupId: "sg-0123456789abcdef0",
  vpcId: "vpc-0123456789abcdef0",
  privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
};

const GROUPS = [
  {
    name: "transactions",
    recordIdentifier: "customer_id",
    eventTimeFeature: "event_time",
    features: [
      { name: "customer_id", type: FeatureType.STRING },
      { name: "event_time", type: FeatureType.UNIX_TIMESTAMP },
    ],
  },
];

describe("TrainingCluster.fromClusterAttributes", () => {
  test("GIVEN literal attributes THEN MLflow runs on it in the same stack, named by the given cluster name", () => {
    const stack = newStack();
    const cluster = TrainingCluster.fromClusterAttributes(stack, "cluster", ATTRS);
    new ModelRegistry(stack, "registry", { engine: RegistryEngine.mlflow({ cluster }), models: ["fraud"] });
    const doc = synthApp(stack.node.root as App).platform;
    expect(resources(doc, "aws_eks_cluster")).toEqual([]);
    expect(resource(doc, "aws_eks_pod_identity_association", "Mlflow/ServerPodIdentity").values.cluster_name).toBe("acme-prod");
    expect(
      resources(doc, "helm_release")
        .map((r) => r.values.chart)
        .sort(),
    ).toEqual(["external-secrets", "mlflow", "reloader"]);
    const [k8s] = doc.provider!.kubernetes as Record<string, any>[];
    expect(k8s.host).toBe(ATTRS.clusterEndpoint);
    expect(k8s.exec[0].args).toContain("acme-prod");
    expect(cluster.hasGpuNodes).toBe(false);
  });

  test("GIVEN no GPU nodes THEN a GPU endpoint says what to do", () => {
    const app = newApp();
    const stack = newStack({}, app, "layer");
    const cluster = TrainingCluster.fromClusterAttributes(stack, "cluster", ATTRS);
    const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
    const serving = new MlopsStack(app, "serving", { region: "eu-west-1", name: "acme-ml" });
    const message = validationError(
      () => new ServingEndpoint(serving, "fraud", { engine: ServingEngine.kserve({ cluster }), model: registry.model("fraud", "1"), gpu: true }),
    ).message;
    expect(message).toContain("needs GPU nodes on the cluster layer/cluster");
    expect(message).toContain("say gpuNodes: true in fromClusterAttributes");
  });

  test("GIVEN gpuNodes THEN a GPU endpoint is placed on them with IRSA through the given OIDC provider", () => {
    const app = newApp();
    const stack = newStack({}, app, "layer");
    const cluster = TrainingCluster.fromClusterAttributes(stack, "cluster", { ...ATTRS, gpuNodes: true });
    const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
    const serving = new MlopsStack(app, "serving", { region: "eu-west-1", name: "acme-ml" });
    new ServingEndpoint(serving, "fraud", {
      engine: ServingEngine.kserve({ cluster, modelFormat: "sklearn" }),
      model: registry.model("fraud", "1"),
      gpu: true,
    });
    const docs = synthApp(app);
    const trust = Object.values(docs.serving.data!.aws_iam_policy_document).find((d: any) => d.statement[0].sid === "TrustedServiceAccount") as any;
    expect(trust.statement[0].principals[0].identifiers).toEqual([ATTRS.oidcProviderArn]);
    // KServe is installed in the import's stack; nothing waits on node groups that do not exist.
    expect(resources(docs.layer, "helm_release").map((r) => r.values.chart)).toContain("kserve-resources");
    expect(resource(docs.layer, "helm_release", "KServe/CertManager").values.depends_on).toBeUndefined();
  });

  test.each([
    [{ clusterSecurityGroupId: "default" }, 'clusterSecurityGroupId ("default") must be a security group id (sg-...)'],
    [{ privateSubnetIds: ["subnet-0123456789abcdef0"] }, "privateSubnetIds (array of 1) must name at least two subnets"],
    [{ clusterEndpoint: "ABCDEF.eks.amazonaws.com" }, 'clusterEndpoint ("ABCDEF.eks.amazonaws.com") must be the API server URL'],
    [{ kubernetesVersion: "1.20" }, 'kubernetesVersion ("1.20") must be one of'],
  ])("GIVEN %j THEN a clear error", (bad, expected) => {
    const message = validationError(() => TrainingCluster.fromClusterAttributes(newStack(), "cluster", { ...ATTRS, ...bad })).message;
    expect(message).toContain(`TrainingCluster.fromClusterAttributes platform/cluster: ${expected}`);
  });
});

describe("grants take any role with a name and an ARN", () => {
  function registry(stack = newStack()) {
    return new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"] });
  }

  test.each([
    ["an IamRole of the stack", (s: MlopsStack) => new IamRole(s, "ci", { name: "ci", assumeRolePolicy: "{}" }), "${aws_iam_role.ci.name}"],
    ["a DataAwsIamRole of a role that exists", (s: MlopsStack) => new DataAwsIamRole(s, "ci", { name: "ci" }), "${data.aws_iam_role.ci.name}"],
    ["RoleRef.fromRoleArn of a literal ARN", () => RoleRef.fromRoleArn("arn:aws:iam::111122223333:role/path/ci"), "ci"],
  ])("%s", (_, make, expectedRole) => {
    const stack = newStack();
    const r = registry(stack);
    r.grantRead(make(stack));
    const policy = resources(synthApp(stack.node.root as App).platform, "aws_iam_role_policy")[0];
    expect(policy.values).toMatchObject({ role: expectedRole, name: "registry-read" });
  });

  test("RoleRef.fromRoleArn of a deploy-time ARN takes the name from the ARN in Terraform", () => {
    const stack = newStack();
    registry(stack).grantRead(RoleRef.fromRoleArn(new DataAwsIamRole(stack, "ci", { name: "ci" }).arn));
    const policy = resources(synthApp(stack.node.root as App).platform, "aws_iam_role_policy")[0];
    expect(policy.values.role).toBe('${element(reverse(split("/", data.aws_iam_role.ci.arn)), 0)}');
  });

  test("granting twice to one role is one policy", () => {
    const stack = newStack();
    const r = registry(stack);
    const role = RoleRef.fromRoleArn("arn:aws:iam::111122223333:role/ci");
    expect(r.grantRead(role)).toBe(r.grantRead(role));
    expect(resources(synthApp(stack.node.root as App).platform, "aws_iam_role_policy")).toHaveLength(1);
  });

  test("two stacks granting to one role get two policy names", () => {
    const app = newApp();
    const role = RoleRef.fromRoleArn("arn:aws:iam::111122223333:role/ci");
    const a = newStack({}, app, "a");
    const b = newStack({}, app, "b");
    registry(a).grantRead(role);
    new FeatureStore(b, "registry", { engine: FeatureEngine.sagemaker(), featureGroups: GROUPS }).grantIngest(role);
    registry(new MlopsStack(app, "c", { region: "eu-west-1", name: "acme-ml" })).grantRead(role);
    const docs = synthApp(app);
    const names = ["a", "b", "c"].map((s) => resources(docs[s], "aws_iam_role_policy")[0].values.name);
    expect(names).toEqual(["registry-read", "registry-ingest", "c-registry-read"]);
  });
});

describe("KMS keys by reference", () => {
  test("GIVEN KmsKeyRef.fromKeyArn THEN the artifacts are encrypted with that key and no key is created", () => {
    const stack = newStack();
    const arn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud"], kmsKey: KmsKeyRef.fromKeyArn(arn) });
    const doc = synthApp(stack.node.root as App).platform;
    const sse = resource(doc, "aws_s3_bucket_server_side_encryption_configuration", "registry/Artifacts/Encryption").values;
    expect(sse.rule[0].apply_server_side_encryption_by_default.kms_master_key_id).toBe(arn);
    expect(resource(doc, "aws_ecr_repository", "Repository-fraud").values.encryption_configuration[0].kms_key).toBe(arn);
  });

  test("GIVEN a KmsKey THEN it still fits", () => {
    const stack = newStack();
    const key: IKmsKeyRef = new KmsKey(stack, "mine", { enableKeyRotation: true });
    expect(() => new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), kmsKey: key })).not.toThrow();
  });

  test("GIVEN a bare ARN string THEN a clear error, not a silent fallback to another key", () => {
    const message = validationError(
      () =>
        new ModelRegistry(newStack(), "registry", {
          engine: RegistryEngine.sagemaker(),
          kmsKey: "arn:aws:kms:eu-west-1:1:key/x" as unknown as IKmsKeyRef,
        }),
    ).message;
    expect(message).toBe('ModelRegistry platform/registry: kmsKey ("arn:aws:kms:eu-west-1:1:key/x") must be a KmsKey or KmsKeyRef.fromKeyArn(arn)');
  });
});

describe("engine-specific resources are typed escape hatches", () => {
  test("registry.mlflow, store.feast, endpoint.kserve reach the engines' resources without a cast", () => {
    const app = newApp();
    const platform = newStack({}, app, "platform");
    const cluster = TrainingCluster.fromClusterAttributes(platform, "cluster", { ...ATTRS, gpuNodes: true });
    const registry = new ModelRegistry(platform, "registry", { engine: RegistryEngine.mlflow({ cluster }), models: ["fraud"] });
    const store = new FeatureStore(platform, "features", { engine: FeatureEngine.feast({ cluster }), featureGroups: GROUPS });
    const endpoint = new ServingEndpoint(new MlopsStack(app, "serving", { region: "eu-west-1", name: "acme-ml" }), "fraud", {
      engine: ServingEngine.kserve({ cluster }),
      model: registry.model("fraud", "1"),
    });
    registry.mlflow!.database.addOverride("performance_insights_retention_period", 7);
    expect(registry.sagemaker).toBeUndefined();
    expect(Object.keys(store.feast!.onlineTables)).toEqual(["transactions"]);
    expect(store.sagemaker).toBeUndefined();
    expect(endpoint.kserve!.inferenceService.manifest).toBeDefined();
    expect(endpoint.sagemaker).toBeUndefined();
    const docs = synthApp(app);
    expect(resource(docs.platform, "aws_db_instance", "Mlflow/Database").values.performance_insights_retention_period).toBe(7);
  });
});
