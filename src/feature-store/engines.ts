import type { Exposure } from "../core";
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
  /**
   * How callers outside the cluster reach the feature server: `Exposure.internalLoadBalancer(...)` or
   * `Exposure.internetFacingLoadBalancer(...)` (with allowed networks and sign-in) put it behind an
   * Application Load Balancer of its own with TLS, made by the AWS Load Balancer Controller (then
   * installed) from an Ingress that routes only `POST /get-online-features` and `GET /health`: the
   * server's write and materialization paths stay inside the cluster. ALB sign-in (OIDC or Cognito) is a
   * browser redirect, which an API client does not follow: callers of the API belong on an internal
   * load balancer, reached from the networks in `allowedCidrs`. OIDC sign-in needs the store in a stack
   * other than the cluster's in-cluster stack (its ExternalSecret needs the operator's CRDs at plan time).
   * @default Exposure.internalOnly() - the ClusterIP Service `feast-feature-server` only
   */
  readonly exposure?: Exposure;
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
