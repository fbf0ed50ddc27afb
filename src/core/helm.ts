import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { Release } from "@cdktf/provider-helm/lib/release";

/** A Helm chart pinned to a version, with the repository that really serves it. */
export interface PinnedChart {
  /** Chart repository URL (`https://...` or `oci://...`). */
  readonly repository: string;
  /** Chart name in that repository. */
  readonly chart: string;
  /** Exact chart version. */
  readonly version: string;
}

/** Options of {@link pinnedHelmRelease}. */
export interface HelmReleaseOptions {
  readonly chart: PinnedChart;
  /** Release name. */
  readonly name: string;
  readonly namespace: string;
  /** Whether Helm creates the namespace. */
  readonly createNamespace?: boolean;
  /** Chart values; serialized as one JSON document, which is valid YAML and diffs line by line in a plan. */
  readonly values: Record<string, unknown>;
  /**
   * Values set one by one (`--set name=value`), for values that are Terraform expressions (a
   * function over deploy-time attributes) and so cannot ride inside the JSON values document.
   */
  readonly set?: { name: string; value: string }[];
  readonly provider: HelmProvider;
  readonly dependsOn?: ITerraformDependable[];
  /** Seconds Helm waits for the release's resources to become ready. @default 600 */
  readonly timeoutSeconds?: number;
}

/**
 * A `helm_release` of a pinned chart: atomic (a failed upgrade rolls back), waits for readiness,
 * keeps ten revisions, and takes its values as one structured document.
 */
export function pinnedHelmRelease(scope: Construct, id: string, opts: HelmReleaseOptions): Release {
  return new Release(scope, id, {
    provider: opts.provider,
    name: opts.name,
    namespace: opts.namespace,
    createNamespace: opts.createNamespace ?? false,
    repository: opts.chart.repository,
    chart: opts.chart.chart,
    version: opts.chart.version,
    values: [JSON.stringify(opts.values, null, 2)],
    set: opts.set,
    atomic: true,
    cleanupOnFail: true,
    wait: true,
    timeout: opts.timeoutSeconds ?? 600,
    maxHistory: 10,
    dependsOn: opts.dependsOn?.length ? opts.dependsOn : undefined,
  });
}
