import {
  Exposure,
  FeatureEngine,
  FeatureStore,
  FeatureType,
  MlopsStack,
  ModelRegistry,
  RegistryEngine,
  ServingEndpoint,
  ServingEngine,
  TrainingCluster,
  TrainingClusterProps,
} from "../../src";
import { newApp, resource, resources, synthApp, TfDoc, TfResource, TEST_CERTIFICATE_ARN as CERT, IMPORTED_CLUSTER as IMPORTED } from "../helpers";
import { violations } from "../invariants";

/** A platform with MLflow, Feast and two KServe endpoints in one serving namespace. */
function platform(opts: { cluster?: TrainingClusterProps; imported?: { networkPolicies?: boolean }; mlflowExposure?: Exposure } = {}) {
  const app = newApp();
  const platformStack = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
  const workloads = new MlopsStack(app, "workloads", { region: "eu-west-1", name: "acme-ml" });
  const cluster = opts.imported
    ? TrainingCluster.fromClusterAttributes(platformStack, "training", { ...IMPORTED, ...opts.imported })
    : new TrainingCluster(platformStack, "training", { teams: [{ name: "fraud-team", gpuQuota: 2 }], ...opts.cluster });
  const registry = new ModelRegistry(platformStack, "registry", {
    engine: RegistryEngine.mlflow({ cluster, exposure: opts.mlflowExposure }),
    models: ["fraud", "churn"],
  });
  new FeatureStore(platformStack, "features", {
    engine: FeatureEngine.feast({ cluster }),
    featureGroups: [
      {
        name: "transactions",
        recordIdentifier: "customer_id",
        eventTimeFeature: "event_time",
        features: [
          { name: "customer_id", type: FeatureType.STRING },
          { name: "event_time", type: FeatureType.UNIX_TIMESTAMP },
        ],
      },
    ],
  });
  for (const m of ["fraud", "churn"]) new ServingEndpoint(workloads, m, { engine: ServingEngine.kserve({ cluster }), model: registry.model(m, "1") });
  return synthApp(app);
}

/** The policies of the component whose construct path contains `component`. */
const policies = (doc: TfDoc, component: string): TfResource[] =>
  resources(doc, "kubernetes_network_policy_v1").filter((r) => r.path.includes(component));
const byName = (list: TfResource[], name: string) => list.find((r) => r.values.metadata.name === name)!.values;
const KUBE_SYSTEM = { namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "kube-system" } } };
const TEAMS = { namespace_selector: { match_expressions: [{ key: "mlops/team", operator: "Exists" }] } };
const SERVING = { namespace_selector: { match_labels: { "mlops/serving": "true" } } };
const SAME = { pod_selector: {} };

