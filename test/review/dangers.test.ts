import { dataDangers, networkDangers, ResourceChange } from "../../src/review";

const change = (c: Partial<ResourceChange>): ResourceChange => ({
  stack: "s",
  address: `${c.type}.x`,
  type: "aws_s3_bucket",
  mode: "resource",
  path: "s/x",
  action: "update",
  arguments: [],
  ...c,
});

describe("danger lines on single changes", () => {
  test("a destroyed EKS cluster with deletion protection says the apply will stop", () => {
    const d = dataDangers([change({ type: "aws_eks_cluster", action: "delete", before: { deletion_protection: true } })]);
    expect(d.map((x) => x.message)).toEqual([
      "DESTROY EKS cluster `s/x` (`s` `aws_eks_cluster.x`): it has deletion protection, so the apply fails until protection is turned off in an apply of its own",
    ]);
  });

  test("a stateful type without replacement data is 'may be replaced', never nothing", () => {
    const d = dataDangers([
      change({ type: "aws_efs_file_system", action: "update-or-replace", arguments: [{ path: "performance_mode", before: "a", after: "b" }] }),
    ]);
    expect(d.map((x) => [x.kind, x.message])).toEqual([
      [
        "may-replace",
        "MAY BE REPLACED file system `s/x` (`s` `aws_efs_file_system.x`): no ForceNew data for aws_efs_file_system; changed `performance_mode`",
      ],
    ]);
  });

  test("an ingress rule whose description changed is not an exposure; one whose source changed is", () => {
    const rule = { security_group_id: "sg", ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "10.0.0.0/8" };
    const described = change({
      type: "aws_vpc_security_group_ingress_rule",
      before: rule,
      after: { ...rule, description: "x" },
      arguments: [{ path: "description", before: undefined, after: "x" }],
    });
    expect(networkDangers([described])).toEqual([]);
    const widened = change({
      type: "aws_vpc_security_group_ingress_rule",
      before: rule,
      after: { ...rule, cidr_ipv4: "0.0.0.0/0" },
      arguments: [{ path: "cidr_ipv4", before: "10.0.0.0/8", after: "0.0.0.0/0" }],
    });
    expect(networkDangers([widened]).map((x) => x.message)).toEqual([
      "INGRESS OPENED `s/x` (`s` `aws_vpc_security_group_ingress_rule.x`): tcp port 443 from `0.0.0.0/0`",
    ]);
  });

  test("egress to the internet and default routes through a NAT gateway are not exposure", () => {
    const egress = change({ type: "aws_vpc_security_group_egress_rule", action: "create", after: { cidr_ipv4: "0.0.0.0/0", ip_protocol: "-1" } });
    const natRoute = change({
      type: "aws_route",
      action: "create",
      after: { destination_cidr_block: "0.0.0.0/0", nat_gateway_id: "${aws_nat_gateway.n.id}" },
    });
    expect(networkDangers([egress, natRoute])).toEqual([]);
    const igwRoute = change({
      type: "aws_route",
      action: "create",
      after: { destination_cidr_block: "0.0.0.0/0", gateway_id: "${aws_internet_gateway.i.id}" },
    });
    expect(networkDangers([igwRoute]).map((x) => x.message)).toEqual(["PUBLIC ROUTE `s/x` (`s` `aws_route.x`): `0.0.0.0/0` via an internet gateway"]);
  });
});
