import { Aspects } from "cdktf";
import {
  Exposure,
  GuardrailPack,
  MlopsGuardrails,
  KServeEngineOptions,
  MlopsStack,
  ModelRegistry,
  RegistryEngine,
  ServingEndpoint,
  ServingEngine,
  SignIn,
  TrainingCluster,
  TrainingClusterProps,
} from "../../src";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { newApp, resource, resources, synthApp, validationError, TEST_CERTIFICATE_ARN as CERT } from "../helpers";
import { violations } from "../invariants";
import * as albAnnotations from "../fixtures/alb-ingress-annotations.json";

const OIDC_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:fraud-oidc-AbCdEf";
const internal = (extra: Record<string, unknown> = {}) =>
  Exposure.internalLoadBalancer({ hostname: "fraud.ml.acme.io", certificateArn: CERT, ...extra });
const oidc = () =>
  SignIn.oidc({
    issuer: "https://acme.okta.com",
    authorizationEndpoint: "https://acme.okta.com/oauth2/v1/authorize",
    tokenEndpoint: "https://acme.okta.com/oauth2/v1/token",
    userInfoEndpoint: "https://acme.okta.com/oauth2/v1/userinfo",
    clientSecretArn: OIDC_SECRET,
  });

function build(engine: Partial<KServeEngineOptions> = {}, clusterProps: TrainingClusterProps = {}) {
  const app = newApp();
  const platform = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
  const workloads = new MlopsStack(app, "workloads", { region: "eu-west-1", name: "acme-ml" });
  const cluster = new TrainingCluster(platform, "training", clusterProps);
  const registry = new ModelRegistry(platform, "registry", { engine: RegistryEngine.mlflow({ cluster }), models: ["fraud"] });
  const fraud = new ServingEndpoint(workloads, "fraud", {
    engine: ServingEngine.kserve({ cluster, ...engine }),
    model: registry.model("fraud", "3"),
  });
  return { app, fraud, registry, cluster, workloads, docs: () => synthApp(app) };
}

