import { createHash } from "crypto";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { DriftAlarm, ModelRegistry, RegistryEngine, ServingEndpoint, ServingEngine } from "../../src";
import { packageDir, storedZip } from "../../src/drift-alarm/private/job-asset";
import { newApp, newStack, resources, synthApp } from "../helpers";

/** An app with `n` SageMaker endpoints, each with a DriftAlarm, in `stacks` stacks. */
function appWithAlarms(n: number, stackIds: string[]): App {
  const app = newApp();
  for (const id of stackIds) {
    const stack = newStack({ name: `acme-${id}` }, app, id);
    const registry = new ModelRegistry(stack, "registry", { engine: RegistryEngine.sagemaker(), models: ["m"] });
    for (let i = 0; i < n; i++) {
      const endpoint = new ServingEndpoint(stack, `e${i}`, { engine: ServingEngine.sagemaker(), model: registry.model("m", "1") });
      new DriftAlarm(stack, `e${i}-drift`, { endpoint, baselineS3Uri: `s3://acme-baselines/e${i}.json`, numericFeatures: ["amount"] });
    }
  }
  return app;
}

function zipsUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".zip"));
}

describe("the drift job's Lambda package", () => {
  const app = appWithAlarms(5, ["one", "two"]);
  const docs = synthApp(app);

  test.each(["one", "two"])("N DriftAlarms of stack %s share one asset: one zip on disk, one filename, one source_code_hash", (stack) => {
    const fns = resources(docs[stack], "aws_lambda_function");
    expect(fns).toHaveLength(5);
    expect(new Set(fns.map((f) => f.values.filename)).size).toBe(1);
    expect(new Set(fns.map((f) => f.values.source_code_hash)).size).toBe(1);
    const stackDir = path.join(app.outdir, "stacks", stack);
    expect(zipsUnder(path.join(stackDir, "assets"))).toEqual([path.join("DriftJobCode", fns[0].values.filename.split("/")[2], "drift-job.zip")]);
    // source_code_hash is the zip's base64 SHA-256 (Terraform's filebase64sha256, Lambda's CodeSha256)
    const zip = fs.readFileSync(path.join(stackDir, fns[0].values.filename));
    expect(fns[0].values.source_code_hash).toBe(createHash("sha256").update(zip).digest("base64"));
  });

  test("every stack and every app gets the same package: the hash depends on the job alone", () => {
    const one = resources(docs.one, "aws_lambda_function")[0].values;
    const two = resources(docs.two, "aws_lambda_function")[0].values;
    const other = resources(synthApp(appWithAlarms(1, ["three"])).three, "aws_lambda_function")[0].values;
    expect([two.filename, two.source_code_hash]).toEqual([one.filename, one.source_code_hash]);
    expect([other.filename, other.source_code_hash]).toEqual([one.filename, one.source_code_hash]);
  });

  test("the zip holds the job's JavaScript, readable by the Lambda runtime", () => {
    const fn = resources(docs.one, "aws_lambda_function")[0].values;
    const listing = execFileSync("unzip", ["-Z", path.join(app.outdir, "stacks", "one", fn.filename)], { encoding: "utf8" });
    expect(listing).toMatch(/-rw-r--r--.* handler\.js\n/);
    expect(listing).toMatch(/ metrics\.js\n/);
    expect(listing).not.toMatch(/\.ts\n/);
  });

  test("the package changes when, and only when, the job's code changes", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-job-src-"));
    fs.mkdirSync(path.join(dir, "sub"));
    fs.writeFileSync(path.join(dir, "handler.js"), "exports.handler = async () => 1;\n");
    fs.writeFileSync(path.join(dir, "sub", "util.js"), "exports.x = 1;\n");
    fs.writeFileSync(path.join(dir, "handler.d.ts"), "export {};\n");
    const first = packageDir(dir);
    fs.utimesSync(path.join(dir, "handler.js"), new Date(2001, 1, 1), new Date(2001, 1, 1));
    fs.writeFileSync(path.join(dir, "handler.d.ts"), "export declare const y: number;\n");
    expect(packageDir(dir)).toEqual(first); // file times and non-JavaScript files do not count
    fs.writeFileSync(path.join(dir, "sub", "util.js"), "exports.x = 2;\n");
    const second = packageDir(dir);
    expect(second.sha256Base64).not.toBe(first.sha256Base64);
    expect(second.zipPath).not.toBe(first.zipPath);
    const listing = execFileSync("unzip", ["-l", second.zipPath], { encoding: "utf8" });
    expect(listing).toContain("sub/util.js");
    expect(listing).not.toContain("handler.d.ts");
  });

  test("the zip is a valid archive that unzip reads back byte for byte", () => {
    const data = Buffer.from("héllo\n".repeat(100));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "zip-")), "t.zip");
    fs.writeFileSync(
      file,
      storedZip([
        { name: "a/b.txt", data },
        { name: "c.js", data: Buffer.alloc(0) },
      ]),
    );
    expect(execFileSync("unzip", ["-p", file, "a/b.txt"])).toEqual(data);
    expect(execFileSync("unzip", ["-t", file], { encoding: "utf8" })).toContain("No errors detected");
  });

  test("Model Monitor alarms add no job asset", () => {
    const stack = newStack();
    const registry = new ModelRegistry(stack, "r", { engine: RegistryEngine.sagemaker(), models: ["m"] });
    const endpoint = new ServingEndpoint(stack, "e", { engine: ServingEngine.sagemaker(), model: registry.model("m", "1") });
    new DriftAlarm(stack, "drift", {
      endpoint,
      baselineS3Uri: "s3://b/k.json",
      numericFeatures: ["amount"],
      modelMonitor: {
        imageUri: "468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer",
        baselineConstraintsS3Uri: "s3://b/constraints.json",
        baselineStatisticsS3Uri: "s3://b/statistics.json",
      },
    });
    expect(stack.node.tryFindChild("DriftJobCode")).toBeUndefined();
  });
});
