#!/usr/bin/env node
// Regenerates ../prices.json: EC2 on-demand prices of us-east-1 from Karpenter's generated table (for the
// instance types GpuInstance.all() knows and the system node types), EC2 prices of us-west-2 and eu-west-1
// for the GPU types from tsaol/aws-gpu's data/all_gpu_instances.js (generated from instances.vantage.sh),
// plus the prices with other sources: the EKS announcement and transcribed-prices.json (prices read from public
// material that quotes an AWS Price List identifier, each with its evidence). For every item the library emits in
// the three regions that stays without a price, prices.json names the reason (`unpriced`).
//
//   node src/review/data/generate/prices.js <aws/karpenter-provider-aws checkout> <tsaol/aws-gpu checkout>
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");
require("tsx/cjs");
const { GpuInstance } = require("../../../training-cluster/gpu-instances.ts");
const repo = process.argv[2];
const gpuRepo = process.argv[3];
if (!repo || !gpuRepo) {
  console.error("usage: node src/review/data/generate/prices.js <karpenter-provider-aws checkout> <aws-gpu checkout>");
  process.exit(2);
}
const file = "pkg/providers/pricing/zz_generated.pricing_aws.go";
const commit = execFileSync("git", ["-C", repo, "log", "-1", "--format=%H", "--", file], { encoding: "utf8" }).trim();
const text = execFileSync("git", ["-C", repo, "show", `${commit}:${file}`], { encoding: "utf8", maxBuffer: 1 << 28 });
const generated = /generated at (\S+) for us-east-1/.exec(text)[1];
const body = text.slice(text.indexOf('"us-east-1": {'));
const region = body.slice(0, body.indexOf("\n\t},"));
const all = {};
for (const m of region.matchAll(/"([a-z0-9-]+\.[a-z0-9]+)": ([0-9.]+)/g)) all[m[1]] = Number(m[2]);
const wanted = [...GpuInstance.all(), "m7i.large", "m7i.xlarge", "m7i.2xlarge"];
const ec2 = {};
for (const t of wanted) if (t in all) ec2[t] = all[t];
// Other regions: tsaol/aws-gpu's table (instances.vantage.sh data, Linux on-demand). Its us-east-1 prices must
// equal Karpenter's for every GPU type both hold, or the generator stops (the cross-check of the two sources).
const gpuFile = "data/all_gpu_instances.js";
const gpuCommit = execFileSync("git", ["-C", gpuRepo, "log", "-1", "--format=%H", "--", gpuFile], { encoding: "utf8" }).trim();
const gpuText = execFileSync("git", ["-C", gpuRepo, "show", `${gpuCommit}:${gpuFile}`], { encoding: "utf8", maxBuffer: 1 << 28 });
const gpuUpdated = /Last updated: (\d{4}-\d{2}-\d{2})/.exec(gpuText)[1];
const gpuByName = new Map(JSON.parse(gpuText.slice(gpuText.indexOf("["), gpuText.lastIndexOf("]") + 1)).map((i) => [i.name, i]));
const onDemand = (t, r) => gpuByName.get(t)?.pricing?.[r]?.onDemand;
let crossChecked = 0;
for (const t of GpuInstance.all()) {
  const other = onDemand(t, "us-east-1");
  if (t in ec2 && other !== undefined) {
    if (other !== ec2[t]) throw new Error(`us-east-1 ${t}: Karpenter ${ec2[t]} != aws-gpu ${other}`);
    crossChecked++;
  }
}
const gpuPrices = (r) => {
  const out = {};
  for (const t of GpuInstance.all()) {
    const p = onDemand(t, r);
    if (typeof p === "number" && p > 0) out[`ec2:${t}`] = { usdPerHour: p, source: "aws-gpu-vantage-2026-01" };
  }
  return out;
};
const eks = {
  "eks:cluster": { usdPerHour: 0.1, source: "eks-extended-support-announcement" },
  "eks:cluster-extended-support": { usdPerHour: 0.6, source: "eks-extended-support-announcement" },
};
const doc = {
  description:
    "On-demand hourly prices (USD) the review uses for monthly cost at idle and at max scale. A price the table does not hold is reported as 'no price', never guessed. Refresh with the sources named; keep each price's source.",
  hoursPerMonth: 730,
  sources: {
    "karpenter-ec2-us-east-1": {
      date: generated.slice(0, 10),
      url: `https://github.com/aws/karpenter-provider-aws/blob/${commit}/${file}`,
      note: `Karpenter's table generated from the AWS Price List API at ${generated} (Linux, shared tenancy, on-demand); it covers us-east-1 only.`,
    },
    "aws-gpu-vantage-2026-01": {
      date: gpuUpdated,
      url: `https://github.com/tsaol/aws-gpu/blob/${gpuCommit}/${gpuFile}`,
      note: `tsaol/aws-gpu's GPU instance table, auto-generated from instances.vantage.sh data (last updated ${gpuUpdated}; Linux on-demand by region), used for us-west-2 and eu-west-1; its us-east-1 prices equal Karpenter's for all ${crossChecked} GPU types both hold. A type the table has no price for in a region is left out.`,
    },
    "eks-extended-support-announcement": {
      date: "2024-04-01",
      url: "https://aws.amazon.com/blogs/containers/amazon-eks-extended-support-for-kubernetes-versions-pricing/",
      note: "$0.10 per cluster per hour in standard support, $0.60 in extended support, from the April 2024 billing cycle; the announcement names one price per cluster, no regional difference.",
    },
  },
  prices: {
    "us-east-1": {
      ...Object.fromEntries(Object.entries(ec2).map(([t, p]) => [`ec2:${t}`, { usdPerHour: p, source: "karpenter-ec2-us-east-1" }])),
      ...eks,
    },
    "us-west-2": { ...gpuPrices("us-west-2"), ...eks },
    "eu-west-1": { ...gpuPrices("eu-west-1"), ...eks },
  },
};
// Transcribed prices: added only where no checkout already prices the item, each source checked where it can be.
const transcribed = JSON.parse(fs.readFileSync(path.join(__dirname, "transcribed-prices.json"), "utf8"));
for (const [key, s] of Object.entries(transcribed.sources)) {
  if (doc.sources[key]) throw new Error(`source ${key} is defined twice`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s.date) || !/^https:\/\//.test(s.url) || !s.note || !s.label)
    throw new Error(`source ${key} needs a label, a date, a URL and a note`);
  doc.sources[key] = s;
}
for (const e of transcribed.prices) {
  if (!transcribed.sources[e.source]) throw new Error(`${e.region} ${e.item}: unknown source ${e.source}`);
  if (!(typeof e.usdPerHour === "number" && e.usdPerHour > 0)) throw new Error(`${e.region} ${e.item}: no positive price`);
  const region = (doc.prices[e.region] ??= {});
  if (region[e.item]) throw new Error(`${e.region} ${e.item}: already priced from ${region[e.item].source}`);
  region[e.item] = { usdPerHour: e.usdPerHour, source: e.source };
}
for (const c of transcribed.crossChecks) {
  for (const [item, want] of Object.entries(c.expect)) {
    const price = doc.prices[c.region]?.[item]?.usdPerHour;
    const have = c.decimals === undefined || price === undefined ? price : Number(price.toFixed(c.decimals));
    if (have !== want) throw new Error(`cross-check failed (${c.what}): ${c.region} ${item} is ${have}, the source says ${want}`);
  }
}
// Every item the library's constructs emit by default, or that GpuInstance knows, in each of the three regions: a price,
// or the reason there is none.
const REGIONS = ["us-east-1", "us-west-2", "eu-west-1"];
const reasons = transcribed.unpriced;
const expected = [
  ...GpuInstance.all().map((t) => [`ec2:${t}`, reasons["ec2:gpu"]]),
  ...["m7i.large", "m7i.xlarge", "m7i.2xlarge"].map((t) => [`ec2:${t}`, reasons["ec2:m7i.*"]]),
  ["eks:cluster"],
  ["nat-gateway", reasons["nat-gateway"]],
  ["vpc-endpoint:interface", reasons["vpc-endpoint:interface"]],
  ["rds:postgres:db.t4g.medium", reasons["rds:postgres"]],
  ["sagemaker:ml.m5.xlarge", reasons["sagemaker:ml"]],
  ["sagemaker:ml.g5.xlarge", reasons["sagemaker:ml"]],
  ["sagemaker-mlflow:Small", reasons["sagemaker-mlflow"]],
];
doc.unpriced = {};
for (const r of REGIONS) {
  doc.unpriced[r] = {};
  for (const [item, generic] of expected) {
    if (doc.prices[r][item]) continue;
    let reason = generic;
    if (generic === reasons["ec2:gpu"]) {
      // Say how many regions the GPU table does price the type in: "not offered here" versus "not in the data at all".
      const t = item.slice("ec2:".length);
      const elsewhere = Object.entries(gpuByName.get(t)?.pricing ?? {}).filter(([, p]) => typeof p?.onDemand === "number" && p.onDemand > 0).length;
      reason =
        reasons[`ec2:gpu:${r}`] ??
        (elsewhere ? `${generic}; it prices ${t} in ${elsewhere} other regions` : `${generic}; it holds no price for ${t} in any region`);
    }
    if (!reason) throw new Error(`${r} ${item}: neither a price nor a reason`);
    doc.unpriced[r][item] = reason;
  }
}
fs.writeFileSync(path.join(__dirname, "..", "prices.json"), JSON.stringify(doc, null, 2) + "\n");