describe("KServe endpoint exposure", () => {
  test("GIVEN no exposure THEN no Ingress, no load balancer controller, no URL output", () => {
    const docs = build().docs();
    expect(resources(docs.workloads, "kubernetes_ingress_v1")).toHaveLength(0);
    expect(resources(docs.platform, "helm_release").map((r) => r.values.chart)).not.toContain("aws-load-balancer-controller");
    expect(Object.keys(docs.workloads.output ?? {}).some((k) => k.includes("UrlOutput"))).toBe(false);
  });

  describe("GIVEN an internal load balancer", () => {
    const { fraud, docs: d } = build({ exposure: internal() });
    const docs = d();
    const ingress = resource(docs.workloads, "kubernetes_ingress_v1", "fraud/Ingress").values;
    const a = ingress.metadata.annotations as Record<string, string>;

    test("THEN the Ingress of class alb routes the endpoint's host to its predictor Service (KServe's own Ingress stays off)", () => {
      expect(ingress.spec.ingress_class_name).toBe("alb");
      expect(ingress.metadata).toMatchObject({ name: fraud.endpointName, namespace: "serving" });
      expect(ingress.spec.rule).toEqual([
        {
          host: "fraud.ml.acme.io",
          http: {
            path: [{ path: "/", path_type: "Prefix", backend: { service: { name: `${fraud.endpointName}-predictor`, port: { number: 80 } } } }],
          },
        },
      ]);
      const controller = resource(docs.platform, "helm_release", "KServe/Controller");
      expect(JSON.parse(controller.values.values[0]).kserve.controller.gateway.disableIngressCreation).toBe(true);
    });

    test("THEN the ALB is internal, HTTPS only with the modern TLS policy, redirects HTTP, logs access and health-checks v2 readiness", () => {
      expect(a).toMatchObject({
        "alb.ingress.kubernetes.io/scheme": "internal",
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
        "alb.ingress.kubernetes.io/ssl-redirect": "443",
        "alb.ingress.kubernetes.io/certificate-arn": CERT,
        "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "alb.ingress.kubernetes.io/healthcheck-path": "/v2/health/ready",
        "alb.ingress.kubernetes.io/group.name": `kserve-serving-${fraud.endpointName}`,
      });
      expect(a["alb.ingress.kubernetes.io/load-balancer-attributes"]).toContain("access_logs.s3.enabled=true");
      expect(a["alb.ingress.kubernetes.io/inbound-cidrs"]).toMatch(/data\.aws_vpc\..*\.cidr_block/);
      expect(a["alb.ingress.kubernetes.io/auth-type"]).toBeUndefined();
    });

    test("THEN every annotation is one the pinned load balancer controller reads", () => {
      const known = new Set(albAnnotations.ingressAnnotationSuffixes);
      for (const k of Object.keys(a)) {
        const key = k.replace("alb.ingress.kubernetes.io/", "");
        expect(known.has(key) || key.startsWith("actions.")).toBe(true);
      }
    });

    test("THEN the controller is installed once in the platform stack and the Ingress waits for it and the InferenceService", () => {
      expect(resources(docs.platform, "helm_release").filter((r) => r.values.chart === "aws-load-balancer-controller")).toHaveLength(1);
      expect(ingress.depends_on.some((x: string) => x.startsWith("kubernetes_manifest."))).toBe(true);
    });

    test("THEN the URL is an output and on the endpoint's resources, and the in-cluster URL is unchanged", () => {
      expect(Object.values(docs.workloads.output ?? {}).map((o) => (o as { value: string }).value)).toContain("https://fraud.ml.acme.io");
      expect(fraud.kserve!.externalUrl).toBe("https://fraud.ml.acme.io");
      expect(fraud.endpointUrl).toBe(`http://${fraud.endpointName}-predictor.serving.svc.cluster.local`);
    });

    test("THEN the serving namespace's pods get the load balancer controller's readiness gate", () => {
      const ns = resources(docs.workloads, "kubernetes_namespace_v1").find((r) => r.path.includes("ServingNamespace-serving"))!;
      expect(ns.values.metadata.labels).toMatchObject({ "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled", "mlops/serving": "true" });
    });

    test("THEN a NetworkPolicy lets the VPC reach the endpoint's pods on the KServe agent's port only", () => {
      const np = resource(docs.workloads, "kubernetes_network_policy_v1", "fraud/LoadBalancerNetworkPolicy").values;
      expect(np.spec.pod_selector).toEqual({ match_labels: { "serving.kserve.io/inferenceservice": fraud.endpointName } });
      expect(np.spec.policy_types).toEqual(["Ingress"]);
      expect(np.spec.ingress).toHaveLength(1);
      expect(np.spec.ingress[0].ports).toEqual([{ port: "9081", protocol: "TCP" }]);
      expect(np.spec.ingress[0].from[0].ip_block.cidr).toMatch(/data\.aws_vpc\..*\.cidr_block/);
    });

    test("THEN the documents keep the invariants", () => {
      for (const doc of Object.values(docs)) expect(violations(doc)).toEqual([]);
    });

    test("THEN grantInvoke still throws, naming the networks and namespaces that decide who calls", () => {
      const role = new IamRole(fraud, "Caller", { assumeRolePolicy: "{}" });
      expect(() => fraud.grantInvoke(role)).toThrow(/exposure allowedCidrs .*team namespaces/);
    });
  });

  test("GIVEN a canary behind the load balancer THEN the listener splits by weight between the stable and canary Services", () => {
    const b = build();
    const d = build({ exposure: internal(), canary: { model: b.registry.model("fraud", "4"), trafficPercent: 10 } });
    const docs = d.docs();
    const name = d.fraud.endpointName;
    const ingress = resource(docs.workloads, "kubernetes_ingress_v1", "fraud/Ingress").values;
    const action = JSON.parse(ingress.metadata.annotations[`alb.ingress.kubernetes.io/actions.${name}-split`]);
    expect(action).toEqual({
      type: "forward",
      forwardConfig: {
        targetGroups: [
          { serviceName: `${name}-predictor`, servicePort: 80, weight: 90 },
          { serviceName: `${name}-canary-predictor`, servicePort: 80, weight: 10 },
        ],
      },
    });
    expect(ingress.spec.rule[0].http.path[0].backend).toEqual({ service: { name: `${name}-split`, port: { name: "use-annotation" } } });
    const isvc = resource(docs.workloads, "kubernetes_manifest", "fraud/InferenceService").values.manifest.spec;
    expect(isvc.canary[0]).toMatchObject({ trafficPercent: 10, predictor: { name: "canary" } });
    // The canary's Service targets the model server's port (KServe reconciles the canary without the logger's agent):
    // the load balancer must reach both ports, or the canary's target group never turns healthy.
    const np = resource(docs.workloads, "kubernetes_network_policy_v1", "fraud/LoadBalancerNetworkPolicy").values;
    expect(np.spec.ingress.map((r: { ports: { port: string }[] }) => r.ports[0].port)).toEqual(["9081", "8080"]);
  });

  test("GIVEN a canary with traffic but no load balancer THEN it is refused with KServe's reason", () => {
    const b = build();
    expect(() => build({ canary: { model: b.registry.model("fraud", "4"), trafficPercent: 10 } })).toThrow(
      /canary\.trafficPercent \(10\) would reach no request: KServe v0\.20 Standard mode runs the canary behind a Service of its own/,
    );
  });

  test("GIVEN a dark canary (0 %) without a load balancer THEN it is deployed", () => {
    const b = build();
    const d = build({ canary: { model: b.registry.model("fraud", "4"), trafficPercent: 0 } }).docs();
    expect(resource(d.workloads, "kubernetes_manifest", "fraud/InferenceService").values.manifest.spec.canary[0].trafficPercent).toBe(0);
  });

  test("GIVEN an internet-facing load balancer without allowedCidrs or sign-in THEN both are refused", () => {
    const e = validationError(() => build({ exposure: Exposure.internetFacingLoadBalancer({ hostname: "fraud.ml.acme.io", certificateArn: CERT }) }));
    expect(e.message).toMatch(/exposure\.loadBalancer.*needs allowedCidrs on an internet-facing load balancer/s);
    expect(e.message).toMatch(/needs signIn on an internet-facing load balancer/);
    expect(() =>
      build({
        exposure: Exposure.internetFacingLoadBalancer({
          hostname: "fraud.ml.acme.io",
          certificateArn: CERT,
          allowedCidrs: ["0.0.0.0/0"],
          signIn: oidc(),
        }),
      }),
    ).toThrow(/allowedCidrs\[0\].*must not open an internet-facing load balancer to the whole internet/);
  });

  test("the invariants catch an internet-facing Ingress without an allow-list or sign-in", () => {
    const doc = {
      resource: {
        kubernetes_ingress_v1: {
          open: {
            provider: "kubernetes.training",
            metadata: {
              annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing", "alb.ingress.kubernetes.io/inbound-cidrs": "0.0.0.0/0" },
            },
          },
        },
      },
    };
    expect(violations(doc)).toEqual([
      "kubernetes_ingress_v1.open: an internet-facing load balancer without an allow-list",
      "kubernetes_ingress_v1.open: an internet-facing load balancer without sign-in",
    ]);
  });

  describe("GIVEN an internet-facing load balancer with allowed networks and OIDC sign-in", () => {
    const { fraud, docs: d } = build({
      exposure: Exposure.internetFacingLoadBalancer({
        hostname: "fraud.ml.acme.io",
        certificateArn: CERT,
        allowedCidrs: ["203.0.113.0/24"],
        signIn: oidc(),
      }),
    });
    const docs = d();
    const a = resource(docs.workloads, "kubernetes_ingress_v1", "fraud/Ingress").values.metadata.annotations as Record<string, string>;

    test("THEN the ALB is in the public subnets, open to the named networks only, and authenticates with the IdP", () => {
      expect(a["alb.ingress.kubernetes.io/scheme"]).toBe("internet-facing");
      expect(a["alb.ingress.kubernetes.io/inbound-cidrs"]).toBe("203.0.113.0/24");
      expect(a["alb.ingress.kubernetes.io/subnets"]).toMatch(/PublicSubnet1.*PublicSubnet2/);
      expect(a["alb.ingress.kubernetes.io/auth-type"]).toBe("oidc");
      expect(JSON.parse(a["alb.ingress.kubernetes.io/auth-idp-oidc"]).secretName).toMatch(/-alb-oidc-client$/);
    });

    test("THEN the client secret reaches the namespace through External Secrets, never Terraform state", () => {
      const kinds = resources(docs.workloads, "kubernetes_manifest").map((r) => r.values.manifest.kind);
      expect(kinds).toEqual(expect.arrayContaining(["SecretStore", "ExternalSecret", "Role", "RoleBinding"]));
      const es = resources(docs.workloads, "kubernetes_manifest").find((r) => r.values.manifest.kind === "ExternalSecret")!.values.manifest;
      expect(es.metadata.namespace).toBe("serving");
      expect(es.spec.data.map((x: { remoteRef: { key: string } }) => x.remoteRef.key)).toEqual([OIDC_SECRET, OIDC_SECRET]);
      expect(JSON.stringify(docs)).not.toMatch(/clientSecret"\s*:\s*"[^$]/);
      const grants = resources(docs.workloads, "aws_iam_role_policy").filter((r) => r.path.includes("ExternalSecretsCanReadOidcClient"));
      expect(grants).toHaveLength(1);
      expect(fraud.kserve!.externalUrl).toBe("https://fraud.ml.acme.io");
    });

    test("THEN the NetworkPolicy admits only the public subnets' blocks (no pods there) on the agent's port", () => {
      const np = resource(docs.workloads, "kubernetes_network_policy_v1", "fraud/LoadBalancerNetworkPolicy").values;
      const cidrs = np.spec.ingress[0].from.map((f: { ip_block: { cidr: string } }) => f.ip_block.cidr);
      expect(cidrs.length).toBeGreaterThan(1);
      for (const c of cidrs) expect(c).toMatch(/data\.aws_subnet\..*\.cidr_block/);
    });
  });
});

