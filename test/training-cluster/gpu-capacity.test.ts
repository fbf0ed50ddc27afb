import { CapacityType, GpuInstance, PoolPlacement, TrainingCluster } from "../../src";
import { manifestOf } from "../../src/core/manifest";
import { newStack, ref, resource, resources, synth, TfDoc, validationError } from "../helpers";

const CLUSTER_SG = "${aws_eks_cluster.training_1CA5CB2F.vpc_config[0].cluster_security_group_id}";
const CR = "cr-0123456789abcdef0";

function build(pool: Record<string, unknown>) {
  const stack = newStack();
  const cluster = new TrainingCluster(stack, "training");
  const gpu = cluster.addGpuNodePool("p", { name: "p", instanceTypes: ["p4d.24xlarge"], ...pool } as never);
  return { stack, cluster, gpu, doc: synth(stack) };
}

const launchTemplate = (doc: TfDoc) => resource(doc, "aws_launch_template", "GpuPool-p/LaunchTemplate").values;
const nodeGroup = (doc: TfDoc) => resource(doc, "aws_eks_node_group", "GpuPool-p/Resource").values;
const efaTag = (doc: TfDoc) =>
  resources(doc, "aws_autoscaling_group_tag")
    .map((t) => t.values.tag)
    .find((t) => t.key === "k8s.io/cluster-autoscaler/node-template/resources/vpc.amazonaws.com/efa")?.value;

/** The pool's error message, as TrainingCluster.addGpuNodePool reports it. */
function poolError(pool: Record<string, unknown>): string {
  return validationError(() => build(pool)).message;
}

describe("GPU instance table: network cards and EFA interfaces", () => {
  test.each([
    ["p4d.24xlarge", 4, 4],
    ["p4de.24xlarge", 4, 4],
    ["p5.48xlarge", 32, 32],
    ["p5e.48xlarge", 32, 32],
    ["p5en.48xlarge", 16, 16],
    ["p6-b200.48xlarge", 8, 8],
    ["g6e.48xlarge", 4, 4],
    ["g6e.24xlarge", 2, 2],
    ["p5.4xlarge", 1, 1],
    ["g6.8xlarge", 1, 1],
    ["g6.xlarge", 1, 0],
    ["g5g.16xlarge", 1, 0],
  ])("%s has %d network cards and %d EFA interfaces", (type, cards, efas) => {
    expect(GpuInstance.of(type)).toMatchObject({ networkCards: cards, maxEfaInterfaces: efas });
  });

  test("every EFA type has one EFA interface per network card; every other type none", () => {
    for (const t of GpuInstance.all()) {
      const info = GpuInstance.of(t);
      expect([t, info.maxEfaInterfaces]).toEqual([t, info.efa ? info.networkCards : 0]);
    }
  });

  test("Capacity Blocks are sold for the P types only", () => {
    const blocks = GpuInstance.all().filter((t) => GpuInstance.of(t).capacityBlocks);
    expect(blocks).toEqual(["p4d.24xlarge", "p4de.24xlarge", "p5.48xlarge", "p5.4xlarge", "p5e.48xlarge", "p5en.48xlarge", "p6-b200.48xlarge"]);
  });
});

