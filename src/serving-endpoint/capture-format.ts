/** The format in which an endpoint captures request and response payloads. */
export enum CaptureFormat {
  /** KServe's logger: one JSON object per request or response (CloudEvents attributes and body). */
  KSERVE_LOGGER_JSON = "kserve-logger-json",
  /** SageMaker data capture: JSON lines, one record per invocation with `captureData.endpointInput/Output`. */
  SAGEMAKER_DATA_CAPTURE_JSONL = "sagemaker-data-capture-jsonl",
}
