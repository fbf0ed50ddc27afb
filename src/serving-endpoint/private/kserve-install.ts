import { Construct } from "constructs";
import { Release } from "@cdktf/provider-helm/lib/release";
import { dependsOnAcrossStacks, pinnedHelmRelease, PinnedChart } from "../../core";
import { NodeLabels, TrainingCluster } from "../../training-cluster";

/** KServe v0.20.0 charts (OCI, `v`-prefixed versions); values keys read from that tag's values.yaml. */
export const KServeCharts = {
  crd: { repository: "oci://ghcr.io/kserve/charts", chart: "kserve-crd", version: "v0.20.0" },
  resources: { repository: "oci://ghcr.io/kserve/charts", chart: "kserve-resources", version: "v0.20.0" },
  runtimeConfigs: { repository: "oci://ghcr.io/kserve/charts", chart: "kserve-runtime-configs", version: "v0.20.0" },
  /** cert-manager v1.21.1, which KServe's webhooks need for their certificates. */
  certManager: { repository: "https://charts.jetstack.io", chart: "cert-manager", version: "v1.21.1" },
} as const satisfies Record<string, PinnedChart>;

/** KServe as installed on one cluster. */
export class KServeInstallation extends Construct {
  /** Installs KServe on `cluster` once, in the cluster's stack, and returns it. */
  public static of(cluster: TrainingCluster): KServeInstallation {
    const scope = cluster._inClusterScope(cluster);
    return (scope.node.tryFindChild("KServe") as KServeInstallation | undefined) ?? new KServeInstallation(scope, "KServe", cluster);
  }

  public readonly certManager: Release;
  /** The release that installs the CRDs (InferenceService, ServingRuntime, ...). */
  public readonly crds: Release;
  public readonly controller: Release;
  public readonly runtimes: Release;

  private constructor(scope: Construct, id: string, cluster: TrainingCluster) {
    super(scope, id);
    const helm = cluster.connect(this).helm;
    const system = { [NodeLabels.POOL]: "system" };
    const base = dependsOnAcrossStacks(this, [cluster.systemNodeGroup, cluster.addons["coredns"]]);
    this.certManager = pinnedHelmRelease(this, "CertManager", {
      chart: KServeCharts.certManager,
      name: "cert-manager",
      namespace: "cert-manager",
      createNamespace: true,
      provider: helm,
      values: { crds: { enabled: true }, nodeSelector: system },
      dependsOn: base,
    });
    this.crds = pinnedHelmRelease(this, "Crds", {
      chart: KServeCharts.crd,
      name: "kserve-crd",
      namespace: "kserve",
      createNamespace: true,
      provider: helm,
      values: {},
      dependsOn: base,
    });
    this.controller = pinnedHelmRelease(this, "Controller", {
      chart: KServeCharts.resources,
      name: "kserve",
      namespace: "kserve",
      provider: helm,
      values: {
        kserve: {
          controller: {
            // Standard (raw Deployment) mode: no Knative, no Istio.
            deploymentMode: "Standard",
            // Endpoints stay internal; expose one deliberately with your own Ingress.
            gateway: { disableIngressCreation: true },
            nodeSelector: system,
          },
        },
      },
      dependsOn: [this.certManager, this.crds],
    });
    this.runtimes = pinnedHelmRelease(this, "Runtimes", {
      chart: KServeCharts.runtimeConfigs,
      name: "kserve-runtime-configs",
      namespace: "kserve",
      provider: helm,
      values: { kserve: { servingruntime: { enabled: true } } },
      dependsOn: [this.controller],
    });
  }
}
