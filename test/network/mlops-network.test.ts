import { MlopsNetwork, MlopsValidationError } from "../../src";
import { newStack, policyStatements, ref, resource, resources, synth } from "../helpers";

function build(props: ConstructorParameters<typeof MlopsNetwork>[2] = {}) {
  const stack = newStack();
  const network = new MlopsNetwork(stack, "net", props);
  return { stack, network, doc: synth(stack) };
}

describe("MlopsNetwork", () => {
  test("GIVEN defaults THEN a /16 VPC with DNS, three private /19 and three public /24 subnets", () => {
    const { doc } = build();
    expect(resource(doc, "aws_vpc", "net/Resource").values).toMatchObject({
      cidr_block: "10.0.0.0/16",
      enable_dns_hostnames: true,
      enable_dns_support: true,
    });
    const priv = [1, 2, 3].map((i) => resource(doc, "aws_subnet", `PrivateSubnet${i}`).values);
    const pub = [1, 2, 3].map((i) => resource(doc, "aws_subnet", `PublicSubnet${i}`).values);
    expect(priv.map((s) => s.cidr_block)).toEqual(["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"]);
    expect(pub.map((s) => s.cidr_block)).toEqual(["10.0.224.0/24", "10.0.225.0/24", "10.0.226.0/24"]);
    expect(priv.map((s) => s.availability_zone)).toEqual([0, 1, 2].map((i) => expect.stringContaining(`, ${i})`)));
    expect(pub.every((s) => s.map_public_ip_on_launch === false)).toBe(true);
    expect(priv[0].tags["kubernetes.io/role/internal-elb"]).toBe("1");
    expect(pub[0].tags["kubernetes.io/role/elb"]).toBe("1");
  });

  test("one NAT gateway per zone, each private route table routing through its own zone's NAT", () => {
    const { doc } = build();
    expect(resources(doc, "aws_nat_gateway")).toHaveLength(3);
    for (const i of [1, 2, 3]) {
      const nat = resource(doc, "aws_nat_gateway", `NatGateway${i}`);
      expect(resource(doc, "aws_route", `PrivateDefaultRoute${i}`).values.nat_gateway_id).toBe(ref(nat, "id"));
      expect(nat.values.subnet_id).toBe(ref(resource(doc, "aws_subnet", `PublicSubnet${i}`), "id"));
    }
  });

  test("GIVEN singleNatGateway THEN every private route goes through the one NAT gateway", () => {
    const { doc } = build({ singleNatGateway: true });
    const nat = resources(doc, "aws_nat_gateway");
    expect(nat).toHaveLength(1);
    for (const i of [1, 2, 3]) {
      expect(resource(doc, "aws_route", `PrivateDefaultRoute${i}`).values.nat_gateway_id).toBe(ref(nat[0], "id"));
    }
  });

  test("S3 gateway endpoint on the private route tables and private-DNS interface endpoints for ECR, STS and Logs", () => {
    const { doc } = build();
    const s3 = resource(doc, "aws_vpc_endpoint", "S3Endpoint").values;
    expect(s3).toMatchObject({ service_name: "com.amazonaws.eu-west-1.s3", vpc_endpoint_type: "Gateway" });
    expect(s3.route_table_ids).toEqual([1, 2, 3].map((i) => ref(resource(doc, "aws_route_table", `PrivateRouteTable${i}`), "id")));
    const ifaces = resources(doc, "aws_vpc_endpoint").filter((e) => e.values.vpc_endpoint_type === "Interface");
    expect(ifaces.map((e) => e.values.service_name).sort()).toEqual(["ecr.api", "ecr.dkr", "logs", "sts"].map((s) => `com.amazonaws.eu-west-1.${s}`));
    const sg = resource(doc, "aws_security_group", "EndpointSecurityGroup");
    for (const e of ifaces) {
      expect(e.values.private_dns_enabled).toBe(true);
      expect(e.values.security_group_ids).toEqual([ref(sg, "id")]);
    }
    expect(resource(doc, "aws_vpc_security_group_ingress_rule", "EndpointHttpsFromVpc").values).toMatchObject({
      from_port: 443,
      to_port: 443,
      ip_protocol: "tcp",
      cidr_ipv4: "10.0.0.0/16",
    });
  });

  test("the default security group is taken over with no rules", () => {
    const { doc } = build();
    const sg = resource(doc, "aws_default_security_group", "DefaultSecurityGroup").values;
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
  });

  test("flow logs of all traffic go to a KMS-encrypted log group through a role scoped to that group", () => {
    const { doc } = build({ flowLogRetentionDays: 30 });
    const group = resource(doc, "aws_cloudwatch_log_group", "FlowLogGroup");
    expect(group.values).toMatchObject({ retention_in_days: 30, kms_key_id: "${aws_kms_key.PlatformKey.arn}" });
    const flow = resource(doc, "aws_flow_log", "FlowLog").values;
    expect(flow).toMatchObject({ traffic_type: "ALL", log_destination: ref(group, "arn") });
    const role = resource(doc, "aws_iam_role_policy", "FlowLogRole/Policy");
    const [write, find] = policyStatements(doc, role.values.policy);
    expect(write.resources).toEqual([`${ref(group, "arn")}:*`]);
    expect(find).toMatchObject({ actions: ["logs:DescribeLogGroups"], resources: ["*"] });
  });

  test("GIVEN a cluster name THEN subnets carry kubernetes.io/cluster/<name>", () => {
    const { doc } = build({ clusterName: "acme-ml-training" });
    expect(resource(doc, "aws_subnet", "PrivateSubnet1").values.tags["kubernetes.io/cluster/acme-ml-training"]).toBe("shared");
  });

  test("fromExisting wraps given ids without creating anything", () => {
    const n = MlopsNetwork.fromExisting({ vpcId: "vpc-1", privateSubnetIds: ["subnet-a", "subnet-b"] });
    expect(n).toEqual({ vpcId: "vpc-1", privateSubnetIds: ["subnet-a", "subnet-b"], publicSubnetIds: [] });
  });

  describe("rejects bad props", () => {
    test.each([
      [{ cidr: "10.0.0.0/8" }, 'MlopsNetwork platform/net: cidr ("10.0.0.0/8") must be an IPv4 CIDR block with a prefix length between /16 and /20'],
      [{ cidr: "10.0.0.300/16" }, 'cidr ("10.0.0.300/16") must be an IPv4 CIDR block'],
      [{ availabilityZoneCount: 1 }, "MlopsNetwork platform/net: availabilityZoneCount (1) must be between 2 and 6"],
      [{ flowLogRetentionDays: 10 }, "flowLogRetentionDays (10) must be one of CloudWatch Logs' retention values"],
      [{ interfaceEndpoints: ["sts", "sts"] }, "interfaceEndpoints (array of 2) must not name an endpoint twice"],
    ])("%j", (bad, message) => {
      const stack = newStack();
      expect(() => new MlopsNetwork(stack, "net", bad as never)).toThrow(MlopsValidationError);
      expect(() => new MlopsNetwork(newStack(), "net", bad as never)).toThrow(message);
    });
  });
});
