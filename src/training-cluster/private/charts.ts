import { PinnedChart } from "../../core";

/**
 * Pinned charts of the training cluster. Each version's values keys were read from that version's
 * values.yaml; change a version only after reading the new one.
 */
export const Charts = {
  /** NVIDIA device plugin 0.20.0 (image nvcr.io/nvidia/k8s-device-plugin:v0.20.0). */
  nvidiaDevicePlugin: {
    repository: "https://nvidia.github.io/k8s-device-plugin",
    chart: "nvidia-device-plugin",
    version: "0.20.0",
  },
  /** cluster-autoscaler chart 9.59.0 (its own image v1.35.0; the image tag is set per Kubernetes minor). */
  clusterAutoscaler: {
    repository: "https://kubernetes.github.io/autoscaler",
    chart: "cluster-autoscaler",
    version: "9.59.0",
  },
  /**
   * AWS EFA device plugin chart v0.5.30 (plugin v0.5.20), which exposes `vpc.amazonaws.com/efa` on
   * EFA-capable instance types (its own affinity lists them).
   */
  efaDevicePlugin: {
    repository: "https://aws.github.io/eks-charts",
    chart: "aws-efa-k8s-device-plugin",
    version: "v0.5.30",
  },
  /** metrics-server chart 3.13.1 (metrics-server 0.8.1). */
  metricsServer: {
    repository: "https://kubernetes-sigs.github.io/metrics-server/",
    chart: "metrics-server",
    version: "3.13.1",
  },
} as const satisfies Record<string, PinnedChart>;

/**
 * Kubernetes versions this release of the library supports, with the Cluster Autoscaler release
 * of the same minor (the autoscaler's minor must match the cluster's) and the end of EKS standard
 * support. A version past standard support needs `upgradeSupportType: EXTENDED`.
 */
export const KUBERNETES_VERSIONS: Record<string, { clusterAutoscalerImageTag: string; standardSupportEnds: string }> = {
  "1.33": { clusterAutoscalerImageTag: "v1.33.6", standardSupportEnds: "2026-07-29" },
  "1.34": { clusterAutoscalerImageTag: "v1.34.5", standardSupportEnds: "2026-12-02" },
  "1.35": { clusterAutoscalerImageTag: "v1.35.2", standardSupportEnds: "2027-03-27" },
  "1.36": { clusterAutoscalerImageTag: "v1.36.1", standardSupportEnds: "2027-08-02" },
};

/** Versions already past EKS standard support when this release was made. */
export const EXTENDED_ONLY_VERSIONS = ["1.33"];

/** The newest Kubernetes version in EKS standard support when this release was made. */
export const DEFAULT_KUBERNETES_VERSION = "1.36";

/** Cluster-wide operators the data and serving constructs install on first need. */
export const OperatorCharts = {
  /** External Secrets Operator 2.9.0 (API external-secrets.io/v1). */
  externalSecrets: {
    repository: "https://charts.external-secrets.io",
    chart: "external-secrets",
    version: "2.9.0",
  },
  /** Stakater Reloader chart 2.2.16 (Reloader v1.4.21): restarts workloads when a Secret they name changes. */
  reloader: {
    repository: "https://stakater.github.io/stakater-charts",
    chart: "reloader",
    version: "2.2.16",
  },
} as const satisfies Record<string, PinnedChart>;
