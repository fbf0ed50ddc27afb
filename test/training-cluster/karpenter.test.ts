import * as fs from "fs";
import * as path from "path";
import { App, Aspects } from "cdktf";
import {
  CapacityType,
  ClusterAutoscaling,
  GpuAmiType,
  GpuNodePoolOptions,
  GpuTaint,
  MlopsGuardrails,
  MlopsStack,
  NodeLabels,
  PoolPlacement,
  TrainingCluster,
} from "../../src";
import { Pins } from "../../src/core";
import { manifestOf } from "../../src/core/manifest";
import { buildKarpenterPlatform } from "../../examples/karpenter-platform/main";
import * as chartKeys from "../fixtures/chart-values-keys.json";
import * as crdFields from "./karpenter-crd-fields.json";
import { ALL_PACKS } from "../guardrails/harness";
import { helmValues, newApp, policyStatements, resource, resources, synthApp, TfDoc, TfResource, validationError } from "../helpers";
import { violations } from "../invariants";

const CB = "cr-0a1b2c3d4e5f60718";

/** A platform stack, its in-cluster stack and a pools stack, with a Karpenter cluster of `pools`. */
function karpenterApp(pools: GpuNodePoolOptions[], extra: { nodePoolStack?: "pools" | "kube" | "platform" | "none" } = {}) {
  const app = newApp();
  const platform = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
  const kube = new MlopsStack(app, "kube", { region: "eu-west-1", name: "acme-ml" });
  const poolStack = new MlopsStack(app, "pools", { region: "eu-west-1", name: "acme-ml" });
  const which = extra.nodePoolStack ?? "pools";
  const nodePoolStack = which === "none" ? undefined : { pools: poolStack, kube, platform }[which];
  const build = () =>
    new TrainingCluster(platform, "training", {
      kubernetesStack: kube,
      autoscaling: ClusterAutoscaling.karpenter({ nodePoolStack }),
      gpuNodePools: pools,
    });
  return { app, platform, kube, poolStack, build };
}

function synthKarpenter(pools: GpuNodePoolOptions[]) {
  const a = karpenterApp(pools);
  const cluster = a.build();
  const docs = synthApp(a.app);
  return { ...a, cluster, docs, platformDoc: docs.platform, kubeDoc: docs.kube, poolsDoc: docs.pools };
}

const manifests = (doc: TfDoc, kind: string) => resources(doc, "kubernetes_manifest").filter((r) => r.values.manifest.kind === kind);
const byName = (doc: TfDoc, kind: string, name: string): TfResource => {
  const found = manifests(doc, kind).filter((r) => r.values.manifest.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0];
};
const requirement = (pool: TfResource, key: string) =>
  pool.values.manifest.spec.template.spec.requirements.find((r: { key: string }) => r.key === key)?.values;

