import { Construct } from "constructs";
import { fitName, NameRules, physicalName, stableHash, withPlatformPrefix } from "../../src/core";
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
