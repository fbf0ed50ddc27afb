import * as fs from "fs";
import * as path from "path";
import { App, Testing } from "cdktf";
import { buildExistingClusterPlatform } from "../../examples/existing-cluster/main";
import { buildReferencePlatform } from "../../examples/reference-platform/main";
import { buildSageMakerPlatform } from "../../examples/sagemaker-platform/main";
import { costModel, priceOf, readSynthOutput } from "../../src/review";
import prices from "../../src/review/data/prices.json";
import transcribed from "../../src/review/data/generate/transcribed-prices.json";
import { GpuInstance } from "../../src/training-cluster";

const REGIONS = ["us-east-1", "us-west-2", "eu-west-1"];
interface Source {
  date: string;
  url: string;
  note: string;
}
const table = prices as unknown as {
  sources: Record<string, Source>;
  prices: Record<string, Record<string, { usdPerHour: number; source: string }>>;
  unpriced: Record<string, Record<string, string>>;
};
const reasonOf = (item: string, region: string): string | undefined => table.unpriced[region]?.[item];

/** The billed items (`ec2:m7i.large`, `nat-gateway`, …) that an example's synth output holds, whatever its region. */
function itemsOf(build: (app: App) => unknown): string[] {
  const app = Testing.app();
  build(app);
  app.synth();
  return [...new Set(costModel(readSynthOutput(app.outdir)).items.map((i) => i.item))].sort();
}

describe("coverage of the price table", () => {
  const examples: [string, (app: App) => unknown][] = [
    ["reference-platform", buildReferencePlatform],
    ["sagemaker-platform", buildSageMakerPlatform],
    ["existing-cluster", buildExistingClusterPlatform],
  ];
  const emitted = new Map(examples.map(([name, build]) => [name, itemsOf(build)]));

  test("the examples emit the items the table is built for (EC2, EKS, NAT, interface endpoints, RDS, SageMaker)", () => {
    expect(emitted.get("reference-platform")).toEqual(
      expect.arrayContaining([
        "ec2:m7i.large",
        "ec2:p4d.24xlarge",
        "eks:cluster",
        "nat-gateway",
        "rds:postgres:db.t4g.medium",
        "vpc-endpoint:interface",
      ]),
    );
    expect(emitted.get("sagemaker-platform")).toEqual(
      expect.arrayContaining(["sagemaker:ml.m5.xlarge", "sagemaker-mlflow:Small", "ec2:p5.48xlarge"]),
    );
  });

  test.each(examples.map(([name]) => name))("every item %s emits has, in each of the three regions, a price or the reason there is none", (name) => {
    const missing: string[] = [];
    for (const item of emitted.get(name)!) {
      for (const region of REGIONS) {
        const price = priceOf(item, region);
        const reason = reasonOf(item, region);
        if (!price && !reason) missing.push(`${region} ${item}`);
        if (price && reason) missing.push(`${region} ${item}: both a price and a reason`);
        if (reason) expect(reason.length).toBeGreaterThan(20);
      }
    }
    expect(missing).toEqual([]);
  });

  test("every GpuInstance type and system node type has, in each region, a price or the reason there is none", () => {
    const missing = [...GpuInstance.all(), "m7i.large", "m7i.xlarge", "m7i.2xlarge"].flatMap((t) =>
      REGIONS.filter((r) => !priceOf(`ec2:${t}`, r) && !reasonOf(`ec2:${t}`, r)).map((r) => `${r} ${t}`),
    );
    expect(missing).toEqual([]);
  });

  test("a reason is only given for an item without a price", () => {
    for (const region of REGIONS) for (const item of Object.keys(table.unpriced[region])) expect(priceOf(item, region)).toBeUndefined();
  });
});

