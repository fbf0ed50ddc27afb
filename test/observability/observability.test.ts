import {
  CapacityType,
  ClusterAutoscaling,
  ClusterObservability,
  MlopsStack,
  ModelRegistry,
  PlatformAlarms,
  PlatformBudget,
  PlatformDashboard,
  RegistryEngine,
  ServingEndpoint,
  ServingEngine,
  TrainingCluster,
} from "../../src";
import { kservePredictor, poolQuery } from "../../src/observability/private/metrics";
import { newApp, newStack, policyStatements, ref, resource, resources, synth } from "../helpers";

/** A platform with two GPU pools and a GPU and a CPU SageMaker endpoint. */
function platform() {
  const stack = newStack();
  const cluster = new TrainingCluster(stack, "training", {
    gpuNodePools: [
      { name: "a100", instanceTypes: ["p4d.24xlarge"], maxSize: 4 },
      { name: "l4", instanceTypes: ["g6.xlarge"], maxSize: 10 },
    ],
  });
  const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["fraud", "churn"] });
  const gpu = new ServingEndpoint(stack, "fraud", {
    engine: ServingEngine.sagemaker({ instanceType: "ml.g5.xlarge" }),
    model: registry.model("fraud", "3"),
    gpu: true,
  });
  const cpu = new ServingEndpoint(stack, "churn", { engine: ServingEngine.sagemaker(), model: registry.model("churn", "1") });
  return { stack, cluster, gpu, cpu };
}

const DEVICE_SCHEMA = "SCHEMA(ContainerInsights, ClusterName, GpuDevice, InstanceId, InstanceType, NodeName)";

