import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, Testing } from "cdktf";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import {
  FeatureEngine,
  FeatureStore,
  FeatureType,
  MlopsStack,
  ModelRegistry,
  RegistryEngine,
  RemovalPolicy,
  TrainingCluster,
  TrainingClusterProps,
} from "../../src";
import { buildReferencePlatform } from "../../examples/reference-platform/main";
import { GpuNodePoolOptions } from "../../src/training-cluster";
import { main, readSynthOutput, renderMarkdown, review, ReviewResult, SynthOutput } from "../../src/review";

/** A platform built from the public API, with the knobs the scenarios turn. */
interface Knobs {
  region?: string;
  cluster?: TrainingClusterProps;
  pools?: GpuNodePoolOptions[];
  models?: string[];
  databaseInstanceClass?: string;
  registryKey?: boolean;
  gpuQuota?: number;
  grantIngest?: boolean;
  extraBucket?: boolean;
  backendBucket?: string;
  tags?: Record<string, string>;
  removalPolicy?: RemovalPolicy;
  openIngress?: boolean;
}

function synthPlatform(k: Knobs = {}): SynthOutput {
  const app = Testing.app();
  const stack = new MlopsStack(app, "ml-platform", {
    region: k.region ?? "eu-west-1",
    name: "acme-ml",
    tags: k.tags,
    backend: k.backendBucket ? { bucket: k.backendBucket } : undefined,
    removalPolicy: k.removalPolicy,
  });
  const cluster = new TrainingCluster(stack, "training", {
    gpuNodePools: k.pools ?? [{ name: "l4", instanceTypes: ["g6.xlarge"], maxSize: 4 }],
    teams: [{ name: "fraud", gpuQuota: k.gpuQuota ?? 8 }],
    ...k.cluster,
  });
  const registryKey = k.registryKey ? new KmsKey(stack, "RegistryKey", { enableKeyRotation: true }) : undefined;
  new ModelRegistry(stack, "registry", {
    engine: RegistryEngine.mlflow({ cluster, databaseInstanceClass: k.databaseInstanceClass }),
    models: k.models ?? ["fraud", "churn"],
    kmsKey: registryKey,
  });
  const features = new FeatureStore(stack, "features", {
    engine: FeatureEngine.sagemaker(),
    featureGroups: [
      {
        name: "customers",
        recordIdentifier: "customer_id",
        eventTimeFeature: "event_time",
        features: [
          { name: "customer_id", type: FeatureType.STRING },
          { name: "event_time", type: FeatureType.UNIX_TIMESTAMP },
        ],
      },
    ],
  });
  const pipeline = new IamRole(stack, "PipelineRole", {
    name: "acme-ml-pipeline",
    assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [] }),
  });
  if (k.grantIngest) features.grantIngest(pipeline);
  // A resource the library does not know: it must appear in the changes and dangers, not in the summary.
  if (k.extraBucket) new S3Bucket(stack, "TeamScratch", { bucket: "acme-ml-team-scratch" });
  if (k.openIngress) {
    new VpcSecurityGroupIngressRule(stack, "DebugSsh", {
      securityGroupId: cluster.cluster.vpcConfig.clusterSecurityGroupId,
      ipProtocol: "tcp",
      fromPort: 22,
      toPort: 22,
      cidrIpv4: "0.0.0.0/0",
    });
  }
  app.synth();
  return readSynthOutput(app.outdir);
}

const lines = (r: ReviewResult, kind?: string) => r.dangers.filter((d) => !kind || d.kind === kind).map((d) => d.message);
const change = (r: ReviewResult, type: string, pathPart: string) => r.changes.find((c) => c.type === type && c.path.includes(pathPart));

