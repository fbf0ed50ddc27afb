import { IStackSynthesizer, ISynthesisSession, LocalBackend, S3Backend, TerraformStack } from "cdktf";
import { Construct, IConstruct } from "constructs";
import { z } from "zod";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { check, validateProps } from "./validation";
import { fitName, NameRules } from "./naming";
import { componentTags, TagKeys } from "./tags";
import { RemovalPolicy } from "./removal-policy";
import { PolicyStatement, setPolicyStatements } from "./iam";
import { customerManagedKeyWithPolicy } from "./kms";
import { SecureBucket } from "./secure-bucket";
import { MLOPS_STACK, mlopsStackOf } from "./stack-context";
import "./token-stack-traces"; // off unless CDKTF_MLOPS_STACK_TRACES=1: see the file
import "./fast-resolve"; // plain data resolved without cdktf's per-value contexts unless CDKTF_MLOPS_CDKTF_RESOLVE=1: see the file
import { inheritAppAspects } from "./app-aspects";
import { registerManifest, writeManifest } from "./manifest";
import { synthesizeWithStableJson } from "./stable-json";
import type { ShapeOf } from "./validation";

/** Where Terraform keeps the state of an {@link MlopsStack}. */
export interface S3StateBackendOptions {
  /** The S3 bucket that holds the state. */
  readonly bucket: string;
  /**
   * The object key of this stack's state.
   * @default `<platform name>/<stack id>.tfstate`
   */
  readonly key?: string;
  /**
   * Region of the state bucket.
   * @default - the stack's region
   */
  readonly region?: string;
  /**
   * KMS key (ARN) that encrypts the state object.
   * @default - the bucket's default encryption, with `encrypt = true`
   */
  readonly kmsKeyId?: string;
}

/** Props of {@link MlopsStack}. */
export interface MlopsStackProps {
  /** AWS region of every resource in the stack, e.g. `eu-west-1`. */
  readonly region: string;
  /**
   * Platform name: the prefix of every physical name and the `mlops:platform` tag.
   * Lowercase letters, digits and `-`, at most 24 characters.
   */
  readonly name: string;
  /**
   * Tags added to every AWS resource of the stack through the provider's `default_tags`.
   * @default - only the library's own `mlops:platform` and `mlops:managed-by` tags
   */
  readonly tags?: Record<string, string>;
  /**
   * Remote state in S3 with native S3 state locking (`use_lockfile`).
   * @default - local state in `terraform.<stack id>.tfstate` in the project root
   */
  readonly backend?: S3StateBackendOptions;
  /**
   * Account ids Terraform may touch: a plan against any other account fails.
   * @default - any account
   */
  readonly allowedAccountIds?: string[];
  /**
   * The IAM role Terraform assumes to deploy the stack (`assume_role` of the AWS provider, and
   * `--role-arn` of `aws eks get-token` for the Kubernetes and Helm providers). Known, it lets the
   * constructs check what depends on the deploying identity: a cluster's creator is its first admin.
   * @default - the environment's credentials, no role assumed
   */
  readonly deployRoleArn?: string;
  /**
   * What happens to the stack's stateful resources (the platform KMS key and, by default, every
   * construct's data) when they are removed from the code.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const schema = z
  .object({
    region: check.matching(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, "must be an AWS region such as eu-west-1"),
    name: check.matching(/^[a-z][a-z0-9-]{0,22}[a-z0-9]$/, "must be 2-24 characters of lowercase letters, digits and '-', starting with a letter"),
    tags: check.tags().optional(),
    backend: z
      .object({
        bucket: check.matching(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name"),
        key: z.string().min(1).optional(),
        region: z.string().optional(),
        kmsKeyId: z.string().optional(),
      })
      .strict()
      .optional(),
    allowedAccountIds: z.array(check.matching(/^\d{12}$/, "must be a 12-digit AWS account id")).optional(),
    deployRoleArn: check.roleArn().optional(),
    removalPolicy: z.enum(RemovalPolicy).optional(),
  })
  .strict() satisfies ShapeOf<MlopsStackProps>;

/**
 * A Terraform stack of the platform: the AWS provider in one region with the platform's default
 * tags, remote state when asked, and a platform KMS key (rotation on) that every construct in the
 * stack uses unless given its own.
 */
export class MlopsStack extends TerraformStack {
  /** Whether `x` is an {@link MlopsStack} (also one made with another copy of this library). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- jsii takes `any`, not `unknown`
  public static isMlopsStack(x: any): x is MlopsStack {
    return !!x && typeof x === "object" && (x as Record<symbol, boolean>)[MLOPS_STACK] === true;
  }

  /**
   * The {@link MlopsStack} that `scope` belongs to; throws when there is none.
   *
   * TypeScript/JavaScript only (jsii does not allow a static method to narrow the return type of
   * `TerraformStack.of`); in other languages the inherited `TerraformStack.of` returns the same stack.
   *
   * @jsii ignore
   */
  public static of(scope: IConstruct): MlopsStack {
    return mlopsStackOf(scope) as unknown as MlopsStack;
  }

