import { Construct } from "constructs";
import { z } from "zod";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import {
  applyRemovalPolicy,
  check,
  claimUniqueName,
  componentTags,
  ECR_LOGIN_STATEMENT,
  fail,
  grantOnce,
  IKmsKeyRef,
  IRoleRef,
  isKmsKeyRef,
  MlopsStack,
  PolicyStatement,
  RemovalPolicy,
  SecureBucket,
  validateProps,
} from "../core";
import { registerManifest } from "../core/manifest";
import type { IModelRegistryHost, IRegistryEngineResources, IMlflowRegistryResources, ModelReference, ISageMakerRegistryResources } from "./contract";
import type { MlflowRegistryOptions, SageMakerRegistryOptions } from "./engines";
import { bindMlflowEngine, validateMlflowOptions } from "./private/mlflow-engine";
import { bindSageMakerEngine, validateSageMakerOptions } from "./private/sagemaker-engine";
import type { ShapeOf } from "../core";

/**
 * Which service keeps the registry: MLflow on the training cluster, or SageMaker's model registry.
 * Build one with {@link RegistryEngine.mlflow} or {@link RegistryEngine.sagemaker}.
 */
export class RegistryEngine {
  /** MLflow on EKS with an RDS PostgreSQL backend and proxied S3 artifacts. */
  public static mlflow(options: MlflowRegistryOptions): RegistryEngine {
    return new RegistryEngine(
      "mlflow",
      (owner) => validateMlflowOptions(owner, options),
      (registry) => bindMlflowEngine(registry, options),
    );
  }

  /** SageMaker model package groups, optionally with a SageMaker managed MLflow tracking server. */
  public static sagemaker(options: SageMakerRegistryOptions = {}): RegistryEngine {
    return new RegistryEngine(
      "sagemaker",
      (owner) => validateSageMakerOptions(owner, options),
      (registry) => bindSageMakerEngine(registry, options),
    );
  }

  private constructor(
    /** `mlflow` or `sagemaker`. */
    public readonly kind: string,
    private readonly validator: (owner: Construct) => unknown,
    private readonly binder: (registry: ModelRegistry) => IRegistryEngineResources,
  ) {}

  /** Checks the engine's options for `owner`, before anything is built; throws MlopsValidationError. */
  public validate(owner: Construct): void {
    this.validator(owner);
  }

  /** Builds the engine's resources under `registry`. */
  public bind(registry: ModelRegistry): IRegistryEngineResources {
    return this.binder(registry);
  }
}

/** Props of {@link ModelRegistry}. */
export interface ModelRegistryProps {
  /** The engine: `RegistryEngine.mlflow({ cluster })` or `RegistryEngine.sagemaker()`. */
  readonly engine: RegistryEngine;
  /**
   * Model names: each gets an ECR repository for its serving images (and, with SageMaker, a model
   * package group). Lowercase letters, digits and `-`, at most 48 characters.
   * @default - none
   */
  readonly models?: string[];
  /**
   * KMS key of the artifacts, images and database.
   * @default - the stack's platform key
   */
  readonly kmsKey?: IKmsKeyRef;
  /**
   * Tagged images kept per repository; older ones expire.
   * @default 100
   */
  readonly imageRetentionCount?: number;
  /**
   * Days after which noncurrent versions of artifact objects are deleted.
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * What happens to the bucket, repositories and database when they are removed from the code.
   * @default - the stack's removal policy (RETAIN)
   */
  readonly removalPolicy?: RemovalPolicy;
}

