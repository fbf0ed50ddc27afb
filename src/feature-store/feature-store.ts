import { Construct } from "constructs";
import { z } from "zod";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { grantOnce, IKmsKeyRef, IRoleRef, isKmsKeyRef, MlopsStack, RemovalPolicy, SecureBucket, validateProps } from "../core";
import { registerManifest } from "../core/manifest";
import type { FeastEngineResources, FeatureEngineResources, IFeatureStoreHost, SageMakerFeatureResources } from "./contract";
import type { FeastEngineOptions, SageMakerFeatureEngineOptions } from "./engines";
import { FeatureGroupDefinition, FeatureGroupIssue, FeatureType } from "./feature-types";
import { bindFeastEngine, checkFeastGroups, validateFeastOptions } from "./private/feast-engine";
import { bindSageMakerFeatureEngine, checkSageMakerGroups, validateSageMakerFeatureOptions } from "./private/sagemaker-engine";
import type { ShapeOf } from "../core";

/**
 * Which service keeps the features: Feast on the training cluster, or SageMaker Feature Store.
 * Build one with {@link FeatureEngine.feast} or {@link FeatureEngine.sagemaker}.
 */
export class FeatureEngine {
  /** Feast: DynamoDB online store, Athena offline store over S3, feature server on EKS. */
  public static feast(options: FeastEngineOptions): FeatureEngine {
    return new FeatureEngine(
      "feast",
      checkFeastGroups,
      (owner) => validateFeastOptions(owner, options),
      (store) => bindFeastEngine(store, options),
    );
  }

  /** SageMaker Feature Store: a feature group per declared group, online and offline. */
  public static sagemaker(options: SageMakerFeatureEngineOptions = {}): FeatureEngine {
    return new FeatureEngine(
      "sagemaker",
      checkSageMakerGroups,
      (owner) => validateSageMakerFeatureOptions(owner, options),
      (store) => bindSageMakerFeatureEngine(store, options),
    );
  }

  private constructor(
    /** `feast` or `sagemaker`. */
    public readonly kind: string,
    private readonly checker: (groups: FeatureGroupDefinition[]) => FeatureGroupIssue[],
    private readonly validator: (owner: Construct) => unknown,
    private readonly binder: (store: FeatureStore) => FeatureEngineResources,
  ) {}

  /** Checks the engine's options for `owner`, before anything is built; throws MlopsValidationError. */
  public validate(owner: Construct): void {
    this.validator(owner);
  }

  /** The engine's own rules over the declarations (names, types, reserved words). */
  public check(groups: FeatureGroupDefinition[]): FeatureGroupIssue[] {
    return this.checker(groups);
  }

  /** Builds the engine's resources under `store`. */
  public bind(store: FeatureStore): FeatureEngineResources {
    return this.binder(store);
  }
}

/** Props of {@link FeatureStore}. */
export interface FeatureStoreProps {
  /** The engine: `FeatureEngine.feast({ cluster })` or `FeatureEngine.sagemaker()`. */
  readonly engine: FeatureEngine;
  /** The feature groups. */
  readonly featureGroups: FeatureGroupDefinition[];
  /**
   * KMS key of the online and offline stores.
   * @default - the stack's platform key
   */
  readonly kmsKey?: IKmsKeyRef;
  /**
   * What happens to the stores' data when they are removed from the code.
   * @default - the stack's removal policy (RETAIN)
   */
  readonly removalPolicy?: RemovalPolicy;
}

const featureSchema = z
  .object({ name: z.string().min(1), type: z.enum(FeatureType, { message: `must be one of ${Object.values(FeatureType).join(", ")}` }) })
  .strict();

const groupSchema = z
  .object({
    name: z.string().min(1),
    recordIdentifier: z.string().min(1),
    eventTimeFeature: z.string().min(1),
    features: z.array(featureSchema).min(2, { message: "must hold at least the record identifier and the event time" }),
    online: z.boolean().optional(),
    offline: z.boolean().optional(),
    ttlDays: z.number().int().min(1, { message: "must be at least 1" }).max(36500).optional(),
    description: z
      .string()
      .max(128)
      .refine((d) => !d.includes("${") && !d.includes("%{"), { message: "must not contain ${ or %{ (Terraform template syntax)" })
      .optional(),
  })
  .strict()
  .superRefine((g, ctx) => {
    const names = g.features.map((f) => f.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) ctx.addIssue({ code: "custom", path: ["features", i, "name"], message: "names a feature twice" });
    });
    if (!names.includes(g.recordIdentifier)) {
      ctx.addIssue({ code: "custom", path: ["recordIdentifier"], message: "must be one of the group's features" });
    }
    const eventTime = g.features.find((f) => f.name === g.eventTimeFeature);
    if (!eventTime) ctx.addIssue({ code: "custom", path: ["eventTimeFeature"], message: "must be one of the group's features" });
    else if (![FeatureType.UNIX_TIMESTAMP, FeatureType.STRING].includes(eventTime.type)) {
      ctx.addIssue({
        code: "custom",
        path: ["eventTimeFeature"],
        message: `must be a ${FeatureType.UNIX_TIMESTAMP} or an ISO-8601 ${FeatureType.STRING} feature`,
      });
    }
    if (g.online === false && g.offline === false) {
      ctx.addIssue({ code: "custom", path: ["online"], message: "and offline are both false: the group would be stored nowhere" });
    }
  });

