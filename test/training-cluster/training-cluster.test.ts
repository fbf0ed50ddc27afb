import { MlopsNetwork, MlopsStack, TrainingCluster, TrainingClusterProps, UpgradeSupportType } from "../../src";
import { helmValues, newApp, newStack, policyStatements, ref, resource, resources, synth, synthApp } from "../helpers";

function build(props: TrainingClusterProps = {}) {
  const stack = newStack();
  const cluster = new TrainingCluster(stack, "training", props);
  return { stack, cluster, doc: synth(stack) };
}

describe("TrainingCluster control plane", () => {
  const { doc } = build();
  const eks = resource(doc, "aws_eks_cluster", "training/Resource");

  test("is named from the platform and construct path, on the newest Kubernetes version in standard support", () => {
    expect(eks.values).toMatchObject({ name: "acme-ml-training", version: "1.36", upgrade_policy: { support_type: "STANDARD" } });
  });

  test("has a private API endpoint only, in the network's private subnets", () => {
    expect(eks.values.vpc_config).toEqual({
      endpoint_private_access: true,
      endpoint_public_access: false,
      subnet_ids: [1, 2, 3].map((i) => ref(resource(doc, "aws_subnet", `training/Network/PrivateSubnet${i}`), "id")),
    });
  });

  test("encrypts secrets with the platform KMS key and logs every control-plane log type to an encrypted group", () => {
    expect(eks.values.encryption_config).toEqual({ resources: ["secrets"], provider: { key_arn: "${aws_kms_key.PlatformKey.arn}" } });
    expect(eks.values.enabled_cluster_log_types).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    const logs = resource(doc, "aws_cloudwatch_log_group", "ControlPlaneLogs");
    expect(logs.values).toMatchObject({
      name: "/aws/eks/acme-ml-training/cluster",
      retention_in_days: 90,
      kms_key_id: "${aws_kms_key.PlatformKey.arn}",
    });
    expect(eks.values.depends_on).toContain(logs.address);
  });

  test("authenticates through access entries (API mode), has deletion protection and manages its own add-ons", () => {
    expect(eks.values.access_config).toEqual({ authentication_mode: "API", bootstrap_cluster_creator_admin_permissions: true });
    expect(eks.values.deletion_protection).toBe(true);
    expect(eks.values.bootstrap_self_managed_addons).toBe(false);
  });

  test("the cluster role trusts EKS and may use only the cluster key", () => {
    const role = resource(doc, "aws_iam_role", "ClusterRole/Role");
    const trust = policyStatements(doc, role.values.assume_role_policy);
    expect(trust[0].principals).toEqual([{ type: "Service", identifiers: ["eks.amazonaws.com"] }]);
    const policy = policyStatements(doc, resource(doc, "aws_iam_role_policy", "ClusterRole/Policy").values.policy);
    expect(policy).toEqual([
      expect.objectContaining({ resources: ["${aws_kms_key.PlatformKey.arn}"], actions: expect.arrayContaining(["kms:Decrypt"]) }),
    ]);
    expect(eks.values.role_arn).toBe(ref(role, "arn"));
  });

  test("an OIDC provider for IRSA reads the cluster's issuer", () => {
    expect(resource(doc, "aws_iam_openid_connect_provider", "OidcProvider").values).toMatchObject({
      url: `\${${eks.address}.identity[0].oidc[0].issuer}`,
      client_id_list: ["sts.amazonaws.com"],
    });
  });
});

