import * as fs from "fs";
import * as path from "path";
import { Annotations, App, Aspects, IAspect, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { MlopsValidationError } from "../core/errors";
import { resolveIn, StackModel } from "./private/model";
import { ReportFinding, toSarif } from "./private/report";
import { RuleDef, RULES } from "./private/rules";
import { addSuppression, suppressionOf } from "./private/suppressions";

/** A group of guardrail rules. */
export enum GuardrailPack {
  /** Encryption, public access, IAM, network exposure, supply chain (on by default). */
  SECURITY = "security",
  /** Idle GPUs, NAT per zone in non-production, extended support, unbounded log and capture retention (on by default). */
  COST = "cost",
  /** Versioning, backups, deletion protection, point-in-time recovery, no force_destroy. */
  DATA_PROTECTION = "dataProtection",
}

/** How a finding of a rule is reported. */
export enum GuardrailLevel {
  /** Fails synthesis. */
  ERROR = "error",
  /** An annotation (the CLI prints it); synthesis goes on. */
  WARNING = "warning",
}

/** One guardrail rule. */
export interface GuardrailRule {
  /** Stable id, used in suppressions and reports, e.g. `S3-KMS`. */
  readonly id: string;
  /** The pack the rule belongs to. */
  readonly pack: GuardrailPack;
  /** Error or warning. */
  readonly level: GuardrailLevel;
  /** What the rule asks for, in one line. */
  readonly description: string;
  /** What to do about a finding. */
  readonly remedy: string;
  /** The checkov checks with the same intent (`CKV_AWS_...`), for teams who know checkov. */
  readonly checkovIds: string[];
}

/** One breach of a rule by one resource or data source. */
export interface GuardrailFinding {
  /** The rule's id. */
  readonly ruleId: string;
  /** The rule's level. */
  readonly level: GuardrailLevel;
  /** The stack's id. */
  readonly stack: string;
  /** Construct path of the resource. */
  readonly constructPath: string;
  /** Terraform address of the resource in its stack, e.g. `aws_s3_bucket.logs_1A2B3C4D`. */
  readonly address: string;
  /** What is wrong. */
  readonly message: string;
  /** What to do about it. */
  readonly remedy: string;
  /**
   * The reason given for suppressing the finding, when it is suppressed.
   * @default - not suppressed
   */
  readonly suppressedReason?: string;
}

/** Props of {@link MlopsGuardrails}. */
export interface MlopsGuardrailsProps {
  /**
   * The rule packs to check.
   * @default [GuardrailPack.SECURITY, GuardrailPack.COST]
   */
  readonly packs?: GuardrailPack[];
  /**
   * Most GPUs that the on-demand GPU node pools of one stack may scale to (the sum of maxSize x GPUs
   * per node) before `COST-ON-DEMAND-GPU-LIMIT` reports it.
   * @default 64
   */
  readonly maxOnDemandGpus?: number;
  /**
   * The stage of the app (`prod`, `staging`, `dev`, ...). A stage that does not start with `prod` is
   * non-production for `COST-NAT-PER-AZ`.
   * @default - each stack's AWS provider default tag `stage` or `environment`; unknown: the rule is silent
   */
  readonly stage?: string;
  /**
   * Where `guardrails.sarif` and `guardrails.json` are written.
   * @default - the app's output directory (cdktf.out)
   */
  readonly reportDirectory?: string;
  /**
   * Report warnings as errors too (fail synthesis on them).
   * @default false
   */
  readonly warningsAsErrors?: boolean;
}

const LIBRARY_VERSION = "0.1.0";

/**
 * Synth-time guardrails: security, cost and data-protection rules over every resource and data
 * source of every stack, the app's own (made with the plain provider classes) included.
 *
 * ```ts
 * Aspects.of(app).add(new MlopsGuardrails({ packs: [GuardrailPack.SECURITY, GuardrailPack.COST, GuardrailPack.DATA_PROTECTION] }));
 * MlopsGuardrails.suppress(myBucket, "S3-VERSIONING", "scratch data, rebuilt nightly");
 * ```
 *
 * Findings of error level fail synthesis (as `Annotations` errors, which cdktf turns into a failed
 * synth listing each one); warnings are annotations. Each stack's findings, suppressed ones with
 * their reason, go to `guardrails.sarif` (SARIF 2.1.0, for GitHub code scanning) and
 * `guardrails.json` in the app's output directory. Values known only at deploy time (references,
 * variables, expressions) are judged where they can be (a reference to a key is a key) and are
 * otherwise given the benefit of the doubt.
 *
 * cdktf 0.21 applies aspects from each stack down, so an aspect added to the App itself would never
 * run; every {@link MlopsStack} hands the App's aspects to all stacks of the app before synthesis.
 * In an app without an MlopsStack, add the aspect to each stack (`Aspects.of(stack).add(...)`).
 */
export class MlopsGuardrails implements IAspect {
  /**
   * Suppresses `ruleId` for `construct` and everything under it, with the reason (which the reports
   * keep). Throws `MlopsValidationError` for an unknown rule id or a missing reason.
   */
  public static suppress(construct: IConstruct, ruleId: string, reason: string): void {
    addSuppression(construct, ruleId, reason);
  }

  /** Every rule of every pack. */
  public static rules(): GuardrailRule[] {
    return RULES.map(publicRule);
  }

  /** The findings of the stacks checked so far (suppressed ones included, with their reason). */
  public get findings(): GuardrailFinding[] {
    return this._findings.map((f) => ({
      ruleId: f.ruleId,
      level: f.level as GuardrailLevel,
      stack: f.stack,
      constructPath: f.constructPath,
      address: f.address,
      message: f.message,
      remedy: f.remedy,
      suppressedReason: f.suppressed?.reason,
    }));
  }

  private readonly rulesToRun: RuleDef[];
  private readonly maxOnDemandGpus: number;
  private readonly stage?: string;
  private readonly reportDirectory?: string;
  private readonly warningsAsErrors: boolean;
  private readonly checked = new Set<IConstruct>();
  private _findings: ReportFinding[] = [];

  constructor(props: MlopsGuardrailsProps = {}) {
    const packs = props.packs ?? [GuardrailPack.SECURITY, GuardrailPack.COST];
    const known = Object.values(GuardrailPack) as string[];
    const bad = packs.filter((p) => !known.includes(p));
    if (bad.length) throw new MlopsValidationError("MlopsGuardrails", "(aspect)", "packs", `(${bad.join(", ")}) must be among ${known.join(", ")}`);
    const max = props.maxOnDemandGpus ?? 64;
    if (!Number.isInteger(max) || max < 0)
      throw new MlopsValidationError("MlopsGuardrails", "(aspect)", "maxOnDemandGpus", `(${max}) must be an integer >= 0`);
    this.rulesToRun = RULES.filter((r) => (packs as string[]).includes(r.pack));
    this.maxOnDemandGpus = max;
    this.stage = props.stage;
    this.reportDirectory = props.reportDirectory;
    this.warningsAsErrors = props.warningsAsErrors ?? false;
  }

  /** Checks the subtree of the first node it is invoked on in each stack (the stack, when added to the app or the stack). */
  public visit(node: IConstruct): void {
    if (node.node.scopes.some((s) => this.checked.has(s))) return;
    let stack: TerraformStack;
    try {
      stack = TerraformStack.of(node);
    } catch {
      return;
    }
    this.checked.add(node);
    this.check(stack, node);
    // cdktf synthesizes stack after stack and stops at the first with an error: check the app's other
    // stacks that carry this aspect now, so that the reports hold every stack's findings either way.
    if (node === stack) {
      for (const other of stack.node.root.node.findAll().filter(TerraformStack.isStack)) {
        if (!this.checked.has(other) && other.node.scopes.some((sc) => Aspects.of(sc).all.includes(this))) {
          this.checked.add(other);
          this.check(other, other);
        }
      }
    }
  }

  private check(stack: TerraformStack, root: IConstruct): void {
    const model = new StackModel(stack, root);
    const stage = this.stage ?? stageTag(stack);
    const ctx = {
      model,
      maxOnDemandGpus: this.maxOnDemandGpus,
      stage,
      isSuppressed: (c: IConstruct, id: string) => suppressionOf(c, id) !== undefined,
    };
    const found: ReportFinding[] = [];
    for (const rule of this.rulesToRun) {
      let violations;
      try {
        violations = rule.check(ctx);
      } catch (e) {
        // A rule must never break synthesis on a value it did not expect: report it, judge nothing.
        Annotations.of(root).addWarning(`[guardrails] rule ${rule.id} could not judge this stack: ${(e as Error).message}`);
        continue;
      }
      for (const v of violations) {
        const suppressed = [v.element.construct, ...(v.related ?? [])].map((c) => suppressionOf(c, rule.id)).find(Boolean);
        found.push({
          ruleId: rule.id,
          level: rule.level,
          stack: stack.node.id,
          constructPath: v.element.path,
          address: v.element.address,
          message: `${rule.description}: ${v.detail}`,
          remedy: rule.remedy,
          suppressed,
        });
        if (suppressed) continue;
        const text = `[${rule.id}] ${v.element.address}: ${rule.description}: ${v.detail}. Fix: ${rule.remedy}${rule.checkov.length ? ` (checkov ${rule.checkov.join(", ")})` : ""}`;
        if (rule.level === "error" || this.warningsAsErrors) Annotations.of(v.element.construct).addError(text);
        else Annotations.of(v.element.construct).addWarning(text);
      }
    }
    this._findings = [...this._findings.filter((f) => f.stack !== stack.node.id || !isUnder(f.constructPath, root)), ...found];
    this.writeReports(stack);
  }

  private writeReports(stack: TerraformStack): void {
    const dir = this.reportDirectory ?? App.of(stack).outdir;
    fs.mkdirSync(dir, { recursive: true });
    const sarif = toSarif(this.rulesToRun, this._findings, LIBRARY_VERSION);
    fs.writeFileSync(path.join(dir, "guardrails.sarif"), JSON.stringify(sarif, null, 2) + "\n");
    const json = {
      tool: "cdktf-mlops guardrails",
      version: LIBRARY_VERSION,
      packs: [...new Set(this.rulesToRun.map((r) => r.pack))],
      summary: {
        errors: this._findings.filter((f) => !f.suppressed && f.level === "error").length,
        warnings: this._findings.filter((f) => !f.suppressed && f.level === "warning").length,
        suppressed: this._findings.filter((f) => f.suppressed).length,
      },
      findings: this._findings,
    };
    fs.writeFileSync(path.join(dir, "guardrails.json"), JSON.stringify(json, null, 2) + "\n");
  }
}

function isUnder(p: string, root: IConstruct): boolean {
  const r = root.node.path;
  return p === r || p.startsWith(r + "/");
}

function publicRule(r: RuleDef): GuardrailRule {
  return {
    id: r.id,
    pack: r.pack as GuardrailPack,
    level: r.level as GuardrailLevel,
    description: r.description,
    remedy: r.remedy,
    checkovIds: [...r.checkov],
  };
}

/** The `stage`/`environment` default tag of the stack's AWS provider, when it is a literal. */
function stageTag(stack: TerraformStack): string | undefined {
  for (const c of stack.node.children) {
    if (!(c instanceof AwsProvider)) continue;
    try {
      const tags = resolveIn(stack, c.defaultTags) as { tags?: Record<string, unknown> }[] | undefined;
      for (const t of tags ?? []) {
        for (const key of ["stage", "Stage", "environment", "Environment", "env"]) {
          const v = t.tags?.[key];
          if (typeof v === "string" && !v.includes("${")) return v;
        }
      }
    } catch {
      // unknown stage
    }
  }
  return undefined;
}
