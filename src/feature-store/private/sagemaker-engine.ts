import { Construct } from "constructs";
import { z } from "zod";
import { SagemakerFeatureGroup } from "@cdktf/provider-aws/lib/sagemaker-feature-group";
import { applyRemovalPolicy, claimUniqueName, componentTags, createRole, fitName, MlopsStack, NameRules, validateProps } from "../../core";
import type { SageMakerFeatureEngineOptions } from "../engines";
import type { IFeatureStoreHost, SageMakerFeatureResources } from "../contract";
import { FeatureGroupDefinition, FeatureGroupIssue, FeatureType } from "../feature-types";
import type { ShapeOf } from "../../core";

/** SageMaker Feature Store type of each feature type; `Bool` has none. */
export const SAGEMAKER_TYPES: Partial<Record<FeatureType, string>> = {
  [FeatureType.STRING]: "String",
  [FeatureType.INT32]: "Integral",
  [FeatureType.INT64]: "Integral",
  [FeatureType.FLOAT32]: "Fractional",
  [FeatureType.FLOAT64]: "Fractional",
  [FeatureType.UNIX_TIMESTAMP]: "Fractional",
};

/** Feature names SageMaker adds to every offline record. */
export const SAGEMAKER_RESERVED = ["is_deleted", "write_time", "api_invocation_time"];

/** The Glue database in which SageMaker creates the tables of offline stores. */
const SAGEMAKER_GLUE_DATABASE = "sagemaker_featurestore";

const GROUP_NAME = /^[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,38}$/;
const FEATURE_NAME = /^[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}$/;

/** SageMaker's rules over the declarations: naming, reserved names, known types. */
export function checkSageMakerGroups(groups: FeatureGroupDefinition[]): FeatureGroupIssue[] {
  const issues: FeatureGroupIssue[] = [];
  groups.forEach((g, i) => {
    if (!GROUP_NAME.test(g.name)) {
      issues.push({
        path: [i, "name"],
        message: "must be 1-39 letters, digits, '-' and '_', starting and ending with a letter or digit (the platform name is prefixed)",
      });
    }
    g.features.forEach((f, j) => {
      if (!FEATURE_NAME.test(f.name)) {
        issues.push({
          path: [i, "features", j, "name"],
          message: "must be 1-64 letters, digits, '-' and '_', starting and ending with a letter or digit",
        });
      }
      if (SAGEMAKER_RESERVED.includes(f.name.toLowerCase())) {
        issues.push({ path: [i, "features", j, "name"], message: `is reserved by SageMaker Feature Store (${SAGEMAKER_RESERVED.join(", ")})` });
      }
      if (!SAGEMAKER_TYPES[f.type]) {
        issues.push({ path: [i, "features", j, "type"], message: "is not a SageMaker Feature Store type: use INT32 (Integral) for flags" });
      }
    });
  });
  return issues;
}

const schema = z
  .object({
    onlineStorageType: z.enum(["Standard", "InMemory"], { message: "must be Standard or InMemory" }).optional(),
    offlineTableFormat: z.enum(["Glue", "Iceberg"], { message: "must be Glue or Iceberg" }).optional(),
  })
  .strict() satisfies ShapeOf<SageMakerFeatureEngineOptions>;

/** Checks the options, naming the feature store's path in any error. */
export function validateSageMakerFeatureOptions(owner: Construct, options: SageMakerFeatureEngineOptions) {
  return validateProps(owner, "FeatureEngine.sagemaker", schema, options);
}