describe("TrainingCluster add-ons and nodes", () => {
  const { doc } = build();
  const addon = (name: string) => resource(doc, "aws_eks_addon", `Addon-${name}`);

  test("installs the six managed add-ons and the CloudWatch observability add-on, at EKS's default versions unless pinned", () => {
    expect(
      resources(doc, "aws_eks_addon")
        .map((a) => a.values.addon_name)
        .sort(),
    ).toEqual([
      "amazon-cloudwatch-observability",
      "aws-ebs-csi-driver",
      "coredns",
      "eks-node-monitoring-agent",
      "eks-pod-identity-agent",
      "kube-proxy",
      "vpc-cni",
    ]);
    expect(addon("coredns").values.addon_version).toBeUndefined();
    const pinned = synth(
      (() => {
        const s = newStack();
        new TrainingCluster(s, "training", { addonVersions: { coredns: "v1.12.4-eksbuild.1" } });
        return s;
      })(),
    );
    expect(resource(pinned, "aws_eks_addon", "Addon-coredns").values.addon_version).toBe("v1.12.4-eksbuild.1");
  });

  test("vpc-cni and the EBS CSI driver get their permissions through Pod Identity, not the node role", () => {
    const cni = addon("vpc-cni").values.pod_identity_association;
    expect(cni).toEqual([{ service_account: "aws-node", role_arn: ref(resource(doc, "aws_iam_role", "VpcCniRole/Role"), "arn") }]);
    const ebs = addon("aws-ebs-csi-driver").values.pod_identity_association;
    expect(ebs).toEqual([{ service_account: "ebs-csi-controller-sa", role_arn: ref(resource(doc, "aws_iam_role", "EbsCsiRole/Role"), "arn") }]);
    const trust = policyStatements(doc, resource(doc, "aws_iam_role", "EbsCsiRole/Role").values.assume_role_policy);
    expect(trust[0]).toMatchObject({
      actions: ["sts:AssumeRole", "sts:TagSession"],
      principals: [{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }],
    });
    const nodePolicies = resources(doc, "aws_iam_role_policy_attachment")
      .filter((a) => a.path.includes("NodeRole"))
      .map((a) => a.values.policy_arn)
      .sort();
    expect(nodePolicies).toEqual([
      "arn:${data.aws_partition.Partition.partition}:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
      "arn:${data.aws_partition.Partition.partition}:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    ]);
  });

  test("node groups wait for the networking add-ons; coredns and the EBS driver wait for the system nodes", () => {
    const system = resource(doc, "aws_eks_node_group", "SystemNodes/Resource");
    expect(system.values.depends_on).toEqual(["vpc-cni", "kube-proxy", "eks-pod-identity-agent"].map((n) => addon(n).address));
    expect(addon("coredns").values.depends_on).toEqual([system.address]);
    expect(addon("aws-ebs-csi-driver").values.depends_on).toEqual([system.address]);
  });

  test("the system node group is on-demand AL2023 with 2 to 4 nodes, labelled for the controllers", () => {
    expect(resource(doc, "aws_eks_node_group", "SystemNodes/Resource").values).toMatchObject({
      ami_type: "AL2023_x86_64_STANDARD",
      capacity_type: "ON_DEMAND",
      instance_types: ["m7i.large"],
      scaling_config: { min_size: 2, max_size: 4, desired_size: 2 },
      labels: { "cdktf-mlops/pool": "system" },
      node_group_name_prefix: "acme-ml-training-system-",
    });
  });
});

describe("TrainingCluster controllers", () => {
  const { doc } = build({ gpuNodePools: [{ name: "a100", instanceTypes: ["p4d.24xlarge"] }] });
  const release = (path: string) => resource(doc, "helm_release", path);

  test("Helm charts are pinned, from the repositories that serve them", () => {
    const charts = resources(doc, "helm_release").map((r) => [r.values.repository, r.values.chart, r.values.version]);
    expect(charts.sort()).toEqual([
      ["https://kubernetes-sigs.github.io/metrics-server/", "metrics-server", "3.13.1"],
      ["https://kubernetes.github.io/autoscaler", "cluster-autoscaler", "9.59.0"],
      ["https://nvidia.github.io/k8s-device-plugin", "nvidia-device-plugin", "0.20.0"],
    ]);
    for (const r of resources(doc, "helm_release")) {
      expect(r.values).toMatchObject({ atomic: true, namespace: "kube-system", provider: "helm.platform-training" });
    }
  });

  test("Cluster Autoscaler auto-discovers this cluster, runs the image of its Kubernetes minor, on system nodes", () => {
    const values = helmValues(release("ClusterAutoscaler"));
    expect(values).toEqual({
      cloudProvider: "aws",
      awsRegion: "eu-west-1",
      autoDiscovery: { clusterName: "acme-ml-training" },
      image: { tag: "v1.36.1" },
      rbac: { serviceAccount: { create: true, name: "cluster-autoscaler" } },
      replicaCount: 2,
      nodeSelector: { "cdktf-mlops/pool": "system" },
      extraArgs: { expander: "least-waste", "balance-similar-node-groups": true, "skip-nodes-with-system-pods": false },
    });
  });

  test("Cluster Autoscaler's Pod Identity role scales only this cluster's groups", () => {
    const assoc = resource(doc, "aws_eks_pod_identity_association", "ClusterAutoscalerPodIdentity");
    const role = resource(doc, "aws_iam_role", "ClusterAutoscalerRole/Role");
    expect(assoc.values).toMatchObject({ namespace: "kube-system", service_account: "cluster-autoscaler", role_arn: ref(role, "arn") });
    const statements = policyStatements(doc, resource(doc, "aws_iam_role_policy", "ClusterAutoscalerRole/Policy").values.policy);
    const scale = statements.find((s) => s.actions.includes("autoscaling:SetDesiredCapacity"))!;
    expect(scale.condition).toEqual([
      { test: "StringEquals", variable: "aws:ResourceTag/k8s.io/cluster-autoscaler/acme-ml-training", values: ["owned"] },
    ]);
    const describe = statements.find((s) => s.actions.includes("eks:DescribeNodegroup"))!;
    expect(describe.resources[0]).toMatch(/:nodegroup\/acme-ml-training\/\*\/\*$/);
  });

  test("the NVIDIA device plugin runs only on AL2023 GPU nodes and tolerates the GPU taint", () => {
    const values = helmValues(release("NvidiaDevicePlugin"));
    expect(values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      {
        matchExpressions: [
          { key: "nvidia.com/gpu.present", operator: "In", values: ["true"] },
          { key: "cdktf-mlops/ami-family", operator: "In", values: ["al2023"] },
        ],
      },
    ]);
    expect(values.tolerations).toContainEqual({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" });
  });

  test("metrics-server runs two replicas with a disruption budget", () => {
    expect(helmValues(release("MetricsServer"))).toMatchObject({ replicas: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 } });
  });

  test("priority classes let serving preempt training", () => {
    const training = resource(doc, "kubernetes_priority_class_v1", "TrainingPriority").values;
    const serving = resource(doc, "kubernetes_priority_class_v1", "ServingPriority").values;
    expect(training.metadata.name).toBe("mlops-training");
    expect(serving.metadata.name).toBe("mlops-serving");
    expect(serving.value).toBeGreaterThan(training.value);
  });
});

describe("TrainingCluster options", () => {
  test("GIVEN no AL2023 GPU pool THEN no device plugin is installed (Bottlerocket ships its own)", () => {
    const { doc, cluster } = build({
      gpuNodePools: [{ name: "br", instanceTypes: ["g5.xlarge"], amiType: "BOTTLEROCKET_x86_64_NVIDIA" as never }],
    });
    expect(resources(doc, "helm_release").map((r) => r.values.chart)).not.toContain("nvidia-device-plugin");
    expect(cluster.nvidiaDevicePlugin).toBeUndefined();
  });

  test("GIVEN public endpoint CIDRs THEN the public endpoint is open to exactly those", () => {
    const { doc } = build({ publicEndpointCidrs: ["203.0.113.0/24"] });
    expect(resource(doc, "aws_eks_cluster", "training/Resource").values.vpc_config).toMatchObject({
      endpoint_public_access: true,
      public_access_cidrs: ["203.0.113.0/24"],
    });
  });

  test("GIVEN private endpoint CIDRs THEN the cluster security group admits them on 443", () => {
    const { doc } = build({ privateEndpointCidrs: ["10.50.0.0/16"] });
    expect(resource(doc, "aws_vpc_security_group_ingress_rule", "ApiAccess1").values).toMatchObject({
      security_group_id: "${aws_eks_cluster.training_1CA5CB2F.vpc_config[0].cluster_security_group_id}",
      cidr_ipv4: "10.50.0.0/16",
      from_port: 443,
      to_port: 443,
    });
  });

  test("GIVEN admin roles THEN each gets an access entry with the cluster-admin policy at cluster scope", () => {
    const arn = "arn:aws:iam::111122223333:role/admins";
    const { doc } = build({ adminRoleArns: [arn] });
    expect(resource(doc, "aws_eks_access_entry", "AdminAccess1").values).toMatchObject({ principal_arn: arn, type: "STANDARD" });
    expect(resource(doc, "aws_eks_access_policy_association", "AdminAccess1Policy").values).toMatchObject({
      principal_arn: arn,
      policy_arn: "arn:${data.aws_partition.Partition.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
      access_scope: { type: "cluster" },
    });
  });

  test("GIVEN an existing network THEN no VPC is created and the cluster uses its subnets", () => {
    const network = MlopsNetwork.fromExisting({ vpcId: "vpc-123", privateSubnetIds: ["subnet-a", "subnet-b"] });
    const { doc } = build({ network });
    expect(resources(doc, "aws_vpc")).toHaveLength(0);
    expect(resource(doc, "aws_eks_cluster", "training/Resource").values.vpc_config.subnet_ids).toEqual(["subnet-a", "subnet-b"]);
  });

  test("GIVEN Kubernetes 1.34 THEN the autoscaler image follows the minor", () => {
    const { doc } = build({ kubernetesVersion: "1.34" });
    expect(helmValues(resource(doc, "helm_release", "ClusterAutoscaler")).image.tag).toBe("v1.34.5");
  });

  test("GIVEN 1.33 with EXTENDED support THEN it is accepted", () => {
    const { doc } = build({ kubernetesVersion: "1.33", upgradeSupportType: UpgradeSupportType.EXTENDED });
    expect(resource(doc, "aws_eks_cluster", "training/Resource").values.upgrade_policy).toEqual({ support_type: "EXTENDED" });
  });

  test("teams get a namespace with Pod Security labels, a GPU quota and default container limits", () => {
    const { doc, cluster } = build({ teams: [{ name: "fraud", gpuQuota: 16, cpuQuota: 64, memoryQuotaGiB: 256 }] });
    const ns = resource(doc, "kubernetes_namespace_v1", "Team-fraud/Resource");
    expect(ns.values.metadata).toMatchObject({
      name: "fraud",
      labels: { "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted" },
    });
    const quota = resource(doc, "kubernetes_resource_quota_v1", "Team-fraud/Quota").values;
    expect(quota.metadata.namespace).toBe(`\${${ns.address}.metadata[0].name}`);
    expect(quota.spec.hard).toEqual({ "requests.nvidia.com/gpu": "16", "requests.cpu": "64", "requests.memory": "256Gi" });
    expect(resource(doc, "kubernetes_limit_range_v1", "Team-fraud/LimitRange").values.spec.limit[0]).toMatchObject({
      type: "Container",
      default_request: { cpu: "250m", memory: "512Mi" },
    });
    expect(cluster.teams.fraud.namespace).toBeDefined();
  });

  test("escape hatches: every underlying resource is a public field", () => {
    const { cluster } = build({ gpuNodePools: [{ name: "a100", instanceTypes: ["p4d.24xlarge"] }] });
    expect(cluster.cluster.terraformResourceType).toBe("aws_eks_cluster");
    expect(cluster.systemNodeGroup.terraformResourceType).toBe("aws_eks_node_group");
    expect(cluster.gpuNodePools.a100.launchTemplate.terraformResourceType).toBe("aws_launch_template");
    expect(cluster.addons["vpc-cni"].terraformResourceType).toBe("aws_eks_addon");
    expect(cluster.clusterAutoscaler.terraformResourceType).toBe("helm_release");
    cluster.cluster.addOverride("timeouts.create", "45m");
  });
});

describe("TrainingCluster.connect", () => {
  test("GIVEN another stack THEN its Kubernetes and Helm providers read the cluster through cross-stack references", () => {
    const app = newApp();
    const platform = new MlopsStack(app, "ml-platform", { region: "eu-west-1", name: "acme-ml" });
    const workloads = new MlopsStack(app, "ml-workloads", { region: "eu-west-1", name: "acme-ml" });
    const cluster = new TrainingCluster(platform, "training");
    const providers = cluster.connect(workloads);
    expect(cluster.connect(workloads)).toBe(providers);
    const docs = synthApp(app);
    const k8s = docs["ml-workloads"].provider!.kubernetes[0] as Record<string, any>;
    expect(k8s.alias).toBe("ml-platform-training");
    expect(k8s.host).toMatch(/^\$\{data\.terraform_remote_state\.[^}]+\}$/);
    expect(k8s.exec[0]).toMatchObject({ command: "aws", api_version: "client.authentication.k8s.io/v1beta1" });
    expect(k8s.exec[0].args.slice(0, 3)).toEqual(["eks", "get-token", "--cluster-name"]);
    const helm = docs["ml-workloads"].provider!.helm[0] as Record<string, any>;
    expect(helm.kubernetes.host).toBe(k8s.host);
    expect(Object.keys(docs["ml-platform"].output ?? {}).length).toBeGreaterThan(0);
  });
});

describe("node health", () => {
  test("the EKS node monitoring agent runs wherever node auto-repair is on (every node group)", () => {
    const stack = newStack();
    new TrainingCluster(stack, "training", { gpuNodePools: [{ name: "l4", instanceTypes: ["g6.xlarge"] }] });
    const doc = synth(stack);
    expect(resources(doc, "aws_eks_node_group").every((n) => n.values.node_repair_config?.enabled === true)).toBe(true);
    const agent = resources(doc, "aws_eks_addon").find((a) => a.values.addon_name === "eks-node-monitoring-agent")!;
    expect(agent.values.depends_on).toEqual([resource(doc, "aws_eks_node_group", "SystemNodes/Resource").address]);
  });
});
