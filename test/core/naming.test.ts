import { Construct } from "constructs";
import * as fc from "fast-check";
import { fitName, NameRule, NameRules, physicalName, stableHash, withPlatformPrefix } from "../../src/core";
import { newStack } from "../helpers";

describe("naming", () => {
  test("replaces disallowed characters and collapses dashes", () => {
    expect(fitName("acme ml//training--a100", NameRules.eksCluster)).toBe("acme-ml-training-a100");
  });

  test("lowercases where the service requires it", () => {
    expect(fitName("Acme-ML", { maxLength: 20, allowed: /[a-z0-9-]/i, lowercase: true })).toBe("acme-ml");
  });

  test("cuts long names and appends a stable hash of the full name, within the limit", () => {
    const long = `acme-ml-${"x".repeat(80)}`;
    const a = fitName(long, NameRules.iamRole);
    expect(a).toHaveLength(64);
    expect(a.endsWith(`-${stableHash(long)}`)).toBe(true);
    expect(fitName(long, NameRules.iamRole)).toBe(a);
    expect(fitName(`${long}y`, NameRules.iamRole)).not.toBe(a);
  });

  test("replaces each disallowed character (code point) by '-', whatever the rule's class and flags", () => {
    // The definition: every character tested against `allowed` on its own, then runs of '-' collapsed.
    const byCharacter = (raw: string, rule: NameRule) =>
      Array.from(rule.lowercase ? raw.toLowerCase() : raw)
        .map((c) => (rule.allowed.test(c) ? c : "-"))
        .join("")
        .replace(/-+/g, "-")
        .replace(/^-|-$/g, "");
    const rules: NameRule[] = [
      ...Object.values(NameRules),
      { maxLength: 0, allowed: /[a-z0-9-]/i, lowercase: true },
      { maxLength: 0, allowed: /[A-Za-z0-9_.:-]/, lowercase: false },
      { maxLength: 0, allowed: /[a-zA-Z0-9-]/u, lowercase: false },
      { maxLength: 0, allowed: /[\w]/, lowercase: false },
      { maxLength: 0, allowed: /[^ ]/, lowercase: false },
      { maxLength: 0, allowed: /[a-z]|-/, lowercase: false },
    ].map((r) => ({ ...r, maxLength: 10_000 }));
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.string({ unit: fc.constantFrom(..."aZ09-_./#()@+=,: \u00e9\u017fK\u212a\u00df\u{1f600}"), maxLength: 30 }),
    );
    fc.assert(
      fc.property(text, (raw) => rules.every((rule) => fitName(raw, rule) === byCharacter(raw, rule))),
      { numRuns: 2000, seed: 14 },
    );
  });

  test("physicalName joins the platform name and the construct path below the stack, skipping Resource", () => {
    const stack = newStack();
    const c = new Construct(new Construct(stack, "training"), "Resource");
    expect(physicalName(c, "acme-ml", NameRules.eksCluster)).toBe("acme-ml-training");
    expect(physicalName(c, "acme-ml", NameRules.iamRole, "node")).toBe("acme-ml-training-node");
  });
});

describe("withPlatformPrefix", () => {
  test("prefixes once", () => {
    expect(withPlatformPrefix("acme-ml", "fraud")).toBe("acme-ml-fraud");
    expect(withPlatformPrefix("acme-ml", "acme-ml-fraud")).toBe("acme-ml-fraud");
  });
});