describe("PlatformAlarms", () => {
  const { stack } = platform();
  const alarms = new PlatformAlarms(stack, "alarms", { notify: ["ml-oncall@acme.io", "https://hooks.acme.io/alarms"] });
  const doc = synth(stack);
  const topic = resource(doc, "aws_sns_topic", "alarms/Topic");

  test("alarm per GPU pool when the pool's GPUs average under 10% for 3 hours: a Metrics Insights query on Container Insights", () => {
    expect(Object.keys(alarms.idleGpuAlarms).sort()).toEqual(["acme-ml-training/a100", "acme-ml-training/l4"]);
    const a100 = resource(doc, "aws_cloudwatch_metric_alarm", "alarms/IdleGpu-training-a100").values;
    expect(a100.metric_query).toEqual([
      {
        id: "utilization",
        expression: `SELECT AVG(node_gpu_utilization) FROM ${DEVICE_SCHEMA} WHERE ClusterName = 'acme-ml-training' AND InstanceType = 'p4d.24xlarge'`,
        period: 900,
        label: "GPU utilization of a100",
        return_data: true,
      },
    ]);
    // 12 points of 15 minutes = 3 hours, all of them under the threshold.
    expect(a100).toMatchObject({ comparison_operator: "LessThanThreshold", threshold: 10, evaluation_periods: 12, datapoints_to_alarm: 12 });
    // A pool scaled to zero publishes nothing: no alarm.
    expect(a100.treat_missing_data).toBe("notBreaching");
    expect(a100.alarm_actions).toEqual([ref(topic, "arn")]);
    expect(a100.alarm_name).toBe("acme-ml-training-a100-gpus-idle");
    const l4 = resource(doc, "aws_cloudwatch_metric_alarm", "alarms/IdleGpu-training-l4").values;
    expect(l4.metric_query[0].expression).toContain("InstanceType = 'g6.xlarge'");
  });

  test("threshold and duration are props", () => {
    const stack2 = newStack();
    new TrainingCluster(stack2, "training", { gpuNodePools: [{ name: "l4", instanceTypes: ["g6.xlarge"] }] });
    new PlatformAlarms(stack2, "alarms", { idleGpuThresholdPercent: 25, idleGpuHours: 1 });
    const a = resource(synth(stack2), "aws_cloudwatch_metric_alarm", "alarms/IdleGpu-training-l4").values;
    expect(a).toMatchObject({ threshold: 25, evaluation_periods: 4, datapoints_to_alarm: 4 });
  });

  test("a pool of several instance types selects each of them, with quotes escaped", () => {
    expect(poolQuery("AVG", "node_gpu_utilization", "o'neil", ["p4d.24xlarge", "p4de.24xlarge"], ["ClusterName", "InstanceType"])).toBe(
      "SELECT AVG(node_gpu_utilization) FROM SCHEMA(ContainerInsights, ClusterName, InstanceType) WHERE ClusterName = 'o''neil' AND (InstanceType = 'p4d.24xlarge' OR InstanceType = 'p4de.24xlarge')",
    );
  });

  test("zero-invocations alarm for SageMaker endpoints on GPUs only: no invocation for 24 hours", () => {
    expect(Object.keys(alarms.zeroInvocationAlarms)).toEqual(["acme-ml-fraud"]);
    const a = resource(doc, "aws_cloudwatch_metric_alarm", "alarms/NoInvocations-fraud").values;
    expect(a).toMatchObject({
      namespace: "AWS/SageMaker",
      metric_name: "Invocations",
      dimensions: { EndpointName: "acme-ml-fraud", VariantName: "primary" },
      statistic: "Sum",
      period: 3600,
      evaluation_periods: 24,
      datapoints_to_alarm: 24,
      comparison_operator: "LessThanThreshold",
      threshold: 1,
      treat_missing_data: "breaching",
    });
  });

  test("Karpenter pools and Capacity Block pools are watched too, by the instance types they launch", () => {
    const app = newApp();
    const platformStack = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
    const pools = new MlopsStack(app, "pools", { region: "eu-west-1", name: "acme-ml" });
    new TrainingCluster(platformStack, "training", {
      autoscaling: ClusterAutoscaling.karpenter({ nodePoolStack: pools }),
      gpuNodePools: [{ name: "l4", instanceTypes: ["g6.xlarge", "g6.2xlarge"] }],
    });
    new TrainingCluster(platformStack, "blocks", {
      clusterName: "acme-ml-blocks",
      gpuNodePools: [
        { name: "h100", instanceTypes: ["p5.48xlarge"], capacityType: CapacityType.CAPACITY_BLOCK, capacityReservationId: "cr-0123456789abcdef0" },
      ],
    });
    const a = new PlatformAlarms(platformStack, "alarms");
    expect(Object.keys(a.idleGpuAlarms).sort()).toEqual(["acme-ml-blocks/h100", "acme-ml-training/l4"]);
    const doc = synth(platformStack);
    expect(resource(doc, "aws_cloudwatch_metric_alarm", "alarms/IdleGpu-training-l4").values.metric_query[0].expression).toContain(
      "(InstanceType = 'g6.xlarge' OR InstanceType = 'g6.2xlarge')",
    );
    expect(resource(doc, "aws_cloudwatch_metric_alarm", "alarms/IdleGpu-blocks-h100").values.metric_query[0].expression).toContain(
      "AND InstanceType = 'p5.48xlarge'",
    );
  });

  test("no idle alarm for a cluster without Container Insights", () => {
    const stack2 = newStack();
    new TrainingCluster(stack2, "training", {
      observability: ClusterObservability.none(),
      gpuNodePools: [{ name: "l4", instanceTypes: ["g6.xlarge"] }],
    });
    const a = new PlatformAlarms(stack2, "alarms");
    expect(a.idleGpuAlarms).toEqual({});
    expect(resources(synth(stack2), "aws_cloudwatch_metric_alarm")).toEqual([]);
  });

  test("the topic is encrypted with a key of its own that CloudWatch alarms and Budgets of the account may use, and may publish to it", () => {
    const key = resource(doc, "aws_kms_key", "alarms/Key");
    expect(topic.values.kms_master_key_id).toBe(ref(key, "arn"));
    const keyStatements = policyStatements(doc, key.values.policy);
    expect(keyStatements.find((s) => s.sid === "AllowCloudWatchAlarmsAndBudgetsOfThisAccount")).toMatchObject({
      principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"] }],
      actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
    });
    const topicPolicy = resources(doc, "aws_sns_topic_policy").find((p) => p.values.arn === ref(topic, "arn"))!;
    const publish = policyStatements(doc, topicPolicy.values.policy).find((s) => s.sid === "CloudWatchAlarmsAndBudgetsOfThisAccountPublish")!;
    expect(publish.condition ?? publish.conditions).toBeTruthy();
    const subs = resources(doc, "aws_sns_topic_subscription").map((s) => [s.values.protocol, s.values.endpoint]);
    expect(subs).toEqual([
      ["email", "ml-oncall@acme.io"],
      ["https", "https://hooks.acme.io/alarms"],
    ]);
  });

  test.each([
    [{ idleGpuHours: 4 }, /idleGpuHours/],
    [{ idleGpuThresholdPercent: 0 }, /idleGpuThresholdPercent.*must be > 0/],
    [{ zeroInvocationHours: 25 }, /zeroInvocationHours/],
    [{ notify: ["not-an-address"] }, /notify\[0\].*must be an email address or an https:\/\/ URL/],
  ])("refuses %p", (props, message) => {
    expect(() => new PlatformAlarms(newStack(), "alarms", props)).toThrow(message);
  });
});