describe("cdktf-mlops review on pairs of real synth outputs", () => {
  const base = synthPlatform();

  test("the manifest (mlops.json) holds the platform's facts next to the stacks", () => {
    const kinds = base.manifest!.entries.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(["MlopsStack", "TrainingCluster", "GpuNodePool", "Team", "ModelRegistry", "FeatureStore"]));
    const pool = base.manifest!.entries.find((e) => e.kind === "GpuNodePool")!;
    expect(pool).toMatchObject({
      cluster: "ml-platform/training",
      name: "l4",
      gpuModel: "L4",
      gpuCount: 1,
      minSize: 0,
      maxSize: 4,
      capacityType: "ON_DEMAND",
    });
  });

  test("identical outputs: no change and nothing to miss", () => {
    const r = review(synthPlatform(), base);
    expect(r.changes).toEqual([]);
    expect(r.dangers).toEqual([]);
  });

  test("a GPU pool added: its resources added under the pool, GPU capacity and cost up", () => {
    const b = synthPlatform({ region: "us-east-1" });
    const h = synthPlatform({
      region: "us-east-1",
      pools: [
        { name: "l4", instanceTypes: ["g6.xlarge"], maxSize: 4 },
        { name: "h100", instanceTypes: ["p5.48xlarge"], maxSize: 2 },
      ],
    });
    const r = review(h, b);
    const added = r.changes.filter((c) => c.action === "create" && c.path.startsWith("ml-platform/training/GpuPool-h100/"));
    expect(added.map((c) => c.type)).toEqual(expect.arrayContaining(["aws_eks_node_group", "aws_launch_template", "aws_autoscaling_group_tag"]));
    expect(r.changes.filter((c) => c.action !== "create")).toEqual([]);
    expect(lines(r, "gpu")).toEqual(
      expect.arrayContaining([
        "GPU capacity UP `ml-platform/training/GpuPool-h100/Resource`: max 0 → 16 GPUs (none → 2 × p5.48xlarge (8 × H100)), +$80,358/month at max scale",
        "GPU capacity in total: max 4 → 20 GPUs",
      ]),
    );
    // Idle is unchanged (the pool scales to zero); max scale adds 2 × $55.04/h × 730 h.
    expect(r.cost.head.idleMonthlyUsd).toBeCloseTo(r.cost.base!.idleMonthlyUsd, 6);
    expect(r.cost.head.maxMonthlyUsd - r.cost.base!.maxMonthlyUsd).toBeCloseTo(2 * 55.04 * 730, 6);
    expect(lines(r, "cost")[0]).toMatch(/^Monthly cost \(priced items, on-demand\): idle \$[\d,]+ → \$[\d,]+, max scale \$[\d,]+ → \$[\d,]+/);
    expect(lines(r, "destroy")).toEqual([]);
  });

  test("a model removed from the registry: its ECR repository destroyed, flagged first", () => {
    const r = review(synthPlatform({ models: ["fraud"] }), base);
    expect(r.dangers[0].kind).toBe("destroy");
    expect(lines(r, "destroy")).toEqual([
      expect.stringMatching(/^DESTROY ECR repository `ml-platform\/registry\/Repository-churn` .*prevent_destroy, so the plan fails/),
    ]);
    expect(change(r, "aws_ecr_repository", "Repository-churn")!.action).toBe("delete");
    expect(change(r, "aws_ecr_repository", "Repository-fraud")).toBeUndefined();
  });

  test("kubernetesVersion changed: the cluster is updated in place, not replaced", () => {
    const b = synthPlatform({ cluster: { kubernetesVersion: "1.35" } });
    const h = synthPlatform({ cluster: { kubernetesVersion: "1.36" } });
    const r = review(h, b);
    const eks = change(r, "aws_eks_cluster", "training/Resource")!;
    expect(eks.action).toBe("update");
    expect(eks.arguments).toContainEqual(expect.objectContaining({ path: "version", before: "1.35", after: "1.36", forcesReplacement: false }));
    expect(lines(r).filter((l) => /EKS cluster/.test(l))).toEqual([]);
    // Helm values are JSON inside a string: the change names the value, not the whole document.
    const autoscaler = change(r, "helm_release", "training/ClusterAutoscaler")!;
    expect(autoscaler.arguments).toEqual([expect.objectContaining({ path: "values[0].image.tag", forcesReplacement: false })]);
    expect(autoscaler.arguments[0].after).toMatch(/^v1\.36\./);
  });

  test("a GPU pool added where the table has no price: the cost change is named as not priced, not guessed", () => {
    const r = review(
      synthPlatform({
        pools: [
          { name: "l4", instanceTypes: ["g6.xlarge"], maxSize: 4 },
          { name: "h100", instanceTypes: ["p5.48xlarge"], maxSize: 1 },
        ],
      }),
      base,
    );
    expect(lines(r, "gpu")[0]).toBe(
      "GPU capacity UP `ml-platform/training/GpuPool-h100/Resource`: max 0 → 8 GPUs (none → 1 × p5.48xlarge (8 × H100)), no price for ec2:p5.48xlarge in eu-west-1",
    );
    expect(lines(r, "cost")).toEqual([
      "Cost change not priced (no price in the table, not guessed): `ec2:p5.48xlarge` in eu-west-1 (0 → 0-1, `ml-platform/training/GpuPool-h100/Resource`)",
    ]);
  });

  test("a GPU pool added in eu-west-1 where the table has a price: the change is priced from the eu-west-1 table", () => {
    const r = review(
      synthPlatform({
        pools: [
          { name: "l4", instanceTypes: ["g6.xlarge"], maxSize: 4 },
          { name: "a100", instanceTypes: ["p4d.24xlarge"], maxSize: 1 },
        ],
      }),
      base,
    );
    // 1 × $23.71569/h (p4d.24xlarge in eu-west-1, not the us-east-1 $21.957642) × 730 h.
    expect(lines(r, "gpu")[0]).toBe(
      "GPU capacity UP `ml-platform/training/GpuPool-a100/Resource`: max 0 → 8 GPUs (none → 1 × p4d.24xlarge (8 × A100)), +$17,312/month at max scale",
    );
  });

  test("the reference platform in us-west-2 gets its GPU pool priced; the same pool in eu-west-1 has no price for g6.xlarge", () => {
    const west = synthPlatform({ region: "us-west-2" });
    const md = renderMarkdown(review(west, west), west, west);
    expect(md).toMatch(
      /\| ml-platform \| ec2:g6\.xlarge \| 0 \| 4 \| 0\.8048 \| \[2026-01-21\]\(https:\/\/github\.com\/tsaol\/aws-gpu\/blob\/[0-9a-f]{40}\/data\/all_gpu_instances\.js\)/,
    );
    const ireland = renderMarkdown(review(base, base), base, base);
    expect(ireland).toMatch(/\| ml-platform \| ec2:g6\.xlarge \| 0 \| 4 \| no price \| not in the table: [^|]+\|/);
  });

  test("examples/reference-platform (eu-west-1): the a100 pool, system nodes, NAT gateways and interface endpoints are priced from eu-west-1 sources; the l4-spot pool and the database are not", () => {
    const app = Testing.app();
    buildReferencePlatform(app);
    app.synth();
    const ref = readSynthOutput(app.outdir);
    const md = renderMarkdown(review(ref, ref), ref, ref);
    expect(md).toMatch(/\| ec2:p4d\.24xlarge \| 0 \| 4 \| 23\.71569 \| \[2026-01-21\]\(https:\/\/github\.com\/tsaol\/aws-gpu\//);
    expect(md).toMatch(/\| ec2:g6\.xlarge \(spot: on-demand price as an upper bound\) \| 0 \| 10 \| no price \| not in the table: [^|]+\|/);
    expect(md).toMatch(
      /\| ec2:m7i\.large \| 2 \| 4 \| 0\.11235 \| \[2026-10-08\]\(https:\/\/pricing\.us-east-1\.amazonaws\.com\/offers\/v1\.0\/aws\/AmazonEC2\/current\/eu-west-1\/index\.json\)/,
    );
    expect(md).toMatch(
      /\| nat-gateway \| 3 \| 3 \| 0\.048 \| \[2026-09-25\]\(https:\/\/pricing\.us-east-1\.amazonaws\.com\/offers\/v1\.0\/aws\/AmazonEC2\/20260925174521\/eu-west-1\/index\.json\)/,
    );
    expect(md).toMatch(
      /\| vpc-endpoint:interface \(3 AZ\(s\)\) \| 12 \| 12 \| 0\.011 \| \[2026-05-01\]\(https:\/\/aws\.amazon\.com\/privatelink\/pricing\/\)/,
    );
    expect(md).toMatch(/\| rds:postgres:db\.t4g\.medium \| 1 \| 1 \| no price \| not in the table: no dated single-AZ PostgreSQL price [^|]*\|/);
  });

  test("the RDS instance class changed: the database is updated in place", () => {
    const r = review(synthPlatform({ databaseInstanceClass: "db.r7g.large" }), base);
    const db = change(r, "aws_db_instance", "Mlflow/Database")!;
    expect(db.action).toBe("update");
    expect(db.arguments).toEqual([
      expect.objectContaining({ path: "instance_class", before: "db.t4g.medium", after: "db.r7g.large", forcesReplacement: false }),
    ]);
    expect(lines(r).filter((l) => /database/.test(l))).toEqual([]);
  });

  test("the registry's kmsKey changed: the database (and the repositories) replaced, flagged", () => {
    const r = review(synthPlatform({ registryKey: true }), base);
    expect(change(r, "aws_db_instance", "Mlflow/Database")!.action).toBe("replace");
    expect(lines(r, "replace")).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^REPLACE database `ml-platform\/registry\/Mlflow\/Database` .*`kms_key_id` \$\{aws_kms_key.PlatformKey.arn\} → \$\{aws_kms_key.RegistryKey.arn\} forces a new resource/,
        ),
        expect.stringMatching(/^REPLACE ECR repository `ml-platform\/registry\/Repository-fraud` .*`encryption_configuration\[0\].kms_key`/),
      ]),
    );
  });

  test("a team's GPU quota changed: the quota updated in place and called out", () => {
    const r = review(synthPlatform({ gpuQuota: 16 }), base);
    const quota = change(r, "kubernetes_resource_quota_v1", "Team-fraud")!;
    expect(quota.action).toBe("update");
    expect(quota.arguments).toEqual([expect.objectContaining({ path: "spec.hard.requests.nvidia.com/gpu", before: "8", after: "16" })]);
    expect(lines(r, "gpu")).toEqual(["GPU quota of team `fraud` (`ml-platform/training/Team-fraud`): 8 → 16 GPUs"]);
  });

  test("an IAM grant added: IAM widened, with the new actions and resources", () => {
    const r = review(synthPlatform({ grantIngest: true }), base);
    const iam = lines(r, "iam");
    expect(iam).toHaveLength(1);
    expect(iam[0]).toMatch(/^IAM widened `ml-platform\/features\/GrantIngest-[^`]+Document` .*new actions `sagemaker:PutRecord`/);
    expect(
      r.changes
        .filter((c) => c.action === "create")
        .map((c) => c.type)
        .sort(),
    ).toEqual(["aws_iam_policy_document", "aws_iam_role_policy"]);
  });

  test("publicEndpointCidrs set: a public API endpoint and its CIDRs flagged", () => {
    const r = review(synthPlatform({ cluster: { publicEndpointCidrs: ["203.0.113.0/24"] } }), base);
    expect(lines(r, "network")).toEqual([
      expect.stringMatching(/^PUBLIC API ENDPOINT `ml-platform\/training\/Resource` .*`endpoint_public_access` false → true/),
      expect.stringMatching(/^PUBLIC API ENDPOINT `ml-platform\/training\/Resource` .*`public_access_cidrs` \+ `203.0.113.0\/24`/),
    ]);
    expect(change(r, "aws_eks_cluster", "training/Resource")!.action).toBe("update");
  });

  test("the state moved to another backend: flagged first, as the stack's settings change", () => {
    const r = review(synthPlatform({ backendBucket: "acme-terraform-state" }), base);
    expect(r.dangers[0]).toMatchObject({ kind: "state", stack: "ml-platform" });
    expect(lines(r, "state").join("\n")).toMatch(/^STATE BACKEND CHANGED `ml-platform`: `backend\.local` .* → .*terraform init -migrate-state/m);
    const settings = r.changes.find((c) => c.mode === "settings" && c.address === "terraform")!;
    expect(settings.arguments.map((a) => a.path)).toEqual(["backend.local", "backend.s3"]);
    expect(r.counts).toEqual({ create: 0, delete: 0, update: 0, replace: 0, "update-or-replace": 0 });
  });

  test("a region change is flagged; a default tag change is listed, not flagged", () => {
    const moved = review(synthPlatform({ region: "us-west-2" }), base);
    expect(lines(moved, "state")).toContainEqual(
      expect.stringMatching(/^REGION CHANGED `ml-platform`: `provider\.aws\[0\]\.region` eu-west-1 → us-west-2/),
    );
    const tagged = review(synthPlatform({ tags: { "cost-center": "ml" } }), base);
    expect(tagged.dangers).toEqual([]);
    const provider = tagged.changes.find((c) => c.mode === "settings" && c.address === "provider")!;
    expect(provider.arguments).toEqual([
      expect.objectContaining({ path: "aws[0].default_tags[0].tags.cost-center", before: undefined, after: "ml" }),
    ]);
    expect(renderMarkdown(tagged, base, base)).toContain("ml-platform: stack settings (backend, providers)");
  });

  test("the removal policy switched to DESTROY: every protection turned off is its own line", () => {
    const r = review(synthPlatform({ removalPolicy: RemovalPolicy.DESTROY }), base);
    const off = lines(r, "protection-off");
    expect(off).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PROTECTION OFF `ml-platform\/training\/Resource` .*`deletion_protection` true → false/),
        expect.stringMatching(/^PROTECTION OFF `ml-platform\/registry\/Mlflow\/Database` .*`deletion_protection` true → false/),
        expect.stringMatching(/^PROTECTION OFF `ml-platform\/registry\/Repository-fraud` .*`lifecycle.prevent_destroy` true → \(none\)$/),
        expect.stringMatching(/^PROTECTION OFF `ml-platform\/PlatformKey` .*`lifecycle.prevent_destroy` true → \(none\)$/),
      ]),
    );
    expect(lines(r, "destroy")).toEqual([]);
  });

  test("an ingress rule from 0.0.0.0/0 added next to the library's resources: flagged as network exposure", () => {
    const r = review(synthPlatform({ openIngress: true }), base);
    expect(lines(r, "network")).toEqual([expect.stringMatching(/^INGRESS OPENED `ml-platform\/DebugSsh` .*: tcp port 22 from `0\.0\.0\.0\/0`$/)]);
  });

  test("a resource the library does not know appears in the changes and dangers, not in the summary", () => {
    const withBucket = synthPlatform({ extraBucket: true });
    const added = review(withBucket, base);
    expect(change(added, "aws_s3_bucket", "TeamScratch")!.action).toBe("create");
    const removed = review(base, withBucket);
    expect(lines(removed, "destroy")).toEqual([
      expect.stringMatching(/^DESTROY bucket `ml-platform\/TeamScratch` \(`ml-platform` `aws_s3_bucket.TeamScratch`\)$/),
    ]);
    const md = renderMarkdown(removed, base, withBucket);
    expect(md.split("### The platform at a glance")[1].split("### GPU capacity")[0]).not.toContain("TeamScratch");
    expect(md).toContain("`-` `aws_s3_bucket.TeamScratch`");
  });

  test("the Markdown report: dangers first, the platform, cost with 'no price' outside the table, changes, a Mermaid diagram", () => {
    const r = review(synthPlatform({ models: ["fraud"] }), base);
    const md = renderMarkdown(r, base, base);
    const order = [
      "### What a reviewer must not miss (",
      "### The platform at a glance",
      "### GPU capacity and monthly cost",
      "### What changes:",
      "```mermaid",
    ].map((h) => md.indexOf(h));
    expect(order.every((i, n) => i >= 0 && (n === 0 || i > order[n - 1]))).toBe(true);
    expect(md).toMatch(/\| l4 \| g6\.xlarge \| 1 × L4 \(24 GiB\) \| ON_DEMAND \| 0-4 \| 4 \|/);
    expect(md).toMatch(/\| ml-platform \| ec2:g6\.xlarge \| 0 \| 4 \| no price \| not in the table: [^|]+\|/); // eu-west-1: not in the table
    expect(md).toMatch(/\| ml-platform \| eks:cluster \| 1 \| 1 \| 0\.1 \| \[2024-04-01\]\(https:\/\/aws\.amazon\.com\/blogs\/containers\//);
    expect(md).toContain("ml_platform_training --> ml_platform_training_GpuPool_l4");
  });
});

