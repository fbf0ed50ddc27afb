// The public API. Shared mechanics (naming, validation, IAM and Helm helpers) stay internal to
// src/core, so that the API remains jsii-compatible: classes, interfaces and enums only.
export { MlopsStack, RemovalPolicy, MlopsValidationError, SecureBucket, RoleRef, KmsKeyRef, Exposure, SignIn } from "./core";
export type {
  MlopsStackProps,
  S3StateBackendOptions,
  SecureBucketProps,
  IClusterEndpoint,
  ClusterProviders,
  PolicyStatement,
  PolicyPrincipal,
  PolicyCondition,
  IRoleRef,
  IKmsKeyRef,
  LoadBalancerExposureOptions,
  OidcSignInOptions,
  CognitoSignInOptions,
  NamespaceNetworkPolicies,
} from "./core";
export * from "./network";
export * from "./training-cluster";
export * from "./model-registry";
export * from "./feature-store";
export * from "./serving-endpoint";
export * from "./drift-alarm";
export * from "./guardrails";
export * from "./observability";
