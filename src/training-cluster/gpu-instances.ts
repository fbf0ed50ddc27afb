/** CPU architecture of an instance type or AMI. */
export enum CpuArchitecture {
  X86_64 = "x86_64",
  ARM64 = "arm64",
}

/** EKS AMI types for NVIDIA GPU nodes. Amazon Linux 2 GPU AMIs reached end of support on 2025-11-26 and are refused. */
export enum GpuAmiType {
  /** Amazon Linux 2023 with NVIDIA drivers, x86_64. The NVIDIA device plugin is installed by the library. */
  AL2023_X86_64_NVIDIA = "AL2023_x86_64_NVIDIA",
  /** Amazon Linux 2023 with NVIDIA drivers, arm64 (g5g). */
  AL2023_ARM_64_NVIDIA = "AL2023_ARM_64_NVIDIA",
  /** Bottlerocket with NVIDIA drivers and its own device plugin, x86_64. */
  BOTTLEROCKET_X86_64_NVIDIA = "BOTTLEROCKET_x86_64_NVIDIA",
  /** Bottlerocket with NVIDIA drivers and its own device plugin, arm64. */
  BOTTLEROCKET_ARM_64_NVIDIA = "BOTTLEROCKET_ARM_64_NVIDIA",
}

/** How the pool's instances are bought. */
export enum CapacityType {
  ON_DEMAND = "ON_DEMAND",
  SPOT = "SPOT",
  /**
   * A Capacity Block for ML: reserved GPU capacity for a fixed time window, bought ahead. A pool takes its
   * reservation id (`capacityReservationId`) and the one instance type it holds.
   */
  CAPACITY_BLOCK = "CAPACITY_BLOCK",
}

/** What the library knows of one NVIDIA GPU instance type. */
export interface GpuInstanceInfo {
  /** The EC2 instance type, e.g. `p4d.24xlarge`. */
  readonly instanceType: string;
  /** GPU model, e.g. `A100`. */
  readonly gpuModel: string;
  /** Number of GPUs. */
  readonly gpuCount: number;
  /** Memory per GPU, GiB (AWS's published figure). */
  readonly gpuMemoryGiB: number;
  /** CPU architecture. */
  readonly architecture: CpuArchitecture;
  /** Whether the type supports Elastic Fabric Adapter. */
  readonly efa: boolean;
  /** Whether the type has local NVMe instance storage. */
  readonly localNvme: boolean;
  /** vCPUs of the instance. */
  readonly vcpus: number;
  /** Memory of the instance (not of its GPUs), GiB. */
  readonly memoryGiB: number;
  /**
   * Network cards of the instance (`NetworkInfo.MaximumNetworkCards`): a p4d.24xlarge has 4, a p5.48xlarge 32.
   * An EFA pool gets one EFA interface per card: card 0 an EFA with ENA (the node's IP address), the others
   * EFA-only (no IP address), which every EFA instance type accepts on its secondary interfaces.
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa-acc-inst-types.html
   */
  readonly networkCards: number;
  /** Most EFA interfaces of the instance (`NetworkInfo.EfaInfo.MaximumEfaInterfaces`), 0 without EFA. */
  readonly maxEfaInterfaces: number;
  /**
   * Whether Capacity Blocks for ML are sold for the type.
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-capacity-blocks.html
   */
  readonly capacityBlocks: boolean;
}

interface Family {
  model: string;
  memoryGiB: number;
  arch: CpuArchitecture;
  nvme: boolean;
  /** size -> [gpu count, efa, vCPUs, instance memory GiB] */
  sizes: Record<string, [number, boolean, number, number]>;
}

const X86 = CpuArchitecture.X86_64;
/** g5 and g6 sizes: GPUs, EFA, vCPUs, memory GiB. */
const SMALL_G: Record<string, [number, boolean, number, number]> = {
  xlarge: [1, false, 4, 16],
  "2xlarge": [1, false, 8, 32],
  "4xlarge": [1, false, 16, 64],
  "8xlarge": [1, true, 32, 128],
  "12xlarge": [4, true, 48, 192],
  "16xlarge": [1, true, 64, 256],
  "24xlarge": [4, true, 96, 384],
  "48xlarge": [8, true, 192, 768],
};
/** g6e: the GPU counts of g6 with twice the memory per vCPU. */
const G6E: Record<string, [number, boolean, number, number]> = Object.fromEntries(
  Object.entries(SMALL_G).map(([size, [gpus, efa, vcpus, mem]]) => [size, [gpus, efa, vcpus, mem * 2]]),
);