describe("EFA on every network card", () => {
  test.each([
    ["p4d.24xlarge", 4],
    ["p5.48xlarge", 32],
    ["p5en.48xlarge", 16],
    ["p6-b200.48xlarge", 8],
  ])("GIVEN efa on %s THEN %d interfaces: card 0 EFA with ENA, the others EFA-only, each on its own card", (type, count) => {
    const { doc, gpu } = build({ instanceTypes: [type], efa: true });
    const sg = resource(doc, "aws_security_group", "GpuPool-p/EfaSecurityGroup");
    const interfaces = launchTemplate(doc).network_interfaces as Record<string, unknown>[];
    expect(interfaces).toHaveLength(count);
    expect(interfaces.map((i) => i.network_card_index)).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(interfaces.map((i) => i.device_index)).toEqual(Array(count).fill(0));
    expect(interfaces.map((i) => i.interface_type)).toEqual(["efa", ...Array(count - 1).fill("efa-only")]);
    for (const i of interfaces) {
      expect(i.security_groups).toEqual([CLUSTER_SG, ref(sg, "id")]);
      expect(i.delete_on_termination).toBe("true");
      expect(i.associate_public_ip_address).toBeUndefined();
    }
    expect(gpu.efaInterfaces).toBe(count);
    expect(efaTag(doc)).toBe(String(count));
  });

  test("GIVEN efa on a single-card type THEN one EFA with ENA interface", () => {
    const { doc } = build({ instanceTypes: ["g6.8xlarge"], efa: true });
    expect(launchTemplate(doc).network_interfaces).toEqual([
      expect.objectContaining({ network_card_index: 0, device_index: 0, interface_type: "efa" }),
    ]);
    expect(efaTag(doc)).toBe("1");
  });

  test("the EFA security group lets all traffic in from and out to itself, in the cluster's VPC", () => {
    const { doc } = build({ efa: true });
    const sg = resource(doc, "aws_security_group", "GpuPool-p/EfaSecurityGroup");
    expect(sg.values).toMatchObject({
      name: "acme-ml-training-p-efa",
      vpc_id: ref(resource(doc, "aws_vpc", "training/Network/Resource"), "id"),
      tags: expect.objectContaining({ "mlops:component": "training-cluster", Name: "acme-ml-training-p-efa" }),
    });
    expect(sg.values.ingress).toBeUndefined();
    expect(sg.values.egress).toBeUndefined();
    const ingress = resource(doc, "aws_vpc_security_group_ingress_rule", "GpuPool-p/EfaIngressFromSelf").values;
    const egress = resource(doc, "aws_vpc_security_group_egress_rule", "GpuPool-p/EfaEgressToSelf").values;
    for (const rule of [ingress, egress]) {
      expect(rule).toMatchObject({ security_group_id: ref(sg, "id"), referenced_security_group_id: ref(sg, "id"), ip_protocol: "-1" });
      expect(rule.cidr_ipv4).toBeUndefined();
      expect(rule.from_port).toBeUndefined();
    }
  });

  test("refused: an EFA pool of types with different network card counts (p5e: 32, p5en: 16)", () => {
    expect(poolError({ instanceTypes: ["p5e.48xlarge", "p5en.48xlarge"], efa: true })).toContain(
      'instanceTypes[1] ("p5en.48xlarge") takes 16 EFA interfaces, but p5e.48xlarge takes 32',
    );
    const { doc } = build({ instanceTypes: ["p5e.48xlarge", "p5en.48xlarge"] });
    expect(nodeGroup(doc).instance_types).toEqual(["p5e.48xlarge", "p5en.48xlarge"]);
  });

  test("GIVEN no efa THEN no network interfaces, no EFA security group and no EFA resource", () => {
    const { doc, gpu } = build({});
    expect(launchTemplate(doc).network_interfaces).toBeUndefined();
    expect(resources(doc, "aws_security_group").filter((s) => s.path.includes("GpuPool-p/"))).toHaveLength(0);
    expect(efaTag(doc)).toBeUndefined();
    expect(gpu.efaInterfaces).toBe(0);
  });
});

