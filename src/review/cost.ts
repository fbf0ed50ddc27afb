import * as priceData from "./data/prices.json";
import { GpuInstance } from "../training-cluster/gpu-instances";
import type { SynthOutput, SynthResource } from "./load";

interface PriceEntry {
  readonly usdPerHour: number;
  readonly source: string;
}
interface PriceSource {
  readonly date: string;
  readonly url: string;
  readonly note: string;
}
const PRICES = priceData as unknown as {
  hoursPerMonth: number;
  sources: Record<string, PriceSource>;
  prices: Record<string, Record<string, PriceEntry>>;
  unpriced?: Record<string, Record<string, string>>;
};
export const HOURS_PER_MONTH = PRICES.hoursPerMonth;

/** A price of the shipped table, with its date and source. */
export interface Price {
  readonly item: string;
  readonly region: string;
  readonly usdPerHour: number;
  readonly date: string;
  readonly source: string;
}

/** The shipped price of `item` (e.g. `ec2:g6.xlarge`, `eks:cluster`) in `region`, or undefined: never a guess. */
export function priceOf(item: string, region: string | undefined): Price | undefined {
  if (!region) return undefined;
  const e = PRICES.prices[region]?.[item];
  if (!e) return undefined;
  const s = PRICES.sources[e.source];
  return { item, region, usdPerHour: e.usdPerHour, date: s.date, source: s.url };
}

/** Why the table has no price for `item` in `region`, when the table says (e.g. no dated source found). */
export function unpricedReason(item: string, region: string | undefined): string | undefined {
  return region ? PRICES.unpriced?.[region]?.[item] : undefined;
}

/** One billed thing of a stack: how many run at idle (pools at their minimum) and at max scale. */
export interface CostItem {
  readonly stack: string;
  readonly address: string;
  readonly path: string;
  /** What is billed, e.g. `ec2:p4d.24xlarge`, `eks:cluster`, `nat-gateway`. */
  readonly item: string;
  readonly region?: string;
  readonly idleCount: number;
  readonly maxCount: number;
  readonly price?: Price;
  readonly note?: string;
}

/** GPU capacity of one node group: GPUs per node and the most GPUs it can scale to. */
export interface GpuPoolCapacity {
  readonly stack: string;
  readonly address: string;
  readonly path: string;
  readonly instanceType: string;
  readonly gpuModel: string;
  readonly gpusPerNode: number;
  readonly minNodes: number;
  readonly maxNodes: number;
  readonly maxGpus: number;
  readonly capacityType: string;
}

/** Cost and GPU capacity of one synth output, computed from its resources (any cdktf app). */
export interface CostModel {
  readonly items: CostItem[];
  readonly pools: GpuPoolCapacity[];
  readonly totalMaxGpus: number;
  /** Monthly USD of the priced items at idle and at max scale. */
  readonly idleMonthlyUsd: number;
  readonly maxMonthlyUsd: number;
  /** Items the table has no price for (reported as "no price"). */
  readonly unpriced: CostItem[];
}

const parentOf = (p: string) => p.split("/").slice(0, -1).join("/");
const lit = (v: unknown): v is string => typeof v === "string" && !v.includes("${");
const num = (v: unknown, d = 0) => (typeof v === "number" ? v : d);
const first = (v: unknown): Record<string, any> => ([v].flat()[0] as Record<string, any>) ?? {};

function regionOf(output: SynthOutput, stack: string): string | undefined {
  const m = output.manifest?.entries.find((e) => e.kind === "MlopsStack" && e.stack === stack);
  return (typeof m?.region === "string" ? m.region : undefined) ?? output.stacks.get(stack)?.region;
}