describe("GPU pools with Karpenter", () => {
  const { docs, platformDoc, kubeDoc, poolsDoc, cluster, poolStack, kube } = synthKarpenter([
    {
      name: "h100-block",
      instanceTypes: ["p5.48xlarge"],
      capacityType: CapacityType.CAPACITY_BLOCK,
      capacityReservationId: CB,
      maxSize: 2,
      efa: true,
    },
    { name: "l4-spot", instanceTypes: ["g6.xlarge", "g6.2xlarge"], capacityType: CapacityType.SPOT, maxSize: 8, labels: { team: "research" } },
    { name: "a100", instanceTypes: ["p4d.24xlarge"], maxSize: 3 },
    { name: "odcr", instanceTypes: ["p5.48xlarge"], capacityReservationTags: { purpose: "training" }, maxSize: 1 },
    { name: "gh200", instanceTypes: ["g5g.xlarge"], maxSize: 1 },
  ]);

  test("each pool is an EC2NodeClass and a NodePool in the pools stack, and no managed node group nor Cluster Autoscaler tag", () => {
    const names = manifests(poolsDoc, "NodePool").map((r) => r.values.manifest.metadata.name);
    expect(names.sort()).toEqual(["a100", "gh200", "h100-block", "l4-spot", "odcr"]);
    expect(manifests(poolsDoc, "EC2NodeClass")).toHaveLength(5);
    expect(resources(platformDoc, "aws_eks_node_group").map((g) => g.values.node_group_name_prefix)).toEqual(["acme-ml-training-system-"]);
    expect(resources(platformDoc, "aws_autoscaling_group_tag")).toEqual([]);
    expect(resources(kubeDoc, "kubernetes_manifest")).toEqual([]);
    expect(Object.keys(cluster.karpenterGpuPools)).toEqual(["h100-block", "l4-spot", "a100", "odcr", "gh200"]);
    expect(cluster.gpuNodePools).toEqual({});
    expect(cluster.hasGpuNodes).toBe(true);
    expect(cluster.karpenterGpuPools["a100"].nodePool.terraformResourceType).toBe("kubernetes_manifest");
    expect(cluster.karpenterGpuPools["a100"].nodeClass.terraformResourceType).toBe("kubernetes_manifest");
  });

  test("labels and taint are those of a managed pool, so that workloads and serving placement are unchanged", () => {
    const pool = byName(poolsDoc, "NodePool", "l4-spot").values.manifest.spec.template;
    expect(pool.metadata.labels).toEqual({
      team: "research",
      [NodeLabels.POOL]: "l4-spot",
      [NodeLabels.GPU_MODEL]: "L4",
      [NodeLabels.GPU_COUNT]: "1",
      [NodeLabels.AMI_FAMILY]: "al2023",
      [NodeLabels.GPU_PRESENT]: "true",
      [NodeLabels.ACCELERATOR]: "nvidia-l4",
    });
    expect(pool.spec.taints).toEqual([{ key: GpuTaint.KEY, value: GpuTaint.VALUE, effect: "NoSchedule" }]);
    expect(byName(poolsDoc, "NodePool", "h100-block").values.manifest.spec.template.metadata.labels[NodeLabels.EFA]).toBe("true");
  });

  test("the nvidia.com/gpu limit is maxSize x GPUs per node", () => {
    const limit = (n: string) => byName(poolsDoc, "NodePool", n).values.manifest.spec.limits["nvidia.com/gpu"];
    expect([limit("h100-block"), limit("l4-spot"), limit("a100"), limit("odcr"), limit("gh200")]).toEqual(["16", "8", "24", "8", "1"]);
    expect(cluster.karpenterGpuPools["a100"].gpuLimit).toBe(24);
  });

  test("capacity types: spot, on-demand, and reserved for a Capacity Block (by id) or reservations (by tags)", () => {
    const types = (n: string) => requirement(byName(poolsDoc, "NodePool", n), "karpenter.sh/capacity-type");
    expect(types("l4-spot")).toEqual(["spot"]);
    expect(types("a100")).toEqual(["on-demand"]);
    expect(types("h100-block")).toEqual(["reserved"]);
    expect(types("odcr")).toEqual(["reserved"]);
    const terms = (n: string) => byName(poolsDoc, "EC2NodeClass", n).values.manifest.spec.capacityReservationSelectorTerms;
    expect(terms("h100-block")).toEqual([{ id: CB }]);
    expect(terms("odcr")).toEqual([{ tags: { purpose: "training" } }]);
    expect(terms("a100")).toBeUndefined();
  });

  test("instance types and architecture are requirements; Karpenter pools may mix sizes of one GPU", () => {
    expect(requirement(byName(poolsDoc, "NodePool", "l4-spot"), "node.kubernetes.io/instance-type")).toEqual(["g6.xlarge", "g6.2xlarge"]);
    expect(requirement(byName(poolsDoc, "NodePool", "l4-spot"), "kubernetes.io/arch")).toEqual(["amd64"]);
    expect(requirement(byName(poolsDoc, "NodePool", "gh200"), "kubernetes.io/arch")).toEqual(["arm64"]);
  });

  test("consolidation never moves a running job: only empty nodes, never expired", () => {
    for (const pool of manifests(poolsDoc, "NodePool")) {
      expect(pool.values.manifest.spec.disruption).toEqual({ consolidationPolicy: "WhenEmpty", consolidateAfter: "10m" });
      expect(pool.values.manifest.spec.template.spec.expireAfter).toBe("Never");
      expect(pool.values.manifest.spec.template.spec.nodeClassRef).toEqual({
        group: "karpenter.k8s.aws",
        kind: "EC2NodeClass",
        name: pool.values.manifest.metadata.name,
      });
    }
  });

  test("the node class: pinned AL2023 alias, the cluster's subnets and security group, KMS volumes, IMDSv2 with one hop, Karpenter's node role", () => {
    const spec = byName(poolsDoc, "EC2NodeClass", "a100").values.manifest.spec;
    expect(spec.amiSelectorTerms).toEqual([{ alias: "al2023@v20260714" }]);
    expect(spec.metadataOptions).toEqual({
      httpEndpoint: "enabled",
      httpProtocolIPv6: "disabled",
      httpPutResponseHopLimit: 1,
      httpTokens: "required",
    });
    expect(spec.blockDeviceMappings).toEqual([
      {
        deviceName: "/dev/xvda",
        rootVolume: true,
        ebs: expect.objectContaining({ encrypted: true, volumeType: "gp3", volumeSize: "200Gi", kmsKeyID: expect.stringContaining("PlatformKey") }),
      },
    ]);
    expect(spec.subnetSelectorTerms).toHaveLength(3);
    for (const t of spec.subnetSelectorTerms) expect(t.id).toMatch(/PrivateSubnet\d/);
    expect(spec.securityGroupSelectorTerms).toEqual([{ id: expect.stringContaining("cluster_security_group_id") }]);
    expect(spec.role).toContain("Karpenter_NodeRole");
    expect(spec.tags["mlops:component"]).toBe("training-cluster");
  });

  test("every field the library writes is a field of the CRD of the pinned version", () => {
    expect(crdFields.source).toContain("v1.14.1");
    expect(Pins.charts.karpenterCrd.version).toBe("1.14.1");
    const pathsOf = (v: unknown, p: string, maps: string[]): string[] => {
      if (maps.includes(p)) return [];
      if (Array.isArray(v)) return v.flatMap((x) => pathsOf(x, `${p}[]`, maps));
      if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => [`${p}.${k}`, ...pathsOf(x, `${p}.${k}`, maps)]);
      return [];
    };
    for (const [kind, crd] of Object.entries(crdFields.kinds)) {
      const written = manifests(poolsDoc, kind);
      expect(written.length).toBeGreaterThan(0);
      for (const r of written) {
        expect(r.values.manifest.apiVersion).toBe(crd.apiVersion);
        const unknown = pathsOf(r.values.manifest.spec, "spec", crd.maps).filter((f) => !crd.fields.includes(f));
        expect(unknown).toEqual([]);
      }
    }
    // The check can fail: a misspelt field is caught.
    expect(
      pathsOf({ disruption: { consolidationPolicy: "WhenEmpty", consolidateAftr: "1m" } }, "spec", []).filter(
        (f) => !crdFields.kinds.NodePool.fields.includes(f),
      ),
    ).toEqual(["spec.disruption.consolidateAftr"]);
  });

  test("the custom resources wait for the CRDs and the controller (a stack dependency on the in-cluster stack)", () => {
    expect(Object.keys(docs)).toEqual(expect.arrayContaining(["platform", "kube", "pools"]));
    expect(poolStack.dependencies).toContain(kube);
    expect(byName(poolsDoc, "NodePool", "a100").values.depends_on).toEqual([expect.stringContaining("NodeClass")]);
  });

  test("the review's manifest lists the pools with the autoscaler that scales them", () => {
    const entry = manifestOf(cluster).entries.find((e) => e.kind === "GpuNodePool" && e.name === "h100-block")!;
    expect(entry).toMatchObject({
      autoscaler: "karpenter",
      capacityType: "CAPACITY_BLOCK",
      gpuCount: 8,
      maxSize: 2,
      minSize: 0,
      efa: true,
      stack: "platform",
    });
  });

  test("the EFA device plugin and the NVIDIA device plugin are installed for the pools", () => {
    const charts = resources(kubeDoc, "helm_release").map((r) => r.values.chart);
    expect(charts).toEqual(expect.arrayContaining(["karpenter", "karpenter-crd", "nvidia-device-plugin", "aws-efa-k8s-device-plugin"]));
  });
});

