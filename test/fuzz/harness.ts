import * as fc from "fast-check";
import { App } from "cdktf";
import { MlopsValidationError } from "../../src";
import { newApp, synthApp } from "../helpers";
import { outputProblems } from "./checker";

/** How each run of one construct ended. */
export interface FuzzCounts {
  runs: number;
  validationErrors: number;
  cleanStacks: number;
  other: number;
}

/** Runs per construct and the seed: fixed and small in CI, `FUZZ_RUNS` and `FUZZ_SEED` (`random`) for `npm run fuzz`. */
export function fuzzParameters(defaultRuns: number): fc.Parameters<unknown> {
  const runs = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : defaultRuns;
  const seedEnv = process.env.FUZZ_SEED;
  const seed = seedEnv === "random" ? Date.now() ^ (Math.random() * 0x7fffffff) : seedEnv ? Number(seedEnv) : 20261202;
  return { numRuns: runs, seed, endOnFailure: false };
}

/**
 * The property every construct keeps: building the app from generated props ends either in an
 * MlopsValidationError that names the construct path (and a field, unless the whole props object is
 * wrong), or in stacks that pass the output checker. Anything else fails the run with the reason.
 */
export function buildEnds(build: (app: App, input: any) => void, counts: FuzzCounts) {
  return (input: unknown): void => {
    counts.runs++;
    const app = newApp();
    try {
      build(app, input);
    } catch (e) {
      if (e instanceof MlopsValidationError && e.message.includes(`${e.constructPath}: `) && e.constructPath.length > 0) {
        counts.validationErrors++;
        if (process.env.FUZZ_DEBUG) process.stdout.write(`${e.message}\n`);
        return;
      }
      counts.other++;
      throw new Error(`not an MlopsValidationError: ${(e as Error)?.stack ?? e}`);
    }
    let problems: string[];
    try {
      problems = outputProblems(synthApp(app));
    } catch (e) {
      counts.other++;
      throw new Error(`synth failed: ${(e as Error)?.stack ?? e}`);
    }
    if (problems.length > 0) {
      counts.other++;
      throw new Error(`bad output:\n${problems.join("\n")}`);
    }
    counts.cleanStacks++;
  };
}

export const report: Record<string, FuzzCounts> = {};

export function countsFor(name: string): FuzzCounts {
  report[name] ??= { runs: 0, validationErrors: 0, cleanStacks: 0, other: 0 };
  return report[name];
}
