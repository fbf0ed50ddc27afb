import { z } from "zod";
import { check, isDeployTimeValue } from "../../core";
import { CapacityType, CpuArchitecture, GpuAmiType, GpuInstance, GpuInstanceInfo } from "../gpu-instances";
import { PoolPlacement } from "../placement";
import type { GpuNodePoolOptions, TeamOptions } from "../contract";
import type { ShapeOf } from "../../core";

// The zod schemas of the family's props: internal, so that no zod type reaches the public API.

const RESERVED_LABEL_PREFIXES = ["cdktf-mlops/", "nvidia.com/", "k8s.amazonaws.com/", "kubernetes.io/", "k8s.io/", "eks.amazonaws.com/"];

export const gpuNodePoolOptionsSchema = z
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
    capacityReservationTags: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
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
      } else if (info.vcpus !== first.vcpus || info.memoryGiB !== first.memoryGiB) {
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
      });
    }
    if (p.capacityReservationId && p.capacityType === CapacityType.SPOT) {
      ctx.addIssue({ code: "custom", path: ["capacityReservationId"], message: "needs capacityType ON_DEMAND, not SPOT" });
    }
  }) satisfies ShapeOf<GpuNodePoolOptions>;

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