describe("Karpenter's controller and its AWS resources", () => {
  const { platformDoc, kubeDoc, cluster } = synthKarpenter([{ name: "a100", instanceTypes: ["p4d.24xlarge"], maxSize: 2 }]);
  const k = cluster.karpenter!;

  test("the interruption queue is under a key of its own that EventBridge may use for this queue only", () => {
    const queue = resource(platformDoc, "aws_sqs_queue", "training/Karpenter/InterruptionQueue");
    expect(queue.values.name).toBe("acme-ml-training-karpenter");
    expect(queue.values.message_retention_seconds).toBe(300);
    expect(queue.values.kms_master_key_id).toBe("${aws_kms_key.training_Karpenter_QueueKey_F2010617.arn}");
    const key = resource(platformDoc, "aws_kms_key", "training/Karpenter/QueueKey");
    expect(key.values.enable_key_rotation).toBe(true);
    const events = policyStatements(platformDoc, key.values.policy).find((s) => s.sid === "AllowEventBridgeToSendToTheQueue")!;
    expect(events.principals).toEqual([{ type: "Service", identifiers: ["events.amazonaws.com"] }]);
    expect(events.actions).toEqual(["kms:GenerateDataKey", "kms:Decrypt"]);
    expect(events.condition).toEqual([
      expect.objectContaining({
        variable: "kms:EncryptionContext:aws:sqs:arn",
        values: [expect.stringMatching(/:sqs:eu-west-1:.*:acme-ml-training-karpenter$/)],
      }),
    ]);
    const queuePolicy = policyStatements(platformDoc, resource(platformDoc, "aws_sqs_queue_policy", "InterruptionQueuePolicy").values.policy);
    expect(queuePolicy.map((s) => s.sid)).toEqual(["EventBridgeOfThisAccountSends", "DenyHTTP"]);
  });

  test("five EventBridge rules feed the queue: spot interruption, rebalance, state change, scheduled change, reservation interruption", () => {
    const rules = resources(platformDoc, "aws_cloudwatch_event_rule");
    const patterns = rules.map((r) => JSON.parse(r.values.event_pattern)).map((p) => `${p.source[0]} ${p["detail-type"][0]}`);
    expect(patterns.sort()).toEqual(
      [
        "aws.ec2 EC2 Spot Instance Interruption Warning",
        "aws.ec2 EC2 Instance Rebalance Recommendation",
        "aws.ec2 EC2 Instance State-change Notification",
        "aws.health AWS Health Event",
        "aws.ec2 EC2 Capacity Reservation Instance Interruption Warning",
      ].sort(),
    );
    const targets = resources(platformDoc, "aws_cloudwatch_event_target");
    expect(targets).toHaveLength(5);
    for (const t of targets) expect(t.values.arn).toBe("${aws_sqs_queue.training_Karpenter_InterruptionQueue_54E2A5F2.arn}");
    expect(Object.keys(k.interruptionRules).sort()).toEqual([
      "CapacityReservationInterruption",
      "InstanceStateChange",
      "Rebalance",
      "ScheduledChange",
      "SpotInterruption",
    ]);
  });

  test("the controller gets its role through Pod Identity (kube-system/karpenter), scoped to this cluster", () => {
    const assoc = resource(platformDoc, "aws_eks_pod_identity_association", "training/KarpenterPodIdentity");
    expect(assoc.values).toMatchObject({ namespace: "kube-system", service_account: "karpenter" });
    const role = resource(platformDoc, "aws_iam_role", "training/KarpenterControllerRole/Role");
    expect(assoc.values.role_arn).toBe(`\${${role.address}.arn}`);
    const trust = policyStatements(platformDoc, role.values.assume_role_policy)[0];
    expect(trust.principals).toEqual([{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }]);
    const policy = policyStatements(
      platformDoc,
      resource(platformDoc, "aws_iam_role_policy", "training/KarpenterControllerRole/Policy").values.policy,
    );
    const sid = (s: string) => policy.find((x) => x.sid === s)!;
    expect(sid("AllowPassingInstanceRole").resources).toEqual(["${aws_iam_role.training_Karpenter_NodeRole_11C1B78F.arn}"]);
    expect(sid("AllowScopedDeletion").condition).toEqual(
      expect.arrayContaining([expect.objectContaining({ variable: "aws:ResourceTag/kubernetes.io/cluster/acme-ml-training", values: ["owned"] })]),
    );
    expect(sid("AllowInterruptionQueueActions").resources).toEqual(["${aws_sqs_queue.training_Karpenter_InterruptionQueue_54E2A5F2.arn}"]);
    expect(sid("DecryptInterruptionMessages").resources).toEqual(["${aws_kms_key.training_Karpenter_QueueKey_F2010617.arn}"]);
    expect(sid("EncryptNodeVolumesWithTheClusterKey").condition).toEqual([expect.objectContaining({ variable: "kms:ViaService" })]);
    // Every write is limited to resources or a condition.
    for (const s of policy)
      if ((s.resources ?? []).includes("*")) expect(s.condition ?? s.actions.every((a: string) => /:(Get|List|Describe)/.test(a))).toBeTruthy();
  });

  test("the nodes have a role of their own with an EC2_LINUX access entry (the managed groups' role keeps EKS's own entry)", () => {
    const entries = resources(platformDoc, "aws_eks_access_entry");
    expect(entries).toHaveLength(1);
    expect(entries[0].values).toMatchObject({ type: "EC2_LINUX", principal_arn: "${aws_iam_role.training_Karpenter_NodeRole_11C1B78F.arn}" });
    const trust = policyStatements(
      platformDoc,
      resource(platformDoc, "aws_iam_role", "training/Karpenter/NodeRole/Role").values.assume_role_policy,
    )[0];
    expect(trust.principals).toEqual([{ type: "Service", identifiers: ["ec2.amazonaws.com"] }]);
    expect(k.nodeAccessEntry.terraformResourceType).toBe("aws_eks_access_entry");
  });

  test("the charts: CRDs first, then the controller on the system nodes with the cluster, the queue and node repair", () => {
    const crd = resource(kubeDoc, "helm_release", "training/KarpenterCrd");
    const ctl = resource(kubeDoc, "helm_release", "training/KarpenterController");
    expect(crd.values).toMatchObject({
      repository: "oci://public.ecr.aws/karpenter",
      chart: "karpenter-crd",
      version: "1.14.1",
      namespace: "kube-system",
    });
    expect(ctl.values).toMatchObject({ repository: "oci://public.ecr.aws/karpenter", chart: "karpenter", version: "1.14.1", skip_crds: true });
    expect(ctl.values.depends_on).toContain(`helm_release.${crd.name}`);
    const values = helmValues(ctl);
    expect(values.settings).toMatchObject({
      clusterName: "acme-ml-training",
      interruptionQueue: expect.stringContaining("InterruptionQueue"),
      featureGates: { nodeRepair: true, reservedCapacity: true },
    });
    expect(values.nodeSelector).toEqual({ [NodeLabels.POOL]: "system" });
    expect(values.serviceAccount).toEqual({ create: true, name: "karpenter" });
    expect(values.controller.resources.requests).toEqual({ cpu: "500m", memory: "1Gi" });
  });

  test("every values key is one of the pinned charts' values.yaml", () => {
    const keyPaths = (v: Record<string, unknown>, p = ""): string[] =>
      Object.entries(v).flatMap(([k, x]) => {
        const q = p ? `${p}.${k}` : k;
        return [q, ...(x && typeof x === "object" && !Array.isArray(x) ? keyPaths(x as Record<string, unknown>, q) : [])];
      });
    // Maps whose keys are the user's: node labels, and Kubernetes resources (`resources: {}` in values.yaml).
    const freeForm = ["nodeSelector", "controller.resources"];
    const unknownKeys = (values: Record<string, unknown>, known: string[]) =>
      keyPaths(values).filter((key) => {
        const parent = key.split(".").slice(0, -1).join(".");
        if (freeForm.some((m) => key.startsWith(`${m}.`))) return false;
        return !known.includes(key) && !(parent && known.includes(parent) && !known.some((x) => x.startsWith(`${parent}.`)));
      });
    expect(chartKeys.karpenter.source).toContain("1.14.1");
    expect(unknownKeys(helmValues(resource(kubeDoc, "helm_release", "training/KarpenterController")), chartKeys.karpenter.keys)).toEqual([]);
    expect(unknownKeys(helmValues(resource(kubeDoc, "helm_release", "training/KarpenterCrd")), chartKeys.karpenterCrd.keys)).toEqual([]);
    expect(unknownKeys({ settings: { clusterNam: "x" } }, chartKeys.karpenter.keys)).toEqual(["settings.clusterNam"]);
  });

  test("node repair can be turned off", () => {
    const app = newApp();
    const platform = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
    new TrainingCluster(platform, "training", { autoscaling: ClusterAutoscaling.karpenter({ nodeRepair: false }) });
    const doc = synthApp(app).platform;
    expect(helmValues(resource(doc, "helm_release", "training/KarpenterController")).settings.featureGates.nodeRepair).toBe(false);
  });
});

