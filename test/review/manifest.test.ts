import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { Construct } from "constructs";
import { MlopsStack, TrainingCluster } from "../../src";
import { manifestOf, registerManifest } from "../../src/core/manifest";

describe("the platform manifest (src/core/manifest.ts)", () => {
  test("facts are plain data: tokens become null, lazy facts are read at synth, entries sorted by path", () => {
    const app = Testing.app();
    const stack = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
    const late = new Construct(stack, "b-late");
    const items: string[] = [];
    registerManifest(late, "Thing", () => ({ items: [...items] }));
    registerManifest(new Construct(stack, "a-first"), "Thing", { keyArn: stack.kmsKey.arn, count: 2 });
    items.push("added after the constructor");
    const entries = manifestOf(stack).entries.filter((e) => e.kind === "Thing");
    expect(entries).toEqual([
      { kind: "Thing", path: "platform/a-first", stack: "platform", keyArn: null, count: 2 },
      { kind: "Thing", path: "platform/b-late", stack: "platform", items: ["added after the constructor"] },
    ]);
  });

  test("written at synth as mlops.json next to the stacks, with pools added by a method after the constructor", () => {
    const app = Testing.app();
    const stack = new MlopsStack(app, "platform", { region: "eu-west-1", name: "acme-ml" });
    const cluster = new TrainingCluster(stack, "training");
    cluster.addGpuNodePool("h100", { name: "h100", instanceTypes: ["p5.48xlarge"], maxSize: 2 });
    app.synth();
    const doc = JSON.parse(fs.readFileSync(path.join(app.outdir, "mlops.json"), "utf8"));
    expect(doc.version).toBe(1);
    expect(doc.entries.find((e: { kind: string }) => e.kind === "GpuNodePool")).toMatchObject({
      name: "h100",
      gpuModel: "H100",
      gpuCount: 8,
      maxSize: 2,
    });
    expect(doc.entries.find((e: { kind: string }) => e.kind === "TrainingCluster")).toMatchObject({
      clusterName: "acme-ml-training",
      kubernetesVersion: "1.36",
    });
  });

  test("review does not load the constructs: src/review imports no construct module and core only for types", () => {
    const dir = path.join(__dirname, "..", "..", "src", "review");
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".ts"))) {
      const src = fs.readFileSync(path.join(dir, f), "utf8");
      const imports = [...src.matchAll(/^import (type )?.* from "([^"]+)";$/gm)].map((m) => ({ typeOnly: !!m[1], from: m[2] }));
      for (const i of imports) {
        if (i.from.startsWith("../core")) expect(i.typeOnly).toBe(true);
        expect(i.from).not.toMatch(/^cdktf|^constructs|@cdktf\//);
        if (i.from.startsWith("../") && !i.from.startsWith("../core")) expect(i.from).toBe("../training-cluster/gpu-instances");
      }
    }
    // ...and no construct imports the review: no import cycle.
    const tsFiles = (d: string): string[] =>
      fs
        .readdirSync(d, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? tsFiles(path.join(d, e.name)) : e.name.endsWith(".ts") ? [path.join(d, e.name)] : []));
    const src = path.join(__dirname, "..", "..", "src");
    const offenders = tsFiles(src)
      .filter((f) => !f.startsWith(dir))
      .filter((f) => /from "(\.\.?\/)+review(\/[^"]*)?"/.test(fs.readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });
});
