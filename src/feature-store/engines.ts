import type { ITrainingCluster } from "../training-cluster";

/** Options of the Feast engine. */
export interface FeastEngineOptions {
  /** The cluster the feature server and Feast jobs run on. */
  readonly cluster: ITrainingCluster;
  /**
   * Namespace of the feature server and jobs.
   * @default "feast"
   */
  readonly namespace?: string;
  /**
   * Feature server replicas.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Cron schedule (UTC) of `feast materialize-incremental`, which copies new offline rows to the online store.
   * @default "0 * * * *" (hourly)
   */
  readonly materializationSchedule?: string;
}

/** Options of the SageMaker Feature Store engine. */
export interface SageMakerFeatureEngineOptions {
  /**
   * Online store storage type: `Standard` or `InMemory`.
   * @default "Standard"
   */
  readonly onlineStorageType?: string;
  /**
   * Table format of the offline store: `Glue` or `Iceberg`.
   * @default "Glue"
   */
  readonly offlineTableFormat?: string;
}
