/**
 * The ML layer on an EKS cluster that exists already (made by terraform-aws-modules/eks, eksctl or
 * another team's stack): MLflow and Feast on it, a fraud model served on KServe, watched for drift.
 * The library creates no cluster, node group or VPC here; it reads the cluster with data sources and
 * installs only what the ML layer needs. The team's CI role, which exists already, may publish models,
 * and an application role, known only by its ARN, may read online features.
 *
 *   npx tsx examples/existing-cluster/main.ts   # writes cdktf.out/stacks/{ml-layer,ml-layer-kubernetes,ml-serving}/cdk.tf.json
 */
import { App, Fn } from "cdktf";
import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { DataAwsIamOpenidConnectProvider } from "@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider";
import { DataAwsIamRole } from "@cdktf/provider-aws/lib/data-aws-iam-role";
import {
  DriftAlarm,
  FeatureEngine,
  FeatureStore,
  ITrainingCluster,
  MlopsStack,
  ModelRegistry,
  RegistryEngine,
  RoleRef,
  ServingEndpoint,
  ServingEngine,
  TrainingCluster,
} from "../../src";
import { FRAUD_FEATURES } from "../shared/features";
import { withGuardrails } from "../shared/guardrails";
import { fraudDriftAlarm } from "../shared/fraud";

export interface ExistingClusterPlatform {
  layer: MlopsStack;
  layerKubernetes: MlopsStack;
  serving: MlopsStack;
  cluster: ITrainingCluster;
  registry: ModelRegistry;
  features: FeatureStore;
  fraud: ServingEndpoint;
  drift: DriftAlarm;
}

export function buildExistingClusterPlatform(app: App): ExistingClusterPlatform {
  const layer = new MlopsStack(app, "ml-layer", { region: "eu-west-1", name: "acme-ml", tags: { "cost-center": "ml-platform" } });
  const layerKubernetes = new MlopsStack(app, "ml-layer-kubernetes", { region: "eu-west-1", name: "acme-ml" });

  // The cluster as the team's EKS stack left it, read at plan time.
  const existing = new DataAwsEksCluster(layer, "ExistingCluster", { name: "acme-prod" });
  const oidc = new DataAwsIamOpenidConnectProvider(layer, "ExistingOidcProvider", { url: existing.identity.get(0).oidc.get(0).issuer });
  const cluster = TrainingCluster.fromClusterAttributes(layer, "cluster", {
    clusterName: existing.name,
    clusterEndpoint: existing.endpoint,
    clusterCertificateAuthorityData: existing.certificateAuthority.get(0).data,
    oidcProviderArn: oidc.arn,
    oidcIssuerUrl: existing.identity.get(0).oidc.get(0).issuer,
    clusterSecurityGroupId: existing.vpcConfig.get(0).clusterSecurityGroupId,
    vpcId: existing.vpcConfig.get(0).vpcId,
    privateSubnetIds: Fn.tolist(existing.vpcConfig.get(0).subnetIds),
    kubernetesVersion: "1.35",
    // Its GPU nodes run the NVIDIA device plugin, labelled and tainted as the library's pools are.
    gpuNodes: true,
    kubernetesStack: layerKubernetes,
  });

  const registry = new ModelRegistry(layer, "registry", { engine: RegistryEngine.mlflow({ cluster }), models: ["fraud"] });
  const features = new FeatureStore(layer, "features", { engine: FeatureEngine.feast({ cluster }), featureGroups: FRAUD_FEATURES });

  // Roles the team has already: the CI role (read with a data source) publishes models; the
  // application's role (known by ARN only) reads online features.
  const ci = new DataAwsIamRole(layer, "CiRole", { name: "acme-ci-deployer" });
  registry.grantWrite(ci);
  features.grantReadOnline(RoleRef.fromRoleArn("arn:aws:iam::111122223333:role/apps/fraud-scoring"));

  const serving = new MlopsStack(app, "ml-serving", { region: "eu-west-1", name: "acme-ml" });
  const fraud = new ServingEndpoint(serving, "fraud", {
    engine: ServingEngine.kserve({ cluster, modelFormat: "mlflow" }),
    model: registry.model("fraud", "3"),
    gpu: true,
    minReplicas: 1,
    maxReplicas: 4,
  });
  const drift = fraudDriftAlarm(serving, fraud, registry);

  return { layer, layerKubernetes, serving, cluster, registry, features, fraud, drift };
}

if (require.main === module) {
  const app = new App();
  buildExistingClusterPlatform(app);
  withGuardrails(app).synth();
}