describe("PlatformDashboard", () => {
  const { stack } = platform();
  const dashboard = new PlatformDashboard(stack, "dashboard");
  const doc = synth(stack);
  const body = JSON.parse(resource(doc, "aws_cloudwatch_dashboard", "dashboard/Resource").values.dashboard_body);
  const metricWidgets = body.widgets.filter((w: any) => w.type === "metric");
  const byTitle = (t: string) => metricWidgets.find((w: any) => w.properties.title === t);

  test("is named after the platform and its URL is an output", () => {
    expect(dashboard.dashboardName).toBe("acme-ml-platform");
    expect(
      doc.output!["dashboard_DashboardUrl_D3493A92"] ?? Object.values(doc.output!).find((o: any) => /dashboards\/dashboard/.test(o.value)),
    ).toMatchObject({
      value: "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/acme-ml-platform",
    });
  });

  test("per GPU pool: GPU utilization, memory, power (per-device schema) and allocatable GPUs (per-node schema)", () => {
    for (const [pool, type] of [
      ["a100", "p4d.24xlarge"],
      ["l4", "g6.xlarge"],
    ]) {
      const pooled = metricWidgets.filter((w: any) => w.properties.title.startsWith(`acme-ml-training/${pool} `));
      const expressions = pooled.map((w: any) => w.properties.metrics[0][0].expression);
      expect(expressions).toEqual([
        `SELECT AVG(node_gpu_utilization) FROM ${DEVICE_SCHEMA} WHERE ClusterName = 'acme-ml-training' AND InstanceType = '${type}'`,
        `SELECT AVG(node_gpu_memory_utilization) FROM ${DEVICE_SCHEMA} WHERE ClusterName = 'acme-ml-training' AND InstanceType = '${type}'`,
        `SELECT SUM(node_gpu_limit) FROM SCHEMA(ContainerInsights, ClusterName, InstanceId, InstanceType, NodeName) WHERE ClusterName = 'acme-ml-training' AND InstanceType = '${type}'`,
        `SELECT SUM(node_gpu_power_draw) FROM ${DEVICE_SCHEMA} WHERE ClusterName = 'acme-ml-training' AND InstanceType = '${type}'`,
        // the energy widget's input
        `SELECT SUM(node_gpu_power_draw) FROM ${DEVICE_SCHEMA} WHERE ClusterName = 'acme-ml-training' AND InstanceType = '${type}'`,
      ]);
      for (const w of pooled) expect(w.properties.region).toBe("eu-west-1");
    }
  });

  test("per cluster: nodes and pending pods by ClusterName", () => {
    expect(byTitle("acme-ml-training: nodes").properties.metrics).toEqual([
      ["ContainerInsights", "cluster_node_count", "ClusterName", "acme-ml-training", { stat: "Maximum", label: "nodes" }],
      ["ContainerInsights", "cluster_failed_node_count", "ClusterName", "acme-ml-training", { stat: "Maximum", label: "failed nodes" }],
    ]);
    expect(byTitle("acme-ml-training: pending pods").properties.metrics[0].slice(0, 4)).toEqual([
      "ContainerInsights",
      "pod_status_pending",
      "ClusterName",
      "acme-ml-training",
    ]);
  });

  test("per SageMaker endpoint: invocations, latency and errors by EndpointName and VariantName", () => {
    for (const name of ["acme-ml-fraud", "acme-ml-churn"]) {
      const dims = ["EndpointName", name, "VariantName", "primary"];
      expect(byTitle(`${name}: invocations`).properties.metrics).toEqual([
        ["AWS/SageMaker", "Invocations", ...dims, { stat: "Sum", label: "invocations" }],
      ]);
      expect(byTitle(`${name}: model latency, µs`).properties.metrics.map((m: any[]) => [m[1], m[6].stat])).toEqual([
        ["ModelLatency", "p50"],
        ["ModelLatency", "p99"],
      ]);
      expect(byTitle(`${name}: errors`).properties.metrics.map((m: any[]) => m[1])).toEqual(["Invocation4XXErrors", "Invocation5XXErrors"]);
    }
  });

  test("a cluster without Container Insights gets a note, not GPU widgets", () => {
    const stack2 = newStack();
    new TrainingCluster(stack2, "training", {
      observability: ClusterObservability.none(),
      gpuNodePools: [{ name: "l4", instanceTypes: ["g6.xlarge"] }],
    });
    new PlatformDashboard(stack2, "dashboard");
    const b = JSON.parse(resource(synth(stack2), "aws_cloudwatch_dashboard", "dashboard/Resource").values.dashboard_body);
    expect(b.widgets).toHaveLength(1);
    expect(b.widgets[0].properties.markdown).toMatch(/No Container Insights/);
  });

  test("refuses a bad dashboard name", () => {
    expect(() => new PlatformDashboard(newStack(), "dashboard", { dashboardName: "has space" })).toThrow(
      /PlatformDashboard platform\/dashboard: dashboardName/,
    );
  });
});

