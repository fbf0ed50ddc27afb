import { LIBRARY_SUPPRESSIONS } from "../../src/core/suppressions";
import * as fs from "fs";
import * as path from "path";
import { App, Aspects, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { buildReferencePlatform } from "../../examples/reference-platform/main";
import { buildSageMakerPlatform } from "../../examples/sagemaker-platform/main";
import { buildExistingClusterPlatform } from "../../examples/existing-cluster/main";
import { GuardrailPack, MlopsGuardrails, MlopsStack, MlopsValidationError, ServingEndpoint } from "../../src";
import { StackModel } from "../../src/guardrails/private/model";
import { newApp, synthApp } from "../helpers";
import { ALL_PACKS, check, of } from "./harness";

const unrotatedKey = (scope: Construct, id = "key") => new KmsKey(scope, id, {});

describe("suppressions", () => {
  test("a suppression with a reason on a parent covers its subtree, and the reports keep the reason", () => {
    const c = check((s) => {
      const team = new Construct(s, "team");
      unrotatedKey(team);
      MlopsGuardrails.suppress(team, "KMS-ROTATION", "imported key material cannot rotate automatically");
    });
    expect(c.error).toBeUndefined();
    expect(of(c, "KMS-ROTATION")).toEqual([]);
    const f = c.findings.find((x) => x.ruleId === "KMS-ROTATION")!;
    expect(f.constructPath).toBe("s/team/key");
    expect(f.address).toMatch(/^aws_kms_key\.team_key_[0-9A-F]{8}$/);
    expect(f.suppressedReason).toBe("imported key material cannot rotate automatically");
    const sarif = JSON.parse(fs.readFileSync(path.join(c.outdir, "guardrails.sarif"), "utf8"));
    const result = sarif.runs[0].results.find((r: any) => r.ruleId === "KMS-ROTATION");
    expect(result.suppressions).toEqual([
      {
        kind: "inSource",
        justification: "imported key material cannot rotate automatically",
        location: { logicalLocations: [{ fullyQualifiedName: "s/team" }] },
      },
    ]);
  });

  test("covers only its own subtree and only its own rule", () => {
    const c = check((s) => {
      const a = new Construct(s, "a");
      const b = new Construct(s, "b");
      unrotatedKey(a);
      unrotatedKey(b);
      MlopsGuardrails.suppress(a, "KMS-ROTATION", "a team key managed outside Terraform");
      MlopsGuardrails.suppress(b, "LOGS-KMS", "unrelated rule, does not cover the key");
    });
    expect(c.findings.filter((f) => f.ruleId === "KMS-ROTATION" && !f.suppressedReason).map((f) => f.constructPath)).toEqual(["s/b/key"]);
    expect(c.error?.message).toContain("[s/b/key] [KMS-ROTATION]");
    expect(c.error?.message).not.toContain("[s/a/key]");
  });

  test("on the stack (or the app) covers every resource under it", () => {
    const c = check((s) => {
      unrotatedKey(s, "k1");
      unrotatedKey(s, "k2");
      MlopsGuardrails.suppress(s, "KMS-ROTATION", "keys of a sandbox account, deleted weekly");
    });
    expect(of(c, "KMS-ROTATION")).toEqual([]);
    expect(c.findings.filter((f) => f.ruleId === "KMS-ROTATION")).toHaveLength(2);
  });

  test("a suppression on the policy document covers the role policy that uses it", () => {
    const { DataAwsIamPolicyDocument } = jest.requireActual("@cdktf/provider-aws/lib/data-aws-iam-policy-document");
    const { IamRolePolicy } = jest.requireActual("@cdktf/provider-aws/lib/iam-role-policy");
    const c = check((s) => {
      const doc = new DataAwsIamPolicyDocument(s, "doc", { statement: [{ actions: ["s3:GetObject"], resources: ["*"] }] });
      new IamRolePolicy(s, "p", { role: "r", policy: doc.json });
      MlopsGuardrails.suppress(doc, "IAM-DATA-PLANE-WILDCARD", "reads public datasets of any bucket (open data program)");
    });
    expect(of(c, "IAM-DATA-PLANE-WILDCARD")).toEqual([]);
  });

  test("without a reason, with an empty reason, or of an unknown rule id is an error", () => {
    const app = Testing.app();
    const s = new TerraformStack(app, "s");
    expect(() => MlopsGuardrails.suppress(s, "KMS-ROTATION", "")).toThrow(MlopsValidationError);
    expect(() => MlopsGuardrails.suppress(s, "KMS-ROTATION", "   ")).toThrow(/reason .* must say why/);
    expect(() => MlopsGuardrails.suppress(s, "KMS-ROTATION", undefined as unknown as string)).toThrow(/reason \(null\)/);
    expect(() => MlopsGuardrails.suppress(s, "KMS-ROTATOIN", "typo in the rule id here")).toThrow(
      /MlopsGuardrails.suppress s: ruleId \("KMS-ROTATOIN"\) is not a guardrail rule/,
    );
  });
});

describe("output", () => {
  test("an error fails synthesis, listing rule, construct path, address and remedy of each finding", () => {
    const c = check((s) => {
      unrotatedKey(s, "k1");
      new S3Bucket(s, "b", { forceDestroy: true });
    });
    const msg = c.error?.message ?? "";
    expect(msg).toMatch(/Encountered Annotations with level "ERROR"/);
    expect(msg).toMatch(/\[s\/k1\] \[KMS-ROTATION\] aws_kms_key\.k1: .*Fix: Set enable_key_rotation = true on the aws_kms_key \(checkov CKV_AWS_7\)/);
    expect(msg).toMatch(/\[s\/b\] \[S3-NO-FORCE-DESTROY\] aws_s3_bucket\.b: .*force_destroy = true/);
  });

  test("a warning is an annotation and synthesis goes on; warningsAsErrors fails it", () => {
    const build = (s: TerraformStack) => new CloudwatchLogGroup(s, "g", { kmsKeyId: "arn:aws:kms:eu-west-1:111122223333:key/k" });
    const app = Testing.app();
    const s = new TerraformStack(app, "s");
    new AwsProvider(s, "aws", { region: "eu-west-1" });
    const g = build(s);
    Aspects.of(s).add(new MlopsGuardrails());
    app.synth();
    expect(g.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => m.data)).toEqual([
      expect.stringMatching(/^\[COST-LOG-RETENTION\] aws_cloudwatch_log_group\.g:/),
    ]);
    expect(check(build, { warningsAsErrors: true }).error?.message).toMatch(/COST-LOG-RETENTION/);
  });

  test("packs choose the rules: security and cost by default, dataProtection on request", () => {
    const build = (s: TerraformStack) => new S3Bucket(s, "b", { forceDestroy: true });
    expect(check(build, { packs: undefined }).findings.map((f) => f.ruleId)).not.toContain("S3-NO-FORCE-DESTROY");
    expect(
      check(build, { packs: [GuardrailPack.DATA_PROTECTION] })
        .findings.map((f) => f.ruleId)
        .sort(),
    ).toEqual(["S3-NO-FORCE-DESTROY", "S3-VERSIONING"]);
    expect(() => new MlopsGuardrails({ packs: ["speed" as GuardrailPack] })).toThrow(/packs \(speed\) must be among security, cost, dataProtection/);
    expect(() => new MlopsGuardrails({ maxOnDemandGpus: -1 })).toThrow(MlopsValidationError);
  });

  test("a suppressed pool does not count towards the on-demand GPU limit", () => {
    const pools = (s: TerraformStack) =>
      ["a", "b"].map(
        (id) =>
          new EksNodeGroup(s, id, {
            clusterName: "c",
            nodeRoleArn: "r",
            subnetIds: ["subnet-1"],
            instanceTypes: ["p5.48xlarge"],
            scalingConfig: { minSize: 0, maxSize: 3, desiredSize: 0 },
          }),
      );
    expect(of(check(pools), "COST-ON-DEMAND-GPU-LIMIT")).toEqual([]); // 2 x 3 x 8 = 48 <= 64, the default
    expect(of(check(pools, { maxOnDemandGpus: 40 }), "COST-ON-DEMAND-GPU-LIMIT")).toHaveLength(2);
    const c = check(
      (s) => {
        const [a] = pools(s);
        MlopsGuardrails.suppress(a, "COST-ON-DEMAND-GPU-LIMIT", "runs on a capacity reservation paid in advance");
      },
      { maxOnDemandGpus: 40 },
    );
    expect(of(c, "COST-ON-DEMAND-GPU-LIMIT")).toEqual([]); // 24 unsuppressed GPUs
  });

  test("the stage comes from the props or the provider's default tags", () => {
    const { NatGateway } = jest.requireActual("@cdktf/provider-aws/lib/nat-gateway");
    const nats = (s: TerraformStack) => ["a", "b"].forEach((az) => new NatGateway(s, `nat-${az}`, { subnetId: `subnet-${az}` }));
    expect(of(check(nats), "COST-NAT-PER-AZ")).toEqual([]); // unknown stage: silent
    expect(of(check(nats, { stage: "staging" }), "COST-NAT-PER-AZ")).toHaveLength(1);
    expect(of(check(nats, { stage: "production" }), "COST-NAT-PER-AZ")).toEqual([]);
  });

  test("the SARIF log has every field the SARIF 2.1.0 schema requires, and only fields it defines", () => {
    const c = check((s) => {
      unrotatedKey(s, "k1");
      new CloudwatchLogGroup(s, "g", {});
      MlopsGuardrails.suppress(s.node.findChild("g"), "LOGS-KMS", "debug logs of a sandbox, no data in them");
    });
    const sarif = JSON.parse(fs.readFileSync(path.join(c.outdir, "guardrails.sarif"), "utf8"));
    expect(sarifProblems(sarif)).toEqual([]);
    expect(sarif.runs[0].results.map((r: any) => [r.ruleId, r.level, r.locations[0].logicalLocations[0].fullyQualifiedName]).sort()).toEqual([
      ["COST-LOG-RETENTION", "warning", "s/g"],
      ["KMS-ROTATION", "error", "s/k1"],
      ["LOGS-KMS", "error", "s/g"],
    ]);
    const json = JSON.parse(fs.readFileSync(path.join(c.outdir, "guardrails.json"), "utf8"));
    expect(json.summary).toEqual({ errors: 1, warnings: 1, suppressed: 1 });
  });

  test("references and variables are judged where they can be, and a value of an unexpected shape crashes no rule", () => {
    const c = check((s) => {
      const k = new KmsKey(s, "k", { enableKeyRotation: true });
      new CloudwatchLogGroup(s, "g", { kmsKeyId: k.arn, retentionInDays: 30 }); // a reference to a key is a key
      const odd = new S3Bucket(s, "odd", {});
      odd.addOverride("server_side_encryption_configuration", "${var.whatever}");
      odd.addOverride("versioning", 42);
      const lt = new KmsKey(s, "k2", {});
      lt.addOverride("customer_master_key_spec", ["not", "a", "string"]);
    });
    expect(of(c, "LOGS-KMS")).toEqual([]);
    expect(of(c, "S3-KMS")).toEqual([]); // an expression cannot be judged here: the benefit of the doubt
    expect(of(c, "S3-PUBLIC-ACCESS-BLOCK")).toEqual([expect.stringMatching(/^aws_s3_bucket\.odd:/)]); // what can be judged still is
  });
});

