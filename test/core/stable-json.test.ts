import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as fc from "fast-check";
import { IStackSynthesizer, ISynthesisSession, TerraformStack, Testing } from "cdktf";
import { stableJson, stableJsonChunks, synthesizeWithStableJson, writeStableJson } from "../../src/core/stable-json";
import { EXAMPLES } from "../example-apps";
import { nested } from "../fuzz/values";

/** The stringify cdktf 0.21 writes cdk.tf.json with, loaded from cdktf's own dependencies. */
const jsonStableStringify = require(require.resolve("json-stable-stringify", { paths: [path.dirname(require.resolve("cdktf"))] })) as (
  value: unknown,
  options: { space: number },
) => string | undefined;
const cdktf = (value: unknown) => jsonStableStringify(value, { space: 2 });

/** What `f` returns for `value`, or the class and message of what it throws. */
function outcome(f: (value: unknown) => string | undefined, value: unknown): { text?: string; error?: string } {
  try {
    return { text: f(value) };
  } catch (e) {
    return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
}

const leaf = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.constantFrom("", "\u2028", "\ud800", 'quote"back\\slash', "${var.x}", "\n\t"),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant(new Date(86_400_000)),
  fc.constant(() => 1),
  fc.constant({ toJSON: () => ({ b: 1, a: [undefined] }) }),
);
const key = fc.oneof(fc.string({ unit: "binary" }), fc.constantFrom("", "//", "1", "10", "2", "B", "a", "é", "__proto_"));
const structure = nested(leaf, key, 5);

describe("cdk.tf.json written in chunks", () => {
  test("writes what json-stable-stringify writes: sorted keys, two spaces, empty containers over two lines", () => {
    const value = { b: [1, undefined, {}, []], a: { z: undefined, y: "x" }, "": null };
    expect(stableJson(value)).toBe(cdktf(value));
    expect(stableJson({ e: {}, l: [] })).toBe('{\n  "e": {\n  },\n  "l": [\n  ]\n}');
  });

  test("writes the same text as json-stable-stringify for any value (fast-check, 1,000 runs)", () => {
    fc.assert(
      fc.property(structure, (value) => {
        expect(outcome(stableJson, value)).toEqual(outcome(cdktf, value));
      }),
      { numRuns: 1000, seed: 7 },
    );
  });

  test("refuses a circular object with json-stable-stringify's error", () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = { back: loop };
    const error = outcome(stableJson, loop).error;
    expect(error).toBe("TypeError: Converting circular structure to JSON");
    expect(error).toBe(outcome(cdktf, loop).error);
    const shared = { x: 1 };
    expect(outcome(stableJson, { a: shared, b: shared })).toEqual(outcome(cdktf, { a: shared, b: shared })); // repeated, not circular
  });

  test("hands out chunks of about 1 MiB, and the file holds exactly the text", () => {
    const big = { items: Array.from({ length: 40_000 }, (_, i) => ({ name: `item-${i}`, tags: { a: "x".repeat(20) } })) };
    const chunks: string[] = [];
    stableJsonChunks(big, (s) => chunks.push(s));
    expect(chunks.length).toBeGreaterThan(2);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan((1 << 20) + 1000);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "stable-json-")), "out.json");
    writeStableJson(file, big);
    expect(fs.readFileSync(file, "utf8")).toBe(cdktf(big));
  });

  describe("in the stack's synthesizer", () => {
    const session = (outdir: string): ISynthesisSession =>
      ({ outdir, manifest: { forStack: () => ({ synthesizedStackPath: "cdk.tf.json" }) } }) as unknown as ISynthesisSession;

    test("lets cdktf do everything but the final write, which it makes itself from the same configuration", () => {
      const stack = new TerraformStack(Testing.app(), "s");
      const own = stack.toTerraform;
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "stable-json-"));
      let cdktfWrote: unknown;
      const inner: IStackSynthesizer = {
        synthesize: (s) => {
          cdktfWrote = stack.toTerraform();
          fs.writeFileSync(path.join(s.outdir, "cdk.tf.json"), JSON.stringify(cdktfWrote));
        },
      };
      synthesizeWithStableJson(stack, inner, session(outdir));
      expect(cdktfWrote).toEqual({});
      expect(fs.readFileSync(path.join(outdir, "cdk.tf.json"), "utf8")).toBe(cdktf(stack.toTerraform()));
      expect(stack.toTerraform).toBe(own);
      expect(Object.prototype.hasOwnProperty.call(stack, "toTerraform")).toBe(false);
    });

    test("writes nothing when cdktf takes another path (HCL output) or fails, and restores toTerraform", () => {
      const stack = new TerraformStack(Testing.app(), "s");
      const own = stack.toTerraform;
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "stable-json-"));
      synthesizeWithStableJson(stack, { synthesize: () => undefined }, session(outdir));
      expect(fs.existsSync(path.join(outdir, "cdk.tf.json"))).toBe(false);
      const failing: IStackSynthesizer = {
        synthesize: () => {
          throw new Error("validation failed");
        },
      };
      expect(() => synthesizeWithStableJson(stack, failing, session(outdir))).toThrow("validation failed");
      expect(fs.existsSync(path.join(outdir, "cdk.tf.json"))).toBe(false);
      expect(stack.toTerraform).toBe(own);
    });

    test("leaves the write to cdktf when CDKTF_MLOPS_CDKTF_STRINGIFY=1", () => {
      const stack = new TerraformStack(Testing.app(), "s");
      let called = 0;
      const inner: IStackSynthesizer = { synthesize: () => void (called++, expect(stack.toTerraform()).not.toEqual({})) };
      process.env.CDKTF_MLOPS_CDKTF_STRINGIFY = "1";
      try {
        synthesizeWithStableJson(stack, inner, session(fs.mkdtempSync(path.join(os.tmpdir(), "stable-json-"))));
      } finally {
        delete process.env.CDKTF_MLOPS_CDKTF_STRINGIFY;
      }
      expect(called).toBe(1);
    });
  });

  test.each(Object.entries(EXAMPLES))("synthesizes %s byte for byte as cdktf's own write", (_name, build) => {
    const files = (env: string | undefined) => {
      if (env) process.env.CDKTF_MLOPS_CDKTF_STRINGIFY = env;
      // cdktf writes through the real fs module (the library's own import is a copy under @swc/jest)
      const cdktfWrites = jest.spyOn(require("fs") as typeof fs, "writeFileSync");
      try {
        const app = Testing.app();
        build(app);
        app.synth();
        const dir = path.join(app.outdir, "stacks");
        const written = Object.fromEntries(fs.readdirSync(dir).map((id) => [id, fs.readFileSync(path.join(dir, id, "cdk.tf.json"), "utf8")]));
        const byCdktf = cdktfWrites.mock.calls.filter(([file]) => String(file).endsWith("cdk.tf.json")).map(([, data]) => String(data));
        return { written, byCdktf };
      } finally {
        cdktfWrites.mockRestore();
        delete process.env.CDKTF_MLOPS_CDKTF_STRINGIFY;
      }
    };
    const cdktfOnly = files("1");
    const { written: library, byCdktf } = files(undefined);
    expect(cdktfOnly.byCdktf).toEqual(Object.values(cdktfOnly.written));
    // every stack of the example is an MlopsStack: cdktf stringified an empty configuration for each
    expect(byCdktf).toEqual(Object.keys(library).map(() => "{\n}"));
    expect(Object.keys(library).length).toBeGreaterThan(0);
    for (const text of Object.values(library)) expect(text.length).toBeGreaterThan(1_000);
    expect(library).toEqual(cdktfOnly.written);
  });
});