  /** Platform name, the prefix of every physical name. */
  public readonly platformName: string;
  /** AWS region of the stack. */
  public readonly region: string;
  /** The stack's AWS provider. */
  public readonly awsProvider: AwsProvider;
  /** The role Terraform assumes to deploy the stack, when given. */
  public readonly deployRoleArn?: string;
  /** Default removal policy of the stack's stateful resources. */
  public readonly removalPolicy: RemovalPolicy;

  private _kmsKey?: KmsKey;
  private _kmsKeyPolicy?: { document: DataAwsIamPolicyDocument; statements: PolicyStatement[] };
  private _autoScalingAllowed = false;
  private _accessLogBucket?: SecureBucket;
  private _identity?: DataAwsCallerIdentity;
  private _partition?: DataAwsPartition;

  constructor(scope: Construct, id: string, props: MlopsStackProps) {
    super(scope, id);
    Object.defineProperty(this, MLOPS_STACK, { value: true });
    const p = validateProps(this, "MlopsStack", schema, props);
    this.platformName = p.name;
    this.region = p.region;
    this.removalPolicy = p.removalPolicy ?? RemovalPolicy.RETAIN;
    this.deployRoleArn = p.deployRoleArn;
    // The platform manifest (cdktf.out/mlops.json) for `cdktf-mlops review`, written at synth.
    registerManifest(this, "MlopsStack", { platformName: p.name, region: p.region, removalPolicy: this.removalPolicy });
    const stackSynthesizer: IStackSynthesizer = this.synthesizer;
    this.synthesizer = {
      synthesize: (session: ISynthesisSession) => {
        synthesizeWithStableJson(this, stackSynthesizer, session); // cdk.tf.json written in chunks: see the file
        writeManifest(session.outdir, this);
      },
    };

    this.awsProvider = new AwsProvider(this, "aws", {
      region: p.region,
      allowedAccountIds: p.allowedAccountIds,
      assumeRole: p.deployRoleArn ? [{ roleArn: p.deployRoleArn }] : undefined,
      defaultTags: [{ tags: { ...p.tags, [TagKeys.platform]: p.name, [TagKeys.managedBy]: "cdktf-mlops" } }],
    });

    if (p.backend) {
      new S3Backend(this, {
        bucket: p.backend.bucket,
        key: p.backend.key ?? `${p.name}/${id}.tfstate`,
        region: p.backend.region ?? p.region,
        encrypt: true,
        kmsKeyId: p.backend.kmsKeyId,
      });
      // Native S3 locking (Terraform >= 1.10); cdktf 0.21's S3Backend has no typed field for it.
      this.addOverride("terraform.backend.s3.use_lockfile", true);
    } else {
      // cdktf's default local backend writes an absolute path (process.cwd()), which makes the
      // synthesized JSON differ between machines. Terraform runs in cdktf.out/stacks/<stack>, so this
      // relative path names the same file, in the project root, for this stack and for any stack that
      // reads its outputs through cross-stack references.
      new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    }
  }

  /** Before synthesis: aspects added to the App reach every stack (cdktf 0.21 would skip them). */
  public prepareStack(): void {
    inheritAppAspects(this);
    super.prepareStack();
  }

  /** The account id of the deploying credentials (a data source, read at plan time). */
  public get accountId(): string {
    this._identity ??= new DataAwsCallerIdentity(this, "CallerIdentity");
    return this._identity.accountId;
  }