describe("the model", () => {
  test("sees every resource and data source with the arguments Terraform reads (overrides and references resolved)", () => {
    const app = newApp();
    buildReferencePlatform(app);
    const docs = synthApp(app);
    for (const stack of app.node.children.filter(TerraformStack.isStack)) {
      const model = new StackModel(stack, stack);
      const doc = docs[stack.node.id] as Record<string, any>;
      const expected = ["resource", "data"]
        .flatMap((k) => Object.entries(doc[k] ?? {}).flatMap(([t, byName]) => Object.keys(byName as object).map((n) => `${k}.${t}.${n}`)))
        .filter((a) => a !== "data.terraform_remote_state.cross-stack-reference-input-ml-platform"); // not a TerraformDataSource, judged by no rule
      expect(model.elements.map((e) => `${e.kind}.${e.type}.${e.name}`).sort()).toEqual(expected.sort());
      for (const e of model.elements) expect(sorted(e.values)).toEqual(sorted(doc[e.kind][e.type][e.name]));
    }
  });
});

describe.each([
  ["reference-platform", buildReferencePlatform],
  ["sagemaker-platform", buildSageMakerPlatform],
  ["existing-cluster", buildExistingClusterPlatform],
] as [string, (app: App) => unknown][])("examples/%s with every pack on", (_name, build) => {
  const app = newApp();
  build(app);
  const guardrails = new MlopsGuardrails({ packs: ALL_PACKS });
  Aspects.of(app).add(guardrails); // on the App: every MlopsStack hands it to every stack
  app.synth();
  const stacks = app.node.children.filter(TerraformStack.isStack).map((s) => s.node.id);

  test("synthesizes with zero unsuppressed findings, every stack checked", () => {
    expect(guardrails.findings.filter((f) => !f.suppressedReason).map((f) => `${f.ruleId} ${f.constructPath}: ${f.message}`)).toEqual([]);
    const sarif = JSON.parse(fs.readFileSync(path.join(app.outdir, "guardrails.sarif"), "utf8"));
    expect(sarifProblems(sarif)).toEqual([]);
    expect(stacks.length).toBeGreaterThan(0);
  });

  test("the library's own exceptions are suppressed with their reasons", () => {
    const suppressed = guardrails.findings.filter((f) => f.suppressedReason);
    expect(suppressed.length).toBeGreaterThan(0);
    for (const f of suppressed) expect(f.suppressedReason!.length).toBeGreaterThan(20);
    expect(suppressed.map((f) => `${f.ruleId} ${f.constructPath}`)).toContain(`S3-KMS ${stacks[0]}/AccessLogBucket/Resource`);
  });
});

