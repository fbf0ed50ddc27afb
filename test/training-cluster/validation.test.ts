import { TrainingCluster, TrainingClusterProps } from "../../src";
import { newStack, validationError } from "../helpers";

const a100 = { name: "a100", instanceTypes: ["p4d.24xlarge"] };

/** Each bad input and the message it must produce, naming the construct path, the field and the value. */
const cases: [string, Record<string, unknown>, string][] = [
  [
    "pool maxSize below minSize",
    { gpuNodePools: [a100, { name: "b", instanceTypes: ["g5.xlarge"], minSize: 3, maxSize: 1 }] },
    "TrainingCluster platform/training: gpuNodePools[1].maxSize (1) must be >= minSize (3)",
  ],
  [
    "non-GPU instance type",
    { gpuNodePools: [{ name: "cpu", instanceTypes: ["m7i.large"] }] },
    'TrainingCluster platform/training: gpuNodePools[0].instanceTypes[0] ("m7i.large") is not a known NVIDIA GPU instance type',
  ],
  [
    "unknown instance type",
    { gpuNodePools: [{ name: "x", instanceTypes: ["p9.huge"] }] },
    'gpuNodePools[0].instanceTypes[0] ("p9.huge") is not a known NVIDIA GPU instance type',
  ],
  [
    "AL2 GPU AMI",
    { gpuNodePools: [{ ...a100, amiType: "AL2_x86_64_GPU" }] },
    'gpuNodePools[0].amiType ("AL2_x86_64_GPU") is an Amazon Linux 2 GPU AMI, which reached end of support on 2025-11-26',
  ],
  ["unknown AMI type", { gpuNodePools: [{ ...a100, amiType: "UBUNTU" }] }, 'gpuNodePools[0].amiType ("UBUNTU") must be one of AL2023_x86_64_NVIDIA'],
  [
    "ARM AMI on x86 instances",
    { gpuNodePools: [{ ...a100, amiType: "AL2023_ARM_64_NVIDIA" }] },
    'gpuNodePools[0].amiType ("AL2023_ARM_64_NVIDIA") is for arm64, but the instance types are x86_64',
  ],
  [
    "mixed GPU shapes in a pool",
    { gpuNodePools: [{ name: "mix", instanceTypes: ["g5.xlarge", "g5.12xlarge"] }] },
    'gpuNodePools[0].instanceTypes[1] ("g5.12xlarge") must have the GPU model, GPU count and architecture of g5.xlarge (1x A10G, x86_64)',
  ],
  [
    "EFA on a type without it",
    { gpuNodePools: [{ name: "small", instanceTypes: ["g5.xlarge"], efa: true }] },
    'gpuNodePools[0].instanceTypes[0] ("g5.xlarge") does not support EFA (efa: true)',
  ],
  [
    "capacity reservation on spot",
    { gpuNodePools: [{ ...a100, capacityType: "SPOT", capacityReservationId: "cr-0123456789abcdef0" }] },
    'gpuNodePools[0].capacityReservationId ("cr-0123456789abcdef0") needs capacityType ON_DEMAND, not SPOT',
  ],
  [
    "bad pool name",
    { gpuNodePools: [{ ...a100, name: "A100_Pool" }] },
    'gpuNodePools[0].name ("A100_Pool") must be a lowercase DNS label of at most 20 characters',
  ],
  ["duplicate pool name", { gpuNodePools: [a100, a100] }, 'gpuNodePools[1].name ("a100") names a pool twice'],
  [
    "reserved label key",
    { gpuNodePools: [{ ...a100, labels: { "nvidia.com/gpu.product": "x" } }] },
    'gpuNodePools[0].labels.nvidia.com/gpu.product ("x") label keys must not use the reserved prefixes',
  ],
  [
    "no instance types",
    { gpuNodePools: [{ name: "e", instanceTypes: [] }] },
    "gpuNodePools[0].instanceTypes (array of 0) must name at least one instance type",
  ],
  [
    "root volume too small",
    { gpuNodePools: [{ ...a100, rootVolumeSizeGiB: 20 }] },
    "gpuNodePools[0].rootVolumeSizeGiB (20) must be between 50 and 16384",
  ],
  ["unknown Kubernetes version", { kubernetesVersion: "1.29" }, 'kubernetesVersion ("1.29") must be one of 1.33, 1.34, 1.35, 1.36'],
  [
    "version past standard support",
    { kubernetesVersion: "1.33" },
    'kubernetesVersion ("1.33") is past EKS standard support (ended 2026-07-29): choose a newer version or set upgradeSupportType to EXTENDED',
  ],
  [
    "public endpoint open to the world",
    { publicEndpointCidrs: ["0.0.0.0/0"] },
    'publicEndpointCidrs[0] ("0.0.0.0/0") opens the API server to the whole internet: name the networks that need it',
  ],
  [
    "empty public endpoint list",
    { publicEndpointCidrs: [] },
    "publicEndpointCidrs (array of 0) must name at least one CIDR block, or be left out for a private endpoint",
  ],
  ["bad admin role ARN", { adminRoleArns: ["arn:aws:iam::123:user/bob"] }, 'adminRoleArns[0] ("arn:aws:iam::123:user/bob") must be an IAM role ARN'],
  ["log retention not a CloudWatch value", { logRetentionDays: 45 }, "logRetentionDays (45) must be one of CloudWatch Logs' retention values"],
  ["system node max below min", { systemNodeMinSize: 3, systemNodeMaxSize: 2 }, "systemNodeMaxSize (2) must be >= systemNodeMinSize (3)"],
  ["team in a system namespace", { teams: [{ name: "kube-system", gpuQuota: 1 }] }, 'teams[0].name ("kube-system") must not be a system namespace'],
  ["negative GPU quota", { teams: [{ name: "fraud", gpuQuota: -1 }] }, "teams[0].gpuQuota (-1) must be between 0 and 100000"],
  [
    "duplicate team",
    {
      teams: [
        { name: "fraud", gpuQuota: 1 },
        { name: "fraud", gpuQuota: 2 },
      ],
    },
    'teams[1].name ("fraud") names a team twice',
  ],
  [
    "add-on version for an unknown add-on",
    { addonVersions: { "aws-efs-csi-driver": "v2" } },
    "addonVersions (object) may only name the add-ons vpc-cni, kube-proxy, eks-pod-identity-agent, coredns, aws-ebs-csi-driver",
  ],
  ["misspelt prop", { gpuNodePool: [a100] }, 'TrainingCluster platform/training: has unknown field(s) "gpuNodePool"'],
  ["network that is not one", { network: { id: "vpc-1" } }, "network (object) must be an INetwork"],
];

