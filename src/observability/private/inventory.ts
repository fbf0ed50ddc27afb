import { TerraformStack, Token } from "cdktf";
import { IConstruct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { mlopsStackOf } from "../../core";
import { DriftAlarm } from "../../drift-alarm";
import { ServingEndpoint } from "../../serving-endpoint";
import { GpuInstanceInfo, TrainingCluster } from "../../training-cluster";

// What the observability constructs find in an app: its clusters and their GPU pools, its serving
// endpoints and its drift alarms, as they exist when the construct is created.

/** One GPU pool as the telemetry sees it. */
export interface PoolView {
  readonly cluster: TrainingCluster;
  /** A managed node group pool or a Karpenter pool. */
  readonly pool: { readonly poolName: string; readonly instanceTypes: string[]; readonly gpu: GpuInstanceInfo };
  readonly region: string;
  /** Whether the cluster's telemetry publishes Container Insights GPU metrics. */
  readonly containerInsights: boolean;
}

export interface Inventory {
  readonly clusters: TrainingCluster[];
  readonly pools: PoolView[];
  readonly endpoints: ServingEndpoint[];
  readonly driftAlarms: DriftAlarm[];
}

/** Every construct of `scope`'s app that is a `T`, in construct order. */
function all<T extends IConstruct>(scope: IConstruct, test: (c: IConstruct) => c is T): T[] {
  return scope.node.root.node.findAll().filter(test);
}

export function inventory(
  scope: IConstruct,
  given: { clusters?: TrainingCluster[]; endpoints?: ServingEndpoint[]; driftAlarms?: DriftAlarm[] },
): Inventory {
  const clusters = given.clusters ?? all(scope, (c): c is TrainingCluster => c instanceof TrainingCluster);
  const endpoints = given.endpoints ?? all(scope, (c): c is ServingEndpoint => c instanceof ServingEndpoint);
  const driftAlarms = given.driftAlarms ?? all(scope, (c): c is DriftAlarm => c instanceof DriftAlarm);
  const pools = clusters.flatMap((cluster) =>
    [...Object.values(cluster.gpuNodePools), ...Object.values(cluster.karpenterGpuPools)].map((pool) => ({
      cluster,
      pool,
      region: cluster.clusterRegion,
      containerInsights: cluster.observability.kind === "cloudwatch",
    })),
  );
  return { clusters, pools, endpoints, driftAlarms };
}

/** The region of the stack of `c`. */
export function regionOf(c: IConstruct): string {
  return mlopsStackOf(c).region;
}

/**
 * Whether `value` can be written into a resource of `into`'s stack: a literal, or a token of the same stack
 * (a token of another stack would add a cross-stack reference, and with it a dependency that may run the
 * wrong way: the workloads stack already depends on the platform stack).
 */
export function usableIn(into: IConstruct, owner: IConstruct, value: unknown): boolean {
  const text = JSON.stringify(value ?? "");
  return !Token.isUnresolved(text) || TerraformStack.of(into) === TerraformStack.of(owner);
}

/** A CloudWatch metric as an alarm names it. */
export interface AlarmMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly statistic: string;
  readonly title: string;
}

/** The metric of a single-metric alarm (no metric math), if its arguments can be written into `into`'s stack. */
export function alarmMetric(into: IConstruct, alarm: CloudwatchMetricAlarm, title: string): AlarmMetric | undefined {
  const namespace = alarm.namespaceInput;
  const metricName = alarm.metricNameInput;
  const dimensions = (alarm.dimensionsInput ?? {}) as Record<string, string>;
  if (!namespace || !metricName) return undefined;
  if (![namespace, metricName, dimensions].every((v) => usableIn(into, alarm, v))) return undefined;
  return { namespace, metricName, dimensions, statistic: alarm.statisticInput ?? "Average", title };
}