test("when the first stack fails synthesis, the reports still hold the findings of every stack that carries the aspect", () => {
  const app = Testing.app();
  const g = new MlopsGuardrails();
  for (const id of ["first", "second", "unchecked"]) {
    const s = new TerraformStack(app, id);
    new AwsProvider(s, "aws", { region: "eu-west-1" });
    unrotatedKey(s);
    if (id !== "unchecked") Aspects.of(s).add(g);
  }
  expect(() => app.synth()).toThrow(/\[first\/key\] \[KMS-ROTATION\]/);
  const report = JSON.parse(fs.readFileSync(path.join(app.outdir, "guardrails.json"), "utf8"));
  expect(report.findings.map((f: any) => `${f.stack} ${f.ruleId}`)).toEqual(["first KMS-ROTATION", "second KMS-ROTATION"]);
});

test("an aspect on the App reaches every stack, plain TerraformStacks beside an MlopsStack included", () => {
  const app = newApp();
  new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
  const plain = new TerraformStack(app, "plain");
  new AwsProvider(plain, "aws", { region: "eu-west-1" });
  unrotatedKey(plain);
  const g = new MlopsGuardrails();
  Aspects.of(app).add(g);
  expect(() => app.synth()).toThrow(/\[plain\/key\] \[KMS-ROTATION\]/);
});

