import { Construct } from "constructs";
import { Token } from "cdktf";
import { z } from "zod";
import { check, formatFieldPath, MlopsValidationError, validateProps } from "../../src/core";
import type { ShapeOf } from "../../src/core";
import { newStack } from "../helpers";

describe("validateProps", () => {
  const schema = z.object({
    pools: z.array(z.object({ maxSize: check.int(1, 10) })).optional(),
    cidr: check.cidr(16, 20).optional(),
    name: z.string(),
  });

  test("field paths read like code", () => {
    expect(formatFieldPath(["gpuNodePools", 1, "maxSize"])).toBe("gpuNodePools[1].maxSize");
  });

  test("the error names the construct type, its path, the field and the value", () => {
    const scope = new Construct(newStack(), "training");
    let err: unknown;
    try {
      validateProps(scope, "Thing", schema, { name: "x", pools: [{ maxSize: 3 }, { maxSize: 0 }] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MlopsValidationError);
    expect((err as MlopsValidationError).message).toBe("Thing platform/training: pools[1].maxSize (0) must be between 1 and 10");
    expect((err as MlopsValidationError).constructPath).toBe("platform/training");
    expect((err as MlopsValidationError).field).toBe("pools[1].maxSize");
  });

  test("a missing required field says so", () => {
    const scope = new Construct(newStack(), "t");
    expect(() => validateProps(scope, "Thing", schema, {})).toThrow("Thing platform/t: name is required");
  });

  test("deploy-time tokens are not judged", () => {
    const scope = new Construct(newStack(), "t");
    const tokenCidr = Token.asString({ ref: "x" } as never);
    const tokenNumber = Token.asNumber({ ref: "y" } as never);
    expect(() => validateProps(scope, "Thing", schema, { name: "x", cidr: tokenCidr, pools: [{ maxSize: tokenNumber }] })).not.toThrow();
  });
});

describe("every problem of one props object in one error", () => {
  const schema = z.object({ a: check.int(1, 10), b: z.string(), c: z.boolean().optional() }).strict();

  test("two problems: one line each, each with the construct path and its field", () => {
    const scope = new Construct(newStack(), "t");
    let err: MlopsValidationError | undefined;
    try {
      validateProps(scope, "Thing", schema, { a: 0, c: "yes" });
    } catch (e) {
      err = e as MlopsValidationError;
    }
    expect(err).toBeInstanceOf(MlopsValidationError);
    expect(err!.problems.map((p) => p.field)).toEqual(["a", "b", "c"]);
    expect(err!.message.split("\n")).toEqual([
      "Thing platform/t: a (0) must be between 1 and 10",
      "Thing platform/t: b is required",
      'Thing platform/t: c ("yes") Invalid input: expected boolean, received string',
    ]);
    expect(err!.field).toBe("a");
  });

  test("one problem keeps the one-line message", () => {
    const scope = new Construct(newStack(), "t");
    expect(() => validateProps(scope, "Thing", schema, { a: 3 })).toThrow(/^Thing platform\/t: b is required$/);
  });
});

describe("ShapeOf", () => {
  test("a schema without a key of its props interface does not compile", () => {
    interface P {
      readonly a?: string;
      readonly b?: number;
    }
    const full = z.object({ a: z.string().optional(), b: z.number().optional() }) satisfies ShapeOf<P>;
    // @ts-expect-error b is missing from the schema
    const partial = z.object({ a: z.string().optional() }) satisfies ShapeOf<P>;
    expect(Object.keys(full.shape)).toEqual(["a", "b"]);
    expect(Object.keys(partial.shape)).toEqual(["a"]);
  });
});
