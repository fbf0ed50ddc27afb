import { buildReferencePlatform, EXPOSURE_CONFIG } from "../../examples/reference-platform/main";
import { helmValues, newApp, resource, resources, synthApp, TfDoc } from "../helpers";

/** The reference platform reaches MLflow and the fraud endpoint through internal ALBs, with NetworkPolicies on (issue 18). */
describe("examples/reference-platform: exposure and NetworkPolicies", () => {
  const app = newApp();
  const built = buildReferencePlatform(app);
  const docs = synthApp(app);
  const kube = docs["ml-platform-kubernetes"];
  const workloads = docs["ml-workloads"];

  test("MLflow is on an internal ALB with the platform's certificate and Okta sign-in", () => {
    const a = helmValues(resource(kube, "helm_release", "registry/Mlflow/Server")).ingress.annotations;
    expect(a).toMatchObject({
      "alb.ingress.kubernetes.io/scheme": "internal",
      "alb.ingress.kubernetes.io/certificate-arn": EXPOSURE_CONFIG.certificateArn,
      "alb.ingress.kubernetes.io/inbound-cidrs": "10.0.0.0/16,10.200.0.0/16",
      "alb.ingress.kubernetes.io/auth-type": "oidc",
    });
    expect(JSON.parse(a["alb.ingress.kubernetes.io/auth-idp-oidc"]).issuer).toBe("https://acme.okta.com");
  });

  test("the fraud endpoint is on an internal ALB of its own, routed to its predictor", () => {
    const ingress = resource(workloads, "kubernetes_ingress_v1", "fraud/Ingress").values;
    expect(ingress.metadata.annotations["alb.ingress.kubernetes.io/scheme"]).toBe("internal");
    expect(ingress.spec.rule[0].host).toBe(EXPOSURE_CONFIG.fraudHostname);
    expect(ingress.spec.rule[0].http.path[0].backend.service.name).toBe(`${built.fraud.endpointName}-predictor`);
  });

  test("the URLs of both are outputs of their stacks", () => {
    const values = (doc: TfDoc) => Object.values(doc.output ?? {}).map((o) => (o as { value: string }).value);
    expect(values(docs["ml-platform"])).toContain("https://mlflow.ml.acme.io");
    expect(values(workloads)).toContain("https://fraud.ml.acme.io");
  });

  test("NetworkPolicies are on: the agent in vpc-cni, default deny in the MLflow, Feast and serving namespaces", () => {
    const cni = resource(docs["ml-platform"], "aws_eks_addon", "training/Addon-vpc-cni").values;
    expect(JSON.parse(cni.configuration_values)).toEqual({ enableNetworkPolicy: "true" });
    const deny = [...resources(kube, "kubernetes_network_policy_v1"), ...resources(workloads, "kubernetes_network_policy_v1")].filter(
      (r) => r.values.metadata.name === "default-deny-ingress",
    );
    expect(deny.map((r) => r.path.split("/").slice(1, 3).join("/")).sort()).toEqual(
      ["ServingNetworkPolicy-serving-training-DefaultDeny", "features/Feast", "registry/Mlflow"].sort(),
    );
  });
});