const schema = z
  .object({
    engine: z.custom<FeatureEngine>((e) => e instanceof FeatureEngine, {
      message: "must be FeatureEngine.feast({ cluster }) or FeatureEngine.sagemaker()",
    }),
    featureGroups: z.array(groupSchema).min(1, { message: "must declare at least one feature group" }),
    kmsKey: z.custom<IKmsKeyRef>((k) => isKmsKeyRef(k), { message: "must be a KmsKey or KmsKeyRef.fromKeyArn(arn)" }).optional(),
    removalPolicy: z.enum(RemovalPolicy).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const names = p.featureGroups.map((g) => g.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) ctx.addIssue({ code: "custom", path: ["featureGroups", i, "name"], message: "names a group twice" });
    });
    for (const issue of p.engine.check(p.featureGroups as FeatureGroupDefinition[])) {
      ctx.addIssue({ code: "custom", path: ["featureGroups", ...issue.path], message: issue.message });
    }
  }) satisfies ShapeOf<FeatureStoreProps>;

/**
 * A feature store: feature groups declared in code and validated before synthesis, kept online and
 * offline by an engine (Feast on EKS, or SageMaker), with grants that work whatever the engine.
 */
export class FeatureStore extends Construct implements IFeatureStoreHost {
  /** The declared groups, with defaults applied. */
  public readonly featureGroups: FeatureGroupDefinition[];
  /** The KMS key of the stores. */
  public readonly kmsKey: IKmsKeyRef;
  /** The removal policy of the stores. */
  public readonly removalPolicy: RemovalPolicy;
  /** The bucket of the offline store. */
  public readonly offlineBucket: SecureBucket;
  /** The engine name. */
  public readonly engineKind: string;
  /** What the engine built. */
  public readonly engineResources: FeatureEngineResources;

  constructor(scope: Construct, id: string, props: FeatureStoreProps) {
    super(scope, id);
    const p = validateProps(this, "FeatureStore", schema, props);
    p.engine.validate(this);
    const stack = MlopsStack.of(this);
    this.kmsKey = p.kmsKey ?? stack.kmsKey;
    this.removalPolicy = p.removalPolicy ?? stack.removalPolicy;
    this.featureGroups = (p.featureGroups as FeatureGroupDefinition[]).map((g) => ({ ...g, online: g.online ?? true, offline: g.offline ?? true }));
    this.engineKind = p.engine.kind;
    registerManifest(this, "FeatureStore", {
      engine: this.engineKind,
      removalPolicy: this.removalPolicy,
      featureGroups: this.featureGroups.map((g) => ({
        name: g.name,
        features: g.features.length,
        online: g.online,
        offline: g.offline,
        ttlDays: g.ttlDays,
      })),
    });
    this.offlineBucket = new SecureBucket(this, "OfflineStore", {
      component: "feature-store",
      kmsKey: this.kmsKey,
      removalPolicy: this.removalPolicy,
    });
    this.engineResources = p.engine.bind(this);
  }

  /** Lets `role` read features from the online store. */
  /** What the Feast engine built (tables, Glue, workgroup, roles, jobs, release), with that engine. */
  public get feast(): FeastEngineResources | undefined {
    return this.engineKind === "feast" ? (this.engineResources as FeastEngineResources) : undefined;
  }

  /** What the SageMaker engine built (feature groups, offline-store role), with that engine. */
  public get sagemaker(): SageMakerFeatureResources | undefined {
    return this.engineKind === "sagemaker" ? (this.engineResources as SageMakerFeatureResources) : undefined;
  }

  public grantReadOnline(role: IRoleRef): IamRolePolicy {
    return grantOnce(this, "ReadOnline", role, "read-online", this.engineResources.readOnlineStatements);
  }

  /** Lets `role` write features (online, and the offline data prefix). */
  public grantIngest(role: IRoleRef): IamRolePolicy {
    return grantOnce(this, "Ingest", role, "ingest", this.engineResources.ingestStatements);
  }
}
