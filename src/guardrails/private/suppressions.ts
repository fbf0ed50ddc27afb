import { IConstruct } from "constructs";
import { MlopsValidationError } from "../../core/errors";
import { recordSuppression, suppressionOf } from "../../core/suppressions";
import { RULE_IDS } from "./rules";

export { suppressionOf };

/** Records a suppression on `construct` (kept off the synthesized output); throws on an unknown id or an empty reason. */
export function addSuppression(construct: IConstruct, ruleId: string, reason: string): void {
  const problems: string[] = [];
  if (!RULE_IDS.has(ruleId)) problems.push(`ruleId ("${ruleId}") is not a guardrail rule; known: ${[...RULE_IDS].join(", ")}`);
  if (typeof reason !== "string" || reason.trim().length < 10) {
    problems.push(`reason (${JSON.stringify(reason ?? null)}) must say why the rule does not apply here (10 characters or more)`);
  }
  if (problems.length) throw new MlopsValidationError("MlopsGuardrails.suppress", construct.node.path || "<app>", "", problems.join("; "));
  recordSuppression(construct, ruleId, reason);
}
