// The contract of the feature-store family: what its engines build on and what they return. Types
// only: engines import it, never the construct that uses them.
import type { IConstruct } from "constructs";
import type { AthenaWorkgroup } from "@cdktf/provider-aws/lib/athena-workgroup";
import type { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import type { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import type { GlueCatalogTable } from "@cdktf/provider-aws/lib/glue-catalog-table";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { SagemakerFeatureGroup } from "@cdktf/provider-aws/lib/sagemaker-feature-group";
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { IngressV1 } from "@cdktf/provider-kubernetes/lib/ingress-v1";
import type { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import type { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import type { IKmsKeyRef, NamespaceNetworkPolicies, PolicyStatement, RemovalPolicy, SecureBucket } from "../core";
import type { FeatureGroupDefinition } from "./feature-types";

/** What an engine built, as the feature store exposes it. */
export interface FeatureEngineResources {
  /** Statements that let a principal read features online. */
  readonly readOnlineStatements: PolicyStatement[];
  /** Statements that let a principal write features (online and offline). */
  readonly ingestStatements: PolicyStatement[];
}

/** What an engine needs of the feature store it builds for (a {@link FeatureStore}). */
export interface IFeatureStoreHost extends IConstruct {
  /** The declared feature groups, validated. */
  readonly featureGroups: FeatureGroupDefinition[];
  /** The KMS key of the store's data. */
  readonly kmsKey: IKmsKeyRef;
  /** The removal policy of the store's data. */
  readonly removalPolicy: RemovalPolicy;
  /** The offline store's bucket. */
  readonly offlineBucket: SecureBucket;
}

/** The resources of the Feast engine, as `store.feast`. */
export interface FeastEngineResources extends FeatureEngineResources {
  readonly project: string;
  readonly onlineTables: Record<string, DynamodbTable>;
  readonly glueDatabase: GlueCatalogDatabase;
  readonly glueTables: Record<string, GlueCatalogTable>;
  readonly workgroup: AthenaWorkgroup;
  readonly serverRole: IamRole;
  readonly jobRole: IamRole;
  readonly applyJob: JobV1;
  readonly materializeCronJob: CronJobV1;
  readonly release: Release;
  /** The NetworkPolicies of the Feast namespace, on a cluster that enforces them. */
  readonly networkPolicies?: NamespaceNetworkPolicies;
  /** The feature server's URL behind its load balancer (`https://<hostname>`), when exposed. */
  readonly externalUrl?: string;
  /** The Ingress the load balancer controller makes the ALB from, when exposed. */
  readonly ingress?: IngressV1;
}

/** The resources of the SageMaker engine, as `store.sagemaker`. */
export interface SageMakerFeatureResources extends FeatureEngineResources {
  readonly featureGroups: Record<string, SagemakerFeatureGroup>;
  readonly ingestionRole: IamRole;
}
