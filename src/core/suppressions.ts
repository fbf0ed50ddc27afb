import { IConstruct } from "constructs";

// Where guardrail suppressions are kept: on the construct, off the synthesized output. Core keeps the
// store so that the library's own constructs can record their deliberate exceptions without depending
// on the guardrails family, which reads the store (and checks rule ids and reasons when users suppress).

const SUPPRESSIONS = Symbol.for("cdktf-mlops/guardrails/suppressions");

type Holder = { [SUPPRESSIONS]?: Map<string, string> };

/** Records that `ruleId` does not apply to `construct` and its subtree, for `reason`. */
export function recordSuppression(construct: IConstruct, ruleId: string, reason: string): void {
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

/** Every rule id the library's own constructs suppress, with the reason (checked against the rules by a test). */
export const LIBRARY_SUPPRESSIONS: Record<string, string> = {
  "S3-KMS": "S3 access logging delivers only to SSE-S3 targets",
};
