import { Aspects, Fn } from "cdktf";
import { Exposure, GuardrailPack, MlopsGuardrails, ModelRegistry, RegistryEngine, SignIn, TrainingCluster } from "../../src";
import * as chartKeys from "../fixtures/chart-values-keys.json";
import * as albAnnotations from "../fixtures/alb-ingress-annotations.json";
import * as lbcPolicy from "../../src/training-cluster/private/data/aws-load-balancer-controller-iam-policy.json";
import {
  allStrings,
  helmValues,
  newApp,
  newStack,
  policyStatements,
  resource,
  resources,
  synth,
  validationError,
  TEST_CERTIFICATE_ARN as CERT,
  IMPORTED_CLUSTER as IMPORTED,
} from "../helpers";
import { violations } from "../invariants";
import { manifestOf } from "../../src/core/manifest";

const OIDC_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mlflow-oidc-AbCdEf";
const oidc = () =>
  SignIn.oidc({
    issuer: "https://acme.okta.com",
    authorizationEndpoint: "https://acme.okta.com/oauth2/v1/authorize",
    tokenEndpoint: "https://acme.okta.com/oauth2/v1/token",
    userInfoEndpoint: "https://acme.okta.com/oauth2/v1/userinfo",
    clientSecretArn: OIDC_SECRET,
  });

function platform(exposure?: Exposure) {
  const stack = newStack();
  const cluster = new TrainingCluster(stack, "training");
  new ModelRegistry(stack, "registry", { engine: RegistryEngine.mlflow({ cluster, exposure }), models: ["fraud"] });
  const doc = synth(stack);
  const mlflow = resource(doc, "helm_release", "registry/Mlflow/Server");
  return { stack, cluster, doc, mlflow, values: helmValues(mlflow) };
}

/** Keys of `values` that the chart's values.yaml lacks (children of a free-form map such as `nodeSelector: {}` pass). */
function unknownKeys(values: Record<string, unknown>, known: string[]): string[] {
  return keyPaths(values).filter((k) => {
    const parent = k.split(".").slice(0, -1).join(".");
    return !known.includes(k) && !(parent && known.includes(parent) && !known.some((x) => x.startsWith(`${parent}.`)));
  });
}

/** Every dotted key path of `values` down to `depth` levels. */
function keyPaths(values: Record<string, unknown>, depth = 2, prefix = ""): string[] {
  return Object.entries(values).flatMap(([k, v]) => [
    prefix + k,
    ...(v && typeof v === "object" && !Array.isArray(v) && depth > 1 && !k.includes("/")
      ? keyPaths(v as Record<string, unknown>, depth - 1, `${prefix}${k}.`)
      : []),
  ]);
}

