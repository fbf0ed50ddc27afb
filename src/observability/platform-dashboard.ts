import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { z } from "zod";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { check, MlopsStack, validateProps } from "../core";
import type { DriftAlarm } from "../drift-alarm";
import type { ServingEndpoint } from "../serving-endpoint";
import type { TrainingCluster } from "../training-cluster";
import { alarmMetric, AlarmMetric, inventory, regionOf, usableIn } from "./private/inventory";
import { GRID_INTENSITY_SOURCE, gridIntensityKgPerKwh, PUE } from "./private/grid-intensity";
import { ContainerInsights, kservePredictor, ManagedPrometheusUsage, poolQuery, SageMakerMetrics } from "./private/metrics";

/** Props of {@link PlatformDashboard}. */
export interface PlatformDashboardProps {
  /**
   * Dashboard name (letters, digits, `-` and `_`, at most 255).
   * @default `<platform name>-<stack id>`
   */
  readonly dashboardName?: string;
  /**
   * The clusters shown (GPU utilization, memory, power and GPUs per pool; pending pods; nodes).
   * @default - every TrainingCluster of the app created before this construct
   */
  readonly clusters?: TrainingCluster[];
  /**
   * The endpoints shown (SageMaker: invocations, latency, errors).
   * @default - every ServingEndpoint of the app created before this construct
   */
  readonly endpoints?: ServingEndpoint[];
  /**
   * The drift alarms whose statistics and job errors are shown.
   * @default - every DriftAlarm of the app created before this construct
   */
  readonly driftAlarms?: DriftAlarm[];
}

const schema = z
  .object({
    dashboardName: check.matching(/^[A-Za-z0-9_-]{1,255}$/, "must be 1-255 letters, digits, '-' and '_'").optional(),
    clusters: z.array(z.any()).optional(),
    endpoints: z.array(z.any()).optional(),
    driftAlarms: z.array(z.any()).optional(),
  })
  .strict() satisfies z.ZodType<PlatformDashboardProps>;

/** A widget of the dashboard body (CloudWatch dashboard body structure). */
type Widget = { type: "metric" | "text"; width: number; height: number; properties: Record<string, unknown> };

const WIDTH = 24;
const HALF = 12;

function text(markdown: string): Widget {
  return { type: "text", width: WIDTH, height: 2, properties: { markdown } };
}

function queryWidget(title: string, region: string, expression: string, label: string, period: number, extra: Record<string, unknown> = {}): Widget {
  return {
    type: "metric",
    width: HALF,
    height: 6,
    properties: { title, region, view: "timeSeries", stacked: false, period, metrics: [[{ expression, label, id: "q1" }]], ...extra },
  };
}

function metricWidget(title: string, region: string, metrics: AlarmMetric[], period: number, extra: Record<string, unknown> = {}): Widget {
  return {
    type: "metric",
    width: HALF,
    height: 6,
    properties: {
      title,
      region,
      view: "timeSeries",
      stacked: false,
      period,
      metrics: metrics.map((m) => [m.namespace, m.metricName, ...Object.entries(m.dimensions).flat(), { stat: m.statistic, label: m.title }]),
      ...extra,
    },
  };
}

/**
 * GPU energy over the dashboard's time range and its estimated CO2e. Container Insights samples each GPU's power
 * draw once a minute (its default collection interval), so the sum of the samples in a range, in W, times 1/60 h
 * is the energy in Wh: kWh = SUM / 60000. CO2e = kWh x PUE x the region's grid intensity (an estimate, with its source).
 */
function energyWidget(title: string, region: string, powerSumQuery: string): Widget {
  const { kgPerKwh, listed } = gridIntensityKgPerKwh(region);
  const factor = Math.round(kgPerKwh * PUE * 1e6) / 1e6;
  return {
    type: "metric",
    width: HALF,
    height: 6,
    properties: {
      title: `${title}: GPU energy and estimated CO2e over the time range`,
      region,
      view: "singleValue",
      setPeriodToTimeRange: true,
      metrics: [
        [{ expression: powerSumQuery, id: "power", label: "sum of 1-minute power samples, W", visible: false }],
        [{ expression: "power / 60000", id: "kwh", label: "GPU energy, kWh" }],
        [
          {
            expression: `power / 60000 * ${factor}`,
            id: "co2e",
            label: `estimated CO2e, kg (${region}: ${Math.round(kgPerKwh * 1000) / 1000} kg/kWh${listed ? "" : " (average: region not in the table)"}; ${GRID_INTENSITY_SOURCE})`,
          },
        ],
      ],
    },
  };
}

