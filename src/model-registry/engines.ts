import type { Exposure } from "../core";
import type { ITrainingCluster } from "../training-cluster";

/** Options of the MLflow registry engine. */
export interface MlflowRegistryOptions {
  /** The cluster MLflow runs on. */
  readonly cluster: ITrainingCluster;
  /**
   * Namespace of the MLflow server.
   * @default "mlflow"
   */
  readonly namespace?: string;
  /**
   * MLflow server replicas.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * RDS instance class of the backend store.
   * @default "db.t4g.medium"
   */
  readonly databaseInstanceClass?: string;
  /**
   * PostgreSQL major version of the backend store (RDS picks the newest minor and upgrades minors).
   * @default "17"
   */
  readonly postgresVersion?: string;
  /**
   * Run the database in two availability zones.
   * @default false
   */
  readonly multiAz?: boolean;
  /**
   * Days of automated backups (at least 7).
   * @default 7
   */
  readonly backupRetentionDays?: number;
  /**
   * Initial storage, GiB (storage autoscaling grows it up to `maxAllocatedStorageGiB`).
   * @default 20
   */
  readonly allocatedStorageGiB?: number;
  /**
   * Most storage autoscaling may grow to, GiB.
   * @default 200
   */
  readonly maxAllocatedStorageGiB?: number;
  /**
   * How the MLflow UI and API are reached from outside the cluster: `Exposure.internalLoadBalancer(...)`
   * or `Exposure.internetFacingLoadBalancer(...)` (with allowed networks and sign-in) put them behind an
   * Application Load Balancer with TLS, made by the AWS Load Balancer Controller, which is then installed.
   * @default Exposure.internalOnly() - the ClusterIP Service only
   */
  readonly exposure?: Exposure;
}

/** Options of the SageMaker registry engine. */
export interface SageMakerRegistryOptions {
  /**
   * Accounts allowed to read the model package groups (describe and list versions), e.g. a
   * production account that deploys what this account registers.
   * @default - none
   */
  readonly crossAccountReadAccountIds?: string[];
  /**
   * Also run a SageMaker managed MLflow tracking server on the artifact bucket.
   * @default false
   */
  readonly mlflowTrackingServer?: boolean;
  /**
   * Size of the managed tracking server: `Small`, `Medium` or `Large`.
   * @default "Small"
   */
  readonly trackingServerSize?: string;
}
