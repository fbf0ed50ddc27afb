/**
 * The contract between the drift job and the alarms: one namespace, metric names and dimensions,
 * imported by both sides so that they cannot drift apart.
 */
export const DRIFT_NAMESPACE = "cdktf-mlops/Drift";

/** Dimension names: every metric has the endpoint; per-feature metrics also the feature. */
export const DriftDimensions = {
  endpoint: "EndpointName",
  feature: "Feature",
} as const;

/** Per-feature statistics. */
export const FeatureMetrics = {
  /** Population stability index against the baseline (numeric and categorical). */
  psi: "PopulationStabilityIndex",
  /** Kolmogorov-Smirnov distance against the baseline histogram (numeric). */
  ks: "KolmogorovSmirnovDistance",
  /** Jensen-Shannon distance (base 2, 0..1) against the baseline frequencies (categorical). */
  jsDistance: "JensenShannonDistance",
  /** Share of records in which the feature is missing or null. */
  missingRate: "MissingRate",
} as const;

/** Per-endpoint metrics. */
export const EndpointMetrics = {
  /** Records parsed in the window. */
  records: "RecordCount",
  /** 1 when fewer records than the minimum were seen: no distribution statistic is published then. */
  insufficientRecords: "InsufficientRecords",
  /** Fields seen in the payloads that the baseline does not know. */
  fieldsAdded: "SchemaFieldsAdded",
  /** Baseline fields never seen in the payloads. */
  fieldsRemoved: "SchemaFieldsRemoved",
  /** Capture objects or records that could not be parsed. */
  unparseable: "UnparseableRecords",
  /** Watched features the baseline does not have (a typo, an old baseline): their alarms could never fire. */
  unknownFeatures: "UnknownFeatures",
  /** 1 when the run stopped at its time budget before reading every object of the window. */
  windowTruncated: "WindowTruncated",
  /** Capture objects read in the run. */
  objectsRead: "ObjectsRead",
} as const;

/** Capture formats the job reads (the same strings as the library's CaptureFormat). */
export const CaptureFormats = {
  kserve: "kserve-logger-json",
  sagemaker: "sagemaker-data-capture-jsonl",
} as const;
