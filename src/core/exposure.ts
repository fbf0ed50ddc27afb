import { Fn } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { DataAwsElbServiceAccount } from "@cdktf/provider-aws/lib/data-aws-elb-service-account";
import { DataAwsSubnet } from "@cdktf/provider-aws/lib/data-aws-subnet";
import { DataAwsVpc } from "@cdktf/provider-aws/lib/data-aws-vpc";
import { once } from "./dependencies";
import { MlopsStack } from "./mlops-stack";
import { check, isDeployTimeValue } from "./validation";

// How a component of the platform is reached from outside the cluster: not at all (the default), or
// through an Application Load Balancer that the AWS Load Balancer Controller makes from an Ingress.
// The public choice (Exposure, SignIn) and the one place that turns it into Ingress annotations.

/** Options of an OIDC sign-in at the load balancer (any OpenID Connect IdP: Okta, Entra ID, Google, ...). */
export interface OidcSignInOptions {
  /** The IdP's issuer URL (`https://...`). */
  readonly issuer: string;
  /** The IdP's authorization endpoint (`https://...`). */
  readonly authorizationEndpoint: string;
  /** The IdP's token endpoint (`https://...`). */
  readonly tokenEndpoint: string;
  /** The IdP's user info endpoint (`https://...`). */
  readonly userInfoEndpoint: string;
  /**
   * ARN of a Secrets Manager secret whose value is a JSON object with the keys `clientID` and
   * `clientSecret`. External Secrets Operator copies it into a Kubernetes Secret of the component's
   * namespace, where the load balancer controller reads it: the client secret never enters Terraform state.
   * @see https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#auth-idp-oidc
   */
  readonly clientSecretArn: string;
  /**
   * ARN of the customer managed KMS key of that secret.
   * @default - the secret is encrypted with the AWS managed key `aws/secretsmanager`
   */
  readonly clientSecretKmsKeyArn?: string;
  /**
   * The claims asked of the IdP, space-separated.
   * @default "openid email"
   */
  readonly scope?: string;
}

/** Options of an Amazon Cognito sign-in at the load balancer. */
export interface CognitoSignInOptions {
  /** ARN of the user pool. */
  readonly userPoolArn: string;
  /** Id of the user pool's app client (with a client secret and the ALB's callback URL `https://<hostname>/oauth2/idpresponse`). */
  readonly userPoolClientId: string;
  /** The user pool's domain prefix (or custom domain). */
  readonly userPoolDomain: string;
  /**
   * The claims asked of the user pool, space-separated.
   * @default "openid email"
   */
  readonly scope?: string;
}

/** How people sign in before the load balancer lets them through (ALB authentication actions). */
export class SignIn {
  /** Sign-in with any OpenID Connect identity provider. */
  public static oidc(options: OidcSignInOptions): SignIn {
    return new SignIn("oidc", options, undefined);
  }

  /** Sign-in with an Amazon Cognito user pool. */
  public static cognito(options: CognitoSignInOptions): SignIn {
    return new SignIn("cognito", undefined, options);
  }

  /** `oidc` or `cognito`. */
  public readonly kind: string;
  /** The OIDC options, for `oidc`. */
  public readonly oidcOptions?: OidcSignInOptions;
  /** The Cognito options, for `cognito`. */
  public readonly cognitoOptions?: CognitoSignInOptions;

  private constructor(kind: string, oidcOptions?: OidcSignInOptions, cognitoOptions?: CognitoSignInOptions) {
    this.kind = kind;
    this.oidcOptions = oidcOptions;
    this.cognitoOptions = cognitoOptions;
  }
}

