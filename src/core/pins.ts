import { PinnedChart } from "./helm";

/**
 * Every chart and image version the library pins, in one table. Each chart's values keys were read
 * from that version's `values.yaml`; change a version only after reading the new one. The README names
 * these versions, and a test holds it to this table.
 */
export const Pins = {
  charts: {
    /** NVIDIA device plugin 0.20.0 (image nvcr.io/nvidia/k8s-device-plugin:v0.20.0). */
    nvidiaDevicePlugin: { repository: "https://nvidia.github.io/k8s-device-plugin", chart: "nvidia-device-plugin", version: "0.20.0" },
    /** cluster-autoscaler chart 9.59.0 (its own image v1.35.0; the image tag is set per Kubernetes minor). */
    clusterAutoscaler: { repository: "https://kubernetes.github.io/autoscaler", chart: "cluster-autoscaler", version: "9.59.0" },
    /**
     * AWS EFA device plugin chart v0.5.30 (plugin v0.5.20), which exposes `vpc.amazonaws.com/efa` on
     * EFA-capable instance types (its own affinity lists them).
     */
    efaDevicePlugin: { repository: "https://aws.github.io/eks-charts", chart: "aws-efa-k8s-device-plugin", version: "v0.5.30" },
    /** metrics-server chart 3.13.1 (metrics-server 0.8.1). */
    metricsServer: { repository: "https://kubernetes-sigs.github.io/metrics-server/", chart: "metrics-server", version: "3.13.1" },
    /** External Secrets Operator 2.9.0 (API external-secrets.io/v1). */
    externalSecrets: { repository: "https://charts.external-secrets.io", chart: "external-secrets", version: "2.9.0" },
    /**
     * AWS Load Balancer Controller chart 3.5.0 (controller v3.5.0); values keys read from that version's
     * values.yaml (aws/eks-charts stable/aws-load-balancer-controller); its IAM policy is the controller's
     * docs/install/iam_policy.json at tag v3.5.0, kept in src/training-cluster/private/data.
     */
    awsLoadBalancerController: { repository: "https://aws.github.io/eks-charts", chart: "aws-load-balancer-controller", version: "3.5.0" },
    /** Stakater Reloader chart 2.2.16 (Reloader v1.4.21): restarts workloads when a Secret they name changes. */
    reloader: { repository: "https://stakater.github.io/stakater-charts", chart: "reloader", version: "2.2.16" },
    /**
     * Karpenter 1.14.1 (controller public.ecr.aws/karpenter/controller:1.14.1); values keys read from that
     * release's charts/karpenter/values.yaml (aws/karpenter-provider-aws), NodePool and EC2NodeClass fields
     * from its CRDs (karpenter.sh/v1, karpenter.k8s.aws/v1, tag v1.14.1).
     */
    karpenter: { repository: "oci://public.ecr.aws/karpenter", chart: "karpenter", version: "1.14.1" },
    /** Karpenter 1.14.1 CRDs, in a release of their own so that an upgrade of the pin upgrades them (Helm leaves a chart's crds/ alone). */
    karpenterCrd: { repository: "oci://public.ecr.aws/karpenter", chart: "karpenter-crd", version: "1.14.1" },
    /** cert-manager v1.21.1, which KServe's webhooks need for their certificates. */
    certManager: { repository: "https://charts.jetstack.io", chart: "cert-manager", version: "v1.21.1" },
    /** KServe v0.20.0 CRDs (OCI, `v`-prefixed versions); values keys read from that tag's values.yaml. */
    kserveCrd: { repository: "oci://ghcr.io/kserve/charts", chart: "kserve-crd", version: "v0.20.0" },
    /** KServe v0.20.0 controller. */
    kserveResources: { repository: "oci://ghcr.io/kserve/charts", chart: "kserve-resources", version: "v0.20.0" },
    /** KServe v0.20.0 serving runtimes. */
    kserveRuntimeConfigs: { repository: "oci://ghcr.io/kserve/charts", chart: "kserve-runtime-configs", version: "v0.20.0" },
    /** community-charts mlflow 1.11.5 (MLflow 3.15.1); values keys read from that version's values.yaml. */
    mlflow: { repository: "https://community-charts.github.io/helm-charts", chart: "mlflow", version: "1.11.5" },
    /** Official feast-feature-server chart 0.66.0; values keys read from that version's values.yaml. */
    feastFeatureServer: { repository: "https://feast-helm-charts.storage.googleapis.com", chart: "feast-feature-server", version: "0.66.0" },
    /**
     * NVIDIA DCGM exporter chart 4.8.2 (image nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless); values keys
     * read from that version's deployment/values.yaml (NVIDIA/dcgm-exporter tag 4.5.3-4.8.2).
     */
    dcgmExporter: { repository: "https://nvidia.github.io/dcgm-exporter/helm-charts", chart: "dcgm-exporter", version: "4.8.2" },
  },
  images: {
    /** The Feast feature server image of the chart's release, which carries the `feast` CLI with the AWS extras. */
    feastFeatureServer: "quay.io/feastdev/feature-server:0.66.0",
  },
} as const satisfies { charts: Record<string, PinnedChart>; images: Record<string, string> };
