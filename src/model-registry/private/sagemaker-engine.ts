import { Construct } from "constructs";
import { z } from "zod";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { SagemakerMlflowTrackingServer } from "@cdktf/provider-aws/lib/sagemaker-mlflow-tracking-server";
import { SagemakerModelPackageGroup } from "@cdktf/provider-aws/lib/sagemaker-model-package-group";
import { SagemakerModelPackageGroupPolicy } from "@cdktf/provider-aws/lib/sagemaker-model-package-group-policy";
import {
  check,
  claimUniqueName,
  componentTags,
  createRole,
  fitName,
  MlopsStack,
  NameRules,
  physicalName,
  policyDocument,
  validateProps,
} from "../../core";
import type { SageMakerRegistryOptions } from "../engines";
import type { IModelRegistryHost, ISageMakerRegistryResources } from "../contract";
import type { ShapeOf } from "../../core";

const schema = z
  .object({
    crossAccountReadAccountIds: z.array(check.matching(/^\d{12}$/, "must be a 12-digit AWS account id")).optional(),
    mlflowTrackingServer: z.boolean().optional(),
    trackingServerSize: z.enum(["Small", "Medium", "Large"], { message: "must be Small, Medium or Large" }).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.trackingServerSize && !p.mlflowTrackingServer) {
      ctx.addIssue({ code: "custom", path: ["trackingServerSize"], message: "needs mlflowTrackingServer: true" });
    }
  }) satisfies ShapeOf<SageMakerRegistryOptions>;

/** Checks the options, naming the registry's path in any error. */
export function validateSageMakerOptions(owner: Construct, options: SageMakerRegistryOptions) {
  return validateProps(owner, "RegistryEngine.sagemaker", schema, options);
}

/** Builds the engine under `registry`. */
export function bindSageMakerEngine(registry: IModelRegistryHost, options: SageMakerRegistryOptions): ISageMakerRegistryResources {
  const o = validateSageMakerOptions(registry, options);
  const scope = new Construct(registry, "SageMaker");
  const stack = MlopsStack.of(scope);
  const tags = componentTags("model-registry");
  const groups: Record<string, SagemakerModelPackageGroup> = {};
  const arnBase = `arn:${stack.partition}:sagemaker:${stack.region}:${stack.accountId}`;

  for (const model of registry.models) {
    // Model package group names: 63 characters, unique per region (a second registry of the platform
    // with the same model, in another stack, gets its stack id in the name).
    const rule = { maxLength: 63, allowed: /[A-Za-z0-9-]/, lowercase: false };
    const name = claimUniqueName(scope, `sagemaker-model-package-group:${stack.region}`, fitName(`${stack.platformName}-${model}`, rule), (stackId) =>
      fitName(`${stack.platformName}-${stackId}-${model}`, rule),
    );
    const group = new SagemakerModelPackageGroup(scope, `Group-${model}`, {
      modelPackageGroupName: name,
      modelPackageGroupDescription: `Versions of the ${model} model (cdktf-mlops)`,
      tags,
    });
    groups[model] = group;
    if (o.crossAccountReadAccountIds?.length) {
      const doc = policyDocument(scope, `Group-${model}-PolicyDocument`, [
        {
          sid: "CrossAccountReadOfModelVersions",
          principals: [{ type: "AWS", identifiers: o.crossAccountReadAccountIds.map((a) => `arn:${stack.partition}:iam::${a}:root`) }],
          actions: ["sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"],
          resources: [group.arn, `${arnBase}:model-package/${name}/*`],
        },
      ]);
      new SagemakerModelPackageGroupPolicy(scope, `Group-${model}-Policy`, {
        modelPackageGroupName: group.modelPackageGroupName,
        resourcePolicy: doc.json,
      });
    }
  }

  let trackingServer: SagemakerMlflowTrackingServer | undefined;
  let trackingServerRole: IamRole | undefined;
  if (o.mlflowTrackingServer) {
    const bucketArn = registry.artifactBucket.bucketArn;
    trackingServerRole = createRole(scope, "TrackingServerRole", {
      name: physicalName(scope, stack.platformName, NameRules.iamRole, "mlflow"),
      trust: { services: ["sagemaker.amazonaws.com"] },
      statements: [
        {
          sid: "ListTheArtifactPrefix",
          actions: ["s3:ListBucket", "s3:GetBucketLocation"],
          resources: [bucketArn],
        },
        {
          sid: "ReadWriteMlflowArtifacts",
          actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
          resources: [`${bucketArn}/mlflow/*`],
        },
        { sid: "UseTheArtifactKey", actions: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], resources: [registry.kmsKey.arn] },
      ],
      tags,
    }).role;
    trackingServer = new SagemakerMlflowTrackingServer(scope, "TrackingServer", {
      trackingServerName: fitName(`${stack.platformName}-${registry.node.id}`, { maxLength: 256, allowed: /[a-zA-Z0-9-]/, lowercase: false }),
      artifactStoreUri: `s3://${registry.artifactBucket.bucketName}/mlflow`,
      roleArn: trackingServerRole.arn,
      trackingServerSize: o.trackingServerSize ?? "Small",
      // Automatic registration would sync a model `fraud` into a group `fraud-<hash of the server name>`
      // that SageMaker creates: not the group `<platform>-fraud` that model() and the endpoints read.
      // Versions are registered into the registry's groups instead (grantWrite), so the server needs
      // no SageMaker permission at all.
      automaticModelRegistration: false,
      tags,
    });
  }

  const groupArns = Object.values(groups).map((g) => g.arn);
  const packageArns = registry.models.map((m) => `${arnBase}:model-package/${stack.platformName}-${m}/*`);
  return {
    trackingUri: trackingServer?.arn,
    modelPackageGroupArn: (model: string) => groups[model]?.arn,
    readStatements:
      groupArns.length === 0
        ? []
        : [
            {
              sid: "ReadModelVersions",
              actions: ["sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"],
              resources: [...groupArns, ...packageArns],
            },
          ],
    writeStatements:
      groupArns.length === 0
        ? []
        : [
            {
              sid: "RegisterModelVersions",
              actions: ["sagemaker:CreateModelPackage", "sagemaker:UpdateModelPackage"],
              resources: [...groupArns, ...packageArns],
            },
          ],
    modelPackageGroups: groups,
    trackingServer,
    trackingServerRole,
  };
}