/** Options of an exposure through an Application Load Balancer. */
export interface LoadBalancerExposureOptions {
  /**
   * The host name clients use (`mlflow.ml.example.com`). The certificate must cover it; point it at the
   * load balancer's DNS name (a CNAME or Route 53 alias) yourself.
   */
  readonly hostname: string;
  /**
   * ARN of the ACM certificate of the HTTPS listener (in the stack's region). Give this or `hostedZoneId`.
   * @default - the certificate the construct requests for `hostname` in `hostedZoneId`
   */
  readonly certificateArn?: string;
  /**
   * Id of the public Route 53 hosted zone of `hostname` (`Z...`): the construct requests an ACM certificate
   * for `hostname` and validates it with a DNS record in that zone (`aws_acm_certificate`,
   * `aws_route53_record`, `aws_acm_certificate_validation`). Give this or `certificateArn`.
   * @default - none: `certificateArn` is used
   * @see https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html
   */
  readonly hostedZoneId?: string;
  /**
   * The networks allowed to reach the load balancer (the security group the controller makes for it).
   * Required for an internet-facing load balancer, where `0.0.0.0/0` is refused.
   * @default - internal: the VPC's CIDR block
   */
  readonly allowedCidrs?: string[];
  /**
   * Sign-in before any request reaches the component. Required for an internet-facing load balancer.
   * @default - none (internal load balancer only)
   */
  readonly signIn?: SignIn;
  /**
   * The TLS security policy of the HTTPS listener.
   * @default "ELBSecurityPolicy-TLS13-1-2-2021-06" (TLS 1.3 and 1.2 only, AWS's recommended policy)
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
   */
  readonly sslPolicy?: string;
}

/**
 * How a component (the MLflow UI and API, a KServe endpoint) is reached from outside the cluster. Every
 * load balancer has TLS with the certificate you name (or one the construct requests and validates in the
 * Route 53 zone you name), HTTP redirected to HTTPS, a modern TLS policy and access logs to the stack's
 * access-log bucket.
 */
export class Exposure {
  /** Reachable only inside the cluster, through its ClusterIP Service (the default). */
  public static internalOnly(): Exposure {
    return new Exposure("none", undefined);
  }

  /** Through an internal Application Load Balancer: reachable from the VPC and the networks connected to it that `allowedCidrs` names. */
  public static internalLoadBalancer(options: LoadBalancerExposureOptions): Exposure {
    return new Exposure("internal", options);
  }

  /**
   * Through an internet-facing Application Load Balancer in the public subnets: only from `allowedCidrs`
   * (required) and only after `signIn` (required).
   */
  public static internetFacingLoadBalancer(options: LoadBalancerExposureOptions): Exposure {
    return new Exposure("internet-facing", options);
  }

  /** `none`, `internal` or `internet-facing`: the ALB scheme, or none. */
  public readonly scheme: string;
  /** The load balancer's options, unless `none`. */
  public readonly loadBalancer?: LoadBalancerExposureOptions;

  private constructor(scheme: string, loadBalancer?: LoadBalancerExposureOptions) {
    this.scheme = scheme;
    this.loadBalancer = loadBalancer;
  }
}

/** The TLS policy of every listener unless one is named. */
export const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

const httpsUrl = check.matching(/^https:\/\/\S+$/, "must be an https:// URL");
const signInSchema = z.custom<SignIn>((s) => !!s && typeof s === "object" && ["oidc", "cognito"].includes((s as SignIn).kind), {
  message: "must be SignIn.oidc(...) or SignIn.cognito(...)",
});
const oidcSchema = z
  .object({
    issuer: httpsUrl,
    authorizationEndpoint: httpsUrl,
    tokenEndpoint: httpsUrl,
    userInfoEndpoint: httpsUrl,
    clientSecretArn: check.matching(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:\S+$/, "must be a Secrets Manager secret ARN"),
    clientSecretKmsKeyArn: check.matching(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/\S+$/, "must be a KMS key ARN").optional(),
    scope: z.string().min(1).optional(),
  })
  .strict();
const cognitoSchema = z
  .object({
    userPoolArn: check.matching(/^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/\S+$/, "must be a Cognito user pool ARN"),
    userPoolClientId: z.string().min(1),
    userPoolDomain: z.string().min(1),
    scope: z.string().min(1).optional(),
  })
  .strict();