describe("PlatformBudget", () => {
  test("a monthly cost budget of the platform's tag, with actual and forecast notifications", () => {
    const stack = newStack();
    const alarms = new PlatformAlarms(stack, "alarms");
    new PlatformBudget(stack, "budget", { monthlyLimitUsd: 20000, notify: ["finops@acme.io"], topicArn: alarms.topic.arn });
    const doc = synth(stack);
    const b = resource(doc, "aws_budgets_budget", "budget/Resource").values;
    expect(b).toMatchObject({
      name: "acme-ml-monthly",
      budget_type: "COST",
      limit_amount: "20000.00",
      limit_unit: "USD",
      time_unit: "MONTHLY",
      cost_filter: [{ name: "TagKeyValue", values: ["user:mlops:platform$acme-ml"] }],
    });
    const topic = ref(resource(doc, "aws_sns_topic", "alarms/Topic"), "arn");
    expect(b.notification).toEqual(
      [
        ["ACTUAL", 80],
        ["ACTUAL", 100],
        ["FORECASTED", 100],
      ].map(([type, threshold]) => ({
        notification_type: type,
        comparison_operator: "GREATER_THAN",
        threshold,
        threshold_type: "PERCENTAGE",
        subscriber_email_addresses: ["finops@acme.io"],
        subscriber_sns_topic_arns: [topic],
      })),
    );
    expect(resources(doc, "aws_ce_cost_allocation_tag")).toEqual([]);
  });

  test("activates the library's cost allocation tags when asked", () => {
    const stack = newStack();
    new PlatformBudget(stack, "budget", {
      monthlyLimitUsd: 100,
      notify: ["finops@acme.io"],
      activateCostAllocationTags: true,
      actualThresholdsPercent: [50],
    });
    const doc = synth(stack);
    expect(
      resources(doc, "aws_ce_cost_allocation_tag")
        .map((t) => `${t.values.tag_key} ${t.values.status}`)
        .sort(),
    ).toEqual(["mlops:component Active", "mlops:managed-by Active", "mlops:platform Active", "mlops:team Active"]);
    expect(resource(doc, "aws_budgets_budget", "budget/Resource").values.notification.map((n: any) => [n.notification_type, n.threshold])).toEqual([
      ["ACTUAL", 50],
      ["FORECASTED", 100],
    ]);
  });

  test("per-team budgets on the mlops:team tag, with the platform's thresholds and topic, and the team's own emails", () => {
    const stack = newStack();
    const alarms = new PlatformAlarms(stack, "alarms");
    const budget = new PlatformBudget(stack, "budget", {
      monthlyLimitUsd: 20000,
      notify: ["finops@acme.io"],
      topicArn: alarms.topic.arn,
      actualThresholdsPercent: [90],
      teamBudgets: [
        { team: "fraud", monthlyLimitUsd: 5000, notify: ["fraud-leads@acme.io"] },
        { team: "search", monthlyLimitUsd: 1234.5 },
      ],
    });
    const doc = synth(stack);
    const topic = ref(resource(doc, "aws_sns_topic", "alarms/Topic"), "arn");
    expect(Object.keys(budget.teamBudgets)).toEqual(["fraud", "search"]);
    const fraud = resource(doc, "aws_budgets_budget", "budget/Team-fraud").values;
    expect(fraud).toMatchObject({
      name: "acme-ml-team-fraud-monthly",
      budget_type: "COST",
      limit_amount: "5000.00",
      time_unit: "MONTHLY",
      cost_filter: [{ name: "TagKeyValue", values: ["user:mlops:team$fraud"] }],
    });
    expect(fraud.notification.map((n: any) => [n.notification_type, n.threshold, n.subscriber_email_addresses, n.subscriber_sns_topic_arns])).toEqual(
      [
        ["ACTUAL", 90, ["fraud-leads@acme.io"], [topic]],
        ["FORECASTED", 100, ["fraud-leads@acme.io"], [topic]],
      ],
    );
    const search = resource(doc, "aws_budgets_budget", "budget/Team-search").values;
    expect(search.limit_amount).toBe("1234.50");
    expect(search.notification[0].subscriber_email_addresses).toEqual(["finops@acme.io"]);
    // The platform budget keeps its own filter.
    expect(resource(doc, "aws_budgets_budget", "budget/Resource").values.cost_filter[0].values).toEqual(["user:mlops:platform$acme-ml"]);
  });

  test.each([
    [{ team: "Fraud Team", monthlyLimitUsd: 10 }, /teamBudgets\[0\]\.team.*lowercase DNS label/],
    [{ team: "fraud", monthlyLimitUsd: -1 }, /teamBudgets\[0\]\.monthlyLimitUsd.*must be > 0/],
    [{ team: "fraud", monthlyLimitUsd: 10, notify: [] }, /teamBudgets\[0\]\.notify.*must name someone/],
  ])("refuses the team budget %p", (team, message) => {
    expect(() => new PlatformBudget(newStack(), "budget", { monthlyLimitUsd: 10, notify: ["a@b.io"], teamBudgets: [team as any] })).toThrow(message);
  });

  test("refuses two budgets for one team", () => {
    expect(
      () =>
        new PlatformBudget(newStack(), "budget", {
          monthlyLimitUsd: 10,
          notify: ["a@b.io"],
          teamBudgets: [
            { team: "fraud", monthlyLimitUsd: 1 },
            { team: "fraud", monthlyLimitUsd: 2 },
          ],
        }),
    ).toThrow(/teamBudgets\[1\]\.team.*\(fraud\) has a budget already/);
  });

  test.each([
    [{ monthlyLimitUsd: 0, notify: ["a@b.io"] }, /monthlyLimitUsd.*must be > 0/],
    [{ monthlyLimitUsd: 10 }, /PlatformBudget platform\/budget: notify/],
    [{ monthlyLimitUsd: 10, notify: Array.from({ length: 11 }, (_, i) => `p${i}@acme.io`) }, /at most 10 addresses/],
  ])("refuses %p", (props, message) => {
    expect(() => new PlatformBudget(newStack(), "budget", props as any)).toThrow(message);
  });
});

