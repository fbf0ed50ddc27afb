/**
 * The bootstrap allow-list of the machine that runs the first deploy from outside the VPC, read from
 * `MLOPS_DEPLOYER_CIDRS` (comma-separated, e.g. `203.0.113.7/32`). Unset, the API stays private.
 */
export function deployerCidrs(): string[] | undefined {
  const cidrs = (process.env.MLOPS_DEPLOYER_CIDRS ?? "")
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "");
  return cidrs.length > 0 ? cidrs : undefined;
}
