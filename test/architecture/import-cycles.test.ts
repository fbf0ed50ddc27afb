import * as fs from "fs";
import * as path from "path";

const SRC = path.join(__dirname, "..", "..", "src");

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** The files of src/ that `file` imports (value and type-only imports, re-exports included). */
export function importsOf(file: string, source: string): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["'](\.[^"']*)["']/g;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    const base = path.resolve(path.dirname(file), m[1]);
    for (const candidate of [`${base}.ts`, path.join(base, "index.ts")]) {
      if (fs.existsSync(candidate)) {
        out.push(candidate);
        break;
      }
    }
  }
  return out;
}

/** Every cycle of the import graph, each as the list of files around it (shortest form, deduplicated). */
export function importCycles(graph: Map<string, string[]>): string[][] {
  const cycles = new Map<string, string[]>();
  const visit = (start: string) => {
    // Breadth-first from start back to start: the shortest cycle through it.
    const prev = new Map<string, string>();
    const queue = [...(graph.get(start) ?? [])];
    for (const n of queue) if (!prev.has(n)) prev.set(n, start);
    while (queue.length) {
      const n = queue.shift()!;
      if (n === start) {
        const cycle = [start];
        for (let c = prev.get(start)!; c !== start; c = prev.get(c)!) cycle.unshift(c);
        const key = [...cycle].sort().join("|");
        if (!cycles.has(key)) cycles.set(key, cycle);
        return;
      }
      for (const next of graph.get(n) ?? []) {
        if (!prev.has(next)) {
          prev.set(next, n);
          queue.push(next);
        }
      }
    }
  };
  for (const file of graph.keys()) visit(file);
  return [...cycles.values()];
}

describe("the architecture of src/", () => {
  const graph = new Map(tsFiles(SRC).map((f) => [f, importsOf(f, fs.readFileSync(f, "utf8"))]));

  test("the cycle finder finds a cycle when there is one", () => {
    const g = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    expect(importCycles(g)).toEqual([["a", "b", "c"].map((x) => x)].map((c) => expect.arrayContaining(c)));
    expect(
      importCycles(
        new Map([
          ["a", ["b"]],
          ["b", []],
        ]),
      ),
    ).toEqual([]);
  });

  test("has no import cycle, type-only imports included", () => {
    const rel = (f: string) => path.relative(SRC, f);
    expect(importCycles(graph).map((c) => c.map(rel).join(" -> "))).toEqual([]);
  });
});
