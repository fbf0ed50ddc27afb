import { block, Element, list, refTarget, StackModel } from "./model";

/** One IAM statement, from an `aws_iam_policy_document` data source or a literal JSON policy. */
export interface Statement {
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
  readonly actions: string[];
  readonly notActions: boolean;
  readonly resources: string[];
  readonly notResources: boolean;
  /** Principals as `type:identifier` (`AWS:*`, `Service:eks.amazonaws.com`); `*` for `"Principal": "*"`. */
  readonly principals: string[];
  readonly notPrincipals: boolean;
  readonly conditions: { test: string; variable: string; values: string[] }[];
  /** The policy document data source the statement comes from, when it does. */
  readonly document?: Element;
}

/**
 * The statements of a policy argument: a reference to an `aws_iam_policy_document` of the same
 * stack, or a literal JSON string. Undefined when it cannot be judged (an expression, a document in
 * another stack, JSON that does not parse).
 */
export function statementsOf(model: StackModel, policy: unknown): Statement[] | undefined {
  if (typeof policy !== "string") return undefined;
  const target = refTarget(policy);
  if (target) {
    const doc = model.deref(policy);
    if (!doc || doc.type !== "aws_iam_policy_document" || doc.kind !== "data" || !/\.json\}$/.test(policy)) return undefined;
    return fromDataSource(doc);
  }
  if (policy.includes("${")) return undefined;
  try {
    return fromJson(JSON.parse(policy));
  } catch {
    return undefined;
  }
}

function fromDataSource(doc: Element): Statement[] {
  return list(doc.values.statement).map((s: any) => {
    const principals = list(s.principals).flatMap((p: any) => list(p.identifiers).map((i: string) => `${p.type}:${i}`));
    const notPrincipals = list(s.not_principals).flatMap((p: any) => list(p.identifiers).map((i: string) => `${p.type}:${i}`));
    return {
      sid: s.sid,
      effect: s.effect === "Deny" ? "Deny" : "Allow",
      actions: list(s.actions ?? s.not_actions).map(String),
      notActions: !s.actions && !!s.not_actions,
      resources: list(s.resources ?? s.not_resources).map(String),
      notResources: !s.resources && !!s.not_resources,
      principals: principals.length ? principals : notPrincipals,
      notPrincipals: !principals.length && notPrincipals.length > 0,
      conditions: list(s.condition).map((c: any) => ({ test: String(c.test), variable: String(c.variable), values: list(c.values).map(String) })),
      document: doc,
    } as Statement;
  });
}

function fromJson(doc: any): Statement[] {
  return list(doc?.Statement).map((s: any) => {
    const principalsOf = (p: any): string[] =>
      p === "*" ? ["*"] : p && typeof p === "object" ? Object.entries(p).flatMap(([t, ids]) => list(ids).map((i) => `${t}:${i}`)) : [];
    const conditions = Object.entries(block(s.Condition) ?? {}).flatMap(([test, byVar]) =>
      Object.entries((byVar as Record<string, unknown>) ?? {}).map(([variable, values]) => ({ test, variable, values: list(values).map(String) })),
    );
    return {
      sid: s.Sid,
      effect: s.Effect === "Deny" ? "Deny" : "Allow",
      actions: list(s.Action ?? s.NotAction).map(String),
      notActions: s.Action === undefined && s.NotAction !== undefined,
      resources: list(s.Resource ?? s.NotResource).map(String),
      notResources: s.Resource === undefined && s.NotResource !== undefined,
      principals: principalsOf(s.Principal ?? s.NotPrincipal),
      notPrincipals: s.Principal === undefined && s.NotPrincipal !== undefined,
      conditions,
    } as Statement;
  });
}

/** Whether an IAM action pattern matches `action` (case-insensitive, `*` and `?` wildcards). */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    "^" +
      pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".") +
      "$",
    "i",
  );
  return re.test(action);
}