describe("MLflow exposure", () => {
  test("GIVEN no exposure THEN no load balancer controller, no Ingress, no ELB log statements", () => {
    const { doc, values } = platform();
    expect(resources(doc, "helm_release").map((r) => r.values.chart)).not.toContain("aws-load-balancer-controller");
    expect(values.ingress).toBeUndefined();
    expect(resources(doc, "aws_elb_service_account", "data")).toHaveLength(0);
    expect(platform(Exposure.internalOnly()).values.ingress).toBeUndefined();
  });

  describe("GIVEN an internal load balancer", () => {
    const { doc, mlflow, values } = platform(Exposure.internalLoadBalancer({ hostname: "mlflow.ml.acme.io", certificateArn: CERT }));
    const lbc = resource(doc, "helm_release", "training/AwsLoadBalancerController");
    const a = values.ingress.annotations as Record<string, string>;

    test("THEN the controller is installed once, pinned, on the system nodes, with cluster, region and VPC", () => {
      expect(lbc.values).toMatchObject({
        repository: "https://aws.github.io/eks-charts",
        chart: "aws-load-balancer-controller",
        version: "3.5.0",
        namespace: "kube-system",
      });
      const v = helmValues(lbc);
      expect(v).toMatchObject({
        clusterName: "acme-ml-training",
        region: "eu-west-1",
        serviceAccount: { create: true, name: "aws-load-balancer-controller" },
        nodeSelector: { "cdktf-mlops/pool": "system" },
        enableServiceMutatorWebhook: false,
        clusterSecretsPermissions: { allowAllSecrets: false },
      });
      expect(v.vpcId).toMatch(/^\$\{aws_vpc\..+\.id\}$/);
      expect(mlflow.values.depends_on).toContain(lbc.address);
    });

    test("THEN its Pod Identity role holds the controller's published policy, statement for statement", () => {
      const assoc = resources(doc, "aws_eks_pod_identity_association").find((p) => p.values.service_account === "aws-load-balancer-controller")!;
      expect(assoc.values.namespace).toBe("kube-system");
      const policy = resources(doc, "aws_iam_role_policy").find((p) => p.path.includes("AwsLoadBalancerControllerRole"))!;
      const statements = policyStatements(doc, policy.values.policy);
      const published = (lbcPolicy as unknown as { policy: { Statement: { Action: string[] }[] } }).policy.Statement;
      expect(statements).toHaveLength(published.length);
      expect(statements.map((s) => s.actions)).toEqual(published.map((s) => s.Action));
      expect(statements.flatMap((s) => s.actions)).toContain("elasticloadbalancing:CreateLoadBalancer");
      const tagged = statements.find((s) => s.actions.includes("elasticloadbalancing:CreateLoadBalancer"))!;
      expect(tagged.condition).toEqual([{ test: "Null", variable: "aws:RequestTag/elbv2.k8s.aws/cluster", values: ["false"] }]);
    });

    test("THEN the chart's Ingress makes an internal HTTPS-only ALB with a TLS 1.3 policy, access logs and the VPC as allow-list", () => {
      expect(values.ingress).toMatchObject({
        enabled: true,
        className: "alb",
        hosts: [{ host: "mlflow.ml.acme.io", paths: [{ path: "/", pathType: "Prefix" }] }],
      });
      expect(a).toMatchObject({
        "alb.ingress.kubernetes.io/scheme": "internal",
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
        "alb.ingress.kubernetes.io/ssl-redirect": "443",
        "alb.ingress.kubernetes.io/certificate-arn": CERT,
        "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "alb.ingress.kubernetes.io/healthcheck-path": "/health",
      });
      expect(a["alb.ingress.kubernetes.io/auth-type"]).toBeUndefined();
      const vpc = resources(doc, "aws_vpc", "data").find((d) => d.path.endsWith("registry/Mlflow/ExposureVpc"))!;
      expect(a["alb.ingress.kubernetes.io/inbound-cidrs"]).toBe(`\${${vpc.address}.cidr_block}`);
      expect(a["alb.ingress.kubernetes.io/subnets"]).toMatch(/aws_subnet\..*private/i);
      expect(a["alb.ingress.kubernetes.io/load-balancer-attributes"]).toMatch(
        /^access_logs\.s3\.enabled=true,access_logs\.s3\.bucket=\$\{aws_s3_bucket\.AccessLogBucket.*\.bucket\},access_logs\.s3\.prefix=alb,routing\.http\.drop_invalid_header_fields\.enabled=true$/,
      );
      expect(values.serverAllowedHosts).toContain("mlflow.ml.acme.io");
      expect(values.corsAllowedOrigins).toEqual(["https://mlflow.ml.acme.io"]);
      expect(Object.values(doc.output ?? {}).map((o) => (o as { value: string }).value)).toContain("https://mlflow.ml.acme.io");
    });

    test("THEN the access-log bucket lets ELB write under alb/AWSLogs/<account>/ only", () => {
      const policy = resource(doc, "aws_s3_bucket_policy", "AccessLogBucket/Policy");
      const statements = policyStatements(doc, policy.values.policy);
      const elb = statements.filter((s) => /^AllowAlbAccessLogs/.test(s.sid));
      expect(elb).toHaveLength(2);
      for (const s of elb) {
        expect(s.actions).toEqual(["s3:PutObject"]);
        expect(s.resources).toEqual([expect.stringMatching(/\/alb\/AWSLogs\/.+\/\*$/)]);
      }
      expect(elb[1].principals).toEqual([{ type: "Service", identifiers: ["logdelivery.elasticloadbalancing.amazonaws.com"] }]);
      expect(statements.map((s) => s.sid)).toContain("AllowS3ServerAccessLogsOfThisAccount");
    });

    test("THEN the document keeps every invariant", () => {
      expect(violations(doc)).toEqual([]);
    });
  });

  describe("GIVEN an internet-facing load balancer with OIDC sign-in", () => {
    const { doc, values } = platform(
      Exposure.internetFacingLoadBalancer({ hostname: "mlflow.acme.io", certificateArn: CERT, allowedCidrs: ["203.0.113.0/24"], signIn: oidc() }),
    );
    const a = values.ingress.annotations as Record<string, string>;

    test("THEN the ALB is internet-facing in the public subnets, open only to the allow-list, and authenticates with OIDC", () => {
      expect(a["alb.ingress.kubernetes.io/scheme"]).toBe("internet-facing");
      expect(a["alb.ingress.kubernetes.io/subnets"]).toMatch(/aws_subnet\..*public/i);
      expect(a["alb.ingress.kubernetes.io/inbound-cidrs"]).toBe("203.0.113.0/24");
      expect(a["alb.ingress.kubernetes.io/auth-type"]).toBe("oidc");
      expect(a["alb.ingress.kubernetes.io/auth-on-unauthenticated-request"]).toBe("authenticate");
      expect(JSON.parse(a["alb.ingress.kubernetes.io/auth-idp-oidc"])).toEqual({
        issuer: "https://acme.okta.com",
        authorizationEndpoint: "https://acme.okta.com/oauth2/v1/authorize",
        tokenEndpoint: "https://acme.okta.com/oauth2/v1/token",
        userInfoEndpoint: "https://acme.okta.com/oauth2/v1/userinfo",
        secretName: expect.stringMatching(/-mlflow-alb-oidc-client$/),
      });
    });

    test("THEN External Secrets syncs the client from Secrets Manager and the controller may read Secrets of that namespace only", () => {
      const secretName = JSON.parse(a["alb.ingress.kubernetes.io/auth-idp-oidc"]).secretName;
      const es = values.extraDeploy.find(
        (o: { kind: string; metadata: { name: string } }) => o.kind === "ExternalSecret" && o.metadata.name === secretName,
      );
      expect(es.spec.data.map((d: { secretKey: string; remoteRef: { key: string } }) => [d.secretKey, d.remoteRef.key])).toEqual([
        ["clientID", OIDC_SECRET],
        ["clientSecret", OIDC_SECRET],
      ]);
      const binding = values.extraDeploy.find((o: { kind: string }) => o.kind === "RoleBinding");
      expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "aws-load-balancer-controller", namespace: "kube-system" }]);
      expect(values.extraDeploy.find((o: { kind: string }) => o.kind === "Role").rules).toEqual([
        { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] },
      ]);
      const grant = resources(doc, "aws_iam_role_policy").find((p) => p.path.endsWith("ExternalSecretsCanReadOidcClient"))!;
      expect(policyStatements(doc, grant.values.policy)).toEqual([expect.objectContaining({ sid: "ReadOneSecret", resources: [OIDC_SECRET] })]);
    });

    test("THEN the document keeps every invariant", () => {
      expect(violations(doc)).toEqual([]);
    });
  });

  test("GIVEN Cognito sign-in THEN the ALB authenticates with the user pool", () => {
    const { values } = platform(
      Exposure.internalLoadBalancer({
        hostname: "mlflow.ml.acme.io",
        certificateArn: CERT,
        signIn: SignIn.cognito({
          userPoolArn: "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC",
          userPoolClientId: "abc",
          userPoolDomain: "acme-ml",
        }),
      }),
    );
    const a = values.ingress.annotations;
    expect(a["alb.ingress.kubernetes.io/auth-type"]).toBe("cognito");
    expect(JSON.parse(a["alb.ingress.kubernetes.io/auth-idp-cognito"])).toEqual({
      userPoolARN: "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC",
      userPoolClientID: "abc",
      userPoolDomain: "acme-ml",
    });
  });

  test("the controller is built once per cluster", () => {
    const stack = newStack();
    const cluster = new TrainingCluster(stack, "training");
    expect(cluster.ensureLoadBalancerController()).toBe(cluster.ensureLoadBalancerController());
  });

  describe("refusals", () => {
    const build = (exposure: Exposure) => () => {
      const stack = newStack();
      const cluster = new TrainingCluster(stack, "training");
      new ModelRegistry(stack, "registry", { engine: RegistryEngine.mlflow({ cluster, exposure }), models: ["fraud"] });
    };
    test("an internet-facing load balancer without allowed networks", () => {
      expect(
        validationError(build(Exposure.internetFacingLoadBalancer({ hostname: "mlflow.acme.io", certificateArn: CERT, signIn: oidc() }))).message,
      ).toMatch(/exposure\.loadBalancer \(object\) needs allowedCidrs on an internet-facing load balancer/);
    });
    test("an internet-facing load balancer open to the whole internet", () => {
      expect(
        validationError(
          build(
            Exposure.internetFacingLoadBalancer({ hostname: "mlflow.acme.io", certificateArn: CERT, allowedCidrs: ["0.0.0.0/0"], signIn: oidc() }),
          ),
        ).message,
      ).toMatch(/allowedCidrs\[0\].*must not open an internet-facing load balancer to the whole internet/);
    });
    test("an internet-facing load balancer without sign-in", () => {
      expect(
        validationError(
          build(Exposure.internetFacingLoadBalancer({ hostname: "mlflow.acme.io", certificateArn: CERT, allowedCidrs: ["203.0.113.0/24"] })),
        ).message,
      ).toMatch(/exposure\.loadBalancer \(object\) needs signIn on an internet-facing load balancer/);
    });
    test("a certificate that is not an ACM ARN, a host name that is not one, an old TLS policy", () => {
      const lb = { hostname: "mlflow.acme.io", certificateArn: CERT };
      expect(validationError(build(Exposure.internalLoadBalancer({ ...lb, hostname: "MLflow" }))).message).toMatch(
        /loadBalancer\.hostname \("MLflow"\) must be a lowercase fully qualified host name/,
      );
      expect(validationError(build(Exposure.internalLoadBalancer({ ...lb, certificateArn: "cert" }))).message).toMatch(
        /loadBalancer\.certificateArn \("cert"\) must be an ACM certificate ARN/,
      );
      expect(validationError(build(Exposure.internalLoadBalancer({ ...lb, sslPolicy: "ELBSecurityPolicy-2016-08" }))).message).toMatch(
        /loadBalancer\.sslPolicy .* must be a TLS 1\.2\+ ELB security policy/,
      );
    });
    test("an OIDC endpoint without TLS", () => {
      const signIn = SignIn.oidc({
        issuer: "http://idp",
        authorizationEndpoint: "https://a",
        tokenEndpoint: "https://t",
        userInfoEndpoint: "https://u",
        clientSecretArn: OIDC_SECRET,
      });
      expect(validationError(build(Exposure.internalLoadBalancer({ hostname: "mlflow.acme.io", certificateArn: CERT, signIn }))).message).toMatch(
        /exposure\.loadBalancer\.signIn\.oidcOptions\.issuer \("http:\/\/idp"\) must be an https:\/\/ URL/,
      );
    });
    test("an internet-facing load balancer on a network without public subnets", () => {
      const stack = newStack();
      const cluster = TrainingCluster.fromClusterAttributes(stack, "existing", IMPORTED);
      const exposure = Exposure.internetFacingLoadBalancer({
        hostname: "mlflow.acme.io",
        certificateArn: CERT,
        allowedCidrs: ["203.0.113.0/24"],
        signIn: oidc(),
      });
      expect(
        validationError(() => new ModelRegistry(stack, "registry", { engine: RegistryEngine.mlflow({ cluster, exposure }), models: ["f"] })).message,
      ).toMatch(/RegistryEngine\.mlflow platform\/registry: exposure \(internet-facing\) needs public subnets/);
    });
    test("nothing is built before the refusal", () => {
      const stack = newStack();
      const cluster = new TrainingCluster(stack, "training");
      expect(
        () =>
          new ModelRegistry(stack, "registry", {
            engine: RegistryEngine.mlflow({
              cluster,
              exposure: Exposure.internetFacingLoadBalancer({ hostname: "mlflow.acme.io", certificateArn: CERT }),
            }),
            models: ["f"],
          }),
      ).toThrow();
      expect(cluster.node.tryFindChild("AwsLoadBalancerControllerRole")).toBeUndefined();
    });
  });

  test("the values keys set exist in the pinned charts' values.yaml", () => {
    const { doc, values } = platform(Exposure.internalLoadBalancer({ hostname: "mlflow.ml.acme.io", certificateArn: CERT, signIn: oidc() }));
    const lbc = helmValues(resource(doc, "helm_release", "training/AwsLoadBalancerController"));
    const keys = chartKeys as unknown as Record<string, { keys: string[] }>;
    expect(unknownKeys(lbc, keys.awsLoadBalancerController.keys)).toEqual([]);
    expect(
      unknownKeys(
        { ingress: values.ingress, corsAllowedOrigins: values.corsAllowedOrigins, serverAllowedHosts: values.serverAllowedHosts },
        keys.mlflow.keys,
      ),
    ).toEqual([]);
    expect(unknownKeys({ notAKey: 1 }, keys.mlflow.keys)).toEqual(["notAKey"]);
    // No client secret in the configuration: only the secret's ARN.
    expect(allStrings(doc).some((s) => s.includes('clientSecret":"'))).toBe(false);
  });
});

