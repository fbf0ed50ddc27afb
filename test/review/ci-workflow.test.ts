import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main, readSynthOutput } from "../../src/review";

const ROOT = path.join(__dirname, "..", "..");
const WORKFLOW = fs.readFileSync(path.join(ROOT, "examples", "ci", "platform-review.yml"), "utf8");

describe("examples/ci/platform-review.yml", () => {
  test("synthesizes with the app command of cdktf.json into CDKTF_OUTDIR, as the workflow does, with no credentials", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "review-ci-"));
    const app = JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")).app as string;
    expect(WORKFLOW).toContain(`CDKTF_OUTDIR="$RUNNER_TEMP/head.out" sh -c "$(node -p 'require("./cdktf.json").app')"`);
    const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: out };
    for (const k of Object.keys(env)) if (k.startsWith("AWS_")) delete env[k];
    execFileSync("sh", ["-c", app], { cwd: ROOT, env, stdio: "pipe" });
    const synth = readSynthOutput(out);
    // Whatever the example holds: stacks, and the manifest of the library's constructs next to them.
    expect(synth.stacks.size).toBeGreaterThan(0);
    expect(
      synth.manifest?.entries
        .filter((e) => e.kind === "MlopsStack")
        .map((e) => e.stack)
        .sort(),
    ).toEqual([...synth.stacks.keys()].sort());
  }, 60_000);

  test("`npx cdktf-mlops review` reaches the review's entry point through bin/cdktf-mlops.js", () => {
    const out = execFileSync(process.execPath, [path.join(ROOT, "bin", "cdktf-mlops.js"), "review", "--help"], { encoding: "utf8" });
    expect(out).toMatch(/^usage: cdktf-mlops review \[--base BASE_OUT\] \[HEAD_OUT\]/);
  }, 30_000);

  test("every review command line of the workflow is one the command accepts", () => {
    // Join continued lines, then take each `npx cdktf-mlops review ...` command.
    const calls = WORKFLOW.replace(/\\\n\s*/g, " ")
      .split("\n")
      .filter((l) => l.includes("npx cdktf-mlops review"));
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) {
      const argv = call
        .trim()
        .split(/\s+/)
        .slice(3)
        .map((a) => a.replace(/"/g, ""));
      let err = "";
      // Unknown options and kinds are usage errors (2) before any directory is read; a missing directory is 2 as well.
      const code = main(
        argv,
        () => undefined,
        (s) => (err += s),
      );
      expect(err).not.toMatch(/unknown option|unknown kind|needs a value|one HEAD_OUT only/);
      expect(code).toBe(2);
      expect(err).toMatch(/no such directory/);
    }
  });
});
