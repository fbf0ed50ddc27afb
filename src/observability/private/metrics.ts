// The metrics the dashboard and the alarms read, by the names and dimensions their sources publish.

/**
 * Container Insights with enhanced observability (namespace `ContainerInsights`): NVIDIA GPU metrics per
 * GPU device, with the dimension sets `ClusterName`; `ClusterName, InstanceId, NodeName`; and
 * `ClusterName, GpuDevice, InstanceId, InstanceType, NodeName`. No dimension names a node group, so a
 * pool is selected by its instance types (Metrics Insights `WHERE InstanceType = ...`).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-enhanced-EKS.html
 */
export const ContainerInsights = {
  namespace: "ContainerInsights",
  /** Per-device schema of the node GPU metrics. */
  gpuDeviceSchema: ["ClusterName", "GpuDevice", "InstanceId", "InstanceType", "NodeName"],
  /** Per-node schema of the GPU counts (`node_gpu_limit`, `node_gpu_request`). */
  gpuNodeSchema: ["ClusterName", "InstanceId", "InstanceType", "NodeName"],
  gpuUtilization: "node_gpu_utilization",
  gpuMemoryUtilization: "node_gpu_memory_utilization",
  gpuPowerDraw: "node_gpu_power_draw",
  gpuLimit: "node_gpu_limit",
  gpuRequest: "node_gpu_request",
  podsPending: "pod_status_pending",
  /** Pod metrics also published by `Service, Namespace, ClusterName` (the agent's EMF dimension sets). */
  podCpuUtilization: "pod_cpu_utilization",
  podMemoryUtilization: "pod_memory_utilization",
  podNetworkRxBytes: "pod_network_rx_bytes",
  podNetworkTxBytes: "pod_network_tx_bytes",
  /** Running pods behind a Kubernetes Service (`Service, Namespace, ClusterName`). */
  serviceRunningPods: "service_number_of_running_pods",
  nodeCount: "cluster_node_count",
  failedNodeCount: "cluster_failed_node_count",
} as const;

/**
 * SageMaker real-time endpoint metrics (namespace `AWS/SageMaker`, dimensions `EndpointName`, `VariantName`).
 * @see https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html
 */
export const SageMakerMetrics = {
  namespace: "AWS/SageMaker",
  invocations: "Invocations",
  modelLatency: "ModelLatency",
  invocation4xx: "Invocation4XXErrors",
  invocation5xx: "Invocation5XXErrors",
} as const;

/** A Metrics Insights string literal (single quotes, doubled inside). */
const lit = (v: string) => `'${v.replace(/'/g, "''")}'`;

/** A Metrics Insights query of one pool's GPU devices: `SELECT <fn>(<metric>) FROM SCHEMA(...) WHERE ClusterName = ... AND InstanceType IN/= ...`. */
export function poolQuery(
  fn: "AVG" | "MAX" | "MIN" | "SUM",
  metric: string,
  clusterName: string,
  instanceTypes: string[],
  schema: readonly string[],
): string {
  const types =
    instanceTypes.length === 1 ? `InstanceType = ${lit(instanceTypes[0])}` : `(${instanceTypes.map((t) => `InstanceType = ${lit(t)}`).join(" OR ")})`;
  return `SELECT ${fn}(${metric}) FROM SCHEMA(${ContainerInsights.namespace}, ${schema.join(", ")}) WHERE ClusterName = ${lit(clusterName)} AND ${types}`;
}

/**
 * The usage metrics Amazon Managed Service for Prometheus vends to CloudWatch: metric `ResourceCount` in `AWS/Usage`,
 * one series per resource (`IngestionRate`, samples per second; `ActiveSeries`). Selected with a SEARCH expression on
 * the metric name (`ResourceCount` is the quota-usage metric of `AWS/Usage`) and the service and resource names as
 * search terms, so that no dimension name is assumed.
 * @see https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-CW-usage-metrics.html
 */
export const ManagedPrometheusUsage = {
  namespace: "AWS/Usage",
  metricName: "ResourceCount",
  ingestionRate: "IngestionRate",
  activeSeries: "ActiveSeries",
  /** `SEARCH('MetricName="ResourceCount" Prometheus <resource>', 'Average', 300)`. */
  search(resource: string): string {
    return `SEARCH('MetricName="ResourceCount" Prometheus ${resource}', 'Average', 300)`;
  },
} as const;

/** The predictor Service and namespace of a KServe endpoint, from its URL (`http://<name>-predictor.<namespace>.svc.cluster.local`). */
export function kservePredictor(endpointUrl: string): { service: string; namespace: string } | undefined {
  const m = /^http:\/\/([a-z0-9-]+-predictor)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(endpointUrl);
  return m ? { service: m[1], namespace: m[2] } : undefined;
}
