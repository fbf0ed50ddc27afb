import type { ManifestEntry } from "../core/manifest";
import type { SynthOutput } from "./load";

/** The platform at a glance, per stack, from the library's manifest (`mlops.json`). */
export interface PlatformSummary {
  readonly stacks: StackSummary[];
}

export interface StackSummary {
  readonly name: string;
  readonly region?: string;
  readonly clusters: ClusterSummary[];
  readonly registries: ManifestEntry[];
  readonly featureStores: ManifestEntry[];
  readonly endpoints: ManifestEntry[];
  readonly driftAlarms: ManifestEntry[];
}

export interface ClusterSummary {
  readonly cluster: ManifestEntry;
  readonly pools: ManifestEntry[];
  readonly teams: ManifestEntry[];
  /** Most GPUs of all pools at max scale. */
  readonly maxGpus: number;
}

const under = (path: string, parent: string) => path === parent || path.startsWith(`${parent}/`);

/** The summary of `output`, or undefined when it has no manifest (not a cdktf-mlops app). */
export function platformSummary(output: SynthOutput): PlatformSummary | undefined {
  const m = output.manifest;
  if (!m) return undefined;
  const of = (kind: string, stack: string) => m.entries.filter((e) => e.kind === kind && e.stack === stack);
  const stackNames = [...new Set([...output.stacks.keys(), ...m.entries.map((e) => e.stack)])].filter(Boolean).sort();
  return {
    stacks: stackNames.map((name) => {
      const stackEntry = of("MlopsStack", name)[0];
      const clusters = of("TrainingCluster", name).map((cluster) => {
        const pools = m.entries.filter((e) => e.kind === "GpuNodePool" && e.cluster === cluster.path);
        const teams = m.entries.filter((e) => e.kind === "Team" && under(e.path, cluster.path));
        return { cluster, pools, teams, maxGpus: pools.reduce((t, p) => t + Number(p.maxSize ?? 0) * Number(p.gpuCount ?? 0), 0) };
      });
      return {
        name,
        region: (stackEntry?.region as string | undefined) ?? output.stacks.get(name)?.region,
        clusters,
        registries: of("ModelRegistry", name),
        featureStores: of("FeatureStore", name),
        endpoints: of("ServingEndpoint", name),
        driftAlarms: of("DriftAlarm", name),
      };
    }),
  };
}

/** The deepest manifest entry (a construct the library knows) that contains `path`. */
export function ownerOf(output: SynthOutput | undefined, path: string): ManifestEntry | undefined {
  let best: ManifestEntry | undefined;
  for (const e of output?.manifest?.entries ?? []) {
    if (e.kind === "MlopsStack") continue;
    if (under(path, e.path) && (!best || e.path.length > best.path.length)) best = e;
  }
  return best;
}

const esc = (s: unknown) =>
  String(s ?? "")
    .replace(/"/g, "#quot;")
    .replace(/[<>]/g, "");
const id = (p: string) => p.replace(/[^A-Za-z0-9]/g, "_");

/**
 * A Mermaid flowchart of the platform: stacks, cluster and pools, stores, endpoints, and the
 * capture → drift job → alarm → notify / retrain path. GitHub renders it in a comment.
 */
export function mermaidDiagram(summary: PlatformSummary): string {
  const lines = ["flowchart LR"];
  const links: string[] = [];
  const registryOfModel = new Map<string, string>();
  for (const s of summary.stacks) for (const r of s.registries) for (const model of (r.models as string[]) ?? []) registryOfModel.set(model, r.path);
  for (const s of summary.stacks) {
    lines.push(`  subgraph ${id(`stack ${s.name}`)}["${esc(s.name)}${s.region ? ` (${esc(s.region)})` : ""}"]`);
    for (const c of s.clusters) {
      lines.push(`    ${id(c.cluster.path)}["EKS ${esc(c.cluster.clusterName)}<br/>Kubernetes ${esc(c.cluster.kubernetesVersion)}"]`);
      for (const p of c.pools) {
        lines.push(
          `    ${id(p.path)}["pool ${esc(p.name)}: ${esc((p.instanceTypes as string[]).join(", "))}<br/>${p.minSize}-${p.maxSize} nodes, up to ${Number(p.maxSize) * Number(p.gpuCount)} × ${esc(p.gpuModel)}"]`,
        );
        links.push(`  ${id(c.cluster.path)} --> ${id(p.path)}`);
      }
      for (const t of c.teams) {
        lines.push(`    ${id(t.path)}(["team ${esc(t.name)}: ${t.gpuQuota} GPUs"])`);
        links.push(`  ${id(c.cluster.path)} --- ${id(t.path)}`);
      }
    }
    for (const r of s.registries)
      lines.push(`    ${id(r.path)}[("registry (${esc(r.engine)})<br/>${esc(((r.models as string[]) ?? []).join(", ") || "no models")}")]`);
    for (const f of s.featureStores) {
      const groups = (f.featureGroups as { name: string }[]) ?? [];
      lines.push(`    ${id(f.path)}[("feature store (${esc(f.engine)})<br/>${esc(groups.map((g) => g.name).join(", "))}")]`);
    }
    for (const e of s.endpoints) {
      lines.push(`    ${id(e.path)}(["endpoint ${esc(e.endpointName)} (${esc(e.engine)}${e.gpu ? ", GPU" : ""})"])`);
      const model = (e.model as { name?: string } | undefined)?.name;
      const reg = model ? registryOfModel.get(model) : undefined;
      if (reg) links.push(`  ${id(reg)} -->|model ${esc(model)}| ${id(e.path)}`);
      if (typeof e.cluster === "string") links.push(`  ${id(e.cluster)} -.runs.- ${id(e.path)}`);
    }
    for (const d of s.driftAlarms) {
      const job = id(`${d.path} job`);
      const alarm = id(`${d.path} alarm`);
      lines.push(`    ${job}{{"drift ${d.job === "model-monitor" ? "Model Monitor" : "job"} every ${esc(d.intervalMinutes)} min"}}`);
      lines.push(`    ${alarm}>"composite alarm"]`);
      links.push(`  ${id(String(d.endpoint))} -->|captures| ${job}`, `  ${job} --> ${alarm}`);
      const notify = (d.notify as string[]) ?? [];
      if (notify.length) {
        lines.push(`    ${id(`${d.path} notify`)}[/"notify: ${esc(notify.join(", "))}"/]`);
        links.push(`  ${alarm} --> ${id(`${d.path} notify`)}`);
      }
      if (d.retrainingTargetArn) {
        lines.push(`    ${id(`${d.path} retrain`)}[/"retrain: ${esc(String(d.retrainingTargetArn).split(":").slice(-1)[0])}"/]`);
        links.push(`  ${alarm} --> ${id(`${d.path} retrain`)}`);
      }
    }
    lines.push("  end");
  }
  return [...lines, ...links].join("\n");
}
