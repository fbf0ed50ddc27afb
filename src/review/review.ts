import { CostItem, costModel, CostModel, HOURS_PER_MONTH, unpricedReason } from "./cost";

/** ": <reason>" when the price table says why it has no price for the item (Markdown table cell: no pipes). */
const reasonOf = (item: string, region: string | undefined): string => {
  const r = unpricedReason(item, region);
  return r ? `: ${r.replace(/\|/g, "/")}` : "";
};
import { Danger, DangerKind, dataDangers, iamDangers, networkDangers, stateDangers } from "./dangers";
import { diffOutputs, ResourceChange } from "./diff";
import { entriesOf, SynthOutput } from "./load";
import { mermaidDiagram, ownerOf, platformSummary, PlatformSummary } from "./platform";

/** Everything the review found, for `--format json` and for the Markdown report. */
export interface ReviewResult {
  readonly version: 1;
  readonly base?: string;
  readonly head: string;
  readonly dangers: Danger[];
  readonly changes: ResourceChange[];
  readonly counts: { create: number; delete: number; update: number; replace: number; "update-or-replace": number };
  readonly platform?: PlatformSummary;
  readonly cost: { base?: CostModel; head: CostModel };
  readonly diagram?: string;
}

const usd = (n: number) => `$${Math.round(n).toLocaleString("en-US")}`;

/** GPU capacity up or down, per pool and in total; cost at idle and at max scale, before and after. */
function capacityDangers(base: CostModel, head: CostModel): Danger[] {
  const out: Danger[] = [];
  const key = (p: { stack: string; address: string }) => `${p.stack} ${p.address}`;
  const b = new Map(base.pools.map((p) => [key(p), p]));
  const h = new Map(head.pools.map((p) => [key(p), p]));
  for (const k of [...new Set([...b.keys(), ...h.keys()])].sort()) {
    const before = b.get(k);
    const after = h.get(k);
    const bg = before?.maxGpus ?? 0;
    const ag = after?.maxGpus ?? 0;
    const bt = before?.instanceType;
    const at = after?.instanceType;
    if (bg === ag && bt === at) continue;
    const p = (after ?? before)!;
    const desc = (x?: typeof p) => (x ? `${x.maxNodes} × ${x.instanceType} (${x.gpusPerNode} × ${x.gpuModel})` : "none");
    // The pool's monthly cost at max scale, before and after, where the table prices its instance type.
    const item = (m: CostModel, x?: typeof p) => (x ? m.items.find((i) => i.stack === x.stack && i.address === x.address) : undefined);
    const bi = item(base, before);
    const hi = item(head, after);
    const monthly = (i?: CostItem) => (i?.price ? i.maxCount * i.price.usdPerHour * HOURS_PER_MONTH : i ? undefined : 0);
    const bm = monthly(bi);
    const hm = monthly(hi);
    const cost =
      bm !== undefined && hm !== undefined
        ? `, ${hm >= bm ? "+" : "-"}${usd(Math.abs(hm - bm))}/month at max scale`
        : `, no price for ${[bi, hi]
            .filter((i) => i && !i.price)
            .map((i) => `${i!.item} in ${i!.region ?? "an unknown region"}`)
            .join(", ")}`;
    out.push({
      kind: "gpu",
      stack: p.stack,
      address: p.address,
      path: p.path,
      message: `GPU capacity ${ag > bg ? "UP" : ag < bg ? "DOWN" : "CHANGED"} \`${p.path || p.address}\`: max ${bg} → ${ag} GPUs (${desc(before)} → ${desc(after)})${cost}`,
    });
  }
  if (base.totalMaxGpus !== head.totalMaxGpus) {
    out.push({ kind: "gpu", stack: "", message: `GPU capacity in total: max ${base.totalMaxGpus} → ${head.totalMaxGpus} GPUs` });
  }
  // A changed item without a price must not read as "cost unchanged": name it.
  const itemKey = (i: CostItem) => `${i.stack} ${i.address} ${i.item}`;
  const baseItems = new Map(base.items.map((i) => [itemKey(i), i]));
  const headItems = new Map(head.items.map((i) => [itemKey(i), i]));
  const unknown: string[] = [];
  for (const k of [...new Set([...baseItems.keys(), ...headItems.keys()])].sort()) {
    const b = baseItems.get(k);
    const h = headItems.get(k);
    const i = (h ?? b)!;
    if (i.price || (b && h && b.idleCount === h.idleCount && b.maxCount === h.maxCount)) continue;
    const counts = (x?: CostItem) => (x ? `${x.idleCount}-${x.maxCount}` : "0");
    unknown.push(`\`${i.item}\` in ${i.region ?? "an unknown region"} (${counts(b)} → ${counts(h)}, \`${i.path || i.address}\`)`);
  }
  if (unknown.length)
    out.push({ kind: "cost", stack: "", message: `Cost change not priced (no price in the table, not guessed): ${unknown.join("; ")}` });
  if (Math.round(base.idleMonthlyUsd) !== Math.round(head.idleMonthlyUsd) || Math.round(base.maxMonthlyUsd) !== Math.round(head.maxMonthlyUsd)) {
    out.push({
      kind: "cost",
      stack: "",
      message: `Monthly cost (priced items, on-demand): idle ${usd(base.idleMonthlyUsd)} → ${usd(head.idleMonthlyUsd)}, max scale ${usd(base.maxMonthlyUsd)} → ${usd(head.maxMonthlyUsd)}${
        head.unpriced.length ? `; ${head.unpriced.length} item(s) have no price in the table` : ""
      }`,
    });
  }
  return out;
}

