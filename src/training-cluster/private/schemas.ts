import { z } from "zod";
import { check, isDeployTimeValue } from "../../core";
import { CapacityType, CpuArchitecture, GpuAmiType, GpuInstance, GpuInstanceInfo } from "../gpu-instances";
import { PoolPlacement } from "../placement";
import type { GpuNodePoolOptions, TeamOptions } from "../contract";
import type { ShapeOf } from "../../core";

// The zod schemas of the family's props: internal, so that no zod type reaches the public API.

const RESERVED_LABEL_PREFIXES = [
  "cdktf-mlops/",
  "nvidia.com/",
  "k8s.amazonaws.com/",
  "kubernetes.io/",
  "k8s.io/",
  "eks.amazonaws.com/",
  // Karpenter's NodePool CRD refuses these label domains (karpenter.sh_nodepools.yaml, v1.14.1).
  "karpenter.sh/",
  "karpenter.k8s.aws/",
];

/**
 * The checks of a GPU pool's options. `managed`: the rules of a managed node group with Cluster Autoscaler
 * (equal sizes, one launch template's interface list, the Capacity Block's reservation by id); without it,
 * those that hold for every autoscaler (a Karpenter pool adds its own in karpenter-schema.ts).
 */
const poolOptionsSchema = (managed: boolean) =>
  z
    .object({
      name: check.synthTime(
        check.matching(/^[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?$/, "must be a lowercase DNS label of at most 20 characters"),
        "the pool's resources, node labels and names are made from it",
      ),
      instanceTypes: z
        .array(
          z.string().refine((t) => GpuInstance.tryLookup(t) !== undefined, {
            message: "is not a known NVIDIA GPU instance type (see GpuInstance.all())",
          }),
        )
        .min(1, { message: "must name at least one instance type" })
        .max(20, { message: "must name at most 20 instance types" })
        .refine((a) => new Set(a).size === a.length, { message: "must not name an instance type twice" }),
      amiType: z
        .string()
        .refine((v) => v !== "AL2_x86_64_GPU", {
          message: "is an Amazon Linux 2 GPU AMI, which reached end of support on 2025-11-26: use AL2023_x86_64_NVIDIA",
        })
        .pipe(z.enum(GpuAmiType, { message: `must be one of ${Object.values(GpuAmiType).join(", ")}` }))
        .optional(),
      capacityType: z.enum(CapacityType, { message: "must be ON_DEMAND, SPOT or CAPACITY_BLOCK" }).optional(),
      minSize: check.int(0, 1000).optional(),
      maxSize: check.int(1, 1000).optional(),
      rootVolumeSizeGiB: check.int(50, 16384).optional(),
      efa: z.boolean().optional(),
      capacityReservationId: check.matching(/^cr-[0-9a-f]{8,17}$/, "must be a capacity reservation id (cr-...)").optional(),
      capacityReservationTags: z
        .record(z.string().min(1).max(128), z.string().min(1, { message: "tag values must not be empty" }).max(256))
        .optional(),
      placement: z
        .custom<PoolPlacement>((o) => o instanceof PoolPlacement, { message: "must be PoolPlacement.cluster(), none() or existing(name)" })
        .optional(),
      labels: z
        .record(
          z.string().refine((k) => !RESERVED_LABEL_PREFIXES.some((p) => k.startsWith(p)), {
            message: `label keys must not use the reserved prefixes ${RESERVED_LABEL_PREFIXES.join(", ")}`,
          }),
          z.string().max(63),
        )
        .optional(),
      subnetIds: z.array(z.string()).min(1).optional(),
    })
    .strict()
    .superRefine((p, ctx) => {
      const min = p.minSize ?? 0;
      const max = p.maxSize ?? 2;
      if (!isDeployTimeValue(min) && !isDeployTimeValue(max) && max < min) {
        if (p.maxSize === undefined) ctx.addIssue({ code: "custom", path: ["minSize"], message: `must be <= maxSize (${max}, the default)` });
        else ctx.addIssue({ code: "custom", path: ["maxSize"], message: `must be >= minSize (${min})` });
      }
      const infos = p.instanceTypes.map((t) => GpuInstance.tryLookup(t)).filter((i): i is GpuInstanceInfo => !!i);
      if (infos.length !== p.instanceTypes.length || infos.length === 0) return;
      const first = infos[0];
      infos.forEach((info, i) => {
        if (info.gpuModel !== first.gpuModel || info.gpuCount !== first.gpuCount || info.architecture !== first.architecture) {
          ctx.addIssue({
            code: "custom",
            path: ["instanceTypes", i],
            message: `must have the GPU model, GPU count and architecture of ${first.instanceType} (${first.gpuCount}x ${first.gpuModel}, ${first.architecture})`,
          });
        } else if (managed && (info.vcpus !== first.vcpus || info.memoryGiB !== first.memoryGiB)) {
          // Cluster Autoscaler builds every node of a group from one instance type's capacity.
          ctx.addIssue({
            code: "custom",
            path: ["instanceTypes", i],
            message: `has ${info.vcpus} vCPUs and ${info.memoryGiB} GiB, but ${first.instanceType} has ${first.vcpus} vCPUs and ${first.memoryGiB} GiB: Cluster Autoscaler needs equal vCPU and memory across a node group's instance types (make a pool per size)`,
          });
        }
      });
      if (p.amiType) {
        const amiArch = p.amiType.includes("ARM_64") ? CpuArchitecture.ARM64 : CpuArchitecture.X86_64;
        if (amiArch !== first.architecture) {
          ctx.addIssue({ code: "custom", path: ["amiType"], message: `is for ${amiArch}, but the instance types are ${first.architecture}` });
        }
      }
      if (p.efa) {
        infos.forEach((info, i) => {
          if (!info.efa) ctx.addIssue({ code: "custom", path: ["instanceTypes", i], message: "does not support EFA (efa: true)" });
          else if (managed && first.efa && info.maxEfaInterfaces !== first.maxEfaInterfaces) {
            // The launch template names one EFA interface per network card, which is one list for every type.
            ctx.addIssue({
              code: "custom",
              path: ["instanceTypes", i],
              message: `takes ${info.maxEfaInterfaces} EFA interfaces, but ${first.instanceType} takes ${first.maxEfaInterfaces}: an EFA pool's launch template has one interface per network card of one type (make a pool per type)`,
            });
          }
        });
      }
      if (p.capacityReservationId && p.capacityType === CapacityType.SPOT) {
        ctx.addIssue({ code: "custom", path: ["capacityReservationId"], message: "needs capacityType ON_DEMAND, not SPOT" });
      }
      if (managed) oneZoneIssues(p, ctx);
      if (p.capacityType === CapacityType.CAPACITY_BLOCK) capacityBlockIssues(p, infos, ctx, managed);
      if (p.placement) placementIssues(p, ctx);
    }) satisfies ShapeOf<GpuNodePoolOptions>;

/** The options of a managed GPU node group (Cluster Autoscaler). */
export const gpuNodePoolOptionsSchema = poolOptionsSchema(true);
/** The options' checks that hold for every autoscaler. */
export const commonPoolOptionsSchema = poolOptionsSchema(false);

// A managed node group's EFA or placement-group pool runs in one availability zone (one subnet), and a
// reservation holds one instance type in one zone: the zone of a reservation is not known at synth time, so
// such a pool must name the reservation's subnet rather than get the first private subnet.
function oneZoneIssues(
  p: { efa?: boolean; placement?: PoolPlacement; subnetIds?: string[]; capacityReservationId?: string; instanceTypes: string[] },
  ctx: z.RefinementCtx,
): void {
  const oneZone = !!p.efa || (p.placement !== undefined && p.placement.kind !== "none");
  if (oneZone && p.subnetIds && p.subnetIds.length > 1) {
    ctx.addIssue({
      code: "custom",
      path: ["subnetIds"],
      message: `names ${p.subnetIds.length} subnets, but an EFA or placement-group pool runs in one availability zone: name one subnet`,
    });
  }
  if (oneZone && p.capacityReservationId && !p.subnetIds) {
    ctx.addIssue({
      code: "custom",
      path: ["subnetIds"],
      message:
        "an EFA or placement-group pool on a reservation runs in one subnet: name the one in the reservation's availability zone (the first private subnet may be in another zone)",
    });
  }
  if (p.capacityReservationId && p.instanceTypes.length > 1) {
    ctx.addIssue({
      code: "custom",
      path: ["instanceTypes"],
      message: `names ${p.instanceTypes.length} instance types, but a capacity reservation holds one: name exactly the reservation's type`,
    });
  }
}

type PoolInput = { instanceTypes: string[]; minSize?: number; capacityType?: string; capacityReservationId?: string; placement?: PoolPlacement };

// Capacity Blocks for ML with a managed node group: the launch template names the block's reservation, the
// `capacity-block` market type and the one instance type the block holds, and the node group names no
// instance type (EKS user guide, "Create a managed node group with Capacity Blocks for ML").
function capacityBlockIssues(p: PoolInput, infos: GpuInstanceInfo[], ctx: z.RefinementCtx, managed: boolean): void {
  if (managed && !p.capacityReservationId) {
    ctx.addIssue({ code: "custom", path: ["capacityType"], message: "needs capacityReservationId: the Capacity Block's reservation id (cr-...)" });
  }
  if (p.instanceTypes.length > 1) {
    ctx.addIssue({
      code: "custom",
      path: ["instanceTypes"],
      message: `names ${p.instanceTypes.length} instance types, but a Capacity Block holds one instance type: name exactly the block's type`,
    });
  }
  infos.forEach((info, i) => {
    if (!info.capacityBlocks) {
      ctx.addIssue({ code: "custom", path: ["instanceTypes", i], message: "is not sold as Capacity Blocks for ML (capacityType CAPACITY_BLOCK)" });
    }
  });
  // Nodes cannot launch before the block starts nor after it ends, and EKS updates a Capacity Block node
  // group only at desired size 0: a minimum above 0 would hold the group unhealthy outside the window.
  if (p.minSize !== undefined && !isDeployTimeValue(p.minSize) && p.minSize > 0) {
    ctx.addIssue({
      code: "custom",
      path: ["minSize"],
      message: "must be 0 with capacityType CAPACITY_BLOCK: no node can run outside the block's window, and EKS updates such a group only at size 0",
    });
  }
}

// Placement groups and reserved capacity (EC2 user guide):
// - "Capacity Blocks are delivered as targeted Capacity Reservations in a single Availability Zone ... so there
//   is no need to use a cluster placement group with a Capacity Block" (capacity-blocks-using), and a
//   future-dated reservation cannot be created in a placement group (CreateCapacityReservation,
//   PlacementGroupArn: "Not supported for future-dated Capacity Reservations"): a Capacity Block is in no
//   placement group, so a launch into one cannot match it.
// - An On-Demand Capacity Reservation is used inside a cluster placement group only when it was created in
//   that group ("Capacity Reservations for cluster placement groups"): a group the pool creates holds no
//   reservation, an existing group may.
function placementIssues(p: PoolInput, ctx: z.RefinementCtx): void {
  const placement = p.placement as PoolPlacement;
  if (placement.kind === "existing") {
    const name = placement.groupName;
    if (typeof name !== "string" || (!isDeployTimeValue(name) && !/^[\x20-\x7e]{1,255}$/.test(name))) {
      ctx.addIssue({ code: "custom", path: ["placement", "groupName"], message: "must be the name of a placement group: 1 to 255 ASCII characters" });
    }
  }
  if (placement.kind === "none") return;
  const what = placement.kind === "cluster" ? "PoolPlacement.cluster()" : `PoolPlacement.existing(${JSON.stringify(placement.groupName)})`;
  if (p.capacityType === CapacityType.CAPACITY_BLOCK) {
    ctx.addIssue({
      code: "custom",
      path: ["placement"],
      message: `is ${what}, which cannot hold a Capacity Block: a block is a reservation in no placement group, whose instances AWS places close together already (use PoolPlacement.none())`,
    });
  } else if (p.capacityReservationId && placement.kind === "cluster") {
    ctx.addIssue({
      code: "custom",
      path: ["placement"],
      message:
        "is PoolPlacement.cluster(), a new placement group, which holds no capacity reservation: use PoolPlacement.existing(name) of the group the reservation was created in, or PoolPlacement.none()",
    });
  }
}

const RESERVED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

export const teamOptionsSchema = z
  .object({
    name: check.synthTime(
      check
        .dnsLabel(63)
        .refine((n) => !RESERVED_NAMESPACES.includes(n), { message: `must not be a system namespace (${RESERVED_NAMESPACES.join(", ")})` }),
      "the team's namespace, quota and resources are made from it",
    ),
    gpuQuota: check.int(0, 100000),
    cpuQuota: check.int(1, 1000000).optional(),
    memoryQuotaGiB: check.int(1, 10000000).optional(),
    podSecurity: z.enum(["privileged", "baseline", "restricted"]).optional(),
  })
  .strict() satisfies ShapeOf<TeamOptions>;