/** Builds SageMaker feature groups under `store`. */
export function bindSageMakerFeatureEngine(store: IFeatureStoreHost, options: SageMakerFeatureEngineOptions): SageMakerFeatureResources {
  const o = validateSageMakerFeatureOptions(store, options);
  const scope = new Construct(store, "SageMaker");
  const stack = MlopsStack.of(scope);
  const tags = componentTags("feature-store");
  const key = store.kmsKey;
  const bucketArn = store.offlineBucket.bucketArn;
  const iceberg = (o.offlineTableFormat ?? "Glue") === "Iceberg" && store.featureGroups.some((g) => g.offline);
  const glueArn = `arn:${stack.partition}:glue:${stack.region}:${stack.accountId}`;

  // The role SageMaker uses to write the offline store: that prefix and the key, nothing else.
  // SageMaker creates the Glue tables of the offline store itself; Terraform does not.
  const ingestionRole = createRole(scope, "OfflineStoreRole", {
    name: fitName(`${stack.platformName}-${store.node.id}-feature-store`, NameRules.iamRole),
    trust: { services: ["sagemaker.amazonaws.com"] },
    statements: [
      { sid: "CheckTheOfflineBucket", actions: ["s3:GetBucketAcl", "s3:GetBucketLocation", "s3:ListBucket"], resources: [bucketArn] },
      { sid: "WriteTheOfflineStore", actions: ["s3:PutObject", "s3:GetObject", "s3:PutObjectAcl"], resources: [`${bucketArn}/offline/*`] },
      { sid: "EncryptWithTheStoreKey", actions: ["kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"], resources: [key.arn] },
      // An Iceberg offline store commits each write to its Glue table, which SageMaker creates in the
      // sagemaker_featurestore database (as the AmazonSageMakerFeatureStoreAccess managed policy grants).
      ...(iceberg
        ? [
            {
              sid: "CommitIcebergTables",
              actions: ["glue:GetTable", "glue:UpdateTable"],
              resources: [`${glueArn}:catalog`, `${glueArn}:database/${SAGEMAKER_GLUE_DATABASE}`, `${glueArn}:table/${SAGEMAKER_GLUE_DATABASE}/*`],
            },
          ]
        : []),
    ],
    tags,
  }).role;

  const featureGroups: Record<string, SagemakerFeatureGroup> = {};
  for (const g of store.featureGroups) {
    const group = new SagemakerFeatureGroup(scope, `Group-${g.name}`, {
      // Feature group names are unique per region: a second store of the platform with the same group gets its stack id.
      featureGroupName: claimUniqueName(store, `sagemaker-feature-group:${stack.region}:${g.name}`, `${stack.platformName}-${g.name}`, (stackId) =>
        fitName(`${stack.platformName}-${stackId}-${g.name}`, { maxLength: 64, allowed: /[A-Za-z0-9-]/, lowercase: false }),
      ),
      description: g.description,
      recordIdentifierFeatureName: g.recordIdentifier,
      eventTimeFeatureName: g.eventTimeFeature,
      roleArn: ingestionRole.arn,
      featureDefinition: g.features.map((f) => ({ featureName: f.name, featureType: SAGEMAKER_TYPES[f.type]! })),
      onlineStoreConfig: g.online
        ? {
            enableOnlineStore: true,
            storageType: o.onlineStorageType ?? "Standard",
            securityConfig: { kmsKeyId: key.arn },
            ttlDuration: g.ttlDays ? { unit: "Days", value: g.ttlDays } : undefined,
          }
        : undefined,
      offlineStoreConfig: g.offline
        ? {
            s3StorageConfig: { s3Uri: `s3://${store.offlineBucket.bucketName}/offline`, kmsKeyId: key.arn },
            disableGlueTableCreation: false,
            tableFormat: o.offlineTableFormat ?? "Glue",
          }
        : undefined,
      tags,
    });
    // A feature group holds records: replacing or deleting it loses them.
    applyRemovalPolicy(group, store.removalPolicy);
    featureGroups[g.name] = group;
  }

  const arns = Object.values(featureGroups).map((g) => g.arn);
  const onlineArns = store.featureGroups.filter((g) => g.online).map((g) => featureGroups[g.name].arn);
  return {
    readOnlineStatements: [
      ...(onlineArns.length
        ? [{ sid: "ReadOnlineRecords", actions: ["sagemaker:GetRecord", "sagemaker:BatchGetRecord"], resources: onlineArns }]
        : []),
      { sid: "DecryptWithTheStoreKey", actions: ["kms:Decrypt", "kms:DescribeKey"], resources: [key.arn] },
    ],
    ingestStatements: [
      {
        sid: "IngestRecords",
        actions: ["sagemaker:PutRecord", "sagemaker:DeleteRecord", "sagemaker:GetRecord", "sagemaker:DescribeFeatureGroup"],
        resources: arns,
      },
      { sid: "UseTheStoreKey", actions: ["kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"], resources: [key.arn] },
    ],
    featureGroups,
    ingestionRole,
  };
}
