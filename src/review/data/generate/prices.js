#!/usr/bin/env node
// Regenerates ../prices.json: EC2 on-demand prices of us-east-1 from Karpenter's generated table (for the
// instance types GpuInstance.all() knows and the system node types), plus the prices with other sources.
//
//   node src/review/data/generate/prices.js <path to an aws/karpenter-provider-aws git checkout>
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");
require("tsx/cjs");
const { GpuInstance } = require("../../../training-cluster/gpu-instances.ts");
const repo = process.argv[2];
if (!repo) {
  console.error("usage: node src/review/data/generate/prices.js <karpenter-provider-aws checkout>");
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
    "nat-gateway-guide-2026-02": {
      date: "2026-02-24",
      url: "https://cloudburn.io/blog/aws-nat-gateway-pricing",
      note: "Secondary source (a pricing guide citing AWS's VPC pricing page): hourly charge $0.045 per NAT gateway in US East; data processing per GB is not counted. Cross-check with https://aws.amazon.com/vpc/pricing/.",
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
      "nat-gateway": { usdPerHour: 0.045, source: "nat-gateway-guide-2026-02" },
    },
    "us-west-2": { ...eks },
    "eu-west-1": { ...eks },
  },
};
fs.writeFileSync(path.join(__dirname, "..", "prices.json"), JSON.stringify(doc, null, 2) + "\n");
