import { IConstruct } from "constructs";
import { MlopsValidationError } from "../../core/errors";
import { RULE_IDS } from "./rules";

const SUPPRESSIONS = Symbol.for("cdktf-mlops/guardrails/suppressions");

type Holder = { [SUPPRESSIONS]?: Map<string, string> };

/** Records a suppression on `construct` (kept off the synthesized output); throws on an unknown id or an empty reason. */
export function addSuppression(construct: IConstruct, ruleId: string, reason: string): void {
  const problems: string[] = [];
  if (!RULE_IDS.has(ruleId)) problems.push(`ruleId ("${ruleId}") is not a guardrail rule; known: ${[...RULE_IDS].join(", ")}`);
  if (typeof reason !== "string" || reason.trim().length < 10) {
    problems.push(`reason (${JSON.stringify(reason ?? null)}) must say why the rule does not apply here (10 characters or more)`);
  }
  if (problems.length) throw new MlopsValidationError("MlopsGuardrails.suppress", construct.node.path || "<app>", "", problems.join("; "));
  const holder = construct as unknown as Holder;
  if (!holder[SUPPRESSIONS]) Object.defineProperty(holder, SUPPRESSIONS, { value: new Map<string, string>(), enumerable: false });
  holder[SUPPRESSIONS]!.set(ruleId, reason.trim());
}

/** The reason `ruleId` is suppressed for `construct` (by itself or one of its scopes), if it is. */
export function suppressionOf(construct: IConstruct, ruleId: string): { reason: string; at: string } | undefined {
  const scopes = construct.node.scopes;
  for (let i = scopes.length - 1; i >= 0; i--) {
    const reason = (scopes[i] as unknown as Holder)[SUPPRESSIONS]?.get(ruleId);
    if (reason !== undefined) return { reason, at: scopes[i].node.path || "<app>" };
  }
  return undefined;
}
