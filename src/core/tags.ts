/** Tag keys this library sets on every resource it owns, besides the stack's default tags. */
export const TagKeys = {
  platform: "mlops:platform",
  component: "mlops:component",
  team: "mlops:team",
  managedBy: "mlops:managed-by",
} as const;

/**
 * Tags of one component: `mlops:component` and, where there is one, `mlops:team`. The platform
 * tags reach every AWS resource through the provider's `default_tags`; these are added per resource.
 */
export function componentTags(component: string, team?: string): Record<string, string> {
  return { [TagKeys.component]: component, ...(team ? { [TagKeys.team]: team } : {}) };
}
