import { Aspects } from "cdktf";
import {
  Exposure,
  FeastEngineOptions,
  FeatureEngine,
  FeatureGroupDefinition,
  FeatureStore,
  FeatureType,
  GuardrailPack,
  MlopsGuardrails,
  MlopsStack,
  SignIn,
  TrainingCluster,
} from "../../src";
import { FEAST_SERVER } from "../../src/feature-store/private/feast-engine";
import { manifestOf } from "../../src/core/manifest";
import {
  allStrings,
  newApp,
  newStack,
  policyStatements,
  resource,
  resources,
  synth,
  synthApp,
  TfDoc,
  validationError,
  TEST_CERTIFICATE_ARN as CERT,
} from "../helpers";
import { violations } from "../invariants";
import * as albAnnotations from "../fixtures/alb-ingress-annotations.json";

const OIDC_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:feast-oidc-AbCdEf";
const oidc = () =>
  SignIn.oidc({
    issuer: "https://acme.okta.com",
    authorizationEndpoint: "https://acme.okta.com/oauth2/v1/authorize",
    tokenEndpoint: "https://acme.okta.com/oauth2/v1/token",
    userInfoEndpoint: "https://acme.okta.com/oauth2/v1/userinfo",
    clientSecretArn: OIDC_SECRET,
  });
const cognito = () =>
  SignIn.cognito({
    userPoolArn: "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC",
    userPoolClientId: "abc",
    userPoolDomain: "acme-ml",
  });
const internal = (extra: Record<string, unknown> = {}) =>
  Exposure.internalLoadBalancer({ hostname: "features.ml.acme.io", certificateArn: CERT, ...extra });

const transactions: FeatureGroupDefinition = {
  name: "transactions",
  recordIdentifier: "customer_id",
  eventTimeFeature: "event_time",
  features: [
    { name: "customer_id", type: FeatureType.STRING },
    { name: "event_time", type: FeatureType.UNIX_TIMESTAMP },
    { name: "amount_avg", type: FeatureType.FLOAT64 },
  ],
};

/** The cluster and the store in one stack (the store's Kubernetes objects in the cluster's stack). */
function single(engine: Partial<FeastEngineOptions> = {}) {
  const stack = newStack();
  const cluster = new TrainingCluster(stack, "training");
  const store = new FeatureStore(stack, "features", { engine: FeatureEngine.feast({ cluster, ...engine }), featureGroups: [transactions] });
  return { stack, cluster, store, doc: synth(stack) };
}

/** The cluster in a platform stack, the store in a workloads stack of its own. */
function split(engine: Partial<FeastEngineOptions> = {}) {
  const app = newApp();
  const platform = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
  const workloads = new MlopsStack(app, "workloads", { region: "eu-west-1", name: "acme-ml" });
  const cluster = new TrainingCluster(platform, "training");
  const store = new FeatureStore(workloads, "features", { engine: FeatureEngine.feast({ cluster, ...engine }), featureGroups: [transactions] });
  return { app, store, docs: synthApp(app) };
}

const outputValues = (doc: TfDoc) => Object.values(doc.output ?? {}).map((o) => (o as { value: string }).value);

