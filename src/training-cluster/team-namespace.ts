import { Construct } from "constructs";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { LimitRangeV1 } from "@cdktf/provider-kubernetes/lib/limit-range-v1";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ResourceQuotaV1 } from "@cdktf/provider-kubernetes/lib/resource-quota-v1";
import { validateProps } from "../core";
import { registerManifest } from "../core/manifest";
import type { TeamOptions } from "./contract";
import { teamOptionsSchema } from "./private/schemas";

/** Props of {@link TeamNamespace}. */
export interface TeamNamespaceProps extends TeamOptions {
  /** The Kubernetes provider of the cluster. */
  readonly provider: KubernetesProvider;
}

/**
 * A team namespace: Pod Security admission labels, a ResourceQuota on GPUs (and optionally CPU and
 * memory), and a LimitRange giving containers default requests and limits so the quota can be enforced.
 */
export class TeamNamespace extends Construct {
  /** The namespace. */
  public readonly namespace: NamespaceV1;
  /** Its resource quota. */
  public readonly resourceQuota: ResourceQuotaV1;
  /** Its limit range. */
  public readonly limitRange: LimitRangeV1;
  /** The namespace name. */
  public readonly namespaceName: string;

  constructor(scope: Construct, id: string, props: TeamNamespaceProps) {
    super(scope, id);
    const { provider, ...options } = props;
    const p = validateProps(this, "TeamNamespace", teamOptionsSchema, options);
    const pss = p.podSecurity ?? "baseline";
    registerManifest(this, "Team", { name: p.name, gpuQuota: p.gpuQuota, cpuQuota: p.cpuQuota, memoryQuotaGiB: p.memoryQuotaGiB, podSecurity: pss });
    this.namespace = new NamespaceV1(this, "Resource", {
      provider,
      metadata: {
        name: p.name,
        labels: {
          "mlops/team": p.name,
          "app.kubernetes.io/managed-by": "cdktf-mlops",
          "pod-security.kubernetes.io/enforce": pss,
          "pod-security.kubernetes.io/warn": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
        },
      },
    });
    this.namespaceName = this.namespace.metadata.name;
    const hard: Record<string, string> = { "requests.nvidia.com/gpu": String(p.gpuQuota) };
    if (p.cpuQuota !== undefined) hard["requests.cpu"] = String(p.cpuQuota);
    if (p.memoryQuotaGiB !== undefined) hard["requests.memory"] = `${p.memoryQuotaGiB}Gi`;
    this.resourceQuota = new ResourceQuotaV1(this, "Quota", {
      provider,
      metadata: { name: "team-quota", namespace: this.namespaceName },
      spec: { hard },
    });
    this.limitRange = new LimitRangeV1(this, "LimitRange", {
      provider,
      metadata: { name: "team-defaults", namespace: this.namespaceName },
      spec: {
        limit: [
          {
            type: "Container",
            defaultRequest: { cpu: "250m", memory: "512Mi" },
            default: { cpu: "2", memory: "4Gi" },
          },
        ],
      },
    });
  }
}
