import { Token } from "cdktf";
import { IConstruct } from "constructs";
import { z } from "zod";
import { MlopsValidationError } from "./errors";

/** Renders a zod path as `gpuNodePools[1].maxSize`. */
export function formatFieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p as string];
  }
  return v;
}

function describeValue(v: unknown): string {
  if (isDeployTimeValue(v) || (Array.isArray(v) && v.length === 1 && isDeployTimeValue(v[0]))) return "a deploy-time value";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `array of ${v.length}`;
  if (v === null) return "null";
  return typeof v;
}

/**
 * The first issue of a zod error, with the real reason of a bad record key or element brought up
 * from one level down. Also for schemas that check a nested schema in a refinement.
 */
export function firstIssue(error: z.ZodError): z.core.$ZodIssue {
  let issue = error.issues[0];
  while ((issue.code === "invalid_key" || issue.code === "invalid_element") && issue.issues.length > 0) {
    issue = { ...issue.issues[0], path: [...issue.path, ...issue.issues[0].path] } as typeof issue;
  }
  return issue;
}

/**
 * Every issue of a zod error, each with the real reason of a bad record key or element brought up
 * from one level down, without repeats (same path and message).
 */
export function allIssues(error: z.ZodError): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  const seen = new Set<string>();
  const visit = (issue: z.core.$ZodIssue, prefix: ReadonlyArray<PropertyKey>): void => {
    const path = [...prefix, ...issue.path];
    if ((issue.code === "invalid_key" || issue.code === "invalid_element") && issue.issues.length > 0) {
      for (const inner of issue.issues) visit(inner, path);
      return;
    }
    const key = `${formatFieldPath(path)}\u0000${issue.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ ...issue, path } as z.core.$ZodIssue);
  };
  for (const issue of error.issues) visit(issue, []);
  return out;
}

/** `field` and `detail` of one issue of `props`, as an {@link MlopsValidationError} words them. */
function describeIssue(issue: z.core.$ZodIssue, props: unknown): { field: string; detail: string } {
  const field = formatFieldPath(issue.path);
  const value = valueAt(props, issue.path);
  let detail: string;
  if (issue.code === "unrecognized_keys") {
    detail = `has unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
  } else if (value === undefined) {
    // A rule of the library on a field left out says why the field is needed there.
    detail = issue.code === "custom" ? `is required: ${issue.message}` : "is required";
  } else if (describeValue(value) === "a deploy-time value") {
    // The token policy: the check.* helpers let deploy-time values through wherever Terraform can take
    // one; every other rule needs the value at synth time (it becomes a construct id, a literal name,
    // a count of resources or a choice between resources), so a token there is refused with the rule.
    detail = issue.message.startsWith(SYNTH_TIME)
      ? `(a deploy-time value) ${issue.message}`
      : `(a deploy-time value) ${SYNTH_TIME}: ${issue.message}`;
  } else {
    detail = `(${describeValue(value)}) ${issue.message}`;
  }
  return { field, detail };
}

/** The schemas {@link validateValue} has parsed already. */
const PARSED = new WeakSet<z.ZodType>();

/**
 * Parses `props` with the construct's zod schema and throws one {@link MlopsValidationError} that
 * names every problem found, each with its field path and value (with one problem the message is
 * `Type path: field (value) reason`). Call it at the top of a constructor, before any resource is
 * created, so that bad input never yields a half-built stack.
 */
export function validateProps<T>(scope: IConstruct, constructType: string, schema: z.ZodType<T>, props: unknown): T {
  return validateValue(constructType, scope.node.path, schema, props);
}

/** {@link validateProps} for a static function that has no scope: `constructPath` says what was called. */
export function validateValue<T>(constructType: string, constructPath: string, schema: z.ZodType<T>, props: unknown): T {
  // zod compiles a parser (`new Function`) for each object schema on its first parse, which pays off only
  // over several parses, and most props schemas of an app are parsed once. So the first parse of a schema
  // runs without it; a schema parsed again (a construct made many times) gets its compiled parser then.
  const first = !PARSED.has(schema);
  PARSED.add(schema);
  const result = first ? schema.safeParse(props ?? {}, { jitless: true }) : schema.safeParse(props ?? {});
  if (result.success) return result.data;
  const problems = allIssues(result.error).map((i) => describeIssue(i, props));
  throw MlopsValidationError.ofProblems(constructType, constructPath, problems);
}