const loadBalancerSchema = z
  .object({
    hostname: check.matching(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a lowercase fully qualified host name"),
    certificateArn: check.matching(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/\S+$/, "must be an ACM certificate ARN").optional(),
    hostedZoneId: check.matching(/^Z[A-Z0-9]{1,31}$/, "must be a Route 53 hosted zone id (Z...)").optional(),
    allowedCidrs: z.array(check.cidr(0, 32)).min(1, "must name at least one network").optional(),
    signIn: signInSchema.optional(),
    sslPolicy: check
      .matching(
        /^ELBSecurityPolicy-(TLS13|FS-1-2|TLS-1-2)/,
        "must be a TLS 1.2+ ELB security policy (ELBSecurityPolicy-TLS13-..., -FS-1-2-..., -TLS-1-2-...)",
      )
      .optional(),
  })
  .strict();

/** The zod schema of an `exposure` option, for the option schemas of the components that take one. */
export const exposureSchema = z
  .custom<Exposure>((e) => !!e && typeof e === "object" && ["none", "internal", "internet-facing"].includes((e as Exposure).scheme), {
    message: "must be Exposure.internalOnly(), Exposure.internalLoadBalancer(...) or Exposure.internetFacingLoadBalancer(...)",
  })
  .superRefine((e, ctx) => {
    if (e.scheme === "none") return;
    const parsed = loadBalancerSchema.safeParse(e.loadBalancer ?? {});
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        ctx.addIssue({ code: "custom", path: ["loadBalancer", ...issue.path.map(String)], message: issue.message });
      return;
    }
    const lb = e.loadBalancer!;
    if ((lb.certificateArn === undefined) === (lb.hostedZoneId === undefined))
      ctx.addIssue({
        code: "custom",
        path: ["loadBalancer"],
        message:
          lb.certificateArn === undefined
            ? "needs certificateArn (an ACM certificate) or hostedZoneId (a Route 53 zone where the construct validates one it requests)"
            : "names both certificateArn and hostedZoneId: give one (a certificate, or the zone where the construct requests one)",
      });
    const signIn = lb.signIn;
    if (signIn?.kind === "oidc") {
      for (const issue of oidcSchema.safeParse(signIn.oidcOptions).error?.issues ?? [])
        ctx.addIssue({ code: "custom", path: ["loadBalancer", "signIn", "oidcOptions", ...issue.path.map(String)], message: issue.message });
    } else if (signIn?.kind === "cognito") {
      for (const issue of cognitoSchema.safeParse(signIn.cognitoOptions).error?.issues ?? [])
        ctx.addIssue({ code: "custom", path: ["loadBalancer", "signIn", "cognitoOptions", ...issue.path.map(String)], message: issue.message });
    }
    if (e.scheme === "internet-facing") {
      if (!lb.allowedCidrs) {
        ctx.addIssue({
          code: "custom",
          path: ["loadBalancer"],
          message: "needs allowedCidrs on an internet-facing load balancer: name the networks allowed to reach it",
        });
      } else {
        lb.allowedCidrs.forEach((c, i) => {
          if (!isDeployTimeValue(c) && /\/0$/.test(c)) {
            ctx.addIssue({
              code: "custom",
              path: ["loadBalancer", "allowedCidrs", i],
              message: "must not open an internet-facing load balancer to the whole internet: name the networks",
            });
          }
        });
      }
      if (!signIn)
        ctx.addIssue({
          code: "custom",
          path: ["loadBalancer"],
          message: "needs signIn on an internet-facing load balancer (SignIn.oidc(...) or SignIn.cognito(...))",
        });
    }
  });

/**
 * Why `exposure` cannot work on `cluster`, or undefined: an internet-facing load balancer needs the
 * VPC's public subnets (a list known only at deploy time passes).
 */
export function exposureNetworkProblem(exposure: Exposure | undefined, cluster: IExposureCluster): string | undefined {
  if (exposure?.scheme !== "internet-facing") return undefined;
  const subnets = cluster.network.publicSubnetIds;
  if (subnets.length === 0)
    return "(internet-facing) needs public subnets, and the cluster's network has none (MlopsNetwork.fromExisting({ publicSubnetIds }) or publicSubnetIds in fromClusterAttributes)";
  return undefined;
}

