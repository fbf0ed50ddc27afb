// The contract of the feature-store family: what its engines build on and what they return. Types
// only: engines import it, never the construct that uses them.
import type { IConstruct } from "constructs";
import type { IKmsKeyRef, PolicyStatement, RemovalPolicy, SecureBucket } from "../core";
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