describe("the transcribed prices", () => {
  test("each is in prices.json as written, with its source copied (the generated file is in step with its input)", () => {
    for (const e of transcribed.prices) {
      expect(table.prices[e.region][e.item]).toEqual({ usdPerHour: e.usdPerHour, source: e.source });
      expect(table.sources[e.source]).toEqual((transcribed.sources as Record<string, Source>)[e.source]);
    }
  });

  test("none replaces a price read from a checkout (Karpenter, aws-gpu)", () => {
    const fromCheckouts = new Set(["karpenter-ec2-us-east-1", "aws-gpu-vantage-2026-01"]);
    for (const e of transcribed.prices) expect(fromCheckouts.has(table.prices[e.region][e.item].source)).toBe(false);
    // The GPU prices of us-west-2 and eu-west-1 still all come from the aws-gpu table.
    for (const region of ["us-west-2", "eu-west-1"])
      for (const t of GpuInstance.all()) {
        const p = table.prices[region][`ec2:${t}`];
        if (p) expect(p.source).toBe("aws-gpu-vantage-2026-01");
      }
  });

  test("spot checks: each figure equals what its source states", () => {
    // AWS offer file AmazonEC2 20260925174521 eu-west-1: EU-NatGateway-Hours $0.048/Hrs.
    const nat = priceOf("nat-gateway", "eu-west-1")!;
    expect(nat).toMatchObject({ usdPerHour: 0.048, date: "2026-09-25", source: expect.stringContaining("/AmazonEC2/20260925174521/eu-west-1/") });
    expect(table.sources[table.prices["eu-west-1"]["nat-gateway"].source].note).toContain("EU-NatGateway-Hours at $0.048 per hour");
    // AWS offer file AmazonEC2 20260831181331 us-east-1: NAT gateway hour SKU M2YSHUBETB3JX4M4, $0.045.
    expect(priceOf("nat-gateway", "us-east-1")).toMatchObject({
      usdPerHour: 0.045,
      source: expect.stringContaining("/AmazonEC2/20260831181331/us-east-1/"),
    });
    expect(table.sources[table.prices["us-east-1"]["nat-gateway"].source].note).toContain("M2YSHUBETB3JX4M4 at $0.045");
    // SageMaker hosting USE1-Host:ml.m5.xlarge (SKU JDZQJFUVUR8SUWHS), $0.23.
    expect(priceOf("sagemaker:ml.m5.xlarge", "us-east-1")).toMatchObject({ usdPerHour: 0.23, date: "2026-09-28" });
    expect(table.sources[table.prices["us-east-1"]["sagemaker:ml.m5.xlarge"].source].note).toContain(
      "USE1-Host:ml.m5.xlarge (SKU JDZQJFUVUR8SUWHS): $0.23",
    );
    // Interface endpoints, USE1-/USW2-VpcEndpoint-Hours, $0.01 per endpoint per AZ.
    for (const [region, usage] of [
      ["us-east-1", "USE1-VpcEndpoint-Hours"],
      ["us-west-2", "USW2-VpcEndpoint-Hours"],
    ]) {
      expect(priceOf("vpc-endpoint:interface", region)).toMatchObject({ usdPerHour: 0.01 });
      expect(table.sources[table.prices[region]["vpc-endpoint:interface"].source].note).toContain(`${usage}: $0.01 per interface endpoint`);
    }
    // The eu-west-1 m7i price book, cross-checked through its us-east-1 figures against Karpenter's table.
    expect(priceOf("ec2:m7i.large", "eu-west-1")).toMatchObject({ usdPerHour: 0.11235, date: "2026-10-08" });
    expect(priceOf("ec2:m7i.2xlarge", "eu-west-1")).toMatchObject({ usdPerHour: 0.4494 });
    expect(priceOf("ec2:m7i.large", "us-east-1")).toMatchObject({ usdPerHour: 0.1008, date: "2026-07-20" }); // Karpenter's
    // eu-west-1 interface endpoints, SKU H37WJ97MHYGDXG2A; us-west-2 NAT gateways from the VPC pricing page.
    expect(priceOf("vpc-endpoint:interface", "eu-west-1")).toMatchObject({ usdPerHour: 0.011, date: "2026-05-01" });
    expect(table.sources[table.prices["eu-west-1"]["vpc-endpoint:interface"].source].note).toContain(
      "SKU H37WJ97MHYGDXG2A, $0.011 per VPC endpoint hour",
    );
    expect(priceOf("nat-gateway", "us-west-2")).toMatchObject({
      usdPerHour: 0.045,
      date: "2026-10-01",
      source: "https://aws.amazon.com/vpc/pricing/",
    });
  });

  test("each cross-check of a transcribed source holds against the rest of the table", () => {
    expect(transcribed.crossChecks.length).toBeGreaterThanOrEqual(4);
    for (const c of transcribed.crossChecks) {
      expect(transcribed.sources).toHaveProperty(c.source);
      for (const [item, want] of Object.entries(c.expect)) {
        const p = table.prices[c.region][item];
        const decimals = (c as { decimals?: number }).decimals;
        expect([c.what, decimals === undefined ? p?.usdPerHour : Number(p?.usdPerHour.toFixed(decimals))]).toEqual([c.what, want]);
        expect(p.source).not.toBe(c.source); // checked against another source, not against itself
      }
    }
  });

  test("what is still not priced stays undefined, with its reason", () => {
    expect(priceOf("ec2:m7i.large", "us-west-2")).toBeUndefined();
    expect(reasonOf("ec2:m7i.large", "us-west-2")).toMatch(/no dated source/);
    expect(priceOf("rds:postgres:db.t4g.medium", "us-east-1")).toBeUndefined();
    expect(reasonOf("rds:postgres:db.t4g.medium", "us-east-1")).toMatch(/Multi-AZ/);
    expect(priceOf("ec2:g6.xlarge", "eu-west-1")).toBeUndefined();
    expect(reasonOf("ec2:g6.xlarge", "eu-west-1")).toMatch(/lists no on-demand price/);
    expect(reasonOf("ec2:p5e.48xlarge", "us-east-1")).toMatch(/Karpenter/);
  });
});