  /** The AWS partition (`aws`, `aws-cn`, `aws-us-gov`), read at plan time. */
  public get partition(): string {
    this._partition ??= new DataAwsPartition(this, "Partition");
    return this._partition.partition;
  }

  /** The DNS suffix of the partition (`amazonaws.com`), read at plan time. */
  public get dnsSuffix(): string {
    this._partition ??= new DataAwsPartition(this, "Partition");
    return this._partition.dnsSuffix;
  }

  /**
   * The bucket that receives the S3 server access logs of the stack's buckets, created on first use.
   * It uses SSE-S3, since S3 cannot deliver access logs to an SSE-KMS bucket, and does not log to itself.
   */
  public get accessLogBucket(): SecureBucket {
    this._accessLogBucket ??= new SecureBucket(this, "AccessLogBucket", {
      component: "platform",
      accessLogs: false,
      noncurrentVersionExpirationDays: 30,
      receivesAccessLogs: true,
    });
    return this._accessLogBucket;
  }

  /**
   * The platform KMS key (symmetric, rotation on, 30-day deletion window), created on first use.
   * Its policy lets the account's IAM policies grant use of it and lets CloudWatch Logs encrypt this
   * stack's log groups; in a stack that launches nodes, also lets EC2 Auto Scaling encrypt their volumes.
   */
  public get kmsKey(): KmsKey {
    if (!this._kmsKey) {
      const account = this.accountId;
      const partition = this.partition;
      const statements: PolicyStatement[] = [
        {
          sid: "AllowCloudWatchLogsOfThisAccount",
          principals: [{ type: "Service", identifiers: [`logs.${this.region}.${this.dnsSuffix}`] }],
          actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
          resources: ["*"],
          conditions: [
            {
              test: "ArnLike",
              variable: "kms:EncryptionContext:aws:logs:arn",
              values: [`arn:${partition}:logs:${this.region}:${account}:log-group:*`],
            },
          ],
        },
      ];
      const {
        key,
        document,
        statements: keyStatements,
      } = customerManagedKeyWithPolicy(this, "PlatformKey", {
        description: `cdktf-mlops platform key of ${this.platformName} (${this.node.id})`,
        account,
        partition,
        policyId: "PlatformKeyPolicy",
        statements,
        removalPolicy: this.removalPolicy,
        tags: componentTags("platform"),
      });
      new KmsAlias(this, "PlatformKeyAlias", {
        name: `alias/${fitName(`${this.platformName}-${this.node.id}`, NameRules.kmsAlias)}`,
        targetKeyId: key.keyId,
      });
      this._kmsKey = key;
      this._kmsKeyPolicy = { document, statements: keyStatements };
    }
    return this._kmsKey;
  }

  /**
   * Lets EC2 Auto Scaling launch nodes whose EBS volumes are encrypted with the platform key: managed
   * node groups launch through the Auto Scaling service-linked role. That role exists only once the
   * account has had an Auto Scaling group, and a key policy naming a principal that does not exist is
   * refused (`MalformedPolicyDocumentException`); so the statements match the role by
   * `aws:PrincipalArn` instead of naming it. Called by the constructs that launch nodes, once per stack.
   * @internal
   */
  public _allowAutoScalingToUsePlatformKey(): void {
    if (this._autoScalingAllowed) return;
    void this.kmsKey; // created on first use
    const policy = this._kmsKeyPolicy!;
    this._autoScalingAllowed = true;
    const slr = `arn:${this.partition}:iam::${this.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
    const theServiceLinkedRole = { test: "StringEquals", variable: "aws:PrincipalArn", values: [slr] };
    policy.statements.push(
      {
        sid: "AllowAutoScalingToUseKeyForEbs",
        principals: [{ type: "AWS", identifiers: ["*"] }],
        actions: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        resources: ["*"],
        conditions: [theServiceLinkedRole],
      },
      {
        sid: "AllowAutoScalingToGrantForEbs",
        principals: [{ type: "AWS", identifiers: ["*"] }],
        actions: ["kms:CreateGrant"],
        resources: ["*"],
        conditions: [theServiceLinkedRole, { test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] }],
      },
    );
    setPolicyStatements(policy.document, policy.statements);
  }
}
