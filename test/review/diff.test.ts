import { costModel, diffValues, forcesReplacement, priceOf } from "../../src/review";
import forceNew from "../../src/review/data/force-new.json";
import prices from "../../src/review/data/prices.json";

describe("replacement from the providers' ForceNew data", () => {
  test.each([
    ["aws_eks_cluster", "version", false],
    ["aws_eks_cluster", "access_config[0].bootstrap_cluster_creator_admin_permissions", true],
    ["aws_eks_node_group", "instance_types", true],
    ["aws_eks_node_group", "scaling_config[0].max_size", false],
    ["aws_db_instance", "instance_class", false],
    ["aws_db_instance", "kms_key_id", true],
    ["aws_ecr_repository", "encryption_configuration", true], // the block appears or disappears
    ["aws_ecr_repository", "image_tag_mutability", false],
    ["aws_sagemaker_endpoint_configuration", "production_variants[0].instance_type", true],
    ["aws_sagemaker_endpoint_configuration", "data_capture_config[0].capture_options[1].capture_mode", true],
    ["kubernetes_job_v1", "spec[0].template[0].spec[0].container[0].image", true], // every pod template field
    ["kubernetes_cron_job_v1", "spec[0].schedule", false],
    ["kubernetes_manifest", "manifest.metadata.name", true],
    ["kubernetes_manifest", "manifest.spec.predictor.minReplicas", false],
    ["helm_release", "values[0].image.tag", false],
    ["helm_release", "namespace", true],
  ])("%s %s: %s", (type, path, expected) => {
    expect(forcesReplacement(type, path)).toBe(expected);
  });

  test("a type without data gives no answer, which the review reports as 'may be replaced'", () => {
    expect(forcesReplacement("aws_lambda_function", "memory_size")).toBeUndefined();
  });

  test("every entry names the provider source it was read from", () => {
    for (const [type, e] of Object.entries(
      forceNew.types as Record<string, { source: { repo: string; path: string; commit: string }; forceNew: string[] }>,
    )) {
      expect(`${type} ${e.source.repo}`).toMatch(/ hashicorp\/terraform-provider-(aws|kubernetes|helm)$/);
      expect(e.source.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(e.forceNew.length).toBeGreaterThan(0);
    }
  });
});

describe("changed argument paths", () => {
  test("objects by key, blocks by index, scalar lists as a whole, JSON inside strings by its own paths", () => {
    const before = {
      tags: { a: "1" },
      subnet_ids: ["s1", "s2"],
      rule: [{ days: 7 }],
      values: [JSON.stringify({ image: { tag: "1" }, replicas: 2 })],
    };
    const after = {
      tags: { a: "2" },
      subnet_ids: ["s1"],
      rule: [{ days: 7 }, { days: 30 }],
      values: [JSON.stringify({ image: { tag: "2" }, replicas: 2 })],
    };
    expect(diffValues(before, after, "").map((c) => c.path)).toEqual(["rule[1]", "subnet_ids", "tags.a", "values[0].image.tag"]);
  });

  test("a block written as an object on one side and a one-element list on the other is the same block", () => {
    expect(diffValues({ vpc_config: { a: 1 } }, { vpc_config: [{ a: 1 }] }, "")).toEqual([]);
  });
});

describe("the price table", () => {
  test("every price names a source with a date and a URL", () => {
    for (const [region, items] of Object.entries(prices.prices as Record<string, Record<string, { source: string }>>)) {
      for (const [item, p] of Object.entries(items)) {
        const s = (prices.sources as Record<string, { date: string; url: string }>)[p.source];
        expect(`${region} ${item} ${s?.date}`).toMatch(/ \d{4}-\d{2}-\d{2}$/);
        expect(s.url).toMatch(/^https:\/\//);
      }
    }
  });

  test("a price outside the table is undefined, never a guess", () => {
    expect(priceOf("ec2:p5.48xlarge", "us-east-1")).toMatchObject({ usdPerHour: 55.04, date: "2026-07-20" });
    expect(priceOf("ec2:p5.48xlarge", "eu-west-1")).toBeUndefined();
    expect(priceOf("eks:cluster", "eu-west-1")).toMatchObject({ usdPerHour: 0.1 });
  });

  test("us-west-2 and eu-west-1 hold their own GPU prices, each with its date and source; the rest stays unpriced", () => {
    const src = /^https:\/\/github\.com\/tsaol\/aws-gpu\/blob\/[0-9a-f]{40}\/data\/all_gpu_instances\.js$/;
    expect(priceOf("ec2:g5.xlarge", "eu-west-1")).toMatchObject({ usdPerHour: 1.123, date: "2026-01-21", source: expect.stringMatching(src) });
    expect(priceOf("ec2:g5.xlarge", "us-east-1")).toMatchObject({ usdPerHour: 1.006, date: "2026-07-20" });
    expect(priceOf("ec2:p5.48xlarge", "us-west-2")).toMatchObject({ usdPerHour: 55.04, date: "2026-01-21", source: expect.stringMatching(src) });
    expect(priceOf("ec2:g6.xlarge", "eu-west-1")).toBeUndefined();
    expect(priceOf("ec2:m7i.large", "us-west-2")).toBeUndefined();
    expect(priceOf("sagemaker:ml.m5.xlarge", "eu-west-1")).toBeUndefined();
  });
});

describe("the cost model of any app's resources", () => {
  test("node groups at min and max, GPU capacity from the instance type, SageMaker variants at their autoscaling range", () => {
    const res = (type: string, p: string, values: Record<string, unknown>) =>
      [`${type}.${p.replace(/\W/g, "_")}`, { stack: "s", address: `${type}.${p}`, type, mode: "resource" as const, path: p, values }] as const;
    const output = {
      dir: "x",
      stacks: new Map([
        [
          "s",
          {
            name: "s",
            region: "us-east-1",
            settings: {},
            resources: new Map([
              res("aws_eks_node_group", "s/pool/Resource", {
                instance_types: ["g6.xlarge"],
                capacity_type: "SPOT",
                scaling_config: { min_size: 1, max_size: 3 },
              }),
              res("aws_sagemaker_endpoint_configuration", "s/ep/Configuration", {
                production_variants: [{ instance_type: "ml.g5.xlarge", initial_instance_count: 2, variant_name: "primary" }],
              }),
              res("aws_appautoscaling_target", "s/ep/ScalableTarget", {
                service_namespace: "sagemaker",
                resource_id: "endpoint/ep/variant/primary",
                min_capacity: 2,
                max_capacity: 6,
              }),
            ]),
          },
        ],
      ]),
    };
    const m = costModel(output);
    expect(m.pools).toEqual([
      expect.objectContaining({ instanceType: "g6.xlarge", gpusPerNode: 1, minNodes: 1, maxNodes: 3, maxGpus: 3, capacityType: "SPOT" }),
    ]);
    expect(m.items.map((i) => [i.item, i.idleCount, i.maxCount, i.price?.usdPerHour])).toEqual([
      ["ec2:g6.xlarge", 1, 3, 0.8048],
      ["sagemaker:ml.g5.xlarge", 2, 6, undefined],
    ]);
    expect(m.idleMonthlyUsd).toBeCloseTo(0.8048 * 730, 6);
    expect(m.maxMonthlyUsd).toBeCloseTo(3 * 0.8048 * 730, 6);
    expect(m.unpriced.map((i) => i.item)).toEqual(["sagemaker:ml.g5.xlarge"]);
  });
});