describe("NetworkPolicies (enforced by the VPC CNI's network policy agent)", () => {
  const docs = platform();

  test("THEN the vpc-cni add-on runs the network policy agent (enableNetworkPolicy, a string in the add-on's schema)", () => {
    const cni = resource(docs.platform, "aws_eks_addon", "training/Addon-vpc-cni").values;
    expect(JSON.parse(cni.configuration_values)).toEqual({ enableNetworkPolicy: "true" });
    for (const other of resources(docs.platform, "aws_eks_addon").filter((r) => r.values.addon_name !== "vpc-cni"))
      expect(other.values.configuration_values === undefined || !other.values.configuration_values.includes("enableNetworkPolicy")).toBe(true);
  });

  test("THEN the MLflow namespace denies ingress by default and lets in kube-system, the teams and itself, after the chart made it", () => {
    const list = policies(docs.platform, "registry/Mlflow");
    expect(list).toHaveLength(2);
    for (const p of list) expect(p.values.metadata.namespace).toBe("mlflow");
    const deny = byName(list, "default-deny-ingress");
    expect(deny.spec).toEqual({ pod_selector: {}, policy_types: ["Ingress"] });
    const allow = byName(list, "allow-platform-ingress");
    expect(allow.spec.pod_selector).toEqual({});
    expect(allow.spec.policy_types).toEqual(["Ingress"]);
    expect(allow.spec.ingress).toEqual([{ from: [KUBE_SYSTEM, TEAMS, SAME] }]);
    expect(deny.depends_on.some((d: string) => d.startsWith("helm_release."))).toBe(true);
  });

  test("THEN the Feast namespace lets in kube-system, the teams, the serving namespaces and itself", () => {
    const list = policies(docs.platform, "features/");
    expect(list).toHaveLength(2);
    const ns = resources(docs.platform, "kubernetes_namespace_v1").find((r) => r.values.metadata.name === "feast")!;
    for (const p of list) expect(p.values.metadata.namespace).toBe(`\${${ns.address}.metadata[0].name}`);
    expect(byName(list, "allow-platform-ingress").spec.ingress).toEqual([{ from: [KUBE_SYSTEM, TEAMS, SERVING, SAME] }]);
    expect(byName(list, "default-deny-ingress").spec.policy_types).toEqual(["Ingress"]);
  });

  test("THEN the serving namespace is labelled for the feature store and gets its two policies once for both endpoints", () => {
    const ns = resources(docs.workloads, "kubernetes_namespace_v1").find((r) => r.values.metadata.name === "serving")!;
    expect(ns.values.metadata.labels["mlops/serving"]).toBe("true");
    const list = resources(docs.workloads, "kubernetes_network_policy_v1");
    expect(list.map((r) => r.values.metadata.name).sort()).toEqual(["allow-platform-ingress", "default-deny-ingress"]);
    expect(byName(list, "allow-platform-ingress").spec.ingress).toEqual([{ from: [KUBE_SYSTEM, TEAMS, SAME] }]);
    for (const p of list) expect(p.values.metadata.namespace).toContain("kubernetes_namespace_v1.");
  });

  test("THEN the team namespaces carry the label the policies select", () => {
    const team = resources(docs.platform, "kubernetes_namespace_v1").find((r) => r.values.metadata.name === "fraud-team")!;
    expect(team.values.metadata.labels["mlops/team"]).toBe("fraud-team");
  });

  test("THEN every document keeps the invariants", () => {
    for (const doc of Object.values(docs)) expect(violations(doc)).toEqual([]);
  });

  test("GIVEN MLflow behind an internal load balancer THEN the VPC may reach the server's port 5000, and only that port", () => {
    const d = platform({ mlflowExposure: Exposure.internalLoadBalancer({ hostname: "mlflow.ml.acme.io", certificateArn: CERT }) });
    const rules = byName(policies(d.platform, "registry/Mlflow"), "allow-platform-ingress").spec.ingress;
    expect(rules).toHaveLength(2);
    expect(rules[1].ports).toEqual([{ port: "5000", protocol: "TCP" }]);
    expect(rules[1].from).toHaveLength(1);
    expect(rules[1].from[0].ip_block.cidr).toMatch(/^\$\{data\.aws_vpc\..*\.cidr_block\}$/);
  });

  test("GIVEN networkPolicies: false THEN the add-on keeps EKS's defaults and no namespace gets a policy", () => {
    const d = platform({ cluster: { networkPolicies: false } });
    expect(resource(d.platform, "aws_eks_addon", "training/Addon-vpc-cni").values.configuration_values).toBeUndefined();
    expect(resources(d.platform, "kubernetes_network_policy_v1")).toHaveLength(0);
    expect(resources(d.workloads, "kubernetes_network_policy_v1")).toHaveLength(0);
  });

  test("GIVEN an imported cluster THEN no policy unless it says it enforces them", () => {
    const off = platform({ imported: {} });
    expect(resources(off.platform, "kubernetes_network_policy_v1")).toHaveLength(0);
    expect(resources(off.workloads, "kubernetes_network_policy_v1")).toHaveLength(0);
    const on = platform({ imported: { networkPolicies: true } });
    expect(resources(on.platform, "kubernetes_network_policy_v1")).toHaveLength(4);
    expect(resources(on.workloads, "kubernetes_network_policy_v1")).toHaveLength(2);
  });
});