describe("TrainingCluster rejects bad input before synthesis", () => {
  test.each(cases)("%s", (_name, props, message) => {
    const stack = newStack();
    const error = validationError(() => new TrainingCluster(stack, "training", props as TrainingClusterProps));
    expect(error.message).toContain(message);
    expect(error.message.startsWith("TrainingCluster platform/training: ")).toBe(true);
    // Nothing of the cluster was built: no half-stack.
    expect(stack.node.tryFindChild("training")?.node.children ?? []).toHaveLength(0);
  });

  test("addGpuNodePool validates too, naming the pool's own path", () => {
    const cluster = new TrainingCluster(newStack(), "training");
    expect(() => cluster.addGpuNodePool("x", { name: "x", instanceTypes: ["t3.large"] })).toThrow(
      'GpuNodePool platform/training/GpuPool-x: instanceTypes[0] ("t3.large") is not a known NVIDIA GPU instance type',
    );
  });

  test("addGpuNodePool refuses a second pool of the same name or id, before building anything", () => {
    const cluster = new TrainingCluster(newStack(), "training", { gpuNodePools: [a100] });
    const before = cluster.node.findAll().length;
    expect(validationError(() => cluster.addGpuNodePool("again", a100)).message).toBe(
      'TrainingCluster platform/training: addGpuNodePool.name ("a100") names a GPU node pool that exists already',
    );
    expect(validationError(() => cluster.addGpuNodePool("a100", { ...a100, name: "other" })).message).toBe(
      'TrainingCluster platform/training: addGpuNodePool.id ("a100") is the id of a GPU node pool that exists already',
    );
    expect(validationError(() => cluster.addGpuNodePool("a/b", { ...a100, name: "other" })).message).toContain(
      'addGpuNodePool.id ("a/b") must be letters',
    );
    expect(cluster.node.findAll().length).toBe(before);
  });

  test("addTeam refuses a team twice", () => {
    const cluster = new TrainingCluster(newStack(), "training", { teams: [{ name: "fraud", gpuQuota: 4 }] });
    expect(validationError(() => cluster.addTeam({ name: "fraud", gpuQuota: 8 })).message).toBe(
      'TrainingCluster platform/training: addTeam.name ("fraud") names a team that exists already',
    );
  });
});
