import { z } from "zod";
import { allIssues, isDeployTimeValue } from "../../core";
import type { GpuNodePoolOptions } from "../contract";
import { CapacityType } from "../gpu-instances";
import { commonPoolOptionsSchema } from "./schemas";

/**
 * The checks of a Karpenter pool's options: those every pool has (not Cluster Autoscaler's equal sizes:
 * Karpenter sizes each node from its own instance type), plus what Karpenter cannot do.
 */
export const karpenterPoolOptionsSchema = z.any().superRefine((o, ctx) => {
  const r = commonPoolOptionsSchema.safeParse(o);
  if (!r.success) {
    for (const issue of allIssues(r.error)) ctx.addIssue({ code: "custom", path: issue.path as PropertyKey[], message: issue.message });
  }
  if (!o || typeof o !== "object") return;
  const p = o as GpuNodePoolOptions;
  if (typeof p.amiType === "string" && p.amiType.startsWith("BOTTLEROCKET")) {
    ctx.addIssue({
      code: "custom",
      path: ["amiType"],
      message: "is Bottlerocket, which the library's Karpenter pools do not offer: they run the pinned AL2023 NVIDIA AMI (amiAlias)",
    });
  }
  if (typeof p.minSize === "number" && !isDeployTimeValue(p.minSize) && p.minSize > 0) {
    ctx.addIssue({
      code: "custom",
      path: ["minSize"],
      message: "must be 0 with Karpenter, which launches nodes for pending pods and keeps no minimum",
    });
  }
  const reserved = p.capacityReservationId !== undefined || p.capacityReservationTags !== undefined;
  if (p.capacityReservationId !== undefined && p.capacityReservationTags !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["capacityReservationTags"],
      message: "selects reservations by tags besides capacityReservationId: name one or the other",
    });
  }
  if (p.capacityReservationTags !== undefined && Object.keys(p.capacityReservationTags).length === 0) {
    ctx.addIssue({ code: "custom", path: ["capacityReservationTags"], message: "must name at least one tag" });
  }
  if (p.capacityReservationTags !== undefined && Object.keys(p.capacityReservationTags).length > 20) {
    ctx.addIssue({
      code: "custom",
      path: ["capacityReservationTags"],
      message: "must name at most 20 tags (EC2NodeClass capacityReservationSelectorTerms)",
    });
  }
  if (p.capacityReservationTags !== undefined && p.capacityType === CapacityType.SPOT) {
    ctx.addIssue({ code: "custom", path: ["capacityReservationTags"], message: "needs capacityType ON_DEMAND or CAPACITY_BLOCK, not SPOT" });
  }
  if (p.capacityType === CapacityType.CAPACITY_BLOCK && !reserved) {
    ctx.addIssue({
      code: "custom",
      path: ["capacityType"],
      message: "CAPACITY_BLOCK needs the block: capacityReservationId or capacityReservationTags",
    });
  }
  if (p.placement && (p.placement as { kind?: string }).kind === "cluster") {
    ctx.addIssue({
      code: "custom",
      path: ["placement"],
      message: "PoolPlacement.cluster() creates a placement group, which Karpenter does not: name one with PoolPlacement.existing(name)",
    });
  }
}) as unknown as z.ZodType<GpuNodePoolOptions>;
