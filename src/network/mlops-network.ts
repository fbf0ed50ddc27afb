import { Fn } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import {
  check,
  componentTags,
  createRole,
  encryptedLogGroup,
  LOG_RETENTION_DAYS,
  MlopsStack,
  NameRules,
  physicalName,
  validateProps,
  validateValue,
} from "../core";
import { cidrSubnet } from "./private/cidr";
import type { ShapeOf } from "../core";

/** A VPC and the subnets a cluster runs in: created by {@link MlopsNetwork} or brought by the user. */
export interface INetwork {
  /** The VPC id. */
  readonly vpcId: string;
  /** Private subnet ids, one per availability zone; nodes and endpoints live here. */
  readonly privateSubnetIds: string[];
  /** Public subnet ids, for internet-facing load balancers; empty when there are none. */
  readonly publicSubnetIds: string[];
}

/** An existing VPC, for {@link MlopsNetwork.fromExisting}. */
export interface ExistingNetworkProps {
  /** The VPC id. */
  readonly vpcId: string;
  /** Private subnet ids with a route to the internet (NAT) or VPC endpoints for ECR, S3, STS and Logs. */
  readonly privateSubnetIds: string[];
  /**
   * Public subnet ids, for internet-facing load balancers.
   * @default - none
   */
  readonly publicSubnetIds?: string[];
}

/** Props of {@link MlopsNetwork}. */
export interface MlopsNetworkProps {
  /**
   * IPv4 range of the VPC, a /16 to /20.
   * @default "10.0.0.0/16"
   */
  readonly cidr?: string;
  /**
   * Number of availability zones; one private and one public subnet in each.
   * @default 3
   */
  readonly availabilityZoneCount?: number;
  /**
   * One NAT gateway for all zones instead of one per zone: cheaper, but a zone outage cuts the
   * others' egress.
   * @default false
   */
  readonly singleNatGateway?: boolean;
  /**
   * Interface VPC endpoints (service suffixes of `com.amazonaws.<region>.<suffix>`) in the private
   * subnets, so that image pulls, STS and logs stay off the internet. An S3 gateway endpoint is always created.
   * @default ["ecr.api", "ecr.dkr", "sts", "logs"]
   */
  readonly interfaceEndpoints?: string[];
  /**
   * Retention of the VPC flow logs, in days (a CloudWatch Logs retention value).
   * @default 90
   */
  readonly flowLogRetentionDays?: number;
  /**
   * EKS cluster name the subnets are tagged for (`kubernetes.io/cluster/<name>`), so that the AWS
   * Load Balancer Controller finds them.
   * @default - no cluster tag
   */
  readonly clusterName?: string;
}

const DEFAULT_ENDPOINTS = ["ecr.api", "ecr.dkr", "sts", "logs"];

const schema = z
  .object({
    cidr: check.synthTime(check.cidr(16, 20), "the subnets' CIDR blocks are computed from it").optional(),
    availabilityZoneCount: check.synthTime(check.int(2, 6), "it sets how many subnets, NAT gateways and route tables are created").optional(),
    singleNatGateway: z.boolean().optional(),
    interfaceEndpoints: check
      .synthTime(
        z.array(
          check
            .matching(/^[a-z0-9-]+(\.[a-z0-9-]+)*$/, "must be an endpoint service suffix such as ecr.api")
            .refine((v) => v !== "s3", { message: "is the gateway endpoint the network always creates, not an interface endpoint" }),
        ),
        "each endpoint becomes a resource named after it",
      )
      .refine((a) => new Set(a.map(endpointId)).size === a.length, {
        message: "must not name an endpoint twice (ecr.api and ecr-api are one endpoint id)",
      })
      .optional(),
    flowLogRetentionDays: z
      .number()
      .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
        message: `must be one of CloudWatch Logs' retention values (${LOG_RETENTION_DAYS.join(", ")})`,
      })
      .optional(),
    clusterName: check
      .synthTime(
        check.matching(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, "must be an EKS cluster name (1-100 letters, digits, '-' and '_')"),
        "it is part of a tag key",
      )
      .optional(),
  })
  .strict() satisfies ShapeOf<MlopsNetworkProps>;