describe("the plan-time rule: NodePools in a stack that deploys after the Karpenter CRDs", () => {
  const pool: GpuNodePoolOptions = { name: "a100", instanceTypes: ["p4d.24xlarge"] };

  test("accepted in a separate stack", () => {
    expect(() => karpenterApp([pool]).build()).not.toThrow();
  });

  test("refused without a nodePoolStack", () => {
    expect(validationError(() => karpenterApp([pool], { nodePoolStack: "none" }).build()).message).toContain(
      "TrainingCluster platform/training: autoscaling (object) has GPU pools but no nodePoolStack (ClusterAutoscaling.karpenter)",
    );
  });

  test("refused in the stack that installs the CRDs", () => {
    expect(validationError(() => karpenterApp([pool], { nodePoolStack: "kube" }).build()).message).toContain(
      'autoscaling (karpenter) puts the NodePools in the stack "kube", which deploys before the Karpenter CRDs exist',
    );
  });

  test("refused in the cluster's own stack", () => {
    expect(validationError(() => karpenterApp([pool], { nodePoolStack: "platform" }).build()).message).toContain(
      'puts the NodePools in the stack "platform"',
    );
  });

  test("refused when the CRDs are installed in the cluster's own stack and the pools are there too", () => {
    const app = newApp();
    const platform = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
    expect(
      validationError(
        () =>
          new TrainingCluster(platform, "training", { autoscaling: ClusterAutoscaling.karpenter({ nodePoolStack: platform }), gpuNodePools: [pool] }),
      ).message,
    ).toContain("a custom resource cannot be planned before its CRD exists");
  });

  test("a pool added later goes the same way; addGpuNodePool and addKarpenterGpuPool each refuse the other autoscaler", () => {
    const a = karpenterApp([], { nodePoolStack: "none" });
    const cluster = a.build();
    expect(validationError(() => cluster.addKarpenterGpuPool("a100", pool)).message).toContain("no nodePoolStack");
    expect(validationError(() => cluster.addGpuNodePool("a100", pool)).message).toContain("use addKarpenterGpuPool");
    const plain = new TrainingCluster(new MlopsStack(newApp(), "p", { region: "eu-west-1", name: "acme-x" }), "training");
    expect(validationError(() => plain.addKarpenterGpuPool("a100", pool)).message).toContain("needs autoscaling: ClusterAutoscaling.karpenter");
  });

  test("accepted without a kubernetesStack: the chart in the cluster's stack, the pools in a workloads stack", () => {
    const app = newApp();
    const platform = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
    const workloads = new MlopsStack(app, "workloads", { region: "eu-west-1", name: "acme-ml" });
    new TrainingCluster(platform, "training", { autoscaling: ClusterAutoscaling.karpenter({ nodePoolStack: workloads }), gpuNodePools: [pool] });
    const docs = synthApp(app);
    expect(resources(docs.platform, "helm_release").map((r) => r.values.chart)).toEqual(expect.arrayContaining(["karpenter", "karpenter-crd"]));
    expect(resources(docs.platform, "kubernetes_manifest")).toEqual([]);
    expect(byName(docs.workloads, "NodePool", "a100").path).toBe("workloads/training/GpuPool-a100/NodePool");
    expect(workloads.dependencies).toContain(platform);
  });

  test("a pool added later with the stack lands in it", () => {
    const a = karpenterApp([]);
    const cluster = a.build();
    const added = cluster.addKarpenterGpuPool("later", { name: "later", instanceTypes: ["g6e.xlarge"], maxSize: 3 });
    expect(added.gpuLimit).toBe(3);
    expect(validationError(() => cluster.addKarpenterGpuPool("again", { name: "later", instanceTypes: ["g6e.xlarge"] })).message).toContain(
      "exists already",
    );
    expect(byName(synthApp(a.app).pools, "NodePool", "later")).toBeDefined();
  });
});