describe("the coverage table", () => {
  const coverage = fs.readFileSync(path.join(__dirname, "../../src/review/data/coverage.md"), "utf8");

  test("the README shows the table the generator wrote", () => {
    const readme = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8");
    const m = /<!-- price-coverage:start -->\n\n([\s\S]*?)\n<!-- price-coverage:end -->/.exec(readme);
    expect(m?.[1]).toBe(coverage);
  });

  test("each cell is the table's price with its source and date, or 'not priced'", () => {
    const rows = coverage.trim().split("\n").slice(2);
    const cellOf = (label: string, region: string) => {
      const row = rows.find((r) => r.startsWith(`| ${label} |`))!.split(" | ");
      return row[1 + REGIONS.indexOf(region)].replace(/ \|$/, "");
    };
    for (const [label, item] of [
      ["NAT gateway, per gateway", "nat-gateway"],
      ["Interface VPC endpoint, per AZ", "vpc-endpoint:interface"],
      ["EC2 `m7i.large` (system nodes)", "ec2:m7i.large"],
      ["RDS PostgreSQL `db.t4g.medium` (MLflow's default)", "rds:postgres:db.t4g.medium"],
      ["SageMaker hosting `ml.m5.xlarge` (default, no GPU)", "sagemaker:ml.m5.xlarge"],
    ])
      for (const region of REGIONS) {
        const p = priceOf(item, region);
        const cell = cellOf(label, region);
        if (p) expect(cell).toMatch(new RegExp(`^\\$${p.usdPerHour}, \\[[^\\]]+\\]\\(${p.source.replace(/[.?/]/g, "\\$&")}\\) ${p.date}$`));
        else expect(cell).toBe("not priced");
      }
    const gpuPriced = (r: string) => GpuInstance.all().filter((t) => priceOf(`ec2:${t}`, r)).length;
    for (const region of REGIONS)
      expect(cellOf("EC2 GPU types (`GpuInstance.all()`)", region)).toMatch(new RegExp(`^${gpuPriced(region)} of ${GpuInstance.all().length}, `));
  });
});