/** GPU quotas of teams changed, added or removed, from the two manifests. */
function quotaDangers(base: SynthOutput, head: SynthOutput): Danger[] {
  const teams = (o: SynthOutput) => new Map(entriesOf(o, "Team").map((t) => [t.path, t]));
  const b = teams(base);
  const h = teams(head);
  const out: Danger[] = [];
  for (const path of [...new Set([...b.keys(), ...h.keys()])].sort()) {
    const before = b.get(path);
    const after = h.get(path);
    if (before?.gpuQuota === after?.gpuQuota) continue;
    const t = (after ?? before)!;
    out.push({
      kind: "gpu",
      stack: t.stack,
      path,
      message: `GPU quota of team \`${t.name}\` (\`${path}\`): ${before?.gpuQuota ?? "none"} → ${after?.gpuQuota ?? "none"} GPUs`,
    });
  }
  return out;
}

const ORDER: DangerKind[] = ["state", "destroy", "replace", "protection-off", "may-replace", "iam", "network", "gpu", "cost"];

/** Reviews `head` against `base` (the target branch's synth output), or only summarizes `head` without a base. */
export function review(head: SynthOutput, base?: SynthOutput): ReviewResult {
  const changes = base ? diffOutputs(base, head) : [];
  const headCost = costModel(head);
  const baseCost = base ? costModel(base) : undefined;
  const dangers = base
    ? [
        ...stateDangers(changes),
        ...dataDangers(changes),
        ...iamDangers(changes),
        ...networkDangers(changes),
        ...capacityDangers(baseCost!, headCost),
        ...quotaDangers(base, head),
      ]
    : [];
  dangers.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  const counts = { create: 0, delete: 0, update: 0, replace: 0, "update-or-replace": 0 };
  for (const c of changes) if (c.mode === "resource") counts[c.action]++;
  const platform = platformSummary(head);
  return {
    version: 1,
    base: base?.dir,
    head: head.dir,
    dangers,
    changes,
    counts,
    platform,
    cost: { base: baseCost, head: headCost },
    diagram: platform ? mermaidDiagram(platform) : undefined,
  };
}

const SYMBOL: Record<string, string> = { create: "+", delete: "-", update: "~", replace: "-/+", "update-or-replace": "~?" };
const MAX_COMMENT = 60000;
const MAX_ARGS = 8;
/** Values of arguments that look like credentials are not printed in a comment. */
const SENSITIVE = /password|secret|token|private_key|credentials/i;
const fmt = (v: unknown, path = "") => {
  if (SENSITIVE.test(path) && v !== undefined && typeof v !== "boolean") return "(sensitive)";
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s === undefined ? "(none)" : s.length > 80 ? `${s.slice(0, 77)}…` : s;
};

