import * as fs from "fs";
import * as path from "path";
import { TerraformStack, TerraformVariable } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { DbInstance, DbInstanceConfig } from "@cdktf/provider-aws/lib/db-instance";
import { DynamodbTable, DynamodbTableConfig } from "@cdktf/provider-aws/lib/dynamodb-table";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EksCluster, EksClusterConfig } from "@cdktf/provider-aws/lib/eks-cluster";
import { EksNodeGroup, EksNodeGroupConfig } from "@cdktf/provider-aws/lib/eks-node-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { SagemakerEndpointConfiguration } from "@cdktf/provider-aws/lib/sagemaker-endpoint-configuration";
import { SagemakerModel } from "@cdktf/provider-aws/lib/sagemaker-model";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { Release } from "@cdktf/provider-helm/lib/release";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { MlopsGuardrails } from "../../src";
import { check, of } from "./harness";

type Build = (s: TerraformStack) => void;

// --- small builders of user resources -------------------------------------------------------------

const bucket = (s: TerraformStack, id = "data") => new S3Bucket(s, id, { bucket: `acme-${id}` });
const tlsPolicy = (s: TerraformStack, b: S3Bucket) =>
  new S3BucketPolicy(s, `${b.node.id}-policy`, {
    bucket: b.id,
    policy: new DataAwsIamPolicyDocument(s, `${b.node.id}-doc`, {
      statement: [
        {
          effect: "Deny",
          principals: [{ type: "AWS", identifiers: ["*"] }],
          actions: ["s3:*"],
          resources: [b.arn, `${b.arn}/*`],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ],
    }).json,
  });
const cluster = (s: TerraformStack, c: Partial<EksClusterConfig> = {}) =>
  new EksCluster(s, "cluster", {
    name: "c",
    roleArn: "arn:aws:iam::111122223333:role/eks",
    vpcConfig: { subnetIds: ["subnet-1"], endpointPublicAccess: false, endpointPrivateAccess: true },
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:eu-west-1:111122223333:key/k" } },
    enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
    upgradePolicy: { supportType: "STANDARD" },
    ...c,
  });
const db = (s: TerraformStack, c: Partial<DbInstanceConfig> = {}) =>
  new DbInstance(s, "db", {
    instanceClass: "db.t4g.micro",
    engine: "postgres",
    allocatedStorage: 20,
    storageEncrypted: true,
    manageMasterUserPassword: true,
    username: "admin",
    backupRetentionPeriod: 7,
    skipFinalSnapshot: false,
    deletionProtection: true,
    ...c,
  });
const table = (s: TerraformStack, c: Partial<DynamodbTableConfig> = {}) =>
  new DynamodbTable(s, "table", {
    name: "t",
    hashKey: "id",
    attribute: [{ name: "id", type: "S" }],
    billingMode: "PAY_PER_REQUEST",
    pointInTimeRecovery: { enabled: true },
    serverSideEncryption: { enabled: true, kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/k" },
    ...c,
  });
const nodeGroup = (s: TerraformStack, id: string, c: Partial<EksNodeGroupConfig>) =>
  new EksNodeGroup(s, id, {
    clusterName: "c",
    nodeRoleArn: "arn:aws:iam::111122223333:role/nodes",
    subnetIds: ["subnet-1"],
    scalingConfig: { minSize: 0, maxSize: 2, desiredSize: 0 },
    ...c,
  });
/** A Karpenter NodePool with a `nvidia.com/gpu` limit and, unless undefined, a capacity-type requirement. */
const karpenterNodePool = (s: TerraformStack, id: string, gpuLimit: number, capacityTypes: string[] | undefined) => {
  if (!s.node.tryFindChild("k8s")) new KubernetesProvider(s, "k8s", {});
  const requirements = capacityTypes ? [{ key: "karpenter.sh/capacity-type", operator: "In", values: capacityTypes }] : [];
  return new Manifest(s, id, {
    manifest: {
      apiVersion: "karpenter.sh/v1",
      kind: "NodePool",
      metadata: { name: id },
      spec: {
        limits: { "nvidia.com/gpu": gpuLimit },
        template: { spec: { requirements, nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: id } } },
      },
    },
  });
};
const rolePolicy = (s: TerraformStack, policy: string) => {
  const role = new IamRole(s, "role", { assumeRolePolicy: trust(s, "Service", "ec2.amazonaws.com") });
  return new IamRolePolicy(s, "policy", { role: role.id, policy });
};
const trust = (s: TerraformStack, type: string, id: string, condition = false) =>
  new DataAwsIamPolicyDocument(s, `trust-${type}-${id.replace(/[^a-z0-9]/gi, "")}`, {
    statement: [
      {
        actions: ["sts:AssumeRole"],
        principals: [{ type, identifiers: [id] }],
        ...(condition ? { condition: [{ test: "StringEquals", variable: "aws:PrincipalOrgID", values: ["o-123"] }] } : {}),
      },
    ],
  }).json;
const json = (statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statement });
const helm = (s: TerraformStack, version?: string) => {
  new HelmProvider(s, "helm", {});
  new Release(s, "release", { name: "r", chart: "c", repository: "https://charts.example.com", version });
};
const deployment = (s: TerraformStack, requests?: Record<string, string>) => {
  new KubernetesProvider(s, "k8s", {});
  new DeploymentV1(s, "deploy", {
    metadata: { name: "d" },
    spec: {
      selector: { matchLabels: { app: "d" } },
      template: {
        metadata: { labels: { app: "d" } },
        spec: { container: [{ name: "app", image: "nginx:1.27", ...(requests ? { resources: { requests } } : {}) }] },
      },
    },
  });
};
const inferenceService = (s: TerraformStack, requests: Record<string, string>) => {
  new KubernetesProvider(s, "k8s", {});
  new Manifest(s, "isvc", {
    manifest: {
      apiVersion: "serving.kserve.io/v1beta1",
      kind: "InferenceService",
      metadata: { name: "fraud", namespace: "serving" },
      spec: { predictor: { model: { modelFormat: { name: "sklearn" }, storageUri: "s3://acme-models/fraud/", resources: { requests } } } },
    },
  });
};
const ingress = (s: TerraformStack, port: number, onLoadBalancer: boolean) => {
  const sg = new SecurityGroup(s, "sg", { vpcId: "vpc-1", name: "web" });
  new VpcSecurityGroupIngressRule(s, "in", { securityGroupId: sg.id, cidrIpv4: "0.0.0.0/0", fromPort: port, toPort: port, ipProtocol: "tcp" });
  if (onLoadBalancer) new Lb(s, "lb", { securityGroups: [sg.id], subnets: ["subnet-1", "subnet-2"] });
};
const captureEndpoint = (s: TerraformStack, expires: boolean) => {
  const b = bucket(s, "captures");
  new SagemakerEndpointConfiguration(s, "config", {
    kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/k",
    productionVariants: [{ variantName: "main", modelName: "m", instanceType: "ml.m5.large", initialInstanceCount: 1 }],
    dataCaptureConfig: {
      destinationS3Uri: `s3://${b.bucket}/captures`,
      initialSamplingPercentage: 100,
      captureOptions: [{ captureMode: "Input" }, { captureMode: "Output" }],
    },
  });
  new S3BucketLifecycleConfiguration(s, "lifecycle", {
    bucket: b.id,
    rule: [
      { id: "abort", status: "Enabled", filter: [{}], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] },
      ...(expires ? [{ id: "expire", status: "Enabled", filter: [{}], expiration: [{ days: 30 }] }] : []),
    ],
  });
};