/** The construct id part of an interface endpoint: `ecr.api` gives `EcrApi`. */
function endpointId(service: string): string {
  return service.replace(/(^|[.-])([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase());
}

const subnetIds = z.array(z.string().min(1, { message: "must not be empty" }));
const existingSchema = z
  .object({
    vpcId: z.string().min(1, { message: "must not be empty" }),
    privateSubnetIds: subnetIds,
    publicSubnetIds: subnetIds.optional(),
  })
  .strict() satisfies ShapeOf<ExistingNetworkProps>;

/**
 * A VPC for an ML platform: private and public subnets across availability zones, NAT gateways,
 * an S3 gateway endpoint and interface endpoints for ECR, STS and CloudWatch Logs, a default
 * security group with no rules, and flow logs to an encrypted log group.
 */
export class MlopsNetwork extends Construct implements INetwork {
  /** Wraps an existing VPC and its subnets. */
  public static fromExisting(props: ExistingNetworkProps): INetwork {
    validateValue("MlopsNetwork.fromExisting", "(props)", existingSchema, props);
    return {
      vpcId: props.vpcId,
      privateSubnetIds: [...props.privateSubnetIds],
      publicSubnetIds: [...(props.publicSubnetIds ?? [])],
    };
  }

  /** The VPC. */
  public readonly vpc: Vpc;
  public readonly vpcId: string;
  public readonly privateSubnets: Subnet[];
  public readonly publicSubnets: Subnet[];
  public readonly privateSubnetIds: string[];
  public readonly publicSubnetIds: string[];
  public readonly natGateways: NatGateway[];
  public readonly privateRouteTables: RouteTable[];
  /** The S3 gateway endpoint. */
  public readonly s3Endpoint: VpcEndpoint;
  /** Interface endpoints by service suffix. */
  public readonly interfaceEndpoints: Record<string, VpcEndpoint>;
  /** Security group of the interface endpoints (HTTPS from the VPC). */
  public readonly endpointSecurityGroup: SecurityGroup;
  public readonly flowLogGroup: CloudwatchLogGroup;
  public readonly flowLogRole: IamRole;
  public readonly flowLog: FlowLog;

  constructor(scope: Construct, id: string, props: MlopsNetworkProps = {}) {
    super(scope, id);
    const p = validateProps(this, "MlopsNetwork", schema, props);
    const stack = MlopsStack.of(this);
    const cidr = p.cidr ?? "10.0.0.0/16";
    const azCount = p.availabilityZoneCount ?? 3;
    const endpoints = p.interfaceEndpoints ?? DEFAULT_ENDPOINTS;
    const tags = componentTags("network");
    const name = physicalName(this, stack.platformName, NameRules.generic);
    const clusterTag: Record<string, string> = p.clusterName ? { [`kubernetes.io/cluster/${p.clusterName}`]: "shared" } : {};

    const azs = new DataAwsAvailabilityZones(this, "AvailabilityZones", {
      state: "available",
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });

    this.vpc = new Vpc(this, "Resource", {
      cidrBlock: cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { ...tags, Name: name },
    });
    this.vpcId = this.vpc.id;

    // The default security group allows all traffic between its members: take every rule away.
    new DefaultSecurityGroup(this, "DefaultSecurityGroup", { vpcId: this.vpc.id, tags: { ...tags, Name: `${name}-default` } });

    const igw = new InternetGateway(this, "InternetGateway", { vpcId: this.vpc.id, tags: { ...tags, Name: name } });
    const publicRt = new RouteTable(this, "PublicRouteTable", { vpcId: this.vpc.id, tags: { ...tags, Name: `${name}-public` } });
    new Route(this, "PublicDefaultRoute", { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });

    this.privateSubnets = [];
    this.publicSubnets = [];
    this.natGateways = [];
    this.privateRouteTables = [];
    for (let i = 0; i < azCount; i++) {
      const az = Fn.element(azs.names, i);
      const pub = new Subnet(this, `PublicSubnet${i + 1}`, {
        vpcId: this.vpc.id,
        availabilityZone: az,
        // The last /19-equivalent block of the VPC is cut into small public subnets.
        cidrBlock: cidrSubnet(cidr, 8, 224 + i),
        mapPublicIpOnLaunch: false,
        tags: { ...tags, ...clusterTag, Name: `${name}-public-${i + 1}`, "kubernetes.io/role/elb": "1" },
      });
      new RouteTableAssociation(this, `PublicSubnet${i + 1}RouteTable`, { subnetId: pub.id, routeTableId: publicRt.id });
      this.publicSubnets.push(pub);

      const priv = new Subnet(this, `PrivateSubnet${i + 1}`, {
        vpcId: this.vpc.id,
        availabilityZone: az,
        cidrBlock: cidrSubnet(cidr, 3, i),
        tags: { ...tags, ...clusterTag, Name: `${name}-private-${i + 1}`, "kubernetes.io/role/internal-elb": "1" },
      });
      this.privateSubnets.push(priv);

      if (i === 0 || !p.singleNatGateway) {
        const eip = new Eip(this, `NatEip${i + 1}`, { domain: "vpc", tags: { ...tags, Name: `${name}-nat-${i + 1}` } });
        this.natGateways.push(
          new NatGateway(this, `NatGateway${i + 1}`, {
            allocationId: eip.allocationId,
            subnetId: pub.id,
            tags: { ...tags, Name: `${name}-${i + 1}` },
            dependsOn: [igw],
          }),
        );
      }
      const rt = new RouteTable(this, `PrivateRouteTable${i + 1}`, {
        vpcId: this.vpc.id,
        tags: { ...tags, Name: `${name}-private-${i + 1}` },
      });
      new Route(this, `PrivateDefaultRoute${i + 1}`, {
        routeTableId: rt.id,
        destinationCidrBlock: "0.0.0.0/0",
        natGatewayId: this.natGateways[p.singleNatGateway ? 0 : i].id,
      });
      new RouteTableAssociation(this, `PrivateSubnet${i + 1}RouteTable`, { subnetId: priv.id, routeTableId: rt.id });
      this.privateRouteTables.push(rt);
    }
    this.privateSubnetIds = this.privateSubnets.map((s) => s.id);
    this.publicSubnetIds = this.publicSubnets.map((s) => s.id);

    this.s3Endpoint = new VpcEndpoint(this, "S3Endpoint", {
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${stack.region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: this.privateRouteTables.map((r) => r.id),
      tags: { ...tags, Name: `${name}-s3` },
    });

    this.endpointSecurityGroup = new SecurityGroup(this, "EndpointSecurityGroup", {
      name: `${name}-endpoints`,
      description: "HTTPS from the VPC to interface VPC endpoints",
      vpcId: this.vpc.id,
      tags: { ...tags, Name: `${name}-endpoints` },
    });
    new VpcSecurityGroupIngressRule(this, "EndpointHttpsFromVpc", {
      securityGroupId: this.endpointSecurityGroup.id,
      description: "HTTPS from the VPC",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: cidr,
    });
    this.interfaceEndpoints = {};
    for (const service of endpoints) {
      const idPart = endpointId(service);
      this.interfaceEndpoints[service] = new VpcEndpoint(this, `${idPart}Endpoint`, {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${stack.region}.${service}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: this.privateSubnetIds,
        securityGroupIds: [this.endpointSecurityGroup.id],
        tags: { ...tags, Name: `${name}-${service}` },
      });
    }

    this.flowLogGroup = encryptedLogGroup(this, "FlowLogGroup", {
      name: `/mlops/${stack.platformName}/vpc-flow-logs/${name}`,
      retentionDays: p.flowLogRetentionDays ?? 90,
      kmsKeyArn: stack.kmsKey.arn,
      tags,
    });
    this.flowLogRole = createRole(this, "FlowLogRole", {
      name: physicalName(this, stack.platformName, NameRules.iamRole, "flow-logs"),
      trust: { services: ["vpc-flow-logs.amazonaws.com"] },
      statements: [
        {
          sid: "WriteFlowLogsToItsLogGroup",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          resources: [`${this.flowLogGroup.arn}:*`],
        },
        {
          // Listing log groups has no resource to scope to; the flow-logs service checks its destination with it.
          sid: "FindTheLogGroup",
          actions: ["logs:DescribeLogGroups"],
          resources: ["*"],
        },
      ],
      tags,
    }).role;
    this.flowLog = new FlowLog(this, "FlowLog", {
      vpcId: this.vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: this.flowLogGroup.arn,
      iamRoleArn: this.flowLogRole.arn,
      maxAggregationInterval: 60,
      tags,
    });
  }
}