// --- helpers -------------------------------------------------------------------------------------

function sorted(v: any): any {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v)
        .filter((k) => v[k] !== undefined && v[k] !== null)
        .sort()
        .map((k) => [k, sorted(v[k])]),
    );
  }
  return v;
}

/**
 * The objects of the SARIF 2.1.0 schema that the log uses: their required properties, `anyOf`
 * requirements, the properties they define (every one of them has `additionalProperties: false`) and
 * the enums. Taken from the OASIS schema,
 * https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json
 */
const SCHEMA: Record<
  string,
  { required?: string[]; anyOf?: string[][]; props: string[]; children?: Record<string, string>; lists?: Record<string, string> }
> = {
  log: { required: ["version", "runs"], props: ["$schema", "version", "runs", "inlineExternalProperties", "properties"], lists: { runs: "run" } },
  run: {
    required: ["tool"],
    props: [
      "tool",
      "invocations",
      "conversion",
      "language",
      "versionControlProvenance",
      "originalUriBaseIds",
      "artifacts",
      "logicalLocations",
      "graphs",
      "results",
      "automationDetails",
      "runAggregates",
      "baselineGuid",
      "redactionTokens",
      "defaultEncoding",
      "defaultSourceLanguage",
      "newlineSequences",
      "columnKind",
      "externalPropertyFileReferences",
      "threadFlowLocations",
      "taxonomies",
      "addresses",
      "translations",
      "policies",
      "webRequests",
      "webResponses",
      "specialLocations",
      "properties",
    ],
    children: { tool: "tool" },
    lists: { results: "result" },
  },
  tool: { required: ["driver"], props: ["driver", "extensions", "properties"], children: { driver: "toolComponent" } },
  toolComponent: {
    required: ["name"],
    props: [
      "guid",
      "name",
      "organization",
      "product",
      "productSuite",
      "shortDescription",
      "fullDescription",
      "fullName",
      "version",
      "semanticVersion",
      "dottedQuadFileVersion",
      "releaseDateUtc",
      "downloadUri",
      "informationUri",
      "globalMessageStrings",
      "notifications",
      "rules",
      "taxa",
      "locations",
      "language",
      "contents",
      "isComprehensive",
      "localizedDataSemanticVersion",
      "minimumRequiredLocalizedDataSemanticVersion",
      "associatedComponent",
      "translationMetadata",
      "supportedTaxonomies",
      "properties",
    ],
    lists: { rules: "reportingDescriptor" },
  },
  reportingDescriptor: {
    required: ["id"],
    props: [
      "id",
      "deprecatedIds",
      "guid",
      "deprecatedGuids",
      "name",
      "deprecatedNames",
      "shortDescription",
      "fullDescription",
      "messageStrings",
      "defaultConfiguration",
      "helpUri",
      "help",
      "relationships",
      "properties",
    ],
    children: {
      shortDescription: "multiformatMessageString",
      fullDescription: "multiformatMessageString",
      help: "multiformatMessageString",
      defaultConfiguration: "reportingConfiguration",
    },
  },
  reportingConfiguration: { props: ["enabled", "level", "rank", "parameters", "properties"] },
  multiformatMessageString: { required: ["text"], props: ["text", "markdown", "properties"] },
  result: {
    required: ["message"],
    props: [
      "ruleId",
      "ruleIndex",
      "rule",
      "kind",
      "level",
      "message",
      "analysisTarget",
      "locations",
      "guid",
      "correlationGuid",
      "occurrenceCount",
      "partialFingerprints",
      "fingerprints",
      "stacks",
      "codeFlows",
      "graphs",
      "graphTraversals",
      "relatedLocations",
      "suppressions",
      "baselineState",
      "rank",
      "attachments",
      "hostedViewerUri",
      "workItemUris",
      "provenance",
      "fixes",
      "taxa",
      "webRequest",
      "webResponse",
      "properties",
    ],
    children: { message: "message" },
    lists: { locations: "location", suppressions: "suppression" },
  },
  message: { anyOf: [["text"], ["id"]], props: ["text", "markdown", "id", "arguments", "properties"] },
  location: {
    props: ["id", "physicalLocation", "logicalLocations", "message", "annotations", "relationships", "properties"],
    children: { physicalLocation: "physicalLocation" },
    lists: { logicalLocations: "logicalLocation" },
  },
  physicalLocation: {
    anyOf: [["address"], ["artifactLocation"]],
    props: ["address", "artifactLocation", "region", "contextRegion", "properties"],
    children: { artifactLocation: "artifactLocation" },
  },
  artifactLocation: { props: ["uri", "uriBaseId", "index", "description", "properties"] },
  logicalLocation: { props: ["name", "index", "fullyQualifiedName", "decoratedName", "parentIndex", "kind", "properties"] },
  suppression: {
    required: ["kind"],
    props: ["guid", "kind", "status", "justification", "location", "properties"],
    children: { location: "location" },
  },
};
const LEVELS = ["none", "note", "warning", "error"];

