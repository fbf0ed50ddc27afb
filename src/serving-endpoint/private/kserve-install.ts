import { Construct } from "constructs";
import { Release } from "@cdktf/provider-helm/lib/release";
import { dependsOnAcrossStacks, once, pinnedHelmRelease, Pins } from "../../core";
import { ITrainingCluster, NodeLabels } from "../../training-cluster";

/** KServe as installed on one cluster. */
export class KServeInstallation extends Construct {
  /** Installs KServe on `cluster` once, in the cluster's stack, and returns it. */
  public static of(cluster: ITrainingCluster): KServeInstallation {
    const scope = cluster._inClusterScope(cluster);
    return once(scope, "KServe", () => new KServeInstallation(scope, "KServe", cluster));
  }

  public readonly certManager: Release;
  /** The release that installs the CRDs (InferenceService, ServingRuntime, ...). */
  public readonly crds: Release;
  public readonly controller: Release;
  public readonly runtimes: Release;

  private constructor(scope: Construct, id: string, cluster: ITrainingCluster) {
    super(scope, id);
    const helm = cluster.connect(this).helm;
    const system = { [NodeLabels.POOL]: "system" };
    const base = dependsOnAcrossStacks(this, [...cluster.systemNodeDependencies, ...cluster.clusterDnsDependencies]);
    this.certManager = pinnedHelmRelease(this, "CertManager", {
      chart: Pins.charts.certManager,
      name: "cert-manager",
      namespace: "cert-manager",
      createNamespace: true,
      provider: helm,
      values: { crds: { enabled: true }, nodeSelector: system },
      dependsOn: base,
    });
    this.crds = pinnedHelmRelease(this, "Crds", {
      chart: Pins.charts.kserveCrd,
      name: "kserve-crd",
      namespace: "kserve",
      createNamespace: true,
      provider: helm,
      values: {},
      dependsOn: base,
    });
    this.controller = pinnedHelmRelease(this, "Controller", {
      chart: Pins.charts.kserveResources,
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
      chart: Pins.charts.kserveRuntimeConfigs,
      name: "kserve-runtime-configs",
      namespace: "kserve",
      provider: helm,
      values: { kserve: { servingruntime: { enabled: true } } },
      dependsOn: [this.controller],
    });
  }
}