describe("placement", () => {
  const placementGroups = (doc: TfDoc) => resources(doc, "aws_placement_group");

  test("GIVEN efa and no reservation THEN the default is a cluster placement group of the pool's own in one subnet", () => {
    const { doc, gpu } = build({ efa: true });
    const pg = resource(doc, "aws_placement_group", "GpuPool-p/PlacementGroup");
    expect(pg.values).toMatchObject({ strategy: "cluster", name: "acme-ml-training-GpuPool-p" });
    expect(launchTemplate(doc).placement).toEqual({ group_name: ref(pg, "name") });
    expect(nodeGroup(doc).subnet_ids).toHaveLength(1);
    expect(gpu.placement.kind).toBe("cluster");
    expect(gpu.placementGroup).toBeDefined();
  });

  test("GIVEN efa and an On-Demand Capacity Reservation THEN the default is no placement group (the reservation is where it is)", () => {
    const { doc, gpu } = build({ efa: true, capacityReservationId: CR, subnetIds: ["subnet-0aaa1111bbbb22223"] });
    expect(placementGroups(doc)).toHaveLength(0);
    expect(launchTemplate(doc).placement).toBeUndefined();
    expect(launchTemplate(doc).capacity_reservation_specification).toEqual({ capacity_reservation_target: { capacity_reservation_id: CR } });
    expect(launchTemplate(doc).network_interfaces).toHaveLength(4);
    expect(gpu.placement.kind).toBe("none");
  });

  test("GIVEN no efa THEN the default is no placement group, across the cluster's subnets", () => {
    const { doc } = build({});
    expect(placementGroups(doc)).toHaveLength(0);
    expect(launchTemplate(doc).placement).toBeUndefined();
    expect(nodeGroup(doc).subnet_ids.length).toBeGreaterThan(1);
  });

  test("GIVEN PoolPlacement.none() with efa THEN EFA interfaces and no placement group", () => {
    const { doc } = build({ efa: true, placement: PoolPlacement.none() });
    expect(placementGroups(doc)).toHaveLength(0);
    expect(launchTemplate(doc).placement).toBeUndefined();
    expect(launchTemplate(doc).network_interfaces).toHaveLength(4);
  });

  test("GIVEN PoolPlacement.cluster() without efa THEN a placement group in one subnet", () => {
    const { doc } = build({ placement: PoolPlacement.cluster() });
    const pg = resource(doc, "aws_placement_group", "GpuPool-p/PlacementGroup");
    expect(launchTemplate(doc).placement).toEqual({ group_name: ref(pg, "name") });
    expect(nodeGroup(doc).subnet_ids).toHaveLength(1);
  });

  test("GIVEN PoolPlacement.existing(name) THEN the launch template names it and the pool creates none", () => {
    const { doc } = build({ efa: true, placement: PoolPlacement.existing("team-a-p4d") });
    expect(placementGroups(doc)).toHaveLength(0);
    expect(launchTemplate(doc).placement).toEqual({ group_name: "team-a-p4d" });
    expect(nodeGroup(doc).subnet_ids).toHaveLength(1);
  });

  test("GIVEN an existing placement group and an On-Demand Capacity Reservation made in it THEN both", () => {
    const { doc } = build({ placement: PoolPlacement.existing("team-a-p4d"), capacityReservationId: CR, subnetIds: ["subnet-0aaa1111bbbb22223"] });
    expect(launchTemplate(doc).placement).toEqual({ group_name: "team-a-p4d" });
    expect(launchTemplate(doc).capacity_reservation_specification).toEqual({ capacity_reservation_target: { capacity_reservation_id: CR } });
  });

  test("refused: an existing placement group with an empty or too long name", () => {
    expect(poolError({ placement: PoolPlacement.existing("") })).toContain(
      'GpuNodePool platform/training/GpuPool-p: placement.groupName ("") must be the name of a placement group: 1 to 255 ASCII characters',
    );
    expect(poolError({ placement: PoolPlacement.existing("x".repeat(256)) })).toContain("placement.groupName");
    expect(poolError({ placement: PoolPlacement.existing("gruppe-ü") })).toContain("1 to 255 ASCII characters");
  });

  test("refused: a new cluster placement group with an On-Demand Capacity Reservation", () => {
    expect(poolError({ placement: PoolPlacement.cluster(), capacityReservationId: CR })).toContain(
      "placement (object) is PoolPlacement.cluster(), a new placement group, which holds no capacity reservation",
    );
  });

  test("refused: a placement that is not a PoolPlacement", () => {
    expect(poolError({ placement: { kind: "cluster" } })).toContain("must be PoolPlacement.cluster(), none() or existing(name)");
  });
});

