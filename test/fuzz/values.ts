import * as fc from "fast-check";
import { TerraformStack, TerraformVariable } from "cdktf";

/** A value known only at deploy time, made into a real token (a Terraform variable) when the app is built. */
export interface TokenMarker {
  readonly $token: "string" | "number" | "list";
}

export const stringToken: fc.Arbitrary<TokenMarker> = fc.constant({ $token: "string" as const });
export const numberToken: fc.Arbitrary<TokenMarker> = fc.constant({ $token: "number" as const });
export const listToken: fc.Arbitrary<TokenMarker> = fc.constant({ $token: "list" as const });

/** Values of the wrong type or shape, boundary values, unicode and tokens of every kind. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    "",
    " ",
    0,
    -1,
    1.5,
    1e9,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    true,
    {},
    [],
    [""],
    "ünïçødé-名前",
    "a".repeat(300),
    "UPPER",
    "a b",
    "a.b",
    "a_b",
    "-a",
    "a-",
  ),
  stringToken,
  numberToken,
  listToken,
);

/** Mostly `valid`, sometimes an odd value. */
export function field<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 40, arbitrary: valid as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: oddValue });
}

/** A props object of optional fields: each key present or left out. */
export function props(fields: Record<string, fc.Arbitrary<unknown>>, requiredKeys: string[] = []): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(fields, { requiredKeys: requiredKeys as never[] }) as fc.Arbitrary<Record<string, unknown>>;
}

/** A lowercase name of 1-`max` characters, sometimes with separators that map onto one another. */
export function nameLike(max = 30): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.stringMatching(new RegExp(`^[a-z]([a-z0-9]|-[a-z0-9]){0,${Math.floor((max - 1) / 2)}}$`)) },
    { weight: 3, arbitrary: fc.constantFrom("fraud", "churn", "data", "team-a", "ranker") },
    fc.constantFrom("fraud", "a.b", "a-b", "a_b", "A", "global", "class", "default", "user-features", "user_features", "x".repeat(max + 1)),
  );
}

let n = 0;

/** Makes every token marker of `v` into a token of a new Terraform variable of `stack`. */
export function materialize(stack: TerraformStack, v: unknown): unknown {
  const go = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(go);
    if (x && typeof x === "object" && "$token" in (x as object)) {
      const kind = (x as TokenMarker).$token;
      const variable = new TerraformVariable(stack, `fuzz-${kind}-${n++}`, { type: kind === "list" ? "list(string)" : kind });
      return kind === "string" ? variable.stringValue : kind === "number" ? variable.numberValue : variable.listValue;
    }
    if (x && typeof x === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(x))) {
      return Object.fromEntries(Object.entries(x as Record<string, unknown>).map(([k, y]) => [k, go(y)]));
    }
    return x;
  };
  return go(v);
}

/** Arrays and objects of `leaf` values nested to a small depth, at most `width` elements or keys each. */
export function nested(leaf: fc.Arbitrary<unknown>, key: fc.Arbitrary<string>, width: number): fc.Arbitrary<unknown> {
  return fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: "small" }, leaf, tie("array"), tie("object")),
    array: fc.array(tie("value"), { maxLength: width }),
    object: fc.dictionary(key, tie("value"), { maxKeys: width }),
  })).value;
}