// coverage.md: region × item, the price with its source and date or "not priced" (copied into the README).
const label = {
  "karpenter-ec2-us-east-1": "Karpenter",
  "aws-gpu-vantage-2026-01": "aws-gpu",
  "eks-extended-support-announcement": "AWS announcement",
};
const link = (key) => `[${label[key] ?? doc.sources[key].label}](${doc.sources[key].url}) ${doc.sources[key].date}`;
const cell = (item, r) => {
  const p = doc.prices[r][item];
  return p ? `$${p.usdPerHour}, ${link(p.source)}` : "not priced";
};
const gpuCell = (r) => {
  const priced = GpuInstance.all().filter((t) => doc.prices[r][`ec2:${t}`]);
  const keys = [...new Set(priced.map((t) => doc.prices[r][`ec2:${t}`].source))];
  return `${priced.length} of ${GpuInstance.all().length}, ${keys.map(link).join("; ")}`;
};
const rows = [
  ["EC2 GPU types (`GpuInstance.all()`)", gpuCell],
  ...["m7i.large", "m7i.xlarge", "m7i.2xlarge"].map((t) => [`EC2 \`${t}\` (system nodes)`, (r) => cell(`ec2:${t}`, r)]),
  ["EKS control plane, per cluster", (r) => cell("eks:cluster", r)],
  ["NAT gateway, per gateway", (r) => cell("nat-gateway", r)],
  ["Interface VPC endpoint, per AZ", (r) => cell("vpc-endpoint:interface", r)],
  ["RDS PostgreSQL `db.t4g.medium` (MLflow's default)", (r) => cell("rds:postgres:db.t4g.medium", r)],
  ["SageMaker hosting `ml.m5.xlarge` (default, no GPU)", (r) => cell("sagemaker:ml.m5.xlarge", r)],
  ["SageMaker hosting `ml.g5.xlarge` (default, GPU)", (r) => cell("sagemaker:ml.g5.xlarge", r)],
  ["SageMaker MLflow tracking server `Small`", (r) => cell("sagemaker-mlflow:Small", r)],
];
const coverage = [
  `| Hourly, on demand | ${REGIONS.join(" | ")} |`,
  `| --- | ${REGIONS.map(() => "---").join(" | ")} |`,
  ...rows.map(([name, f]) => `| ${name} | ${REGIONS.map(f).join(" | ")} |`),
];
fs.writeFileSync(path.join(__dirname, "..", "coverage.md"), coverage.join("\n") + "\n");
