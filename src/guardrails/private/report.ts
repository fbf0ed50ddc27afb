import { RuleDef } from "./rules";

/** A finding as the reports hold it. */
export interface ReportFinding {
  ruleId: string;
  level: "error" | "warning";
  stack: string;
  constructPath: string;
  address: string;
  message: string;
  remedy: string;
  suppressed?: { reason: string; at: string };
}

const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI = "https://github.com/cdktf-mlops/cdktf-mlops#guardrails";

/**
 * A SARIF 2.1.0 log of the findings (one run, the rules of the enabled packs in the driver),
 * as GitHub code scanning reads it: each result names the stack's synthesized file and, as a logical
 * location, the construct path and the Terraform address. Suppressed findings carry their reason.
 */
export function toSarif(rules: RuleDef[], findings: ReportFinding[], version: string): object {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "cdktf-mlops guardrails",
            version,
            informationUri: INFORMATION_URI,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.toLowerCase().replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: r.description },
              fullDescription: { text: r.description },
              help: { text: r.remedy },
              defaultConfiguration: { level: r.level },
              properties: { pack: r.pack, tags: [r.pack, ...r.checkov], checkov: r.checkov },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: index.get(f.ruleId) ?? -1,
          level: f.level,
          message: { text: `${f.message}. ${f.remedy}` },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: `stacks/${f.stack}/cdk.tf.json`, uriBaseId: "CDKTF_OUT" } },
              logicalLocations: [
                { fullyQualifiedName: f.constructPath, kind: "resource" },
                { fullyQualifiedName: `${f.stack}/${f.address}`, name: f.address, kind: "resource" },
              ],
            },
          ],
          ...(f.suppressed
            ? {
                suppressions: [
                  { kind: "inSource", justification: f.suppressed.reason, location: { logicalLocations: [{ fullyQualifiedName: f.suppressed.at }] } },
                ],
              }
            : {}),
          partialFingerprints: { "constructPath/rule": `${f.constructPath}/${f.ruleId}` },
        })),
        originalUriBaseIds: { CDKTF_OUT: { description: { text: "the app's output directory (cdktf.out)" } } },
      },
    ],
  };
}