function sarifProblems(log: any): string[] {
  const out: string[] = [];
  const visit = (v: any, def: string, at: string) => {
    const d = SCHEMA[def];
    if (!v || typeof v !== "object" || Array.isArray(v)) return void out.push(`${at}: not an object`);
    for (const r of d.required ?? []) if (v[r] === undefined) out.push(`${at}: ${def}.${r} is required`);
    if (d.anyOf && !d.anyOf.some((req) => req.every((r) => v[r] !== undefined)))
      out.push(`${at}: ${def} needs one of ${d.anyOf.map((x) => x.join("+")).join(" | ")}`);
    for (const k of Object.keys(v)) if (!d.props.includes(k)) out.push(`${at}: ${def} has no property ${k}`);
    for (const [k, child] of Object.entries(d.children ?? {})) if (v[k] !== undefined) visit(v[k], child, `${at}.${k}`);
    for (const [k, child] of Object.entries(d.lists ?? {})) {
      if (v[k] === undefined) continue;
      if (!Array.isArray(v[k])) out.push(`${at}.${k}: not an array`);
      else v[k].forEach((x: any, i: number) => visit(x, child, `${at}.${k}[${i}]`));
    }
  };
  visit(log, "log", "$");
  if (log.version !== "2.1.0") out.push("$.version must be 2.1.0");
  for (const run of log.runs ?? []) {
    for (const r of run.results ?? []) if (r.level !== undefined && !LEVELS.includes(r.level)) out.push(`result level ${r.level}`);
    for (const r of run.results ?? [])
      for (const s of r.suppressions ?? []) if (!["inSource", "external"].includes(s.kind)) out.push(`suppression kind ${s.kind}`);
    for (const rule of run.tool?.driver?.rules ?? [])
      if (!LEVELS.includes(rule.defaultConfiguration?.level)) out.push(`rule level ${rule.defaultConfiguration?.level}`);
  }
  return out;
}