const MODEL_NAME = /^[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?$/;

const schema = z
  .object({
    engine: z.custom<RegistryEngine>((e) => e instanceof RegistryEngine, {
      message: "must be RegistryEngine.mlflow({ cluster }) or RegistryEngine.sagemaker()",
    }),
    models: check
      .synthTime(
        z.array(check.matching(MODEL_NAME, "must be lowercase letters, digits and '-', at most 48 characters")),
        "each model gets its own repository and names",
      )
      .refine((m) => new Set(m).size === m.length, { message: "must not name a model twice" })
      .optional(),
    kmsKey: z.custom<IKmsKeyRef>((k) => isKmsKeyRef(k), { message: "must be a KmsKey or KmsKeyRef.fromKeyArn(arn)" }).optional(),
    imageRetentionCount: check.int(1, 10000).optional(),
    noncurrentVersionExpirationDays: check.int(1, 3650).optional(),
    removalPolicy: z.enum(RemovalPolicy).optional(),
  })
  .strict() satisfies ShapeOf<ModelRegistryProps>;

/**
 * A model registry: an artifact bucket, an ECR repository per model for serving images, and an
 * engine (MLflow on EKS, or SageMaker) that records model versions. `model(name, version)` hands
 * a version to a serving endpoint, whatever the engine.
 */
export class ModelRegistry extends Construct implements IModelRegistryHost {
  /** The artifact bucket. */
  public readonly artifactBucket: SecureBucket;
  /** ECR repositories by model name. */
  public readonly repositories: Record<string, EcrRepository> = {};
  /** The engine name. */
  public readonly engineKind: string;
  /** What the engine built. */
  public readonly engineResources: IRegistryEngineResources;
  /** The KMS key of artifacts, images and database. */
  public readonly kmsKey: IKmsKeyRef;
  /** The removal policy of the registry's stateful resources. */
  public readonly removalPolicy: RemovalPolicy;
  /** The model names. */
  public readonly models: string[];

  constructor(scope: Construct, id: string, props: ModelRegistryProps) {
    super(scope, id);
    const p = validateProps(this, "ModelRegistry", schema, props);
    p.engine.validate(this);
    const stack = MlopsStack.of(this);
    this.kmsKey = p.kmsKey ?? stack.kmsKey;
    this.removalPolicy = p.removalPolicy ?? stack.removalPolicy;
    this.models = p.models ?? [];
    this.engineKind = p.engine.kind;
    const tags = componentTags("model-registry");
    registerManifest(this, "ModelRegistry", { engine: this.engineKind, models: this.models, removalPolicy: this.removalPolicy });

    this.artifactBucket = new SecureBucket(this, "Artifacts", {
      component: "model-registry",
      kmsKey: this.kmsKey,
      noncurrentVersionExpirationDays: p.noncurrentVersionExpirationDays,
      removalPolicy: this.removalPolicy,
    });

    const keep = p.imageRetentionCount ?? 100;
    for (const model of this.models) {
      const repo = new EcrRepository(this, `Repository-${model}`, {
        // Repository names are unique per region: a second registry of the platform with the same model gets its stack id.
        name: claimUniqueName(
          this,
          `ecr:${stack.region}`,
          `${stack.platformName}/${model}`,
          (stackId) => `${stack.platformName}/${stackId}/${model}`,
        ),
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        // Replaces the repository when changed: set once, at creation.
        encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: this.kmsKey.arn }],
        forceDelete: false,
        tags,
      });
      applyRemovalPolicy(repo, this.removalPolicy);
      new EcrLifecyclePolicy(this, `Repository-${model}-Lifecycle`, {
        repository: repo.name,
        policy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: "Expire untagged images after 7 days",
              selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
              action: { type: "expire" },
            },
            {
              rulePriority: 2,
              description: `Keep the newest ${keep} images`,
              selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
              action: { type: "expire" },
            },
          ],
        }),
      });
      this.repositories[model] = repo;
    }

    this.engineResources = p.engine.bind(this);
  }

  /** The model package group ARN of `model` (SageMaker engine only). */
  /** What the MLflow engine built (database, server role, release), with that engine. */
  public get mlflow(): IMlflowRegistryResources | undefined {
    return this.engineKind === "mlflow" ? (this.engineResources as IMlflowRegistryResources) : undefined;
  }

  /** What the SageMaker engine built (model package groups, tracking server), with that engine. */
  public get sagemaker(): ISageMakerRegistryResources | undefined {
    return this.engineKind === "sagemaker" ? (this.engineResources as ISageMakerRegistryResources) : undefined;
  }

  public modelPackageGroupArn(model: string): string | undefined {
    return this.engineResources.modelPackageGroupArn(model);
  }

  /** A version of a model of this registry, for a serving endpoint. */
  public model(name: string, version = "latest"): ModelReference {
    if (!this.models.includes(name)) {
      fail(this, "ModelRegistry", "model", `(${JSON.stringify(name)}) is not a model of this registry (models: ${this.models.join(", ") || "none"})`);
    }
    if (!/^(latest|[A-Za-z0-9][A-Za-z0-9._-]{0,63})$/.test(version)) {
      fail(this, "ModelRegistry", "version", `(${JSON.stringify(version)}) must be "latest" or a version label of letters, digits, '.', '_' and '-'`);
    }
    const prefix = `models/${name}/${version}/`;
    const groupArn = this.engineResources.modelPackageGroupArn(name);
    const stack = MlopsStack.of(this);
    return {
      modelName: name,
      version,
      artifactS3Uri: `s3://${this.artifactBucket.bucketName}/${prefix}`,
      artifactBucketName: this.artifactBucket.bucketName,
      artifactBucketArn: this.artifactBucket.bucketArn,
      artifactKeyPrefix: prefix,
      artifactKmsKeyArn: this.kmsKey.arn,
      imageRepositoryUrl: this.repositories[name].repositoryUrl,
      imageRepositoryArn: this.repositories[name].arn,
      modelPackageArn:
        groupArn && /^\d+$/.test(version)
          ? `arn:${stack.partition}:sagemaker:${stack.region}:${stack.accountId}:model-package/${stack.platformName}-${name}/${version}`
          : undefined,
      engine: this.engineKind,
    };
  }

  /** Lets `role` read artifacts, pull the models' images and read the engine's records. */
  public grantRead(role: IRoleRef): IamRolePolicy {
    return grantOnce(this, "Read", role, "read", [
      ...this.bucketStatements(false),
      ...this.imageStatements(false),
      ...this.engineResources.readStatements,
    ]);
  }

  /** Lets `role` publish artifacts, push the models' images and register versions. */
  public grantWrite(role: IRoleRef): IamRolePolicy {
    return grantOnce(this, "Write", role, "write", [
      ...this.bucketStatements(true),
      ...this.imageStatements(true),
      ...this.engineResources.readStatements,
      ...this.engineResources.writeStatements,
    ]);
  }

  private bucketStatements(write: boolean): PolicyStatement[] {
    const arn = this.artifactBucket.bucketArn;
    return [
      { sid: "ListArtifactBucket", actions: ["s3:ListBucket", "s3:GetBucketLocation"], resources: [arn] },
      {
        sid: write ? "ReadWriteArtifacts" : "ReadArtifacts",
        actions: ["s3:GetObject", "s3:GetObjectVersion", ...(write ? ["s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"] : [])],
        resources: [`${arn}/*`],
      },
      {
        sid: write ? "EncryptArtifacts" : "DecryptArtifacts",
        actions: ["kms:Decrypt", "kms:DescribeKey", ...(write ? ["kms:GenerateDataKey", "kms:Encrypt"] : [])],
        resources: [this.kmsKey.arn],
      },
    ];
  }

  private imageStatements(write: boolean): PolicyStatement[] {
    const repos = Object.values(this.repositories).map((r) => r.arn);
    if (repos.length === 0) return [];
    return [
      ECR_LOGIN_STATEMENT,
      {
        sid: write ? "PushModelImages" : "PullModelImages",
        actions: [
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
          "ecr:BatchCheckLayerAvailability",
          ...(write ? ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"] : []),
        ],
        resources: repos,
      },
    ];
  }
}