/** What the Ingress builder needs of the cluster (an ITrainingCluster fits). */
export interface IExposureCluster {
  readonly network: { readonly vpcId: string; readonly privateSubnetIds: string[]; readonly publicSubnetIds: string[] };
}

/** The Ingress annotations of a component exposed through an ALB, and what else the exposure needs. */
export interface AlbIngress {
  /** The `alb.ingress.kubernetes.io/*` annotations. */
  readonly annotations: Record<string, string>;
  /** The component's URL (`https://<hostname>`). */
  readonly url: string;
  /** Kubernetes objects the component's chart should apply with the Ingress (OIDC client Secret sync). */
  readonly extraObjects: Record<string, unknown>[];
}

/**
 * The External Secrets `SecretStore` a component's namespace reads AWS Secrets Manager through (name
 * `aws-secrets-manager`, the stack's region), which its ExternalSecrets name.
 */
export function secretStoreObject(region: string): { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: unknown } {
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "SecretStore",
    metadata: { name: "aws-secrets-manager" },
    spec: { provider: { aws: { service: "SecretsManager", region } } },
  };
}

/**
 * The namespace label that makes the AWS Load Balancer Controller inject its pod readiness gate: with `ip`
 * targets, a rolling update then waits until new pods are healthy in the target group, instead of leaving it
 * with only initial or draining targets (docs/deploy/pod_readiness_gate.md, v3.5.0).
 */
export const POD_READINESS_GATE_LABEL: Readonly<Record<string, string>> = { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" };

/** `exposure` when it puts the component behind a load balancer (internal or internet-facing), else undefined. */
export function loadBalancedExposure(exposure: Exposure | undefined): Exposure | undefined {
  return exposure?.scheme === "internal" || exposure?.scheme === "internet-facing" ? exposure : undefined;
}

/** The pod annotations by which the cluster's metrics collector scrapes `/metrics` on `port` (the `annotated-pods` and KServe jobs). */
export function prometheusScrapeAnnotations(port: number): Record<string, string> {
  return { "prometheus.io/scrape": "true", "prometheus.io/port": String(port), "prometheus.io/path": "/metrics" };
}

/** Name of the Kubernetes Secret that holds the OIDC client of a component's load balancer. */
export function oidcSecretName(component: string): string {
  return `${component}-alb-oidc-client`;
}

/**
 * Lets Elastic Load Balancing write access logs into the stack's access-log bucket, once per stack:
 * the regional ELB account (Regions opened before August 2022, through `aws_elb_service_account`) and
 * the log delivery service principal (newer Regions), each only under `alb/AWSLogs/<this account>/`.
 * The bucket is SSE-S3, the only encryption ALB access logs support.
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
 */
export function allowAlbAccessLogs(owner: Construct): { bucketName: string; prefix: string } {
  const stack = MlopsStack.of(owner);
  const bucket = stack.accessLogBucket;
  once(bucket, "ElbServiceAccount", () => {
    const elb = new DataAwsElbServiceAccount(bucket, "ElbServiceAccount", {});
    const objects = `${bucket.bucketArn}/alb/AWSLogs/${stack.accountId}/*`;
    bucket.addToResourcePolicy(
      {
        sid: "AllowAlbAccessLogsFromTheRegionalElbAccount",
        principals: [{ type: "AWS", identifiers: [elb.arn] }],
        actions: ["s3:PutObject"],
        resources: [objects],
      },
      {
        sid: "AllowAlbAccessLogsFromLogDelivery",
        principals: [{ type: "Service", identifiers: ["logdelivery.elasticloadbalancing.amazonaws.com"] }],
        actions: ["s3:PutObject"],
        resources: [objects],
        conditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [stack.accountId] }],
      },
    );
    return elb;
  });
  return { bucketName: bucket.bucketName, prefix: "alb" };
}

