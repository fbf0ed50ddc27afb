// The contract of the drift-alarm family: the options its private builders share. Types only.

/**
 * SageMaker Model Monitor in place of the shipped drift job, for accounts that already use it (it is
 * closed to new AWS customers). SageMaker endpoints only.
 */
export interface ModelMonitorOptions {
  /** The `sagemaker-model-monitor-analyzer` image of the endpoint's region (AWS publishes one per region). */
  readonly imageUri: string;
  /** `constraints.json` of a Model Monitor baselining job. */
  readonly baselineConstraintsS3Uri: string;
  /** `statistics.json` of that baselining job. */
  readonly baselineStatisticsS3Uri: string;
  /**
   * Instance type of the monitoring job.
   * @default "ml.m5.xlarge"
   */
  readonly instanceType?: string;
}
