import * as fs from "fs";
import { DANGER_KINDS, DangerKind } from "./dangers";
import { readSynthOutput, SynthOutputError } from "./load";
import { renderMarkdown, review } from "./review";

const USAGE = `usage: cdktf-mlops review [--base BASE_OUT] [HEAD_OUT] [--format markdown|json] [--fail-on KINDS] [--out FILE]

  HEAD_OUT         synth output of the change (default cdktf.out)
  --base BASE_OUT  synth output of the target branch; without it, only the platform summary and cost
  --format         markdown (default, for a pull-request comment) or json (for tools)
  --fail-on KINDS  comma-separated finding kinds that make the exit code 1:
                   ${DANGER_KINDS.join(", ")}
  --out FILE       write the report to FILE instead of standard output

exit codes: 0 report written, 1 a --fail-on finding, 2 bad usage or unreadable output`;

/** `cdktf-mlops review ...`; returns the process exit code. */
export function main(
  argv: string[],
  write: (s: string) => void = (s) => process.stdout.write(s),
  error: (s: string) => void = (s) => process.stderr.write(s),
): number {
  let base: string | undefined;
  let head: string | undefined;
  let format = "markdown";
  let failOn: DangerKind[] = [];
  let outFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    try {
      if (a === "--base") base = value();
      else if (a === "--format") format = value();
      else if (a === "--out") outFile = value();
      else if (a === "--fail-on") {
        failOn = value()
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean) as DangerKind[];
        const bad = failOn.filter((k) => !(DANGER_KINDS as readonly string[]).includes(k));
        if (bad.length) throw new UsageError(`--fail-on: unknown kind(s) ${bad.join(", ")}; known: ${DANGER_KINDS.join(", ")}`);
      } else if (a === "--help" || a === "-h") {
        write(`${USAGE}\n`);
        return 0;
      } else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
      else if (head === undefined) head = a;
      else throw new UsageError(`one HEAD_OUT only (got ${head} and ${a})`);
    } catch (e) {
      error(`${(e as Error).message}\n${USAGE}\n`);
      return 2;
    }
  }
  if (format !== "markdown" && format !== "json") {
    error(`--format must be markdown or json (got ${format})\n`);
    return 2;
  }
  try {
    const headOut = readSynthOutput(head ?? "cdktf.out");
    const baseOut = base ? readSynthOutput(base) : undefined;
    const result = review(headOut, baseOut);
    const text = format === "json" ? `${JSON.stringify(result, null, 2)}\n` : renderMarkdown(result, headOut, baseOut);
    if (outFile) fs.writeFileSync(outFile, text);
    else write(text);
    const failing = result.dangers.filter((d) => failOn.includes(d.kind));
    if (failing.length) {
      error(
        `cdktf-mlops review: ${failing.length} finding(s) of --fail-on ${failOn.join(",")}:\n${failing.map((d) => `  ${d.message}`).join("\n")}\n`,
      );
      return 1;
    }
    return 0;
  } catch (e) {
    if (e instanceof SynthOutputError) {
      error(`cdktf-mlops review: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

class UsageError extends Error {}
