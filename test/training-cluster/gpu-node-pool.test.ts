import { CapacityType, GpuAmiType, GpuInstance, TrainingCluster } from "../../src";
import { newStack, ref, resource, resources, synth } from "../helpers";

function build(pool: Record<string, unknown>) {
  const stack = newStack();
  const cluster = new TrainingCluster(stack, "training");
  const gpu = cluster.addGpuNodePool("p", { name: "p", instanceTypes: ["p4d.24xlarge"], ...pool } as never);
  return { cluster, gpu, doc: synth(stack) };
}

describe("GpuNodePool", () => {
  const { doc, gpu } = build({});
  const ng = resource(doc, "aws_eks_node_group", "GpuPool-p/Resource");
  const lt = resource(doc, "aws_launch_template", "GpuPool-p/LaunchTemplate");

  test("defaults: AL2023 NVIDIA, on-demand, scales from 0 to 2, GPU taint", () => {
    expect(ng.values).toMatchObject({
      ami_type: "AL2023_x86_64_NVIDIA",
      capacity_type: "ON_DEMAND",
      instance_types: ["p4d.24xlarge"],
      scaling_config: { min_size: 0, max_size: 2, desired_size: 0 },
      taint: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }],
    });
    expect(gpu.amiType).toBe(GpuAmiType.AL2023_X86_64_NVIDIA);
  });

  test("labels name the pool, GPU model and count", () => {
    expect(ng.values.labels).toEqual({
      "cdktf-mlops/pool": "p",
      "cdktf-mlops/gpu-model": "A100",
      "cdktf-mlops/gpu-count": "8",
      "cdktf-mlops/ami-family": "al2023",
      "nvidia.com/gpu.present": "true",
      "k8s.amazonaws.com/accelerator": "nvidia-a100",
    });
  });

  test("a change to an immutable argument builds the new group first: name prefix and create_before_destroy", () => {
    expect(ng.values.node_group_name_prefix).toBe("acme-ml-training-p-");
    expect(ng.values.node_group_name).toBeUndefined();
    expect(ng.values.lifecycle).toEqual({ create_before_destroy: true, ignore_changes: ["scaling_config[0].desired_size"] });
    expect(lt.values.name_prefix).toBe("acme-ml-training-p-");
    expect(lt.values.lifecycle).toEqual({ create_before_destroy: true });
  });

  test("the launch template requires IMDSv2 with hop limit 1 and encrypts a 200 GiB gp3 root volume with the cluster key", () => {
    expect(lt.values.metadata_options).toMatchObject({ http_tokens: "required", http_put_response_hop_limit: 1, http_endpoint: "enabled" });
    expect(lt.values.block_device_mappings).toEqual([
      {
        device_name: "/dev/xvda",
        ebs: expect.objectContaining({ volume_size: 200, volume_type: "gp3", encrypted: "true", kms_key_id: "${aws_kms_key.PlatformKey.arn}" }),
      },
    ]);
    expect(ng.values.launch_template).toEqual({ id: ref(lt, "id"), version: ref(lt, "latest_version") });
    expect(lt.values.tag_specifications.map((t: { resource_type: string }) => t.resource_type)).toEqual(["instance", "volume", "network-interface"]);
  });

  test("Cluster Autoscaler node-template tags on the Auto Scaling group let the pool scale up from zero", () => {
    const tags = resources(doc, "aws_autoscaling_group_tag").filter((t) => t.path.includes("GpuPool-p/"));
    const byKey = Object.fromEntries(tags.map((t) => [t.values.tag.key, t.values.tag.value]));
    expect(byKey).toMatchObject({
      "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "8",
      "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "true:NoSchedule",
      "k8s.io/cluster-autoscaler/node-template/label/cdktf-mlops/pool": "p",
      "k8s.io/cluster-autoscaler/node-template/label/k8s.amazonaws.com/accelerator": "nvidia-a100",
    });
    for (const t of tags) {
      expect(t.values.autoscaling_group_name).toBe(`\${${ng.address}.resources[0].autoscaling_groups[0].name}`);
      expect(t.values.tag.propagate_at_launch).toBe(false);
    }
  });

  test("GIVEN efa THEN EFA interfaces in the cluster and EFA security groups and a cluster placement group in one subnet", () => {
    const { doc: d } = build({ efa: true });
    const pg = resource(d, "aws_placement_group", "PlacementGroup");
    expect(pg.values.strategy).toBe("cluster");
    const l = resource(d, "aws_launch_template", "GpuPool-p/LaunchTemplate").values;
    expect(l.placement).toEqual({ group_name: ref(pg, "name") });
    const efaSg = resource(d, "aws_security_group", "GpuPool-p/EfaSecurityGroup");
    expect(l.network_interfaces[0]).toEqual(
      expect.objectContaining({
        interface_type: "efa",
        device_index: 0,
        network_card_index: 0,
        security_groups: ["${aws_eks_cluster.training_1CA5CB2F.vpc_config[0].cluster_security_group_id}", ref(efaSg, "id")],
      }),
    );
    expect(resource(d, "aws_eks_node_group", "GpuPool-p/Resource").values.subnet_ids).toHaveLength(1);
  });

  test("GIVEN efa THEN the EFA device plugin runs on those nodes and the autoscaler knows their EFA resource", () => {
    const { doc: d, cluster } = build({ efa: true });
    expect(resource(d, "aws_eks_node_group", "GpuPool-p/Resource").values.labels["cdktf-mlops/efa"]).toBe("true");
    const plugin = resource(d, "helm_release", "EfaDevicePlugin");
    expect(plugin.values).toMatchObject({ repository: "https://aws.github.io/eks-charts", chart: "aws-efa-k8s-device-plugin", version: "v0.5.30" });
    expect(JSON.parse(plugin.values.values[0])).toEqual({
      nodeSelector: { "cdktf-mlops/efa": "true" },
      tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
    });
    const tags = resources(d, "aws_autoscaling_group_tag").map((t) => t.values.tag);
    expect(tags).toContainEqual({
      key: "k8s.io/cluster-autoscaler/node-template/resources/vpc.amazonaws.com/efa",
      value: "4",
      propagate_at_launch: false,
    });
    expect(cluster.efaDevicePlugin).toBeDefined();
    expect(resources(doc, "helm_release").map((r) => r.values.chart)).not.toContain("aws-efa-k8s-device-plugin");
  });

  test("GIVEN a capacity reservation THEN the launch template targets it", () => {
    const { doc: d } = build({ capacityReservationId: "cr-0123456789abcdef0" });
    expect(resource(d, "aws_launch_template", "GpuPool-p/LaunchTemplate").values.capacity_reservation_specification).toEqual({
      capacity_reservation_target: { capacity_reservation_id: "cr-0123456789abcdef0" },
    });
  });

  test("GIVEN spot and several instance types of one GPU, vCPU and memory shape THEN a spot pool", () => {
    const { doc: d } = build({ instanceTypes: ["p4d.24xlarge", "p4de.24xlarge"], capacityType: CapacityType.SPOT, maxSize: 10 });
    expect(resource(d, "aws_eks_node_group", "GpuPool-p/Resource").values).toMatchObject({
      capacity_type: "SPOT",
      instance_types: ["p4d.24xlarge", "p4de.24xlarge"],
      scaling_config: { max_size: 10 },
    });
  });

  test("GIVEN an arm64 instance type THEN the AL2023 ARM NVIDIA AMI is the default", () => {
    const { gpu: g } = build({ instanceTypes: ["g5g.xlarge"] });
    expect(g.amiType).toBe(GpuAmiType.AL2023_ARM_64_NVIDIA);
  });

  test("GIVEN Bottlerocket THEN images live on the data volume /dev/xvdb", () => {
    const { doc: d } = build({ instanceTypes: ["g5.xlarge"], amiType: GpuAmiType.BOTTLEROCKET_X86_64_NVIDIA, rootVolumeSizeGiB: 300 });
    const devices = resource(d, "aws_launch_template", "GpuPool-p/LaunchTemplate").values.block_device_mappings;
    expect(devices.map((b: { device_name: string; ebs: { volume_size: number } }) => [b.device_name, b.ebs.volume_size])).toEqual([
      ["/dev/xvda", 4],
      ["/dev/xvdb", 300],
    ]);
    expect(resource(d, "aws_eks_node_group", "GpuPool-p/Resource").values.labels["cdktf-mlops/ami-family"]).toBe("bottlerocket");
  });

  test("the GPU table knows each family's GPU model and count", () => {
    expect(GpuInstance.of("p5.48xlarge")).toMatchObject({ gpuModel: "H100", gpuCount: 8, efa: true });
    expect(GpuInstance.of("g6e.12xlarge")).toMatchObject({ gpuModel: "L40S", gpuCount: 4 });
    expect(GpuInstance.of("g5g.16xlarge")).toMatchObject({ gpuModel: "T4G", gpuCount: 2, architecture: "arm64" });
    expect(GpuInstance.tryLookup("m7i.large")).toBeUndefined();
    expect(GpuInstance.all().length).toBeGreaterThan(40);
  });
});