/** Throws a {@link MlopsValidationError} for a rule that is checked outside a zod schema. */
export function fail(scope: IConstruct, constructType: string, field: string, detail: string): never {
  throw new MlopsValidationError(constructType, scope.node.path, field, detail);
}

/**
 * Whether `v` is known only at deploy time: a token, or the element of a token list (a list token such
 * as `Fn.tolist(...)` or a data source's list attribute is a one-element array whose element reads
 * `#{TfToken[TOKEN.n]}`, which `Token.isUnresolved` does not recognise on its own).
 */
export function isDeployTimeValue(v: unknown): boolean {
  return Token.isUnresolved(v) || (typeof v === "string" && /#\{TfToken\[TOKEN\.\d+\]\}/.test(v));
}

const unresolved = isDeployTimeValue;

const SYNTH_TIME = "must be known at synth time";

/**
 * Zod building blocks that let deploy-time tokens through unchecked: a value known only at
 * deploy time cannot be judged at synth time, and must never crash validation.
 */
export const check = {
  /**
   * `schema`, refusing deploy-time values with the reason (`why`) the value is needed at synth time:
   * it sets how many resources are created, becomes a construct id or a literal name.
   */
  synthTime<S extends z.ZodType>(schema: S, why: string) {
    return schema.refine((v: unknown) => !unresolved(v) && !(Array.isArray(v) && v.some(unresolved)), { message: `${SYNTH_TIME}: ${why}` });
  },
  /** A string matching `re` (tokens pass). */
  matching(re: RegExp, message: string) {
    return z.string().refine((v) => unresolved(v) || re.test(v), { message });
  },
  /** A whole number in [min, max] (tokens pass). */
  int(min: number, max: number) {
    return z
      .number()
      .refine((v) => unresolved(v) || Number.isInteger(v), { message: "must be a whole number" })
      .refine((v) => unresolved(v) || (v >= min && v <= max), { message: `must be between ${min} and ${max}` });
  },
  /** An IPv4 CIDR block with a prefix length in [minPrefix, maxPrefix] (tokens pass). */
  cidr(minPrefix = 0, maxPrefix = 32) {
    return z.string().refine(
      (v) => {
        if (unresolved(v)) return true;
        const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(v);
        if (!m) return false;
        const prefix = Number(m[5]);
        return m.slice(1, 5).every((o) => Number(o) <= 255) && prefix >= minPrefix && prefix <= maxPrefix;
      },
      { message: `must be an IPv4 CIDR block with a prefix length between /${minPrefix} and /${maxPrefix}` },
    );
  },
  /** An IAM role ARN (tokens pass). */
  roleArn() {
    return z.string().refine((v) => unresolved(v) || /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/.test(v), {
      message: "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
    });
  },
  /** A label value or key-safe name: lowercase DNS-1123 label of at most `max` characters. */
  dnsLabel(max = 63) {
    return z.string().refine((v) => unresolved(v) || (v.length <= max && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v)), {
      message: `must be a lowercase DNS label (a-z, 0-9, '-', starting and ending alphanumeric) of at most ${max} characters`,
    });
  },
  /** A map of AWS tags (keys 1-128, values 0-256 characters). */
  tags() {
    return z.record(
      z.string().refine((k) => k.length >= 1 && k.length <= 128 && !k.startsWith("aws:"), {
        message: "tag keys must be 1-128 characters and must not start with 'aws:'",
      }),
      z.string().refine((v) => v.length <= 256, { message: "tag values must be at most 256 characters" }),
    );
  },
};

/**
 * The type a props schema is declared to satisfy (`schema satisfies ShapeOf<FooProps>`): its output is
 * assignable to `T` and its object shape has a key for every field of `T`, so a prop added to the
 * interface but not to the schema fails to compile instead of failing at run time as an unknown field.
 */
export type ShapeOf<T> = z.ZodType<T> & { readonly shape: { readonly [K in keyof Required<T>]: z.core.SomeType } };