/**
 * A cluster whose telemetry is the Prometheus choice: its metrics are in an AMP workspace, which CloudWatch dashboards
 * cannot query. A note on where they are (with PromQL for the pool widgets of the CloudWatch choice) and the
 * workspace's usage metrics, which AMP vends to CloudWatch (`AWS/Usage`, `ResourceCount`).
 */
function prometheusWidgets(into: Construct, cluster: TrainingCluster, pools: string[]): Widget[] {
  const name = cluster.clusterName;
  const region = cluster.clusterRegion;
  const workspace = cluster.prometheusObservability?.workspace;
  const id = workspace && usableIn(into, cluster, workspace.id) ? workspace.id : undefined;
  const where = id
    ? `[AMP workspace ${name}](https://${region}.console.aws.amazon.com/prometheus/home?region=${region}#/workspaces/workspace/${id})`
    : `the AMP workspace with alias \`${name}\``;
  const sel = `cluster="${name}"`;
  const markdown = [
    `## Cluster ${name} (Prometheus)`,
    `GPU metrics are in ${where}, not in CloudWatch (AMP is not a CloudWatch metric source): query them with PromQL, e.g. in Amazon Managed Grafana.`,
    `GPU pools: ${pools.length ? pools.join(", ") : "none yet"}. The DCGM exporter labels each GPU's series with \`modelName\`, \`Hostname\` and the \`namespace\` and \`pod\` using the GPU, the scrape adds \`node\`; no label names the pool, so \`by (modelName)\` separates pools of different GPU models: utilization \`avg by (modelName) (DCGM_FI_DEV_GPU_UTIL{${sel}})\`, memory \`sum by (node) (DCGM_FI_DEV_FB_USED{${sel}})\` (MiB), power \`sum by (modelName) (DCGM_FI_DEV_POWER_USAGE{${sel}})\` (W), energy \`sum by (modelName) (increase(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{${sel}}[1h])) / 3.6e9\` (kWh per hour: the counter is in mJ). Below: the workspace's usage, which AMP does vend to CloudWatch.`,
  ].join("\n\n");
  const usage = (resource: string, title: string): Widget => ({
    type: "metric",
    width: HALF,
    height: 6,
    properties: {
      title: `${name}: AMP ${title}`,
      region,
      view: "timeSeries",
      stacked: false,
      period: 300,
      metrics: [[{ expression: ManagedPrometheusUsage.search(resource), id: "q1", label: title }]],
    },
  });
  return [
    { type: "text", width: WIDTH, height: 5, properties: { markdown } },
    usage(ManagedPrometheusUsage.ingestionRate, "samples ingested per second (every workspace of the account in this region)"),
    usage(ManagedPrometheusUsage.activeSeries, "active series (every workspace of the account in this region)"),
  ];
}

/**
 * A KServe endpoint. Its request metrics are Prometheus metrics; on a cluster with Container Insights the
 * predictor's Kubernetes Service (`<name>-predictor`) has pod metrics in CloudWatch by `Service, Namespace, ClusterName`.
 */
function kserveWidgets(endpoint: ServingEndpoint, clusters: TrainingCluster[]): Widget[] {
  const predictor = kservePredictor(endpoint.endpointUrl);
  const installation = endpoint.kserve?.installation;
  const cluster = clusters.find((c) => installation && installation.node.scope === c._inClusterScope(c));
  const head = `## Endpoint ${endpoint.endpointName} (${endpoint.engineKind})`;
  if (!predictor || !cluster || cluster.observability.kind !== "cloudwatch") {
    const where =
      cluster?.observability.kind === "prometheus"
        ? `in the AMP workspace of ${cluster.clusterName} (job \`kserve-inference-services\`: the predictor pods carry \`prometheus.io/port\` and \`prometheus.io/path\`)`
        : "inside the cluster (no CloudWatch source for them)";
    return [text(`${head}\nKServe publishes request counts, latency and errors as Prometheus metrics, ${where}.`)];
  }
  const region = cluster.clusterRegion;
  const dims = { Service: predictor.service, Namespace: predictor.namespace, ClusterName: cluster.clusterName };
  const m = (metricName: string, statistic: string, title: string): AlarmMetric => ({
    namespace: ContainerInsights.namespace,
    metricName,
    dimensions: dims,
    statistic,
    title,
  });
  return [
    text(
      `${head}\nContainer Insights pod metrics of the predictor Service \`${predictor.service}\` (namespace \`${predictor.namespace}\`). Request counts, latency and errors are Prometheus metrics inside the cluster: no CloudWatch source for them.`,
    ),
    metricWidget(`${endpoint.endpointName}: running predictor pods`, region, [m(ContainerInsights.serviceRunningPods, "Maximum", "pods")], 300),
    metricWidget(
      `${endpoint.endpointName}: predictor CPU and memory, % of requests`,
      region,
      [m(ContainerInsights.podCpuUtilization, "Average", "CPU"), m(ContainerInsights.podMemoryUtilization, "Average", "memory")],
      300,
      { yAxis: { left: { min: 0 } } },
    ),
    metricWidget(
      `${endpoint.endpointName}: predictor network, bytes/s (request traffic)`,
      region,
      [m(ContainerInsights.podNetworkRxBytes, "Average", "received"), m(ContainerInsights.podNetworkTxBytes, "Average", "sent")],
      300,
    ),
  ];
}