test("GIVEN MLflow on an internet-facing ALB with every guardrail pack on THEN no unsuppressed finding", () => {
  const app = newApp();
  const stack = newStack({}, app);
  const cluster = new TrainingCluster(stack, "training", { privateEndpointCidrs: ["10.100.0.0/16"] });
  new ModelRegistry(stack, "registry", {
    engine: RegistryEngine.mlflow({
      cluster,
      exposure: Exposure.internetFacingLoadBalancer({
        hostname: "mlflow.acme.io",
        certificateArn: CERT,
        allowedCidrs: ["203.0.113.0/24"],
        signIn: oidc(),
      }),
    }),
    models: ["fraud"],
  });
  const guardrails = new MlopsGuardrails({ packs: [GuardrailPack.SECURITY, GuardrailPack.COST, GuardrailPack.DATA_PROTECTION] });
  Aspects.of(app).add(guardrails);
  app.synth();
  expect(guardrails.findings.filter((f) => !f.suppressedReason).map((f) => `${f.ruleId} ${f.constructPath}: ${f.message}`)).toEqual([]);
  expect(guardrails.findings.some((f) => f.suppressedReason)).toBe(true); // the aspect ran (the log bucket's SSE-S3 is suppressed with its reason)
});

test("GIVEN an imported cluster THEN the controller is installed on it too, with the cluster's VPC, and the review manifest records the exposure", () => {
  const stack = newStack();
  const cluster = TrainingCluster.fromClusterAttributes(stack, "existing", IMPORTED);
  const registry = new ModelRegistry(stack, "registry", {
    engine: RegistryEngine.mlflow({ cluster, exposure: Exposure.internalLoadBalancer({ hostname: "mlflow.ml.acme.io", certificateArn: CERT }) }),
    models: ["fraud"],
  });
  const doc = synth(stack);
  const v = helmValues(resource(doc, "helm_release", "existing/AwsLoadBalancerController"));
  expect(v).toMatchObject({ clusterName: "prod-eks", region: "eu-west-1", vpcId: "vpc-0123456789abcdef0" });
  const a = helmValues(resource(doc, "helm_release", "registry/Mlflow/Server")).ingress.annotations;
  expect(a["alb.ingress.kubernetes.io/subnets"]).toBe("subnet-0123456789abcdef0,subnet-0123456789abcdef1");
  const entry = manifestOf(stack).entries.find((e) => e.path === registry.node.path && e.kind === "ModelRegistry")!;
  expect(entry.exposure).toEqual({ scheme: "internal", url: "https://mlflow.ml.acme.io", signIn: "none" });
});