/**
 * The annotations that make the AWS Load Balancer Controller build the ALB of one component: HTTPS
 * with the given certificate and TLS policy, HTTP redirected to HTTPS, `ip` targets (the component's
 * ClusterIP Service), the allowed networks, access logs, and the sign-in action when there is one.
 * `group` names the ALB (`alb.ingress.kubernetes.io/group.name`), one per component.
 */
export function albIngress(
  owner: Construct,
  cluster: IExposureCluster,
  exposure: Exposure,
  component: string,
  healthCheckPath: string,
  tags: Record<string, string> = {},
): AlbIngress {
  const lb = exposure.loadBalancer!;
  const certificateArn = lb.certificateArn ?? requestCertificate(owner, lb.hostname, lb.hostedZoneId!, tags).certificateArn;
  const internet = exposure.scheme === "internet-facing";
  const logs = allowAlbAccessLogs(owner);
  const cidrs = lb.allowedCidrs ?? [vpcCidr(owner, cluster.network.vpcId)];
  const annotations: Record<string, string> = {
    "alb.ingress.kubernetes.io/scheme": exposure.scheme,
    "alb.ingress.kubernetes.io/target-type": "ip",
    "alb.ingress.kubernetes.io/subnets": commaList(internet ? cluster.network.publicSubnetIds : cluster.network.privateSubnetIds),
    "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
    "alb.ingress.kubernetes.io/ssl-redirect": "443",
    "alb.ingress.kubernetes.io/certificate-arn": certificateArn,
    "alb.ingress.kubernetes.io/ssl-policy": lb.sslPolicy ?? DEFAULT_SSL_POLICY,
    "alb.ingress.kubernetes.io/inbound-cidrs": commaList(cidrs),
    "alb.ingress.kubernetes.io/healthcheck-path": healthCheckPath,
    "alb.ingress.kubernetes.io/load-balancer-attributes": [
      "access_logs.s3.enabled=true",
      `access_logs.s3.bucket=${logs.bucketName}`,
      `access_logs.s3.prefix=${logs.prefix}`,
      "routing.http.drop_invalid_header_fields.enabled=true",
    ].join(","),
    "alb.ingress.kubernetes.io/group.name": component,
  };
  const extraObjects: Record<string, unknown>[] = [];
  const signIn = lb.signIn;
  if (signIn?.kind === "oidc") {
    const o = signIn.oidcOptions!;
    const secretName = oidcSecretName(component);
    Object.assign(annotations, {
      "alb.ingress.kubernetes.io/auth-type": "oidc",
      "alb.ingress.kubernetes.io/auth-idp-oidc": JSON.stringify({
        issuer: o.issuer,
        authorizationEndpoint: o.authorizationEndpoint,
        tokenEndpoint: o.tokenEndpoint,
        userInfoEndpoint: o.userInfoEndpoint,
        secretName,
      }),
      "alb.ingress.kubernetes.io/auth-scope": o.scope ?? "openid email",
      "alb.ingress.kubernetes.io/auth-on-unauthenticated-request": "authenticate",
    });
    extraObjects.push(
      {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: { name: secretName },
        spec: {
          refreshInterval: "1h",
          secretStoreRef: { name: "aws-secrets-manager", kind: "SecretStore" },
          target: { name: secretName, creationPolicy: "Owner" },
          data: [
            { secretKey: "clientID", remoteRef: { key: o.clientSecretArn, property: "clientID" } },
            { secretKey: "clientSecret", remoteRef: { key: o.clientSecretArn, property: "clientSecret" } },
          ],
        },
      },
      // The controller reads Secrets only where a Role lets it (the chart's allowAllSecrets stays off).
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "aws-load-balancer-controller-oidc" },
        rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "aws-load-balancer-controller-oidc" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "aws-load-balancer-controller-oidc" },
        subjects: [{ kind: "ServiceAccount", name: "aws-load-balancer-controller", namespace: "kube-system" }],
      },
    );
  } else if (signIn?.kind === "cognito") {
    const c = signIn.cognitoOptions!;
    Object.assign(annotations, {
      "alb.ingress.kubernetes.io/auth-type": "cognito",
      "alb.ingress.kubernetes.io/auth-idp-cognito": JSON.stringify({
        userPoolARN: c.userPoolArn,
        userPoolClientID: c.userPoolClientId,
        userPoolDomain: c.userPoolDomain,
      }),
      "alb.ingress.kubernetes.io/auth-scope": c.scope ?? "openid email",
      "alb.ingress.kubernetes.io/auth-on-unauthenticated-request": "authenticate",
    });
  }
  return { annotations, url: `https://${lb.hostname}`, extraObjects };
}

