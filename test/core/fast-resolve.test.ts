import * as fc from "fast-check";
import { DefaultTokenResolver, Fn, Lazy, StringConcat, TerraformStack, TerraformVariable, Testing, Token } from "cdktf";
import { cdktfResolve, libraryResolve, useFastResolve } from "../../src/core/fast-resolve";
import { synthApp } from "../helpers";
import { EXAMPLES } from "../example-apps";
import { nested } from "../fuzz/values";

const resolveModule = require("cdktf/lib/tokens/private/resolve") as { resolve: unknown };

const stack = new TerraformStack(Testing.app(), "s");
const variable = new TerraformVariable(stack, "v", {});
const options = (preparing: boolean) => ({ scope: stack, resolver: new DefaultTokenResolver(new StringConcat()), preparing });

/** What a resolver returns for `x`, or the message it throws. */
function outcome(resolver: typeof cdktfResolve, x: unknown, preparing = false): { value?: unknown; error?: string } {
  try {
    return { value: resolver(x, options(preparing)) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

const leaf = fc.oneof(
  fc.string(),
  fc.constantFrom("", "ml.g5.xlarge", "1e5", "a.e.b", "${var.literal}", "$${escaped}", "}", "TfToken[", "String Map Token Value"),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant(new Date(0)),
  fc.constantFrom(
    variable.stringValue,
    `arn:${variable.stringValue}:x`,
    variable.numberValue,
    `count ${variable.numberValue}`,
    Fn.upper(variable.stringValue),
    Fn.join(",", variable.listValue),
    Lazy.stringValue({ produce: () => "lazy" }),
    Lazy.anyValue({ produce: () => ({ nested: [variable.stringValue, undefined, {}], empty: [] }) }),
  ),
  fc.constant(variable.listValue),
  fc.constant(Token.asStringMap(variable.value)),
  fc.constant(Token.asNumberList(variable.value)),
);
const key = fc.oneof(fc.string(), fc.constantFrom("tags", "1e9", `k-${variable.stringValue}`));
const structure = nested(leaf, key, 4);

describe("the library's resolver in front of cdktf's", () => {
  afterAll(() => useFastResolve());

  test("is in place once the library is loaded, and CDKTF_MLOPS_CDKTF_RESOLVE=1 takes it away", () => {
    expect(resolveModule.resolve).toBe(libraryResolve);
    expect(useFastResolve({ CDKTF_MLOPS_CDKTF_RESOLVE: "1" })).toBe(false);
    expect(resolveModule.resolve).toBe(cdktfResolve);
    expect(useFastResolve({})).toBe(true);
    expect(resolveModule.resolve).toBe(libraryResolve);
  });

  test("copies plain data as cdktf does: undefined keys and elements dropped, empty objects and arrays kept", () => {
    const data = { a: undefined, b: [1, undefined, "x"], c: {}, d: [], e: { f: null, g: false } };
    expect(libraryResolve(data, options(false))).toEqual({ b: [1, "x"], c: {}, d: [], e: { f: null, g: false } });
    expect(outcome(libraryResolve, data)).toEqual(outcome(cdktfResolve, data));
  });

  test("resolves tokens where cdktf does (strings, numbers, lists, maps, keys, lazy values)", () => {
    const data = {
      arn: `arn:${variable.stringValue}`,
      n: variable.numberValue,
      nInString: `count ${variable.numberValue}`,
      list: variable.listValue,
      map: Token.asStringMap(variable.value),
      keyed: { [`k-${variable.stringValue}`]: 1 },
      lazy: Lazy.anyValue({ produce: () => ({ x: [variable.stringValue] }) }),
    };
    const fast = outcome(libraryResolve, data);
    expect(fast).toEqual(outcome(cdktfResolve, data));
    expect(JSON.stringify(fast.value)).toContain("${var.v}");
    expect(JSON.stringify(fast.value)).not.toContain("TfToken");
    expect((fast.value as Record<string, string>).nInString).toBe("count ${var.v}");
  });

  test.each([
    ["a function", { f: () => 1 }],
    ["a construct", { c: stack }],
    ["a path deeper than 200", Array.from({ length: 205 }).reduce((inner: unknown) => ({ x: inner }), "leaf")],
    ["a list token inside a string", { s: `x${variable.listValue}` }],
    ["a map token as a string", { s: Token.STRING_MAP_TOKEN_VALUE }],
  ])("rejects %s with cdktf's own message", (_what, data) => {
    const fast = outcome(libraryResolve, data);
    expect(fast.error).toBeDefined();
    expect(fast).toEqual(outcome(cdktfResolve, data));
  });

  test("gives cdktf's result or cdktf's error for any structure of plain data and tokens (fast-check, 500 runs)", () => {
    fc.assert(
      fc.property(structure, fc.boolean(), (data, preparing) => {
        expect(outcome(libraryResolve, data, preparing)).toEqual(outcome(cdktfResolve, data, preparing));
      }),
      { numRuns: 500, seed: 21 },
    );
  });

  test.each(Object.entries(EXAMPLES))("synthesizes %s byte for byte as cdktf's resolver alone does", (_name, build) => {
    const synthWith = (env: Record<string, string>) => {
      useFastResolve(env);
      const app = Testing.app();
      build(app);
      return JSON.stringify(synthApp(app));
    };
    const cdktfOnly = synthWith({ CDKTF_MLOPS_CDKTF_RESOLVE: "1" });
    const library = synthWith({});
    expect(library.length).toBeGreaterThan(10_000);
    expect(library).toBe(cdktfOnly);
  });
});