/** What each resource of `output` costs per hour at idle and max scale, where the table has a price. */
export function costModel(output: SynthOutput): CostModel {
  const items: CostItem[] = [];
  const pools: GpuPoolCapacity[] = [];
  for (const [stack, s] of output.stacks) {
    const region = regionOf(output, stack);
    // SageMaker autoscaling targets by their construct's parent and variant, to find a variant's min and max.
    const scaling = new Map<string, { min: number; max: number }>();
    for (const r of s.resources.values()) {
      const v = r.values as Record<string, any>;
      const m =
        r.type === "aws_appautoscaling_target" && v.service_namespace === "sagemaker" ? /\/variant\/([^/]+)$/.exec(String(v.resource_id)) : null;
      if (m) scaling.set(`${parentOf(r.path)} ${m[1]}`, { min: num(v.min_capacity), max: num(v.max_capacity) });
    }
    const add = (r: SynthResource, item: string, idleCount: number, maxCount: number, note?: string) =>
      items.push({
        stack,
        address: r.address,
        path: r.path,
        item,
        region,
        idleCount,
        maxCount,
        price: priceOf(item, region),
        ...(note ? { note } : {}),
      });
    for (const r of s.resources.values()) {
      if (r.mode !== "resource") continue;
      const v = r.values as Record<string, any>;
      switch (r.type) {
        case "aws_eks_cluster":
          add(r, "eks:cluster", 1, 1);
          break;
        case "aws_eks_node_group": {
          const sc = first(v.scaling_config);
          const types = ((v.instance_types ?? []) as unknown[]).filter(lit);
          const type = types[0];
          const min = num(sc.min_size);
          const max = num(sc.max_size, min);
          const spot = v.capacity_type === "SPOT";
          const note = [
            types.length > 1 ? `priced as ${type}, the first of ${types.join(", ")}` : "",
            spot ? "spot: on-demand price as an upper bound" : "",
          ]
            .filter(Boolean)
            .join("; ");
          add(r, type ? `ec2:${type}` : "ec2:(instance type set in the launch template)", min, max, note || undefined);
          const gpu = type ? GpuInstance.tryLookup(type) : undefined;
          if (gpu) {
            pools.push({
              stack,
              address: r.address,
              path: r.path,
              instanceType: type!,
              gpuModel: gpu.gpuModel,
              gpusPerNode: gpu.gpuCount,
              minNodes: min,
              maxNodes: max,
              maxGpus: max * gpu.gpuCount,
              capacityType: String(v.capacity_type ?? "ON_DEMAND"),
            });
          }
          break;
        }
        case "aws_instance":
          if (lit(v.instance_type)) add(r, `ec2:${v.instance_type}`, 1, 1);
          break;
        case "aws_nat_gateway":
          add(r, "nat-gateway", 1, 1);
          break;
        case "aws_vpc_endpoint":
          if (v.vpc_endpoint_type === "Interface") {
            const azs = Array.isArray(v.subnet_ids) ? v.subnet_ids.length : 1;
            add(r, "vpc-endpoint:interface", azs, azs, `${azs} AZ(s)`);
          }
          break;
        case "aws_db_instance": {
          const n = v.multi_az === true ? 2 : 1;
          add(r, `rds:${v.engine ?? "?"}:${v.instance_class ?? "?"}`, n, n, n === 2 ? "multi-AZ" : undefined);
          break;
        }
        case "aws_sagemaker_endpoint_configuration":
          for (const pv of [v.production_variants].flat().filter(Boolean) as Record<string, any>[]) {
            if (pv.serverless_config) continue;
            const n = num(pv.initial_instance_count, 1);
            const auto = scaling.get(`${parentOf(r.path)} ${pv.variant_name}`);
            if (auto)
              add(
                r,
                `sagemaker:${pv.instance_type ?? "?"}`,
                auto.min,
                Math.max(auto.max, n),
                `variant ${pv.variant_name}, autoscaling ${auto.min}-${auto.max}`,
              );
            else add(r, `sagemaker:${pv.instance_type ?? "?"}`, n, n, `variant ${pv.variant_name ?? "?"}, no autoscaling target found`);
          }
          break;
        case "aws_sagemaker_mlflow_tracking_server":
          add(r, `sagemaker-mlflow:${v.tracking_server_size ?? "Small"}`, 1, 1);
          break;
      }
    }
  }
  const priced = items.filter((i) => i.price);
  const sum = (k: "idleCount" | "maxCount") => priced.reduce((t, i) => t + i[k] * i.price!.usdPerHour * HOURS_PER_MONTH, 0);
  return {
    items,
    pools,
    totalMaxGpus: pools.reduce((t, p) => t + p.maxGpus, 0),
    idleMonthlyUsd: sum("idleCount"),
    maxMonthlyUsd: sum("maxCount"),
    unpriced: items.filter((i) => !i.price),
  };
}
