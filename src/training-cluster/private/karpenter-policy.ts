import type { PolicyStatement } from "../../core";

/** What the controller's statements are scoped to. */
export interface KarpenterPolicyScope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly clusterName: string;
  readonly nodeRoleArn: string;
  readonly queueArn: string;
  readonly queueKeyArn: string;
}

/**
 * The Karpenter controller's IAM policy: the statements of Karpenter's published CloudFormation template
 * of the pinned release (website/content/en/docs/getting-started/getting-started-with-karpenter/
 * cloudformation.yaml at tag v1.14.1: NodeLifecyclePolicy, IAMIntegrationPolicy, EKSIntegrationPolicy, InterruptionPolicy,
 * ResourceDiscoveryPolicy), with their Sids, scoped as there to this cluster (its tags), region and
 * account. Left out: ZonalShiftPolicy (the library leaves `settings.enableZonalShift` off). Added: the
 * decryption of the interruption queue, which is under a customer-managed key here (SQS-managed in the
 * template).
 */
export function karpenterControllerStatements(s: KarpenterPolicyScope): PolicyStatement[] {
  const ec2 = (type: string, account = "*") => `arn:${s.partition}:ec2:${s.region}:${account}:${type}/*`;
  const ownedResource = { test: "StringEquals", variable: `aws:ResourceTag/kubernetes.io/cluster/${s.clusterName}`, values: ["owned"] };
  const nodePoolResource = { test: "StringLike", variable: "aws:ResourceTag/karpenter.sh/nodepool", values: ["*"] };
  const ownedRequest = [
    { test: "StringEquals", variable: `aws:RequestTag/kubernetes.io/cluster/${s.clusterName}`, values: ["owned"] },
    { test: "StringEquals", variable: "aws:RequestTag/eks:eks-cluster-name", values: [s.clusterName] },
  ];
  const nodePoolRequest = { test: "StringLike", variable: "aws:RequestTag/karpenter.sh/nodepool", values: ["*"] };
  const taggedOnCreate = [
    ec2("fleet"),
    ec2("instance"),
    ec2("volume"),
    ec2("network-interface"),
    ec2("launch-template"),
    ec2("spot-instances-request"),
  ];
  const instanceProfiles = `arn:${s.partition}:iam::${s.account}:instance-profile/*`;
  const regionResource = { test: "StringEquals", variable: "aws:ResourceTag/topology.kubernetes.io/region", values: [s.region] };
  const nodeClassResource = { test: "StringLike", variable: "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass", values: ["*"] };
  const profileRequest = [
    ...ownedRequest,
    { test: "StringEquals", variable: "aws:RequestTag/topology.kubernetes.io/region", values: [s.region] },
    { test: "StringLike", variable: "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass", values: ["*"] },
  ];
  return [
    {
      sid: "AllowScopedEC2InstanceAccessActions",
      actions: ["ec2:RunInstances", "ec2:CreateFleet"],
      resources: [
        `arn:${s.partition}:ec2:${s.region}::image/*`,
        `arn:${s.partition}:ec2:${s.region}::snapshot/*`,
        ec2("security-group"),
        ec2("subnet"),
        ec2("capacity-reservation"),
        ec2("placement-group"),
      ],
    },
    {
      sid: "AllowScopedEC2LaunchTemplateAccessActions",
      actions: ["ec2:RunInstances", "ec2:CreateFleet"],
      resources: [ec2("launch-template")],
      conditions: [ownedResource, nodePoolResource],
    },
    {
      sid: "AllowScopedEC2InstanceActionsWithTags",
      actions: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
      resources: taggedOnCreate,
      conditions: [...ownedRequest, nodePoolRequest],
    },
    {
      sid: "AllowScopedResourceCreationTagging",
      actions: ["ec2:CreateTags"],
      resources: taggedOnCreate,
      conditions: [
        ...ownedRequest,
        { test: "StringEquals", variable: "ec2:CreateAction", values: ["RunInstances", "CreateFleet", "CreateLaunchTemplate"] },
        nodePoolRequest,
      ],
    },
    {
      sid: "AllowScopedResourceTagging",
      actions: ["ec2:CreateTags"],
      resources: [ec2("instance")],
      conditions: [
        ownedResource,
        nodePoolResource,
        { test: "StringEqualsIfExists", variable: "aws:RequestTag/eks:eks-cluster-name", values: [s.clusterName] },
        { test: "ForAllValues:StringEquals", variable: "aws:TagKeys", values: ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"] },
      ],
    },
    {
      sid: "AllowScopedDeletion",
      actions: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
      resources: [ec2("instance"), ec2("launch-template")],
      conditions: [ownedResource, nodePoolResource],
    },
    {
      sid: "AllowPassingInstanceRole",
      actions: ["iam:PassRole"],
      resources: [s.nodeRoleArn],
      conditions: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"] }],
    },
    {
      sid: "AllowScopedInstanceProfileCreationActions",
      actions: ["iam:CreateInstanceProfile"],
      resources: [instanceProfiles],
      conditions: profileRequest,
    },
    {
      sid: "AllowScopedInstanceProfileTagActions",
      actions: ["iam:TagInstanceProfile"],
      resources: [instanceProfiles],
      conditions: [ownedResource, regionResource, nodeClassResource, ...profileRequest],
    },
    {
      sid: "AllowScopedInstanceProfileActions",
      actions: ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
      resources: [instanceProfiles],
      conditions: [ownedResource, regionResource, nodeClassResource],
    },
    {
      sid: "AllowAPIServerEndpointDiscovery",
      actions: ["eks:DescribeCluster"],
      resources: [`arn:${s.partition}:eks:${s.region}:${s.account}:cluster/${s.clusterName}`],
    },
    {
      sid: "AllowInterruptionQueueActions",
      actions: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
      resources: [s.queueArn],
    },
    {
      sid: "DecryptInterruptionMessages",
      actions: ["kms:Decrypt"],
      resources: [s.queueKeyArn],
    },
    {
      sid: "AllowRegionalReadActions",
      actions: [
        "ec2:DescribeCapacityReservations",
        "ec2:DescribeImages",
        "ec2:DescribeInstances",
        "ec2:DescribeInstanceStatus",
        "ec2:DescribeInstanceTypeOfferings",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribePlacementGroups",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSpotPriceHistory",
        "ec2:DescribeSubnets",
      ],
      resources: ["*"],
      conditions: [{ test: "StringEquals", variable: "aws:RequestedRegion", values: [s.region] }],
    },
    {
      sid: "AllowSSMReadActions",
      actions: ["ssm:GetParameter"],
      resources: [`arn:${s.partition}:ssm:${s.region}::parameter/aws/service/*`],
    },
    { sid: "AllowPricingReadActions", actions: ["pricing:GetProducts"], resources: ["*"] },
    { sid: "AllowUnscopedInstanceProfileListAction", actions: ["iam:ListInstanceProfiles"], resources: ["*"] },
    { sid: "AllowInstanceProfileReadActions", actions: ["iam:GetInstanceProfile"], resources: [instanceProfiles] },
  ];
}