/**
 * An ACM certificate for `hostname`, validated by DNS in the hosted zone `zoneId` (under `owner`, ids
 * `Certificate`, `CertificateValidationRecord`, `CertificateValidation`). The ARN returned is the
 * validation's, so that what uses it waits until the certificate is issued. A new certificate is made
 * before the old one goes (a changed host name does not leave the listener without one).
 */
export function requestCertificate(owner: Construct, hostname: string, zoneId: string, tags: Record<string, string>): AcmCertificateValidation {
  const certificate = new AcmCertificate(owner, "Certificate", {
    domainName: hostname,
    validationMethod: "DNS",
    tags,
    lifecycle: { createBeforeDestroy: true },
  });
  // One name, one validation option (domain_validation_options is a set: cdktf reads it through tolist).
  const option = certificate.domainValidationOptions.get(0);
  const record = new Route53Record(owner, "CertificateValidationRecord", {
    zoneId,
    name: option.resourceRecordName,
    type: option.resourceRecordType,
    records: [option.resourceRecordValue],
    ttl: 300,
    allowOverwrite: true,
  });
  return new AcmCertificateValidation(owner, "CertificateValidation", { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] });
}

/**
 * `a,b,c`; through Terraform's `join` when the list is a list token (a data source's subnet ids),
 * which cannot be joined at synth time. String tokens (`${aws_subnet.x.id}`) join as text.
 */
function commaList(list: string[]): string {
  return list.some((x) => /#\{TfToken\[TOKEN\.\d+\]\}/.test(x)) ? Fn.join(",", list) : list.join(",");
}

/**
 * The networks a component's load balancer sends from, for the NetworkPolicy rule that lets it reach
 * the pods (target type `ip`: the ALB connects to pod addresses from its own addresses in its subnets).
 * Internet-facing: the CIDR blocks of the public subnets (`aws_subnet` data sources; no pods live there).
 * Internal: the VPC's CIDR block: the ALB sits in the private subnets, whose addresses the VPC CNI also
 * gives to pods, and ALB addresses are not fixed, so on the component's port the rule cannot tell the
 * ALB from a pod of the VPC (the rest of the ports stay closed to them).
 */
export function loadBalancerSourceCidrs(owner: Construct, cluster: IExposureCluster, exposure: Exposure): string[] {
  const subnets = cluster.network.publicSubnetIds;
  if (exposure.scheme === "internet-facing" && !subnets.some((x) => /#\{TfToken\[TOKEN\.\d+\]\}/.test(x)))
    return subnets.map(
      (id, i) => once(owner, `ExposurePublicSubnet${i}`, () => new DataAwsSubnet(owner, `ExposurePublicSubnet${i}`, { id })).cidrBlock,
    );
  return [vpcCidr(owner, cluster.network.vpcId)];
}

/** The CIDR block of the cluster's VPC (an `aws_vpc` data source under `owner`, once): the source of in-VPC callers that are not pods. */
export function clusterVpcCidr(owner: Construct, cluster: IExposureCluster): string {
  return vpcCidr(owner, cluster.network.vpcId);
}

/** The CIDR block of the cluster's VPC (an `aws_vpc` data source under `owner`, once). */
function vpcCidr(owner: Construct, vpcId: string): string {
  return once(owner, "ExposureVpc", () => new DataAwsVpc(owner, "ExposureVpc", { id: vpcId })).cidrBlock;
}