describe("PlatformDashboard energy", () => {
  test("per GPU pool: kWh from the 1-minute power samples over the time range, and CO2e from the region's dated grid factor and PUE", () => {
    const { stack } = platform();
    new PlatformDashboard(stack, "dashboard");
    const body = JSON.parse(resource(synth(stack), "aws_cloudwatch_dashboard", "dashboard/Resource").values.dashboard_body);
    const energy = body.widgets.filter((w: any) => /GPU energy and estimated CO2e/.test(w.properties.title ?? ""));
    expect(energy.map((w: any) => w.properties.title)).toEqual([
      "acme-ml-training/a100 (p4d.24xlarge, 8x A100 per node): GPU energy and estimated CO2e over the time range",
      "acme-ml-training/l4 (g6.xlarge, 1x L4 per node): GPU energy and estimated CO2e over the time range",
    ]);
    const [power, kwh, co2e] = energy[0].properties.metrics.map((m: any[]) => m[0]);
    expect(energy[0].properties).toMatchObject({ view: "singleValue", setPeriodToTimeRange: true, region: "eu-west-1" });
    expect(power).toMatchObject({
      id: "power",
      visible: false,
      expression: `SELECT SUM(node_gpu_power_draw) FROM ${DEVICE_SCHEMA} WHERE ClusterName = 'acme-ml-training' AND InstanceType = 'p4d.24xlarge'`,
    });
    expect(kwh).toEqual({ expression: "power / 60000", id: "kwh", label: "GPU energy, kWh" });
    // eu-west-1: 0.000316 t/kWh = 0.316 kg/kWh, times PUE 1.135 = 0.35866 kg per kWh of GPU energy.
    expect(co2e.expression).toBe("power / 60000 * 0.35866");
    expect(co2e.label).toMatch(
      /^estimated CO2e, kg \(eu-west-1: 0\.316 kg\/kWh; Cloud Carbon Footprint AWS grid factors \(commit 0656d55, retrieved 2026-12-02\), PUE 1\.135\)$/,
    );
  });

  test("a region the table does not list gets the table's average, said so", () => {
    const stack = newStack({ region: "ap-southeast-5" });
    new TrainingCluster(stack, "training", { gpuNodePools: [{ name: "l4", instanceTypes: ["g6.xlarge"] }] });
    new PlatformDashboard(stack, "dashboard");
    const body = JSON.parse(resource(synth(stack), "aws_cloudwatch_dashboard", "dashboard/Resource").values.dashboard_body);
    const co2e = body.widgets.find((w: any) => /GPU energy/.test(w.properties.title ?? "")).properties.metrics[2][0];
    expect(co2e.expression).toBe(`power / 60000 * ${Math.round(0.38738 * 1.135 * 1e6) / 1e6}`);
    expect(co2e.label).toMatch(/average: region not in the table/);
  });
});

