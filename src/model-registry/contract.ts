// The contract of the model-registry family: the model reference other families consume, what its
// engines build on and what they return. Types only: engines import it, never the construct that uses them.
import type { IConstruct } from "constructs";
import type { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { SagemakerMlflowTrackingServer } from "@cdktf/provider-aws/lib/sagemaker-mlflow-tracking-server";
import type { SagemakerModelPackageGroup } from "@cdktf/provider-aws/lib/sagemaker-model-package-group";
import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { IKmsKeyRef, NamespaceNetworkPolicies, PolicyStatement, RemovalPolicy, SecureBucket } from "../core";

/** What an engine built, as the registry exposes it. */
export interface IRegistryEngineResources {
  /** Where clients reach the registry: the MLflow server's in-cluster URL, or the SageMaker MLflow tracking server ARN. */
  readonly trackingUri?: string;
  /** The SageMaker model package group ARN of a model, with the SageMaker engine. */
  modelPackageGroupArn(model: string): string | undefined;
  /** Statements that let a principal read the registry's engine-specific resources. */
  readonly readStatements: PolicyStatement[];
  /** Statements that let a principal register model versions with the engine. */
  readonly writeStatements: PolicyStatement[];
}

/** A model version as the rest of the platform consumes it, whatever the engine. */
export interface ModelReference {
  /** The model name. */
  readonly modelName: string;
  /** The version, or `latest`. */
  readonly version: string;
  /** `s3://<artifact bucket>/models/<name>/<version>/`: where the version's files are published for serving. */
  readonly artifactS3Uri: string;
  /** The artifact bucket's name. */
  readonly artifactBucketName: string;
  /** The artifact bucket's ARN. */
  readonly artifactBucketArn: string;
  /** The object key prefix of the version (`models/<name>/<version>/`). */
  readonly artifactKeyPrefix: string;
  /** The KMS key ARN of the artifacts. */
  readonly artifactKmsKeyArn: string;
  /** The ECR repository URL of the model's serving images. */
  readonly imageRepositoryUrl: string;
  /** The ECR repository ARN. */
  readonly imageRepositoryArn: string;
  /** The SageMaker model package ARN of the version (SageMaker engine and a numeric version only). */
  readonly modelPackageArn?: string;
  /** `mlflow` or `sagemaker`. */
  readonly engine: string;
}

/** What an engine needs of the registry it builds for (a {@link ModelRegistry}). */
export interface IModelRegistryHost extends IConstruct {
  /** The model names. */
  readonly models: string[];
  /** The artifact bucket. */
  readonly artifactBucket: SecureBucket;
  /** The KMS key of artifacts, images and database. */
  readonly kmsKey: IKmsKeyRef;
  /** The removal policy of the registry's stateful resources. */
  readonly removalPolicy: RemovalPolicy;
}

/** The resources of the MLflow engine, as `registry.mlflow`. */
export interface IMlflowRegistryResources extends IRegistryEngineResources {
  readonly database: DbInstance;
  readonly databaseSecurityGroup: SecurityGroup;
  readonly serverRole: IamRole;
  readonly release: Release;
  readonly namespace: string;
  /** The MLflow URL outside the cluster (`https://<hostname>`), when exposed through a load balancer. */
  readonly externalUrl?: string;
  /** The NetworkPolicies of the MLflow namespace, on a cluster that enforces them. */
  readonly networkPolicies?: NamespaceNetworkPolicies;
}

/** The resources of the SageMaker engine, as `registry.sagemaker`. */
export interface ISageMakerRegistryResources extends IRegistryEngineResources {
  readonly modelPackageGroups: Record<string, SagemakerModelPackageGroup>;
  readonly trackingServer?: SagemakerMlflowTrackingServer;
  readonly trackingServerRole?: IamRole;
}
