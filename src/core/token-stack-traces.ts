/**
 * cdktf records a complete stack trace (every frame, formatted to strings) for every token, every
 * attribute reference and every nested-block reference it creates: a generated resource class makes one
 * per nested block in its constructor, and each `resource.arn` read makes another. The traces are only
 * ever printed in the error raised when such a token is misused, yet they are kept for the life of the
 * app. At the size of a platform they are most of synthesis: an app with 1,000 endpoints and drift
 * alarms captures about 220,000 of them, which took half of its CPU time and held about 400 MB of its
 * peak memory (`npm run bench`).
 *
 * So the library turns them off when it loads (the AWS CDK's copy of this helper returns early under
 * `CDK_DISABLE_STACK_TRACE` for the same reason; cdktf's has no switch). To see where a misused token
 * was created, set `CDKTF_MLOPS_STACK_TRACES=1`.
 *
 * cdktf 0.21 (the last release) calls the helper through its module's exports on each use, so replacing
 * the export takes effect everywhere; tokens keep an empty creation stack, which cdktf handles.
 */
import { envFlag } from "./env-flag";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const traces = require("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace: (below?: unknown) => string[] };
const capture = traces.captureStackTrace;
const none = (): string[] => [];

/** Turns cdktf's token creation stack traces off, or back on; returns whether they are now recorded. */
export function recordTokenStackTraces(env: Record<string, string | undefined> = process.env): boolean {
  const on = envFlag(env, "CDKTF_MLOPS_STACK_TRACES");
  traces.captureStackTrace = on ? capture : none;
  return on;
}

recordTokenStackTraces();