/** A platform stack with a cluster of `observability` and a KServe endpoint in a workloads stack; the dashboard in `where`. */
function kservePlatform(observability: ClusterObservability, where: "platform" | "workloads" = "platform") {
  const app = newApp();
  const platform = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
  const workloads = new MlopsStack(app, "workloads", { region: "eu-west-1", name: "acme-ml" });
  const cluster = new TrainingCluster(platform, "training", { observability, gpuNodePools: [{ name: "l4", instanceTypes: ["g6.xlarge"] }] });
  const registry = new ModelRegistry(platform, "registry", { engine: RegistryEngine.mlflow({ cluster }), models: ["fraud"] });
  new ServingEndpoint(workloads, "fraud", { engine: ServingEngine.kserve({ cluster }), model: registry.model("fraud", "3") });
  const stack = where === "platform" ? platform : workloads;
  new PlatformDashboard(stack, "dashboard");
  const body = JSON.parse(resource(synth(stack), "aws_cloudwatch_dashboard", "dashboard/Resource").values.dashboard_body);
  return { cluster, body };
}

describe("PlatformDashboard per telemetry choice", () => {
  test("CloudWatch: a KServe endpoint gets its predictor Service's Container Insights pod metrics by Service, Namespace, ClusterName", () => {
    const { body } = kservePlatform(ClusterObservability.cloudWatch());
    const dims = ["Service", "acme-ml-fraud-predictor", "Namespace", "serving", "ClusterName", "acme-ml-training"];
    const titled = (t: string) => body.widgets.find((w: any) => w.properties.title === t);
    expect(titled("acme-ml-fraud: running predictor pods").properties.metrics).toEqual([
      ["ContainerInsights", "service_number_of_running_pods", ...dims, { stat: "Maximum", label: "pods" }],
    ]);
    expect(titled("acme-ml-fraud: predictor CPU and memory, % of requests").properties.metrics.map((m: any[]) => m.slice(0, 8))).toEqual([
      ["ContainerInsights", "pod_cpu_utilization", ...dims],
      ["ContainerInsights", "pod_memory_utilization", ...dims],
    ]);
    expect(titled("acme-ml-fraud: predictor network, bytes/s (request traffic)").properties.metrics.map((m: any[]) => m[1])).toEqual([
      "pod_network_rx_bytes",
      "pod_network_tx_bytes",
    ]);
    const note = body.widgets.find((w: any) => /## Endpoint acme-ml-fraud/.test(w.properties.markdown ?? ""));
    expect(note.properties.markdown).toMatch(/Request counts, latency and errors are Prometheus metrics/);
  });

  test("Prometheus: the cluster gets a pointer to its AMP workspace with PromQL, and AMP's CloudWatch usage metrics; no GPU widgets", () => {
    const { body } = kservePlatform(ClusterObservability.prometheus());
    const note = body.widgets.find((w: any) => /## Cluster acme-ml-training \(Prometheus\)/.test(w.properties.markdown ?? ""));
    // The workspace is in the dashboard's stack: its console link names it by reference.
    expect(note.properties.markdown).toContain(
      "https://eu-west-1.console.aws.amazon.com/prometheus/home?region=eu-west-1#/workspaces/workspace/${aws_prometheus_workspace.training_PrometheusWorkspace_",
    );
    expect(note.properties.markdown).toContain('avg by (modelName) (DCGM_FI_DEV_GPU_UTIL{cluster="acme-ml-training"})');
    expect(note.properties.markdown).toContain("GPU pools: l4.");
    expect(note.properties.markdown).toContain("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION");
    const expressions = body.widgets.filter((w: any) => w.type === "metric").map((w: any) => w.properties.metrics[0][0].expression);
    expect(expressions).toEqual([
      `SEARCH('MetricName="ResourceCount" Prometheus IngestionRate', 'Average', 300)`,
      `SEARCH('MetricName="ResourceCount" Prometheus ActiveSeries', 'Average', 300)`,
    ]);
    expect(JSON.stringify(body)).not.toContain("node_gpu_utilization");
    // The KServe endpoint: where its metrics are, and how to get them scraped.
    const endpoint = body.widgets.find((w: any) => /## Endpoint acme-ml-fraud/.test(w.properties.markdown ?? ""));
    expect(endpoint.properties.markdown).toMatch(
      /AMP workspace of acme-ml-training \(job `kserve-inference-services`: the predictor pods carry `prometheus.io\/port`/,
    );
  });

  test("Prometheus, dashboard in another stack: the workspace is named by its alias, not by a cross-stack reference", () => {
    const { body } = kservePlatform(ClusterObservability.prometheus(), "workloads");
    const note = body.widgets.find((w: any) => /## Cluster acme-ml-training/.test(w.properties.markdown ?? ""));
    expect(note.properties.markdown).toContain("the AMP workspace with alias `acme-ml-training`");
    expect(JSON.stringify(body)).not.toContain("${");
  });

  test("the predictor's Service and namespace come from the endpoint URL; anything else is not guessed", () => {
    expect(kservePredictor("http://acme-ml-fraud-predictor.serving.svc.cluster.local")).toEqual({
      service: "acme-ml-fraud-predictor",
      namespace: "serving",
    });
    expect(kservePredictor("https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/x/invocations")).toBeUndefined();
  });
});

describe("PlatformAlarms per telemetry choice", () => {
  test("Prometheus: no idle-GPU alarm (its metrics are not in CloudWatch)", () => {
    const stack = newStack();
    new TrainingCluster(stack, "training", {
      observability: ClusterObservability.prometheus(),
      gpuNodePools: [{ name: "l4", instanceTypes: ["g6.xlarge"] }],
    });
    const alarms = new PlatformAlarms(stack, "alarms");
    expect(alarms.idleGpuAlarms).toEqual({});
  });
});