describe("what a Karpenter pool refuses", () => {
  const refused = (pool: Partial<GpuNodePoolOptions>) =>
    validationError(() => karpenterApp([{ name: "p", instanceTypes: ["p5.48xlarge"], ...pool } as GpuNodePoolOptions]).build()).message;

  test.each([
    [{ capacityType: CapacityType.CAPACITY_BLOCK }, 'gpuNodePools[0].capacityType ("CAPACITY_BLOCK") CAPACITY_BLOCK needs the block'],
    [{ capacityType: CapacityType.SPOT, capacityReservationTags: { a: "b" } }, "capacityReservationTags"],
    [{ capacityReservationId: CB, capacityReservationTags: { a: "b" } }, "name one or the other"],
    [{ capacityReservationTags: {} }, "must name at least one tag"],
    [{ minSize: 1 }, "must be 0 with Karpenter"],
    [{ amiType: GpuAmiType.BOTTLEROCKET_X86_64_NVIDIA }, "is Bottlerocket"],
    [{ placement: PoolPlacement.cluster() }, "name one with PoolPlacement.existing(name)"],
    [{ instanceTypes: ["p5.48xlarge", "g6.xlarge"] }, "must have the GPU model, GPU count and architecture"],
  ])("%j", (pool, message) => {
    expect(refused(pool)).toContain(message);
  });

  test("sizes of one GPU may mix (Cluster Autoscaler's equal-size rule is not Karpenter's), and an existing placement group is selected by name", () => {
    const { poolsDoc } = synthKarpenter([
      { name: "l4", instanceTypes: ["g6.xlarge", "g6.2xlarge", "g6.4xlarge"] },
      { name: "pg", instanceTypes: ["p5.48xlarge"], efa: true, placement: PoolPlacement.existing("training-pg") },
    ]);
    expect(byName(poolsDoc, "EC2NodeClass", "pg").values.manifest.spec.placementGroupSelector).toEqual({ name: "training-pg" });
    expect(
      () =>
        new TrainingCluster(new MlopsStack(newApp(), "p", { region: "eu-west-1", name: "acme-x" }), "t", {
          gpuNodePools: [{ name: "l4", instanceTypes: ["g6.xlarge", "g6.2xlarge"] }],
        }),
    ).toThrow("Cluster Autoscaler needs equal vCPU");
  });

  test("a Capacity Block selected by tags, and EFA types of different card counts, are a Karpenter pool's (the managed group's launch-template rules are not)", () => {
    const { poolsDoc } = synthKarpenter([
      { name: "cb", instanceTypes: ["p5.48xlarge"], capacityType: CapacityType.CAPACITY_BLOCK, capacityReservationTags: { block: "q1" }, maxSize: 2 },
      { name: "h200", instanceTypes: ["p5e.48xlarge", "p5en.48xlarge"], efa: true, placement: PoolPlacement.none() },
    ]);
    expect(requirement(byName(poolsDoc, "NodePool", "cb"), "karpenter.sh/capacity-type")).toEqual(["reserved"]);
    expect(byName(poolsDoc, "EC2NodeClass", "cb").values.manifest.spec.capacityReservationSelectorTerms).toEqual([{ tags: { block: "q1" } }]);
    expect(byName(poolsDoc, "NodePool", "h200")).toBeDefined();
    const managed = (pool: GpuNodePoolOptions) => () =>
      new TrainingCluster(new MlopsStack(newApp(), "p", { region: "eu-west-1", name: "acme-x" }), "t", { gpuNodePools: [pool] });
    expect(managed({ name: "cb", instanceTypes: ["p5.48xlarge"], capacityType: CapacityType.CAPACITY_BLOCK })).toThrow("needs capacityReservationId");
    expect(managed({ name: "h200", instanceTypes: ["p5e.48xlarge", "p5en.48xlarge"], efa: true })).toThrow("make a pool per type");
  });

  test("a bad AMI alias", () => {
    const app = newApp();
    const platform = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
    expect(
      validationError(
        () => new TrainingCluster(platform, "training", { autoscaling: ClusterAutoscaling.karpenter({ amiAlias: "bottlerocket@latest" }) }),
      ).message,
    ).toContain("karpenter amiAlias must be an AL2023 alias");
  });
});