describe("a certificate requested by the construct (ACM, DNS validation in a named Route 53 zone)", () => {
  const { docs: d } = build({ exposure: Exposure.internalLoadBalancer({ hostname: "fraud.ml.acme.io", hostedZoneId: "Z0123456789ABCDEFGHIJ" }) });
  const docs = d();
  const cert = resource(docs.workloads, "aws_acm_certificate", "fraud/Certificate");
  const record = resource(docs.workloads, "aws_route53_record", "fraud/CertificateValidationRecord");
  const validation = resource(docs.workloads, "aws_acm_certificate_validation", "fraud/CertificateValidation");

  test("THEN ACM issues a certificate for the host name, validated by a record in the zone, replaced before it goes", () => {
    expect(cert.values).toMatchObject({ domain_name: "fraud.ml.acme.io", validation_method: "DNS", lifecycle: { create_before_destroy: true } });
    expect(cert.values.tags["mlops:component"]).toBe("serving-endpoint");
    expect(record.values).toMatchObject({ zone_id: "Z0123456789ABCDEFGHIJ", ttl: 300, allow_overwrite: true });
    // domain_validation_options is a set: read through tolist (HCL legacy index .0), never indexed directly.
    expect(record.values.name).toBe(`\${tolist(${cert.address}.domain_validation_options).0.resource_record_name}`);
    expect(record.values.records).toEqual([`\${tolist(${cert.address}.domain_validation_options).0.resource_record_value}`]);
    expect(validation.values).toMatchObject({ certificate_arn: `\${${cert.address}.arn}`, validation_record_fqdns: [`\${${record.address}.fqdn}`] });
  });

  test("THEN the listener uses the validated certificate, so the Ingress waits until it is issued", () => {
    const a = resource(docs.workloads, "kubernetes_ingress_v1", "fraud/Ingress").values.metadata.annotations;
    expect(a["alb.ingress.kubernetes.io/certificate-arn"]).toBe(`\${${validation.address}.certificate_arn}`);
    for (const doc of Object.values(docs)) expect(violations(doc)).toEqual([]);
  });

  test("GIVEN neither or both of certificateArn and hostedZoneId THEN each is refused", () => {
    expect(() => build({ exposure: Exposure.internalLoadBalancer({ hostname: "fraud.ml.acme.io" }) })).toThrow(
      /exposure\.loadBalancer \(object\) needs certificateArn \(an ACM certificate\) or hostedZoneId/,
    );
    expect(() =>
      build({
        exposure: Exposure.internalLoadBalancer({ hostname: "fraud.ml.acme.io", certificateArn: CERT, hostedZoneId: "Z0123456789ABCDEFGHIJ" }),
      }),
    ).toThrow(/names both certificateArn and hostedZoneId/);
    expect(() => build({ exposure: Exposure.internalLoadBalancer({ hostname: "fraud.ml.acme.io", hostedZoneId: "zone-1" }) })).toThrow(
      /hostedZoneId \("zone-1"\) must be a Route 53 hosted zone id/,
    );
  });
});

test("GIVEN every guardrail pack THEN an internet-facing endpoint with a requested certificate, sign-in and a canary raises no finding", () => {
  const b = build();
  const { app } = build({
    exposure: Exposure.internetFacingLoadBalancer({
      hostname: "fraud.ml.acme.io",
      hostedZoneId: "Z0123456789ABCDEFGHIJ",
      allowedCidrs: ["203.0.113.0/24"],
      signIn: oidc(),
    }),
    canary: { model: b.registry.model("fraud", "4"), trafficPercent: 5 },
  });
  const guardrails = new MlopsGuardrails({ packs: [GuardrailPack.SECURITY, GuardrailPack.COST, GuardrailPack.DATA_PROTECTION] });
  Aspects.of(app).add(guardrails);
  app.synth();
  expect(guardrails.findings.filter((f) => !f.suppressedReason).map((f) => `${f.ruleId} ${f.constructPath}: ${f.message}`)).toEqual([]);
});
