// The taint and the label keys the library puts on nodes: what workloads select and tolerate.

/** The taint every GPU node carries, so that only pods asking for GPUs land on them: `nvidia.com/gpu=true:NoSchedule`. */
export class GpuTaint {
  public static readonly KEY = "nvidia.com/gpu";
  public static readonly VALUE = "true";
  /** As the EKS API spells it. */
  public static readonly EFFECT = "NO_SCHEDULE";
  private constructor() {}
}

/** Label keys the library puts on nodes, for node selectors and affinities. */
export class NodeLabels {
  /** The pool name (`system` for the system node group). */
  public static readonly POOL = "cdktf-mlops/pool";
  /** The GPU model, e.g. `A100`. */
  public static readonly GPU_MODEL = "cdktf-mlops/gpu-model";
  /** GPUs per node. */
  public static readonly GPU_COUNT = "cdktf-mlops/gpu-count";
  /** `al2023` or `bottlerocket`. */
  public static readonly AMI_FAMILY = "cdktf-mlops/ami-family";
  /** The label the NVIDIA device plugin's node affinity looks for. */
  public static readonly GPU_PRESENT = "nvidia.com/gpu.present";
  /** The label Cluster Autoscaler reads to know a node's GPUs are still being set up. */
  public static readonly ACCELERATOR = "k8s.amazonaws.com/accelerator";
  /** `true` on nodes of pools with an Elastic Fabric Adapter. */
  public static readonly EFA = "cdktf-mlops/efa";
  private constructor() {}
}
