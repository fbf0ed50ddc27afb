/** Whether the environment variable `name` is set to `1` or `true` (the library's switches, e.g. `CDKTF_MLOPS_STACK_TRACES`). */
export function envFlag(env: Record<string, string | undefined>, name: string): boolean {
  return env[name] === "1" || env[name] === "true";
}