/** The Markdown report for a pull-request comment: dangers first, then the platform, cost, changes, diagram. */
export function renderMarkdown(r: ReviewResult, head: SynthOutput, base?: SynthOutput): string {
  const out: string[] = ["## cdktf-mlops review", ""];
  if (base) {
    out.push(`### What a reviewer must not miss (${r.dangers.length})`, "");
    if (r.dangers.length === 0)
      out.push(
        "Nothing: no stateful resource removed or replaced, no protection off, no IAM widened, no network exposed, GPU capacity and cost unchanged.",
      );
    for (const d of r.dangers) out.push(`- ${d.message}`);
    out.push("");
  } else {
    out.push("_No `--base`: the platform as it is, without changes._", "");
  }

  out.push("### The platform at a glance", "");
  if (!r.platform) {
    out.push(
      "No `mlops.json` in the head output (not a cdktf-mlops app, or synthesized by an older release): no platform summary; changes, dangers and cost still cover every resource.",
      "",
    );
  } else {
    for (const s of r.platform.stacks) {
      const parts: string[] = [];
      for (const c of s.clusters) {
        const cl = c.cluster;
        const pub = (cl.publicEndpointCidrs as string[]) ?? [];
        parts.push(
          `- **Cluster** \`${cl.clusterName}\` (\`${cl.path}\`): Kubernetes ${cl.kubernetesVersion}, API endpoint private${pub.length ? ` **and public to ${pub.map((x) => `\`${x}\``).join(", ")}**` : " only"}${
            ((cl.privateEndpointCidrs as string[]) ?? []).length
              ? `, private access from ${(cl.privateEndpointCidrs as string[]).map((x) => `\`${x}\``).join(", ")}`
              : ""
          }; system nodes ${((cl.systemNodes as any)?.instanceTypes ?? []).join(", ")} × ${(cl.systemNodes as any)?.minSize}-${(cl.systemNodes as any)?.maxSize}`,
        );
        if (c.pools.length) {
          parts.push("", "  | pool | instance types | GPU per node | capacity | nodes | max GPUs |", "  | --- | --- | --- | --- | --- | --- |");
          for (const p of c.pools) {
            parts.push(
              `  | ${p.name} | ${(p.instanceTypes as string[]).join(", ")} | ${p.gpuCount} × ${p.gpuModel} (${p.gpuMemoryGiB} GiB)${p.efa ? ", EFA" : ""} | ${p.capacityType} | ${p.minSize}-${p.maxSize} | ${Number(p.maxSize) * Number(p.gpuCount)} |`,
            );
          }
          parts.push(`  | **total** | | | | | **${c.maxGpus}** |`, "");
        }
        if (c.teams.length) {
          parts.push(
            `- **Teams** on \`${cl.clusterName}\`: ${c.teams
              .map(
                (t) =>
                  `${t.name} (${t.gpuQuota} GPUs${t.cpuQuota !== undefined ? `, ${t.cpuQuota} CPU` : ""}${t.memoryQuotaGiB !== undefined ? `, ${t.memoryQuotaGiB} GiB` : ""})`,
              )
              .join(", ")}`,
          );
        }
      }
      for (const g of s.registries)
        parts.push(
          `- **Model registry** \`${g.path}\` (${g.engine}): models ${((g.models as string[]) ?? []).map((m) => `\`${m}\``).join(", ") || "none"}`,
        );
      for (const f of s.featureStores) {
        const groups = (f.featureGroups as { name: string; features: number; online: boolean; offline: boolean }[]) ?? [];
        parts.push(
          `- **Feature store** \`${f.path}\` (${f.engine}): ${groups.map((x) => `\`${x.name}\` (${x.features} features${x.online ? ", online" : ""}${x.offline ? ", offline" : ""})`).join(", ")}`,
        );
      }
      for (const e of s.endpoints) {
        const canary = e.canary as { model: { name: string; version: string }; trafficPercent: number; replicas: number } | undefined;
        const model = e.model as { name: string; version: string };
        parts.push(
          `- **Endpoint** \`${e.endpointName}\` (${e.engine}${e.instanceType ? ` on ${e.instanceType}` : ""}${e.gpu ? ", GPU" : ", CPU"}): model \`${model?.name}\` v${model?.version}, replicas ${e.minReplicas}-${e.maxReplicas}${
            canary ? `, canary v${canary.model.version} at ${canary.trafficPercent} % (${canary.replicas} replica(s))` : ""
          }, captures ${e.captureSamplingPercentage} %`,
        );
      }
      for (const d of s.driftAlarms) {
        const notify = (d.notify as string[]) ?? [];
        parts.push(
          `- **Drift alarm** \`${d.path}\` on \`${d.endpointName}\`: ${d.job === "model-monitor" ? "Model Monitor" : "drift job"} every ${d.intervalMinutes} min over ${((d.features as string[]) ?? []).length} features, notifies ${notify.map((x) => `\`${x}\``).join(", ") || "nobody"}${d.retrainingTargetArn ? `, starts retraining \`${d.retrainingTargetArn}\`` : ""}`,
        );
      }
      if (parts.length) out.push(`**${s.name}**${s.region ? ` (${s.region})` : ""}`, "", ...parts, "");
    }
  }

  const hc = r.cost.head;
  const bc = r.cost.base;
  out.push("### GPU capacity and monthly cost", "");
  out.push(
    `Max GPUs: ${bc ? `${bc.totalMaxGpus} → ` : ""}${hc.totalMaxGpus}. On-demand, ${HOURS_PER_MONTH} h/month, priced items only: idle ${bc ? `${usd(bc.idleMonthlyUsd)} → ` : ""}${usd(hc.idleMonthlyUsd)}, max scale ${bc ? `${usd(bc.maxMonthlyUsd)} → ` : ""}${usd(hc.maxMonthlyUsd)}.`,
    "",
  );
  out.push("| stack | item | idle | max | $/h | price of |", "| --- | --- | --- | --- | --- | --- |");
  const grouped = new Map<
    string,
    {
      stack: string;
      item: string;
      region?: string;
      idle: number;
      max: number;
      price?: { usdPerHour: number; date: string; source: string };
      notes: Set<string>;
    }
  >();
  for (const i of hc.items) {
    const k = `${i.stack} ${i.item}`;
    const g = grouped.get(k) ?? { stack: i.stack, item: i.item, region: i.region, idle: 0, max: 0, price: i.price, notes: new Set<string>() };
    g.idle += i.idleCount;
    g.max += i.maxCount;
    if (i.note) g.notes.add(i.note);
    grouped.set(k, g);
  }
  for (const g of grouped.values()) {
    out.push(
      `| ${g.stack} | ${g.item}${g.notes.size ? ` (${[...g.notes].join("; ")})` : ""} | ${g.idle} | ${g.max} | ${g.price ? g.price.usdPerHour : "no price"} | ${g.price ? `[${g.price.date}](${g.price.source})` : `not in the table${reasonOf(g.item, g.region)}`} |`,
    );
  }
  out.push("");

  if (base) {
    const c = r.counts;
    out.push(
      `### What changes: ${c.create} to add, ${c.delete} to remove, ${c.update + c["update-or-replace"]} to change, ${c.replace} to replace`,
      "",
    );
    const groups = new Map<string, ResourceChange[]>();
    const prefixes = new Map<string, string>();
    for (const ch of r.changes) {
      const owner = ch.mode === "settings" ? undefined : ownerOf(ch.action === "delete" ? base : head, ch.path);
      const g =
        ch.mode === "settings"
          ? "stack settings (backend, providers)"
          : owner
            ? `${owner.kind} \`${owner.path}\``
            : `\`${ch.path.split("/").slice(0, -1).join("/") || ch.stack}\``;
      const k = `${ch.stack}\u0000${g}`;
      groups.set(k, [...(groups.get(k) ?? []), ch]);
      prefixes.set(k, owner?.path ?? ch.path.split("/").slice(0, -1).join("/"));
    }
    for (const [k, list] of groups) {
      const [stack, g] = k.split("\u0000");
      out.push(`<details><summary>${stack}: ${g} (${list.length})</summary>`, "");
      for (const ch of list) {
        const args = ch.arguments
          .slice(0, MAX_ARGS)
          .map((a) => `\`${a.path}\`${a.forcesReplacement ? " (forces replacement)" : ""}: ${fmt(a.before, a.path)} → ${fmt(a.after, a.path)}`);
        if (ch.arguments.length > MAX_ARGS) args.push(`… ${ch.arguments.length - MAX_ARGS} more`);
        const note = ch.action === "update-or-replace" ? ` (may be replaced: no ForceNew data for ${ch.type})` : "";
        const prefix = prefixes.get(k) ?? "";
        const at = ch.mode !== "settings" && prefix && ch.path.startsWith(`${prefix}/`) ? ` at \`${ch.path.slice(prefix.length + 1)}\`` : "";
        out.push(`- \`${SYMBOL[ch.action]}\` \`${ch.address}\`${at}${note}${args.length ? `: ${args.join("; ")}` : ""}`);
      }
      out.push("", "</details>", "");
    }
  }

  if (r.diagram) out.push("### Diagram", "", "```mermaid", r.diagram, "```", "");
  let md = out.join("\n");
  if (md.length > MAX_COMMENT)
    md = `${md.slice(0, MAX_COMMENT)}\n\n… report truncated at ${MAX_COMMENT} characters (GitHub's comment limit is 65,536): run with \`--format json\` for everything.\n`;
  return md;
}
