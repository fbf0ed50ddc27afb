import { Fn, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { findMlopsStack } from "./stack-context";

/** What a Kubernetes or Helm provider needs to reach an EKS cluster. */
export interface IClusterEndpoint extends IConstruct {
  /** The EKS cluster name. */
  readonly clusterName: string;
  /** The API server URL. */
  readonly clusterEndpoint: string;
  /** The base64 certificate authority data of the API server. */
  readonly clusterCertificateAuthorityData: string;
  /** The cluster's AWS region. */
  readonly clusterRegion: string;
}

/** The Kubernetes and Helm providers of one cluster in one stack. */
export interface ClusterProviders {
  readonly kubernetes: KubernetesProvider;
  readonly helm: HelmProvider;
}

const cache = new WeakMap<TerraformStack, Map<IClusterEndpoint, ClusterProviders>>();

/**
 * Kubernetes and Helm providers for `cluster` in the stack of `scope`, created once per stack and
 * configured from the cluster itself (endpoint, CA, `aws eks get-token`), never from a kubeconfig
 * file. In another stack the values travel through cdktf's cross-stack references. Each provider
 * has an alias named after the cluster, so several clusters can be reached from one stack.
 */
export function connectCluster(scope: IConstruct, cluster: IClusterEndpoint): ClusterProviders {
  const stack = TerraformStack.of(scope);
  let perStack = cache.get(stack);
  if (!perStack) {
    perStack = new Map();
    cache.set(stack, perStack);
  }
  const existing = perStack.get(cluster);
  if (existing) return existing;

  const clusterStack = TerraformStack.of(cluster);
  const deployRoleArn = findMlopsStack(stack)?.deployRoleArn;
  const alias = `${clusterStack.node.id}-${cluster.node.id}`.replace(/[^A-Za-z0-9_-]/g, "-");
  const exec = {
    apiVersion: "client.authentication.k8s.io/v1beta1",
    command: "aws",
    args: [
      "eks",
      "get-token",
      "--cluster-name",
      cluster.clusterName,
      "--region",
      cluster.clusterRegion,
      // The identity Terraform deploys as, so that the API sees the cluster's creator and admins.
      ...(deployRoleArn ? ["--role-arn", deployRoleArn] : []),
      "--output",
      "json",
    ],
  };
  const host = cluster.clusterEndpoint;
  const ca = Fn.base64decode(cluster.clusterCertificateAuthorityData);

  const providers: ClusterProviders = {
    kubernetes: new KubernetesProvider(stack, `Kubernetes-${alias}`, {
      alias,
      host,
      clusterCaCertificate: ca,
      exec: [exec],
    }),
    helm: new HelmProvider(stack, `Helm-${alias}`, {
      alias,
      kubernetes: { host, clusterCaCertificate: ca, exec },
    }),
  };
  perStack.set(cluster, providers);
  return providers;
}

/** The providers that {@link connectCluster} made for `cluster` in `stack`, if any (creates nothing). */
export function existingClusterProviders(stack: TerraformStack, cluster: IClusterEndpoint): ClusterProviders | undefined {
  return cache.get(stack)?.get(cluster);
}
