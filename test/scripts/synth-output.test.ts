import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { count, removeStaleStacks } from "../../scripts/synth-output";

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tempOutdir(): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-output-"));
  made.push(outdir);
  return outdir;
}

function outdirWith(stacks: string[]): string {
  const outdir = tempOutdir();
  for (const s of stacks) {
    fs.mkdirSync(path.join(outdir, "stacks", s, ".terraform"), { recursive: true });
    fs.writeFileSync(path.join(outdir, "stacks", s, "cdk.tf.json"), "{}");
  }
  return outdir;
}

const manifestOf = (...stacks: string[]) => ({
  stacks: Object.fromEntries(stacks.map((s) => [s, { synthesizedStackPath: `stacks/${s}/cdk.tf.json`, workingDirectory: `stacks/${s}` }])),
});

describe("npm run synth output", () => {
  test("GIVEN stacks of an earlier synth WHEN the app has other stacks THEN only the stale ones are removed", () => {
    const outdir = outdirWith(["ml-platform", "ml-workloads", "ml-platform-sagemaker"]);
    fs.mkdirSync(path.join(outdir, "stacks", "notes")); // not a synthesized stack: left alone

    const removed = removeStaleStacks(outdir, manifestOf("ml-platform", "ml-workloads"));

    expect(removed).toEqual([path.join(outdir, "stacks", "ml-platform-sagemaker")]);
    expect(fs.readdirSync(path.join(outdir, "stacks")).sort()).toEqual(["ml-platform", "ml-workloads", "notes"]);
    expect(fs.existsSync(path.join(outdir, "stacks", "ml-platform", ".terraform"))).toBe(true);
  });

  test("GIVEN no stacks folder THEN nothing is removed", () => {
    const outdir = tempOutdir();
    expect(removeStaleStacks(outdir, manifestOf("ml-platform"))).toEqual([]);
  });

  test("counts the blocks of a resource or data section", () => {
    expect(count({ aws_s3_bucket: { a: {}, b: {} }, aws_kms_key: { k: {} } })).toBe(3);
    expect(count(undefined)).toBe(0);
  });
});
