import { Lazy, TerraformStack, Testing } from "cdktf";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { recordTokenStackTraces } from "../../src/core/token-stack-traces";
import "../../src";

/** The creation stack cdktf kept for a token made now, and for a nested-block reference of a resource. */
function creationStacks(): { block: string[] } {
  const stack = new TerraformStack(Testing.app(), "s");
  const key = new KmsKey(stack, "Key", {});
  return { block: (key.timeouts as unknown as { creationStack: string[] }).creationStack };
}

describe("cdktf's token creation stack traces", () => {
  afterAll(() => recordTokenStackTraces());

  test("are off once the library is loaded: tokens and nested-block references keep none", () => {
    expect(process.env.CDKTF_MLOPS_STACK_TRACES).toBeUndefined();
    expect(creationStacks().block).toEqual([]);
    expect(recordTokenStackTraces({})).toBe(false);
  });

  test("CDKTF_MLOPS_STACK_TRACES=1 keeps them, for debugging a misused token", () => {
    expect(recordTokenStackTraces({ CDKTF_MLOPS_STACK_TRACES: "1" })).toBe(true);
    const { block } = creationStacks();
    expect(block.length).toBeGreaterThan(0);
    expect(block.join("\n")).toContain("token-stack-traces.test.ts");
  });

  test.each([
    [{}, false],
    [{ CDKTF_MLOPS_STACK_TRACES: "1" }, true],
  ])("a token that fails to resolve still fails with cdktf's message (env %j; creation stack shown: %s)", (env, shown) => {
    recordTokenStackTraces(env);
    const stack = new TerraformStack(Testing.app(), "s");
    const broken = Lazy.stringValue({
      produce: () => {
        throw new Error("no value");
      },
    });
    new KmsKey(stack, "Key", { description: broken });
    let message = "";
    try {
      Testing.synth(stack);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("Resolution error: no value");
    expect(message.includes("Object creation stack")).toBe(shown);
  });
});