describe("Feast feature server exposure", () => {
  test("GIVEN no exposure THEN no Ingress, no load balancer controller, no URL output, no load balancer rule", () => {
    const { doc, store } = single();
    expect(resources(doc, "kubernetes_ingress_v1")).toHaveLength(0);
    expect(resources(doc, "helm_release").map((r) => r.values.chart)).not.toContain("aws-load-balancer-controller");
    expect(Object.keys(doc.output ?? {}).some((k) => k.includes("UrlOutput"))).toBe(false);
    expect(store.feast!.externalUrl).toBeUndefined();
    expect(store.feast!.ingress).toBeUndefined();
    const allow = resource(doc, "kubernetes_network_policy_v1", "features/Feast/NetworkPolicyAllow").values;
    expect(allow.spec.ingress).toHaveLength(1);
  });

  test("GIVEN Exposure.internalOnly() THEN the same document as without exposure", () => {
    expect(JSON.stringify(single({ exposure: Exposure.internalOnly() }).doc)).toBe(JSON.stringify(single().doc));
  });

  describe("GIVEN an internal load balancer", () => {
    const { doc, store } = single({ exposure: internal() });
    const ingress = resource(doc, "kubernetes_ingress_v1", "features/Feast/Ingress").values;
    const a = ingress.metadata.annotations as Record<string, string>;

    test("THEN the namespace's pods get the load balancer controller's readiness gate (and not without exposure)", () => {
      const labels = (d: TfDoc) => resource(d, "kubernetes_namespace_v1", "features/Feast/Namespace").values.metadata.labels;
      expect(labels(doc)["elbv2.k8s.aws/pod-readiness-gate-inject"]).toBe("enabled");
      expect(labels(single().doc)["elbv2.k8s.aws/pod-readiness-gate-inject"]).toBeUndefined();
    });

    test("THEN an Ingress of class alb routes the read and health paths of the host to the chart's Service, port 80", () => {
      expect(ingress.spec.ingress_class_name).toBe("alb");
      expect(ingress.metadata.name).toBe("feast-feature-server");
      expect(ingress.metadata.namespace).toMatch(/^\$\{kubernetes_namespace_v1\..*Namespace.*\.metadata\[0\]\.name\}$/);
      const backend = { service: { name: "feast-feature-server", port: { number: 80 } } };
      expect(ingress.spec.rule).toEqual([
        {
          host: "features.ml.acme.io",
          http: {
            path: [
              { path: "/get-online-features", path_type: "Exact", backend },
              { path: "/health", path_type: "Exact", backend },
            ],
          },
        },
      ]);
      // The chart's release name contains the chart name, so its full name (the Service's) is the release name.
      const release = resource(doc, "helm_release", "features/Feast/FeatureServer").values;
      expect(release.name).toBe(FEAST_SERVER.service);
      expect(release.chart).toBe("feast-feature-server");
    });

    test("THEN the write and materialization paths are not routed", () => {
      const paths = ingress.spec.rule[0].http.path.map((p: { path: string }) => p.path);
      for (const p of ["/push", "/write-to-online-store", "/materialize", "/materialize-incremental", "/"]) expect(paths).not.toContain(p);
    });

    test("THEN the ALB is internal, HTTPS only with the modern TLS policy, redirects HTTP, logs access and health-checks /health", () => {
      expect(a).toMatchObject({
        "alb.ingress.kubernetes.io/scheme": "internal",
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
        "alb.ingress.kubernetes.io/ssl-redirect": "443",
        "alb.ingress.kubernetes.io/certificate-arn": CERT,
        "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "alb.ingress.kubernetes.io/healthcheck-path": "/health",
        "alb.ingress.kubernetes.io/group.name": "feast-feast",
      });
      expect(a["alb.ingress.kubernetes.io/load-balancer-attributes"]).toContain("access_logs.s3.enabled=true");
      expect(a["alb.ingress.kubernetes.io/inbound-cidrs"]).toMatch(/data\.aws_vpc\..*\.cidr_block/);
      expect(a["alb.ingress.kubernetes.io/subnets"]).toMatch(/aws_subnet\..*private/i);
      expect(a["alb.ingress.kubernetes.io/auth-type"]).toBeUndefined();
    });

    test("THEN every annotation is one the pinned load balancer controller reads", () => {
      const known = new Set(albAnnotations.ingressAnnotationSuffixes);
      expect(Object.keys(a).filter((k) => !known.has(k.replace("alb.ingress.kubernetes.io/", "")))).toEqual([]);
    });

    test("THEN the controller is installed once and the Ingress waits for it and the feature server's release", () => {
      expect(resources(doc, "helm_release").filter((r) => r.values.chart === "aws-load-balancer-controller")).toHaveLength(1);
      expect(ingress.depends_on).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^helm_release\..*FeatureServer/),
          expect.stringMatching(/^helm_release\..*AwsLoadBalancerController/),
        ]),
      );
    });

    test("THEN the NetworkPolicy lets the VPC reach the pods on the container port 6566 only", () => {
      const allow = resource(doc, "kubernetes_network_policy_v1", "features/Feast/NetworkPolicyAllow").values;
      expect(allow.spec.ingress).toHaveLength(2);
      const rule = allow.spec.ingress[1];
      expect(rule.ports).toEqual([{ port: "6566", protocol: "TCP" }]);
      expect(rule.from).toHaveLength(1);
      expect(rule.from[0].ip_block.cidr).toMatch(/data\.aws_vpc\..*\.cidr_block/);
      expect(FEAST_SERVER.containerPort).toBe(6566);
    });

    test("THEN the URL is an output, on the store's resources and in the review manifest", () => {
      expect(outputValues(doc)).toContain("https://features.ml.acme.io");
      expect(store.feast!.externalUrl).toBe("https://features.ml.acme.io");
      expect(store.feast!.ingress).toBeDefined();
      const entry = manifestOf(store).entries.find((e) => e.path === store.node.path && e.kind === "FeatureStore")!;
      expect(entry.exposure).toEqual({ scheme: "internal", url: "https://features.ml.acme.io", signIn: "none" });
      expect(entry.engine).toBe("feast");
    });

    test("THEN the document keeps every invariant", () => {
      expect(violations(doc)).toEqual([]);
    });
  });

  test("GIVEN a TLS policy of the user's THEN the listener uses it", () => {
    const { doc } = single({ exposure: internal({ sslPolicy: "ELBSecurityPolicy-FS-1-2-Res-2020-10" }) });
    const a = resource(doc, "kubernetes_ingress_v1", "features/Feast/Ingress").values.metadata.annotations;
    expect(a["alb.ingress.kubernetes.io/ssl-policy"]).toBe("ELBSecurityPolicy-FS-1-2-Res-2020-10");
  });

  test("GIVEN hostedZoneId instead of a certificate THEN the listener uses the certificate the store requests and validates", () => {
    const { doc } = single({ exposure: Exposure.internalLoadBalancer({ hostname: "features.ml.acme.io", hostedZoneId: "Z0123456789ABC" }) });
    const cert = resource(doc, "aws_acm_certificate", "features/Feast/Certificate").values;
    expect(cert).toMatchObject({ domain_name: "features.ml.acme.io", validation_method: "DNS" });
    const a = resource(doc, "kubernetes_ingress_v1", "features/Feast/Ingress").values.metadata.annotations;
    expect(a["alb.ingress.kubernetes.io/certificate-arn"]).toMatch(/aws_acm_certificate_validation\..*\.certificate_arn/);
  });

  describe("GIVEN an internet-facing load balancer with OIDC sign-in, the store in a workloads stack", () => {
    const exposure = Exposure.internetFacingLoadBalancer({
      hostname: "features.acme.io",
      certificateArn: CERT,
      allowedCidrs: ["203.0.113.0/24"],
      signIn: oidc(),
    });
    const { docs } = split({ exposure });
    const doc = docs.workloads;
    const ingress = resource(doc, "kubernetes_ingress_v1", "features/Feast/Ingress").values;
    const a = ingress.metadata.annotations as Record<string, string>;
    const manifests = resources(doc, "kubernetes_manifest").map((m) => m.values.manifest as Record<string, any>);

    test("THEN the ALB is internet-facing in the public subnets, open only to the allow-list, and authenticates with OIDC", () => {
      expect(a["alb.ingress.kubernetes.io/scheme"]).toBe("internet-facing");
      expect(a["alb.ingress.kubernetes.io/subnets"]).toMatch(/public/i);
      expect(a["alb.ingress.kubernetes.io/inbound-cidrs"]).toBe("203.0.113.0/24");
      expect(a["alb.ingress.kubernetes.io/auth-type"]).toBe("oidc");
      expect(a["alb.ingress.kubernetes.io/auth-on-unauthenticated-request"]).toBe("authenticate");
      expect(JSON.parse(a["alb.ingress.kubernetes.io/auth-idp-oidc"])).toEqual({
        issuer: "https://acme.okta.com",
        authorizationEndpoint: "https://acme.okta.com/oauth2/v1/authorize",
        tokenEndpoint: "https://acme.okta.com/oauth2/v1/token",
        userInfoEndpoint: "https://acme.okta.com/oauth2/v1/userinfo",
        secretName: "feast-feast-alb-oidc-client",
      });
    });

    test("THEN External Secrets syncs the client into the Feast namespace, and the controller may read Secrets there only", () => {
      expect(manifests.map((m) => [m.kind, m.metadata.namespace]).sort()).toEqual([
        ["ExternalSecret", "feast"],
        ["Role", "feast"],
        ["RoleBinding", "feast"],
        ["SecretStore", "feast"],
      ]);
      const es = manifests.find((m) => m.kind === "ExternalSecret")!;
      expect(es.metadata.name).toBe("feast-feast-alb-oidc-client");
      expect(es.spec.data.map((d: { secretKey: string; remoteRef: { key: string } }) => [d.secretKey, d.remoteRef.key])).toEqual([
        ["clientID", OIDC_SECRET],
        ["clientSecret", OIDC_SECRET],
      ]);
      expect(manifests.find((m) => m.kind === "RoleBinding")!.subjects).toEqual([
        { kind: "ServiceAccount", name: "aws-load-balancer-controller", namespace: "kube-system" },
      ]);
      expect(manifests.find((m) => m.kind === "SecretStore")!.spec.provider.aws).toEqual({ service: "SecretsManager", region: "eu-west-1" });
      expect(ingress.depends_on.filter((x: string) => x.startsWith("kubernetes_manifest."))).toHaveLength(4);
      const grant = resources(doc, "aws_iam_role_policy").find((p) => p.path.endsWith("ExternalSecretsCanReadOidcClient"))!;
      expect(policyStatements(doc, grant.values.policy)).toEqual([expect.objectContaining({ sid: "ReadOneSecret", resources: [OIDC_SECRET] })]);
      expect(allStrings(docs).some((s) => s.includes('clientSecret":"'))).toBe(false);
    });

    test("THEN the load balancer's rule names the public subnets' CIDR blocks, on port 6566", () => {
      const allow = resource(doc, "kubernetes_network_policy_v1", "features/Feast/NetworkPolicyAllow").values;
      const rule = allow.spec.ingress[1];
      expect(rule.ports).toEqual([{ port: "6566", protocol: "TCP" }]);
      expect(rule.from.length).toBeGreaterThan(0);
      for (const f of rule.from) expect(f.ip_block.cidr).toMatch(/data\.aws_subnet\..*\.cidr_block/);
    });

    test("THEN the URL is an output of the store's stack", () => {
      expect(outputValues(doc)).toContain("https://features.acme.io");
    });

    test("THEN every document keeps the invariants", () => {
      for (const d of Object.values(docs)) expect(violations(d)).toEqual([]);
    });
  });

  test("GIVEN Cognito sign-in THEN the ALB authenticates with the user pool, with no Secret to sync", () => {
    const { doc } = single({ exposure: internal({ signIn: cognito() }) });
    const a = resource(doc, "kubernetes_ingress_v1", "features/Feast/Ingress").values.metadata.annotations;
    expect(a["alb.ingress.kubernetes.io/auth-type"]).toBe("cognito");
    expect(JSON.parse(a["alb.ingress.kubernetes.io/auth-idp-cognito"])).toEqual({
      userPoolARN: "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC",
      userPoolClientID: "abc",
      userPoolDomain: "acme-ml",
    });
    expect(resources(doc, "kubernetes_manifest").filter((m) => m.path.includes("features/"))).toHaveLength(0);
  });

  describe("refusals", () => {
    const build = (exposure: Exposure) => () => single({ exposure });
    test("an internet-facing load balancer without allowed networks", () => {
      expect(
        validationError(build(Exposure.internetFacingLoadBalancer({ hostname: "features.acme.io", certificateArn: CERT, signIn: cognito() })))
          .message,
      ).toMatch(/FeatureEngine\.feast .*exposure\.loadBalancer \(object\) needs allowedCidrs on an internet-facing load balancer/);
    });
    test("an internet-facing load balancer open to the whole internet", () => {
      expect(
        validationError(
          build(
            Exposure.internetFacingLoadBalancer({
              hostname: "features.acme.io",
              certificateArn: CERT,
              allowedCidrs: ["0.0.0.0/0"],
              signIn: cognito(),
            }),
          ),
        ).message,
      ).toMatch(/allowedCidrs\[0\].*must not open an internet-facing load balancer to the whole internet/);
    });
    test("an internet-facing load balancer without sign-in", () => {
      expect(
        validationError(
          build(Exposure.internetFacingLoadBalancer({ hostname: "features.acme.io", certificateArn: CERT, allowedCidrs: ["203.0.113.0/24"] })),
        ).message,
      ).toMatch(/exposure\.loadBalancer \(object\) needs signIn on an internet-facing load balancer/);
    });
    test("a load balancer without a certificate or a zone", () => {
      expect(validationError(build(Exposure.internalLoadBalancer({ hostname: "features.acme.io" }))).message).toMatch(
        /needs certificateArn .* or hostedZoneId/,
      );
    });
    test("OIDC sign-in with the store's Kubernetes objects in the stack that installs the External Secrets CRDs", () => {
      expect(validationError(build(internal({ signIn: oidc() }))).message).toMatch(
        /FeatureEngine\.feast platform\/features: exposure \(OIDC sign-in\) .*Create the FeatureStore in a separate workloads stack, or sign in with SignIn\.cognito/,
      );
    });
    test("an internet-facing load balancer on a network without public subnets", () => {
      const stack = newStack();
      const cluster = TrainingCluster.fromClusterAttributes(stack, "existing", {
        clusterName: "prod-eks",
        clusterEndpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
        clusterCertificateAuthorityData: "Q0E=",
        oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
        oidcIssuerUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
        clusterSecurityGroupId: "sg-0123456789abcdef0",
        vpcId: "vpc-0123456789abcdef0",
        privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
      });
      const exposure = Exposure.internetFacingLoadBalancer({
        hostname: "features.acme.io",
        certificateArn: CERT,
        allowedCidrs: ["203.0.113.0/24"],
        signIn: cognito(),
      });
      expect(
        validationError(
          () => new FeatureStore(stack, "features", { engine: FeatureEngine.feast({ cluster, exposure }), featureGroups: [transactions] }),
        ).message,
      ).toMatch(/FeatureEngine\.feast platform\/features: exposure \(internet-facing\) needs public subnets/);
    });
    test("nothing is built before the refusal", () => {
      const stack = newStack();
      const cluster = new TrainingCluster(stack, "training");
      const exposure = Exposure.internetFacingLoadBalancer({ hostname: "features.acme.io", certificateArn: CERT });
      expect(
        () => new FeatureStore(stack, "features", { engine: FeatureEngine.feast({ cluster, exposure }), featureGroups: [transactions] }),
      ).toThrow();
      expect(cluster.node.tryFindChild("AwsLoadBalancerControllerRole")).toBeUndefined();
      expect(stack.node.tryFindChild("features")?.node.tryFindChild("OfflineStore")).toBeUndefined();
    });
  });
});

test("GIVEN the feature server on an internet-facing ALB with every guardrail pack on THEN no unsuppressed finding", () => {
  const app = newApp();
  const stack = newStack({}, app);
  const cluster = new TrainingCluster(stack, "training", { privateEndpointCidrs: ["10.100.0.0/16"] });
  new FeatureStore(stack, "features", {
    engine: FeatureEngine.feast({
      cluster,
      exposure: Exposure.internetFacingLoadBalancer({
        hostname: "features.acme.io",
        certificateArn: CERT,
        allowedCidrs: ["203.0.113.0/24"],
        signIn: cognito(),
      }),
    }),
    featureGroups: [transactions],
  });
  const guardrails = new MlopsGuardrails({ packs: [GuardrailPack.SECURITY, GuardrailPack.COST, GuardrailPack.DATA_PROTECTION] });
  Aspects.of(app).add(guardrails);
  app.synth();
  expect(guardrails.findings.filter((f) => !f.suppressedReason).map((f) => `${f.ruleId} ${f.constructPath}: ${f.message}`)).toEqual([]);
  expect(guardrails.findings.some((f) => f.suppressedReason)).toBe(true); // the aspect ran (the log bucket's SSE-S3 is suppressed with its reason)
});