/**
 * A CloudWatch dashboard of the platform, generated from what the app contains: per GPU pool its GPU
 * utilization, GPU memory, power draw and allocatable GPUs (Container Insights); per cluster its nodes and
 * pending pods; per SageMaker endpoint its invocations, latency and errors; per drift alarm its feature
 * statistics and the drift job's errors. Its URL is the output `DashboardUrl`.
 *
 * Create it after the constructs it shows.
 */
export class PlatformDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: CloudwatchDashboard;
  /** The dashboard's name. */
  public readonly dashboardName: string;
  /** The dashboard's URL in the CloudWatch console. */
  public readonly dashboardUrl: string;
  /** How many widgets the dashboard has. */
  public readonly widgetCount: number;

  constructor(scope: Construct, id: string, props: PlatformDashboardProps = {}) {
    super(scope, id);
    const p = validateProps(this, "PlatformDashboard", schema, props);
    const stack = MlopsStack.of(this);
    this.dashboardName = p.dashboardName ?? `${stack.platformName}-${stack.node.id}`.slice(0, 255);
    const found = inventory(this, { clusters: p.clusters, endpoints: p.endpoints, driftAlarms: p.driftAlarms });
    const widgets: Widget[] = [];

    // --- clusters and GPU pools -----------------------------------------------------------------------
    for (const cluster of found.clusters) {
      if (!usableIn(this, cluster, cluster.clusterName)) continue;
      const region = cluster.clusterRegion;
      const name = cluster.clusterName;
      const pools = found.pools.filter((v) => v.cluster === cluster);
      if (cluster.observability.kind === "prometheus") {
        widgets.push(
          ...prometheusWidgets(
            this,
            cluster,
            pools.map((v) => v.pool.poolName),
          ),
        );
        continue;
      }
      if (cluster.observability.kind !== "cloudwatch") {
        widgets.push(
          text(`## Cluster ${name}\nNo Container Insights on this cluster (observability: ${cluster.observability.kind}): no GPU metrics here.`),
        );
        continue;
      }
      widgets.push(
        text(
          `## Cluster ${name}\nContainer Insights (enhanced observability). GPU metrics per pool are selected by the pool's instance types; pools that share an instance type share their lines.`,
        ),
      );
      const dims = { ClusterName: name };
      widgets.push(
        metricWidget(
          `${name}: nodes`,
          region,
          [
            {
              namespace: ContainerInsights.namespace,
              metricName: ContainerInsights.nodeCount,
              dimensions: dims,
              statistic: "Maximum",
              title: "nodes",
            },
            {
              namespace: ContainerInsights.namespace,
              metricName: ContainerInsights.failedNodeCount,
              dimensions: dims,
              statistic: "Maximum",
              title: "failed nodes",
            },
          ],
          300,
        ),
        metricWidget(
          `${name}: pending pods`,
          region,
          [
            {
              namespace: ContainerInsights.namespace,
              metricName: ContainerInsights.podsPending,
              dimensions: dims,
              statistic: "Maximum",
              title: "pending pods (GPU pods wait here while a pool scales up)",
            },
          ],
          300,
        ),
      );
      for (const { pool } of pools) {
        const types = pool.instanceTypes;
        const t = `${name}/${pool.poolName} (${types.join(", ")}, ${pool.gpu.gpuCount}x ${pool.gpu.gpuModel} per node)`;
        widgets.push(
          queryWidget(
            `${t}: GPU utilization %`,
            region,
            poolQuery("AVG", ContainerInsights.gpuUtilization, name, types, ContainerInsights.gpuDeviceSchema),
            "average over the pool's GPUs",
            300,
            {
              yAxis: { left: { min: 0, max: 100 } },
            },
          ),
          queryWidget(
            `${t}: GPU memory utilization %`,
            region,
            poolQuery("AVG", ContainerInsights.gpuMemoryUtilization, name, types, ContainerInsights.gpuDeviceSchema),
            "average over the pool's GPUs",
            300,
            {
              yAxis: { left: { min: 0, max: 100 } },
            },
          ),
          queryWidget(
            `${t}: GPUs (nodes x ${pool.gpu.gpuCount})`,
            region,
            poolQuery("SUM", ContainerInsights.gpuLimit, name, types, ContainerInsights.gpuNodeSchema),
            "allocatable GPUs (one point per node per minute)",
            60,
          ),
          queryWidget(
            `${t}: GPU power draw, W`,
            region,
            poolQuery("SUM", ContainerInsights.gpuPowerDraw, name, types, ContainerInsights.gpuDeviceSchema),
            "sum over the pool's GPUs (one point per GPU per minute)",
            60,
          ),
          energyWidget(t, region, poolQuery("SUM", ContainerInsights.gpuPowerDraw, name, types, ContainerInsights.gpuDeviceSchema)),
        );
      }
    }

    // --- endpoints --------------------------------------------------------------------------------
    for (const endpoint of found.endpoints) {
      if (!usableIn(this, endpoint, endpoint.endpointName)) continue;
      if (endpoint.engineKind !== "sagemaker") {
        widgets.push(...kserveWidgets(endpoint, found.clusters));
        continue;
      }
      const region = regionOf(endpoint);
      const m = (metricName: string, statistic: string, title: string): AlarmMetric => ({ ...endpoint.metric(metricName, statistic), title });
      widgets.push(
        text(`## Endpoint ${endpoint.endpointName} (SageMaker${endpoint.gpu ? ", GPU" : ""})`),
        metricWidget(`${endpoint.endpointName}: invocations`, region, [m(SageMakerMetrics.invocations, "Sum", "invocations")], 300),
        metricWidget(
          `${endpoint.endpointName}: model latency, µs`,
          region,
          [m(SageMakerMetrics.modelLatency, "p50", "p50"), m(SageMakerMetrics.modelLatency, "p99", "p99")],
          300,
        ),
        metricWidget(
          `${endpoint.endpointName}: errors`,
          region,
          [m(SageMakerMetrics.invocation4xx, "Sum", "4xx"), m(SageMakerMetrics.invocation5xx, "Sum", "5xx")],
          300,
        ),
      );
    }

    // --- drift ----------------------------------------------------------------------------------------
    for (const drift of found.driftAlarms) {
      const region = regionOf(drift);
      const features = Object.entries(drift.featureAlarms).flatMap(([key, alarm]) => {
        const metric = alarmMetric(this, alarm, key);
        return metric ? [metric] : [];
      });
      const job = Object.entries(drift.jobAlarms).flatMap(([key, alarm]) => {
        const metric = alarmMetric(this, alarm, key);
        return metric ? [metric] : [];
      });
      // The job's Lambda errors: its alarm names the function by reference, the function's own input by name.
      const fn = drift.jobFunction?.functionNameInput;
      if (fn && !job.some((m) => m.namespace === "AWS/Lambda") && usableIn(this, drift, fn)) {
        job.unshift({ namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: fn }, statistic: "Sum", title: "job errors" });
      }
      if (features.length === 0 && job.length === 0) continue;
      widgets.push(
        text(
          `## Drift at ${drift.node.id}\nFeature statistics published by the drift job (alarm thresholds on the alarms themselves) and the job's own health.`,
        ),
      );
      if (features.length > 0) widgets.push(metricWidget(`${drift.node.id}: drift statistics per feature`, region, features, 3600));
      if (job.length > 0) widgets.push(metricWidget(`${drift.node.id}: drift job`, region, job, 3600));
    }

    if (widgets.length === 0) widgets.push(text("## Platform\nNothing of the platform publishes metrics yet."));
    this.widgetCount = widgets.length;
    this.dashboard = new CloudwatchDashboard(this, "Resource", {
      dashboardName: this.dashboardName,
      dashboardBody: JSON.stringify({ widgets }),
    });
    this.dashboardUrl = `https://${stack.region}.console.aws.amazon.com/cloudwatch/home?region=${stack.region}#dashboards/dashboard/${this.dashboardName}`;
    new TerraformOutput(this, "DashboardUrl", { value: this.dashboardUrl, description: "The platform's CloudWatch dashboard" });
  }
}