describe("examples/karpenter-platform", () => {
  const app = newApp();
  const built = buildKarpenterPlatform(app);
  const guardrails = new MlopsGuardrails({ packs: ALL_PACKS });
  Aspects.of(app).add(guardrails);
  const docs = synthApp(app as App);

  test("keeps every invariant in every stack and is clean under every guardrail pack", () => {
    expect(Object.keys(docs).sort()).toEqual(["ml-gpu", "ml-gpu-kubernetes", "ml-gpu-pools"]);
    for (const doc of Object.values(docs)) expect(violations(doc)).toEqual([]);
    expect(guardrails.findings.filter((f) => !f.suppressedReason).map((f) => `${f.ruleId} ${f.constructPath}: ${f.message}`)).toEqual([]);
  });

  test("a Capacity Block pool by reservation id and a spot pool, on Karpenter", () => {
    expect(built.cluster.autoscaling.kind).toBe("karpenter");
    const block = byName(docs["ml-gpu-pools"], "EC2NodeClass", "h100-block").values.manifest.spec;
    expect(block.capacityReservationSelectorTerms).toEqual([{ id: "cr-0a1b2c3d4e5f60718" }]);
    expect(requirement(byName(docs["ml-gpu-pools"], "NodePool", "h100-block"), "karpenter.sh/capacity-type")).toEqual(["reserved"]);
    expect(requirement(byName(docs["ml-gpu-pools"], "NodePool", "l4-spot"), "karpenter.sh/capacity-type")).toEqual(["spot"]);
  });

  test("the existing examples' address lists are unchanged by this feature", () => {
    const dir = path.join(__dirname, "..", "examples", "__addresses__");
    for (const name of ["reference-platform", "sagemaker-platform", "existing-cluster"]) {
      const text = fs.readFileSync(path.join(dir, `${name}.txt`), "utf8");
      expect(text).not.toMatch(/Karpenter|karpenter/);
    }
  });
});