describe("cdktf-mlops review, the command", () => {
  const base = synthPlatform();
  const head = synthPlatform({ models: ["fraud"] });
  const run = (argv: string[]) => {
    let out = "";
    let err = "";
    const code = main(
      argv,
      (s) => (out += s),
      (s) => (err += s),
    );
    return { code, out, err };
  };

  test("--fail-on destroy exits 1 on a destroyed ECR repository, 0 when only other kinds are asked", () => {
    expect(run(["--base", base.dir, head.dir, "--fail-on", "destroy"]).code).toBe(1);
    expect(run(["--base", base.dir, head.dir, "--fail-on", "replace,network"]).code).toBe(0);
  });

  test("--format json gives the dangers and changes to tools", () => {
    const { code, out } = run(["--base", base.dir, head.dir, "--format", "json"]);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.dangers[0]).toMatchObject({ kind: "destroy", stack: "ml-platform" });
    expect(j.changes.some((c: { action: string; type: string }) => c.action === "delete" && c.type === "aws_ecr_repository")).toBe(true);
  });

  test("without --base: the platform summary only", () => {
    const { code, out } = run([head.dir]);
    expect(code).toBe(0);
    expect(out).toContain("_No `--base`");
    expect(out).not.toContain("### What changes");
  });

  test("bad usage and a directory that is not a synth output exit 2 with the reason", () => {
    const bad = run(["--fail-on", "everything", head.dir]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown kind\(s\) everything/);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "review-empty-"));
    const r = run([empty]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no synthesized stack/);
  });

  test("an app without the library (plain cdktf): changes without a platform summary", () => {
    const app = Testing.app();
    const stack = new (require("cdktf").TerraformStack)(app, "plain");
    new (require("@cdktf/provider-aws/lib/provider").AwsProvider)(stack, "aws", { region: "us-east-1" });
    new S3Bucket(stack, "Data", { bucket: "plain-data" });
    (app as App).synth();
    const { code, out } = run([app.outdir]);
    expect(code).toBe(0);
    expect(out).toContain("No `mlops.json` in the head output");
  });
});