test("GIVEN subnets known only at deploy time (a data source's list) THEN Terraform joins them", () => {
  const stack = newStack();
  const cluster = TrainingCluster.fromClusterAttributes(stack, "existing", {
    ...IMPORTED,
    privateSubnetIds: Fn.tolist(Fn.split(",", "${var.subnets}")),
  });
  new ModelRegistry(stack, "registry", {
    engine: RegistryEngine.mlflow({
      cluster,
      exposure: Exposure.internalLoadBalancer({ hostname: "mlflow.ml.acme.io", certificateArn: CERT, allowedCidrs: ["10.0.0.0/16"] }),
    }),
    models: ["fraud"],
  });
  const raw = resource(synth(stack), "helm_release", "registry/Mlflow/Server").values.values[0] as string;
  expect(raw).toContain('"alb.ingress.kubernetes.io/subnets": "${join(",", tolist(split(",", ');
});

test("GIVEN hostedZoneId instead of a certificate THEN MLflow's listener uses the certificate the registry requests and validates", () => {
  const { doc, values } = platform(Exposure.internalLoadBalancer({ hostname: "mlflow.ml.acme.io", hostedZoneId: "Z0123456789ABCDEFGHIJ" }));
  const cert = resource(doc, "aws_acm_certificate", "registry/Mlflow/Certificate");
  expect(cert.values).toMatchObject({ domain_name: "mlflow.ml.acme.io", validation_method: "DNS" });
  expect(cert.values.tags["mlops:component"]).toBe("model-registry");
  const validation = resource(doc, "aws_acm_certificate_validation", "registry/Mlflow/CertificateValidation");
  expect(values.ingress.annotations["alb.ingress.kubernetes.io/certificate-arn"]).toBe(`\${${validation.address}.certificate_arn}`);
  expect(resource(doc, "aws_route53_record", "registry/Mlflow/CertificateValidationRecord").values.zone_id).toBe("Z0123456789ABCDEFGHIJ");
  expect(violations(doc)).toEqual([]);
});

test("every annotation MLflow's Ingress carries is one the pinned load balancer controller (v3.5.0) reads", () => {
  const known = new Set(albAnnotations.ingressAnnotationSuffixes);
  const signedIn = platform(
    Exposure.internetFacingLoadBalancer({ hostname: "mlflow.ml.acme.io", certificateArn: CERT, allowedCidrs: ["203.0.113.0/24"], signIn: oidc() }),
  );
  const keys = Object.keys(signedIn.values.ingress.annotations as Record<string, string>);
  expect(keys.length).toBeGreaterThan(10);
  for (const k of keys) expect(known.has(k.replace(/^alb\.ingress\.kubernetes\.io\//, ""))).toBe(true);
});