// --- one entry per rule: resources that break it, resources that keep it -----------------------

const CASES: Record<string, { bad: Build[]; good: Build[] }> = {
  "S3-KMS": {
    bad: [
      (s) => bucket(s),
      (s) =>
        new S3BucketServerSideEncryptionConfigurationA(s, "sse", {
          bucket: bucket(s).id,
          rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        }),
    ],
    good: [
      (s) =>
        new S3BucketServerSideEncryptionConfigurationA(s, "sse", {
          bucket: bucket(s).id,
          rule: [
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: new KmsKey(s, "k", { enableKeyRotation: true }).arn } },
          ],
        }),
      // The configuration names the bucket by its literal name, not by a reference.
      (s) => {
        bucket(s);
        new S3BucketServerSideEncryptionConfigurationA(s, "sse", {
          bucket: "acme-data",
          rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
        });
      },
    ],
  },
  "S3-PUBLIC-ACCESS-BLOCK": {
    bad: [
      (s) => bucket(s),
      (s) =>
        new S3BucketPublicAccessBlock(s, "pab", {
          bucket: bucket(s).id,
          blockPublicAcls: true,
          blockPublicPolicy: false,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        }),
    ],
    good: [
      (s) =>
        new S3BucketPublicAccessBlock(s, "pab", {
          bucket: bucket(s).id,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        }),
    ],
  },
  "S3-TLS-ONLY": {
    bad: [
      (s) => bucket(s),
      (s) =>
        new S3BucketPolicy(s, "p", {
          bucket: bucket(s).id,
          policy: json([{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "s3:GetObject", Resource: "*" }]),
        }),
    ],
    good: [
      (s) => tlsPolicy(s, bucket(s)),
      (s) =>
        new S3BucketPolicy(s, "p", {
          bucket: bucket(s).id,
          policy: json([{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }]),
        }),
    ],
  },
  "KMS-ROTATION": {
    bad: [(s) => new KmsKey(s, "k", {}), (s) => new KmsKey(s, "k", { enableKeyRotation: true }).addOverride("enable_key_rotation", false)],
    good: [
      (s) => new KmsKey(s, "k", { enableKeyRotation: true }),
      (s) => new KmsKey(s, "k", { customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }),
      (s) => new KmsKey(s, "k", { enableKeyRotation: new TerraformVariable(s, "rotate", { type: "bool" }).booleanValue }),
    ],
  },
  "LOGS-KMS": {
    bad: [(s) => new CloudwatchLogGroup(s, "g", { retentionInDays: 30 })],
    good: [(s) => new CloudwatchLogGroup(s, "g", { retentionInDays: 30, kmsKeyId: new KmsKey(s, "k", { enableKeyRotation: true }).arn })],
  },
  "EKS-PRIVATE-ENDPOINT": {
    bad: [
      (s) => cluster(s, { vpcConfig: { subnetIds: ["subnet-1"] } }),
      (s) => cluster(s, { vpcConfig: { subnetIds: ["subnet-1"], endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } }),
    ],
    good: [
      (s) => cluster(s),
      (s) => cluster(s, { vpcConfig: { subnetIds: ["subnet-1"], endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.7/32"] } }),
    ],
  },
  "EKS-SECRETS-ENCRYPTION": {
    bad: [(s) => cluster(s, { encryptionConfig: undefined })],
    good: [(s) => cluster(s)],
  },
  "EKS-CONTROL-PLANE-LOGS": {
    bad: [(s) => cluster(s, { enabledClusterLogTypes: ["api", "audit"] }), (s) => cluster(s, { enabledClusterLogTypes: undefined })],
    good: [(s) => cluster(s)],
  },
  "EC2-IMDSV2": {
    bad: [(s) => new LaunchTemplate(s, "lt", {}), (s) => new LaunchTemplate(s, "lt", { metadataOptions: { httpTokens: "optional" } })],
    good: [(s) => new LaunchTemplate(s, "lt", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } })],
  },
  "EC2-IMDS-HOP-LIMIT": {
    bad: [(s) => new LaunchTemplate(s, "lt", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } })],
    good: [(s) => new LaunchTemplate(s, "lt", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } })],
  },
  "EC2-EBS-ENCRYPTED": {
    bad: [(s) => new LaunchTemplate(s, "lt", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 50 } }] })],
    good: [
      (s) =>
        new LaunchTemplate(s, "lt", {
          blockDeviceMappings: [
            { deviceName: "/dev/xvda", ebs: { volumeSize: 50, encrypted: "true", kmsKeyId: "arn:aws:kms:eu-west-1:111122223333:key/k" } },
          ],
        }),
    ],
  },
  "RDS-ENCRYPTION": { bad: [(s) => db(s, { storageEncrypted: false })], good: [(s) => db(s)] },
  "RDS-NOT-PUBLIC": { bad: [(s) => db(s, { publiclyAccessible: true })], good: [(s) => db(s, { publiclyAccessible: false })] },
  "RDS-NO-LITERAL-PASSWORD": {
    bad: [(s) => db(s, { manageMasterUserPassword: undefined, password: "correct-horse-battery" })],
    good: [
      (s) => db(s),
      (s) =>
        db(s, { manageMasterUserPassword: undefined, password: new TerraformVariable(s, "pw", { type: "string", sensitive: true }).stringValue }),
    ],
  },
  "RDS-BACKUPS": {
    bad: [(s) => db(s, { backupRetentionPeriod: 1 }), (s) => db(s, { skipFinalSnapshot: true })],
    good: [(s) => db(s)],
  },
  "RDS-DELETION-PROTECTION": { bad: [(s) => db(s, { deletionProtection: false })], good: [(s) => db(s)] },
  "DYNAMODB-KMS": {
    bad: [(s) => table(s, { serverSideEncryption: undefined }), (s) => table(s, { serverSideEncryption: { enabled: true } })],
    good: [(s) => table(s)],
  },
  "DYNAMODB-PITR": { bad: [(s) => table(s, { pointInTimeRecovery: undefined })], good: [(s) => table(s)] },
  "SNS-KMS": { bad: [(s) => new SnsTopic(s, "t", {})], good: [(s) => new SnsTopic(s, "t", { kmsMasterKeyId: "alias/acme" })] },
  "SQS-KMS": {
    bad: [(s) => new SqsQueue(s, "q", {}), (s) => new SqsQueue(s, "q", { sqsManagedSseEnabled: true })],
    good: [(s) => new SqsQueue(s, "q", { kmsMasterKeyId: "alias/acme" })],
  },
  "ECR-IMMUTABLE-TAGS": {
    bad: [(s) => new EcrRepository(s, "r", { name: "r" })],
    good: [(s) => new EcrRepository(s, "r", { name: "r", imageTagMutability: "IMMUTABLE" })],
  },
  "ECR-SCAN-ON-PUSH": {
    bad: [(s) => new EcrRepository(s, "r", { name: "r" })],
    good: [(s) => new EcrRepository(s, "r", { name: "r", imageScanningConfiguration: { scanOnPush: true } })],
  },
  "SAGEMAKER-ENDPOINT-KMS": {
    bad: [
      (s) =>
        new SagemakerEndpointConfiguration(s, "c", {
          productionVariants: [{ variantName: "main", modelName: "m", instanceType: "ml.m5.large", initialInstanceCount: 1 }],
        }),
    ],
    good: [
      (s) =>
        new SagemakerEndpointConfiguration(s, "c", {
          kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/k",
          productionVariants: [{ variantName: "main", modelName: "m", instanceType: "ml.m5.large", initialInstanceCount: 1 }],
        }),
    ],
  },
  "SAGEMAKER-NETWORK-ISOLATION": {
    bad: [(s) => new SagemakerModel(s, "m", { executionRoleArn: "arn:aws:iam::111122223333:role/sm", primaryContainer: { image: "img" } })],
    good: [
      (s) =>
        new SagemakerModel(s, "m", {
          executionRoleArn: "arn:aws:iam::111122223333:role/sm",
          primaryContainer: { image: "img" },
          enableNetworkIsolation: true,
        }),
    ],
  },
  "IAM-NO-ADMIN": {
    bad: [
      (s) => rolePolicy(s, json([{ Effect: "Allow", Action: "*", Resource: "*" }])),
      (s) => new IamRolePolicyAttachment(s, "a", { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }),
      (s) =>
        new IamRole(s, "r", {
          assumeRolePolicy: trust(s, "Service", "ec2.amazonaws.com"),
          managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
        }),
    ],
    good: [(s) => rolePolicy(s, json([{ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::acme-data" }]))],
  },
  "IAM-DATA-PLANE-WILDCARD": {
    bad: [
      (s) => rolePolicy(s, json([{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "*" }])),
      (s) => rolePolicy(s, new DataAwsIamPolicyDocument(s, "d", { statement: [{ actions: ["secretsmanager:*"], resources: ["*"] }] }).json),
    ],
    good: [
      (s) => rolePolicy(s, json([{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::acme-data/*" }])),
      (s) =>
        rolePolicy(
          s,
          json([
            {
              Effect: "Allow",
              Action: ["kms:Decrypt"],
              Resource: "*",
              Condition: { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } },
            },
          ]),
        ),
      (s) => rolePolicy(s, json([{ Effect: "Allow", Action: ["ec2:DescribeInstances", "ecr:GetAuthorizationToken"], Resource: "*" }])),
    ],
  },
  "IAM-TRUST-NOT-OPEN": {
    bad: [
      (s) => new IamRole(s, "r", { assumeRolePolicy: trust(s, "AWS", "*") }),
      (s) => new IamRole(s, "r", { assumeRolePolicy: json([{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }]) }),
    ],
    good: [
      (s) => new IamRole(s, "r", { assumeRolePolicy: trust(s, "Service", "eks.amazonaws.com") }),
      (s) => new IamRole(s, "r", { assumeRolePolicy: trust(s, "AWS", "*", true) }),
    ],
  },
  "SG-NO-OPEN-INGRESS": {
    bad: [
      (s) => ingress(s, 22, false),
      (s) => ingress(s, 443, false),
      (s) => new SecurityGroup(s, "sg", { vpcId: "vpc-1", ingress: [{ fromPort: 0, toPort: 0, protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }] }),
      (s) =>
        new DefaultSecurityGroup(s, "default", { vpcId: "vpc-1", ingress: [{ fromPort: 0, toPort: 0, protocol: "-1", ipv6CidrBlocks: ["::/0"] }] }),
    ],
    good: [
      (s) => ingress(s, 443, true),
      (s) => new SecurityGroup(s, "sg", { vpcId: "vpc-1", ingress: [{ fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: ["10.0.0.0/16"] }] }),
    ],
  },
  "HELM-PINNED": { bad: [(s) => helm(s), (s) => helm(s, "^1.2.0")], good: [(s) => helm(s, "1.2.3"), (s) => helm(s, "v0.20.0")] },
  "K8S-RESOURCE-REQUESTS": {
    bad: [(s) => deployment(s), (s) => deployment(s, { cpu: "100m" }), (s) => inferenceService(s, { memory: "2Gi" })],
    good: [(s) => deployment(s, { cpu: "100m", memory: "128Mi" }), (s) => inferenceService(s, { cpu: "1", memory: "2Gi" })],
  },
  "S3-VERSIONING": {
    bad: [(s) => bucket(s), (s) => new S3BucketVersioningA(s, "v", { bucket: bucket(s).id, versioningConfiguration: { status: "Suspended" } })],
    good: [(s) => new S3BucketVersioningA(s, "v", { bucket: bucket(s).id, versioningConfiguration: { status: "Enabled" } })],
  },
  "S3-NO-FORCE-DESTROY": { bad: [(s) => new S3Bucket(s, "b", { forceDestroy: true })], good: [(s) => new S3Bucket(s, "b", { forceDestroy: false })] },
  "COST-GPU-SCALE-TO-ZERO": {
    bad: [(s) => nodeGroup(s, "gpu", { instanceTypes: ["g5.xlarge"], scalingConfig: { minSize: 1, maxSize: 2, desiredSize: 1 } })],
    good: [
      (s) => nodeGroup(s, "gpu", { instanceTypes: ["g5.xlarge"] }),
      (s) => nodeGroup(s, "cpu", { instanceTypes: ["m7i.large"], scalingConfig: { minSize: 2, maxSize: 4, desiredSize: 2 } }),
    ],
  },
  "COST-ON-DEMAND-GPU-LIMIT": {
    // 2 pools x 5 nodes x 8 GPUs = 80 > 64
    bad: [
      (s) =>
        ["a", "b"].forEach((id) => nodeGroup(s, id, { instanceTypes: ["p4d.24xlarge"], scalingConfig: { minSize: 0, maxSize: 5, desiredSize: 0 } })),
      // A managed group (40 GPUs) and a Karpenter NodePool without a capacity-type requirement (on-demand, 40 GPUs).
      (s) => {
        nodeGroup(s, "a", { instanceTypes: ["p4d.24xlarge"], scalingConfig: { minSize: 0, maxSize: 5, desiredSize: 0 } });
        karpenterNodePool(s, "b", 40, undefined);
      },
    ],
    good: [
      (s) => nodeGroup(s, "a", { instanceTypes: ["p4d.24xlarge"], scalingConfig: { minSize: 0, maxSize: 8, desiredSize: 0 } }),
      (s) => nodeGroup(s, "a", { instanceTypes: ["p4d.24xlarge"], capacityType: "SPOT", scalingConfig: { minSize: 0, maxSize: 50, desiredSize: 0 } }),
      // Karpenter: spot and reserved NodePools are not on-demand; an on-demand one within the limit.
      (s) => ["spot", "reserved"].forEach((c) => karpenterNodePool(s, c, 256, [c])),
      (s) => karpenterNodePool(s, "od", 64, ["on-demand"]),
    ],
  },
  "COST-NAT-PER-AZ": {
    bad: [
      (s) => {
        (s.node.findChild("aws") as AwsProvider).defaultTags = [{ tags: { stage: "dev" } }];
        ["a", "b", "c"].forEach((az) => new NatGateway(s, `nat-${az}`, { subnetId: `subnet-${az}` }));
      },
    ],
    good: [
      (s) => {
        (s.node.findChild("aws") as AwsProvider).defaultTags = [{ tags: { stage: "prod" } }];
        ["a", "b", "c"].forEach((az) => new NatGateway(s, `nat-${az}`, { subnetId: `subnet-${az}` }));
      },
      (s) => {
        (s.node.findChild("aws") as AwsProvider).defaultTags = [{ tags: { stage: "dev" } }];
        new NatGateway(s, "nat", { subnetId: "subnet-a" });
      },
    ],
  },
  "COST-EKS-EXTENDED-SUPPORT": {
    bad: [(s) => cluster(s, { upgradePolicy: undefined }), (s) => cluster(s, { upgradePolicy: { supportType: "EXTENDED" } })],
    good: [(s) => cluster(s)],
  },
  "COST-LOG-RETENTION": {
    bad: [(s) => new CloudwatchLogGroup(s, "g", {}), (s) => new CloudwatchLogGroup(s, "g", { retentionInDays: 0 })],
    good: [(s) => new CloudwatchLogGroup(s, "g", { retentionInDays: 90 })],
  },
  "COST-CAPTURE-EXPIRY": { bad: [(s) => captureEndpoint(s, false)], good: [(s) => captureEndpoint(s, true)] },
};

describe("every guardrail rule", () => {
  test("has a case here, a one-line description, a remedy, and real-looking checkov ids", () => {
    const rules = MlopsGuardrails.rules();
    expect(Object.keys(CASES).sort()).toEqual(rules.map((r) => r.id).sort());
    for (const r of rules) {
      expect(r.description).not.toMatch(/\n/);
      expect(r.remedy.length).toBeGreaterThan(10);
      for (const id of r.checkovIds) expect(id).toMatch(/^CKV2?_(AWS|K8S)_\d+$/);
    }
  });

  test("the README's table lists every rule with its pack, level, description and checkov ids", () => {
    const readme = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8");
    for (const r of MlopsGuardrails.rules()) {
      expect(readme).toContain(`| \`${r.id}\` | ${r.pack} | ${r.level} | ${r.description} | ${r.checkovIds.join(", ") || "–"} |`);
    }
  });

  test("the issue's list is covered: at least the named rule families exist in the three packs", () => {
    const byPack = (p: string) => MlopsGuardrails.rules().filter((r) => r.pack === p).length;
    expect(byPack("security")).toBeGreaterThanOrEqual(25);
    expect(byPack("cost")).toBe(6);
    expect(byPack("dataProtection")).toBeGreaterThanOrEqual(5);
  });
});

describe.each(Object.entries(CASES))("%s", (ruleId, { bad, good }) => {
  test.each(bad.map((b, i) => [i, b] as const))("finds resources that break it (case %i)", (_i, build) => {
    const c = check(build);
    expect(of(c, ruleId).length).toBeGreaterThan(0);
  });
  test.each(good.map((b, i) => [i, b] as const))("passes resources that keep it (case %i)", (_i, build) => {
    const c = check(build);
    expect(of(c, ruleId)).toEqual([]);
  });
});
