import { Aspects, TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { GuardrailFinding, GuardrailPack, MlopsGuardrails, MlopsGuardrailsProps } from "../../src";

export const ALL_PACKS = [GuardrailPack.SECURITY, GuardrailPack.COST, GuardrailPack.DATA_PROTECTION];

export interface Checked {
  findings: GuardrailFinding[];
  /** The error synthesis failed with, if it failed. */
  error?: Error;
  outdir: string;
}

/**
 * Builds user resources with the plain provider classes in a plain TerraformStack (id "s", an AWS
 * provider), applies the guardrails with every pack to the stack, and synthesizes.
 */
export function check(build: (stack: TerraformStack) => void, props: MlopsGuardrailsProps = {}): Checked {
  const app = Testing.app();
  const stack = new TerraformStack(app, "s");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  build(stack);
  const guardrails = new MlopsGuardrails({ packs: ALL_PACKS, ...props });
  Aspects.of(stack).add(guardrails);
  let error: Error | undefined;
  try {
    app.synth();
  } catch (e) {
    error = e as Error;
  }
  // A rule that threw is reported as a warning and judges nothing: that would make a "keeps it" case pass vacuously.
  const crashed = stack.node.findAll().flatMap((c) => c.node.metadata.map((m) => String(m.data)).filter((d) => d.includes("could not judge")));
  if (crashed.length) throw new Error(crashed.join("\n"));
  return { findings: guardrails.findings, error, outdir: app.outdir };
}

/** The unsuppressed findings of `ruleId`, as `address: message`. */
export function of(c: Checked, ruleId: string): string[] {
  return c.findings.filter((f) => f.ruleId === ruleId && !f.suppressedReason).map((f) => `${f.address}: ${f.message}`);
}