describe("the library's resources are judged like the user's (escape hatches included)", () => {
  test.each([
    ["KServe", (app: App) => buildReferencePlatform(app).fraud],
    ["SageMaker", (app: App) => buildSageMakerPlatform(app).fraud],
  ] as [string, (app: App) => ServingEndpoint][])(
    "a %s endpoint's capture bucket whose expiry is overridden away is found by COST-CAPTURE-EXPIRY",
    (_engine, build) => {
      const app = newApp();
      const endpoint = build(app);
      endpoint.captureBucket.lifecycle.putRule([
        { id: "abort", status: "Enabled", filter: [{}], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] },
      ]);
      const guardrails = new MlopsGuardrails();
      Aspects.of(app).add(guardrails);
      app.synth(); // a warning: synthesis goes on
      expect(guardrails.findings.filter((f) => f.ruleId === "COST-CAPTURE-EXPIRY").map((f) => f.constructPath)).toEqual([
        expect.stringMatching(/\/fraud\/Captures\/Resource$/),
      ]);
    },
  );

  test("a library cluster opened to the internet through the escape hatch fails synthesis", () => {
    const app = newApp();
    const { cluster } = buildReferencePlatform(app);
    cluster.cluster.addOverride("vpc_config.endpoint_public_access", true);
    Aspects.of(app).add(new MlopsGuardrails());
    expect(() => app.synth()).toThrow(/\[ml-platform\/training\/Resource\] \[EKS-PRIVATE-ENDPOINT\] aws_eks_cluster\.training_1CA5CB2F/);
  });
});

describe("the library's own suppressions", () => {
  test("name rules that exist, with a reason", () => {
    const known = new Set(MlopsGuardrails.rules().map((r) => r.id));
    for (const [id, reason] of Object.entries(LIBRARY_SUPPRESSIONS)) {
      expect([id, known.has(id)]).toEqual([id, true]);
      expect(reason.length).toBeGreaterThanOrEqual(10);
    }
  });
});
