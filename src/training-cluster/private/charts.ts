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