describe("Capacity Blocks for ML (managed node groups)", () => {
  const block = { instanceTypes: ["p5.48xlarge"], capacityType: CapacityType.CAPACITY_BLOCK, capacityReservationId: CR, maxSize: 4 };

  test("GIVEN a Capacity Block THEN the node group's capacity type, the launch template's market type, reservation and instance type", () => {
    const { doc } = build(block);
    const ng = nodeGroup(doc);
    expect(ng.capacity_type).toBe("CAPACITY_BLOCK");
    expect(ng.instance_types).toBeUndefined();
    expect(ng.scaling_config).toEqual({ min_size: 0, max_size: 4, desired_size: 0 });
    const lt = launchTemplate(doc);
    expect(lt.instance_type).toBe("p5.48xlarge");
    expect(lt.instance_market_options).toEqual({ market_type: "capacity-block" });
    expect(lt.capacity_reservation_specification).toEqual({ capacity_reservation_target: { capacity_reservation_id: CR } });
    expect(lt.placement).toBeUndefined();
  });

  test("GIVEN a Capacity Block with efa THEN 32 EFA interfaces and no placement group", () => {
    const { doc, gpu } = build({ ...block, efa: true, subnetIds: ["subnet-0aaa1111bbbb22223"] });
    expect(launchTemplate(doc).network_interfaces).toHaveLength(32);
    expect(resources(doc, "aws_placement_group")).toHaveLength(0);
    expect(gpu.placement.kind).toBe("none");
    expect(efaTag(doc)).toBe("32");
  });

  test("GIVEN an EFA pool on a reservation THEN it runs in the subnet named (the reservation's zone), and must name one", () => {
    const { doc } = build({ ...block, efa: true, subnetIds: ["subnet-0aaa1111bbbb22223"] });
    expect(resources(doc, "aws_eks_node_group").find((g) => g.path.endsWith("GpuPool-p/Resource"))!.values.subnet_ids).toEqual([
      "subnet-0aaa1111bbbb22223",
    ]);
    expect(poolError({ ...block, efa: true })).toContain("subnetIds is required: an EFA or placement-group pool on a reservation runs in one subnet");
    expect(poolError({ efa: true, subnetIds: ["subnet-a", "subnet-b"] })).toContain(
      "names 2 subnets, but an EFA or placement-group pool runs in one availability zone",
    );
    expect(poolError({ instanceTypes: ["p4d.24xlarge", "p4de.24xlarge"], capacityReservationId: CR })).toContain(
      "names 2 instance types, but a capacity reservation holds one",
    );
  });

  test("GIVEN on-demand or spot THEN neither market options nor an instance type on the launch template", () => {
    for (const capacityType of [CapacityType.ON_DEMAND, CapacityType.SPOT]) {
      const { doc } = build({ capacityType });
      expect(launchTemplate(doc).instance_market_options).toBeUndefined();
      expect(launchTemplate(doc).instance_type).toBeUndefined();
      expect(nodeGroup(doc).instance_types).toEqual(["p4d.24xlarge"]);
    }
  });

  test("refused: a Capacity Block without its reservation id", () => {
    expect(poolError({ instanceTypes: ["p5.48xlarge"], capacityType: CapacityType.CAPACITY_BLOCK })).toContain(
      'capacityType ("CAPACITY_BLOCK") needs capacityReservationId: the Capacity Block\'s reservation id',
    );
  });

  test("refused: a Capacity Block with two instance types", () => {
    expect(poolError({ ...block, instanceTypes: ["p4d.24xlarge", "p4de.24xlarge"] })).toContain(
      "names 2 instance types, but a Capacity Block holds one instance type",
    );
  });

  test("refused: a Capacity Block of a type not sold as Capacity Blocks", () => {
    expect(poolError({ ...block, instanceTypes: ["g6e.48xlarge"] })).toContain(
      'instanceTypes[0] ("g6e.48xlarge") is not sold as Capacity Blocks for ML',
    );
  });

  test("refused: a Capacity Block pool that keeps nodes (minSize above 0)", () => {
    expect(poolError({ ...block, minSize: 1 })).toContain("minSize (1) must be 0 with capacityType CAPACITY_BLOCK");
  });

  test("refused: a Capacity Block in a placement group, new or existing", () => {
    expect(poolError({ ...block, placement: PoolPlacement.cluster() })).toContain(
      "placement (object) is PoolPlacement.cluster(), which cannot hold a Capacity Block",
    );
    expect(poolError({ ...block, placement: PoolPlacement.existing("pg") })).toContain(
      'is PoolPlacement.existing("pg"), which cannot hold a Capacity Block',
    );
  });

  test("refused: a reservation with spot (a Capacity Block is its own capacity type)", () => {
    expect(poolError({ capacityType: CapacityType.SPOT, capacityReservationId: CR })).toContain("capacityReservationId");
    expect(poolError({ capacityType: CapacityType.SPOT, capacityReservationId: CR })).toContain("not SPOT");
  });

  test("refused: reservations selected by tags (Karpenter only) on a managed node group", () => {
    expect(poolError({ ...block, capacityReservationTags: { team: "a" } })).toContain(
      "selects reservations by tags, which only Karpenter does: a managed node group takes one capacityReservationId",
    );
  });

  test("all problems of one pool in one error", () => {
    const message = poolError({ instanceTypes: ["p4d.24xlarge", "g6e.48xlarge"], capacityType: CapacityType.CAPACITY_BLOCK, minSize: 2 });
    expect(message).toContain("needs capacityReservationId");
    expect(message).toContain("names 2 instance types");
    expect(message).toContain("minSize (2)");
  });
});

describe("manifest facts of a pool", () => {
  test("EFA interfaces, placement and capacity type are in the manifest", () => {
    const { stack, gpu } = build({ instanceTypes: ["p5.48xlarge"], efa: true, placement: PoolPlacement.existing("pg-1") });
    const entry = manifestOf(stack).entries.find((e) => e.kind === "GpuNodePool" && e.path === gpu.node.path)!;
    expect(entry).toMatchObject({ efa: true, efaInterfaces: 32, placement: "existing", placementGroupName: "pg-1", capacityType: "ON_DEMAND" });
    const blockPool = build({ instanceTypes: ["p5.48xlarge"], capacityType: CapacityType.CAPACITY_BLOCK, capacityReservationId: CR });
    const blockEntry = manifestOf(blockPool.stack).entries.find((e) => e.kind === "GpuNodePool")!;
    expect(blockEntry).toMatchObject({ capacityType: "CAPACITY_BLOCK", capacityReservationId: CR, placement: "none", efaInterfaces: 0 });
  });
});