// Sources: EC2 accelerated computing instance specifications, cross-checked with the instance
// data of Karpenter's and eksctl's generated tables (GPU count, EFA, instance storage, vCPUs, memory).
const FAMILIES: Record<string, Family> = {
  g4dn: {
    model: "T4",
    memoryGiB: 16,
    arch: X86,
    nvme: true,
    sizes: {
      xlarge: [1, false, 4, 16],
      "2xlarge": [1, false, 8, 32],
      "4xlarge": [1, false, 16, 64],
      "8xlarge": [1, true, 32, 128],
      "12xlarge": [4, true, 48, 192],
      "16xlarge": [1, true, 64, 256],
      metal: [8, true, 96, 384],
    },
  },
  g5: { model: "A10G", memoryGiB: 24, arch: X86, nvme: true, sizes: SMALL_G },
  g5g: {
    model: "T4G",
    memoryGiB: 16,
    arch: CpuArchitecture.ARM64,
    nvme: false,
    sizes: {
      xlarge: [1, false, 4, 8],
      "2xlarge": [1, false, 8, 16],
      "4xlarge": [1, false, 16, 32],
      "8xlarge": [1, false, 32, 64],
      "16xlarge": [2, false, 64, 128],
      metal: [2, false, 64, 128],
    },
  },
  g6: { model: "L4", memoryGiB: 24, arch: X86, nvme: true, sizes: SMALL_G },
  g6e: { model: "L40S", memoryGiB: 48, arch: X86, nvme: true, sizes: G6E },
  gr6: { model: "L4", memoryGiB: 24, arch: X86, nvme: true, sizes: { "4xlarge": [1, false, 16, 128], "8xlarge": [1, true, 32, 256] } },
  p4d: { model: "A100", memoryGiB: 40, arch: X86, nvme: true, sizes: { "24xlarge": [8, true, 96, 1152] } },
  p4de: { model: "A100", memoryGiB: 80, arch: X86, nvme: true, sizes: { "24xlarge": [8, true, 96, 1152] } },
  p5: { model: "H100", memoryGiB: 80, arch: X86, nvme: true, sizes: { "4xlarge": [1, true, 16, 256], "48xlarge": [8, true, 192, 2048] } },
  p5e: { model: "H200", memoryGiB: 141, arch: X86, nvme: true, sizes: { "48xlarge": [8, true, 192, 2048] } },
  p5en: { model: "H200", memoryGiB: 141, arch: X86, nvme: true, sizes: { "48xlarge": [8, true, 192, 2048] } },
  "p6-b200": { model: "B200", memoryGiB: 179, arch: X86, nvme: true, sizes: { "48xlarge": [8, true, 192, 2048] } },
};

// Network cards of the types with more than one (every other type has one). Checked three ways, which
// agree for every type of the table: the "Network specifications" table of the EC2 accelerated computing
// instance specifications (column "Network cards"), Karpenter's generated VPC limits
// (aws/karpenter-provider-aws pkg/providers/instancetype/zz_generated.vpclimits.go, 2026-08) and the
// DescribeInstanceTypes data of moto (getmoto/moto moto/ec2/resources/instance_types.json, 2026-08), which
// also gives MaximumEfaInterfaces: equal to the card count for every EFA type here (1 for single-card types,
// 32 for p5.48xlarge, 16 for p5en.48xlarge, 8 for p6-b200.48xlarge).
const NETWORK_CARDS: Record<string, number> = {
  "g6e.24xlarge": 2,
  "g6e.48xlarge": 4,
  "p4d.24xlarge": 4,
  "p4de.24xlarge": 4,
  "p5.48xlarge": 32,
  "p5e.48xlarge": 32,
  "p5en.48xlarge": 16,
  "p6-b200.48xlarge": 8,
};

// Types sold as Capacity Blocks for ML (EC2 user guide, "Capacity Blocks for ML", supported instance types;
// the same list as SageMaker's ReservedCapacityInstanceType and AWS PCS's supported families).
const CAPACITY_BLOCK_TYPES = new Set([
  "p4d.24xlarge",
  "p4de.24xlarge",
  "p5.4xlarge",
  "p5.48xlarge",
  "p5e.48xlarge",
  "p5en.48xlarge",
  "p6-b200.48xlarge",
]);

const TABLE: Record<string, GpuInstanceInfo> = {};
for (const [family, f] of Object.entries(FAMILIES)) {
  for (const [size, [gpuCount, efa, vcpus, memoryGiB]] of Object.entries(f.sizes)) {
    const instanceType = `${family}.${size}`;
    const networkCards = NETWORK_CARDS[instanceType] ?? 1;
    TABLE[instanceType] = {
      instanceType,
      gpuModel: f.model,
      gpuCount,
      gpuMemoryGiB: f.memoryGiB,
      architecture: f.arch,
      efa,
      localNvme: f.nvme,
      vcpus,
      memoryGiB,
      networkCards,
      maxEfaInterfaces: efa ? networkCards : 0,
      capacityBlocks: CAPACITY_BLOCK_TYPES.has(instanceType),
    };
  }
}

/** The table of NVIDIA GPU instance types a GPU node pool accepts. */
export class GpuInstance {
  /** Information on `instanceType`, or `undefined` when it is not a known NVIDIA GPU instance type. */
  public static tryLookup(instanceType: string): GpuInstanceInfo | undefined {
    return Object.prototype.hasOwnProperty.call(TABLE, instanceType) ? TABLE[instanceType] : undefined;
  }

  /** Information on `instanceType`; throws when it is not a known NVIDIA GPU instance type. */
  public static of(instanceType: string): GpuInstanceInfo {
    const info = GpuInstance.tryLookup(instanceType);
    if (!info) throw new Error(`${instanceType} is not a known NVIDIA GPU instance type`);
    return info;
  }

  /** Every known GPU instance type, sorted. */
  public static all(): string[] {
    return Object.keys(TABLE).sort();
  }

  private constructor() {}
}
