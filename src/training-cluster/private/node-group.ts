import { Token } from "cdktf";
import { Construct } from "constructs";
import { EksNodeGroup, EksNodeGroupTaint } from "@cdktf/provider-aws/lib/eks-node-group";
import { LaunchTemplate, LaunchTemplateBlockDeviceMappings } from "@cdktf/provider-aws/lib/launch-template";
import { ITerraformDependable } from "cdktf";

/** What {@link managedNodeGroup} builds from: the one shape of every node group in the library. */
export interface ManagedNodeGroupSpec {
  readonly clusterName: string;
  /** Name prefix of the node group and its launch template (Terraform appends a unique suffix). */
  readonly namePrefix: string;
  readonly launchTemplateNamePrefix: string;
  readonly nodeRoleArn: string;
  readonly subnetIds: string[];
  readonly amiType: string;
  readonly capacityType: string;
  /** Instance types of the node group (none when the launch template names its one type, as with a Capacity Block). */
  readonly instanceTypes?: string[];
  readonly minSize: number;
  readonly maxSize: number;
  readonly labels: Record<string, string>;
  readonly taints: EksNodeGroupTaint[];
  readonly blockDevices: { deviceName: string; sizeGiB: number }[];
  readonly kmsKeyArn: string;
  readonly tags: Record<string, string>;
  readonly instanceTags: Record<string, string>;
  readonly dependsOn: ITerraformDependable[];
  /** Extra launch template arguments (EFA interfaces, placement group, capacity reservation). */
  readonly launchTemplateExtras?: Partial<ConstructorParameters<typeof LaunchTemplate>[2]>;
}

export interface ManagedNodeGroupParts {
  readonly nodeGroup: EksNodeGroup;
  readonly launchTemplate: LaunchTemplate;
}

/**
 * A managed node group and its launch template under `scope` (ids `Resource` and
 * `LaunchTemplate`): IMDSv2 required with hop limit 1, so that pods cannot use the node's
 * credentials; encrypted gp3 volumes; tags on instances, volumes and interfaces; name prefixes with
 * create-before-destroy, so that a change to an immutable argument builds the new group before the
 * old one goes; desired size left to the autoscaler after creation.
 */
export function managedNodeGroup(scope: Construct, spec: ManagedNodeGroupSpec): ManagedNodeGroupParts {
  const blockDeviceMappings: LaunchTemplateBlockDeviceMappings[] = spec.blockDevices.map((d) => ({
    deviceName: d.deviceName,
    ebs: {
      volumeSize: d.sizeGiB,
      volumeType: "gp3",
      iops: 3000,
      throughput: 125,
      encrypted: "true",
      kmsKeyId: spec.kmsKeyArn,
      deleteOnTermination: "true",
    },
  }));
  const launchTemplate = new LaunchTemplate(scope, "LaunchTemplate", {
    namePrefix: spec.launchTemplateNamePrefix,
    description: `Nodes of ${spec.namePrefix.replace(/-$/, "")} (cdktf-mlops)`,
    updateDefaultVersion: true,
    metadataOptions: {
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
      instanceMetadataTags: "disabled",
    },
    monitoring: { enabled: true },
    blockDeviceMappings,
    tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
      resourceType,
      tags: spec.instanceTags,
    })),
    tags: spec.tags,
    lifecycle: { createBeforeDestroy: true },
    ...spec.launchTemplateExtras,
  });

  const nodeGroup = new EksNodeGroup(scope, "Resource", {
    clusterName: spec.clusterName,
    nodeGroupNamePrefix: spec.namePrefix,
    nodeRoleArn: spec.nodeRoleArn,
    subnetIds: spec.subnetIds,
    amiType: spec.amiType,
    capacityType: spec.capacityType,
    instanceTypes: spec.instanceTypes,
    scalingConfig: { minSize: spec.minSize, maxSize: spec.maxSize, desiredSize: spec.minSize },
    updateConfig: { maxUnavailable: 1 },
    nodeRepairConfig: { enabled: true },
    labels: spec.labels,
    taint: spec.taints.length > 0 ? spec.taints : undefined,
    launchTemplate: { id: launchTemplate.id, version: Token.asString(launchTemplate.latestVersion) },
    tags: spec.tags,
    dependsOn: spec.dependsOn,
    lifecycle: { createBeforeDestroy: true, ignoreChanges: ["scaling_config[0].desired_size"] },
  });
  return { nodeGroup, launchTemplate };
}
