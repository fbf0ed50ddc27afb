import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..");
const PROVIDERS = ["@cdktf/provider-aws", "@cdktf/provider-kubernetes", "@cdktf/provider-helm"];

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Finds imports or requires of a provider package's root, which loads every resource of the provider. */
export function rootProviderImports(source: string): string[] {
  const found: string[] = [];
  const re = /(?:from\s+|require\(\s*|import\(\s*)["']([^"']+)["']/g;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    if (PROVIDERS.includes(m[1].replace(/\/(index)?$/, "")) || /^@cdktf\/provider-[a-z]+\/lib\/?(index)?$/.test(m[1])) {
      found.push(m[1]);
    }
  }
  return found;
}

describe("provider imports", () => {
  test("the check recognises root imports and lets per-resource imports through", () => {
    expect(rootProviderImports('import { eksCluster } from "@cdktf/provider-aws";')).toEqual(["@cdktf/provider-aws"]);
    expect(rootProviderImports('const aws = require("@cdktf/provider-aws/lib");')).toEqual(["@cdktf/provider-aws/lib"]);
    expect(rootProviderImports('import { EksCluster } from "@cdktf/provider-aws/lib/eks-cluster";')).toEqual([]);
  });

  test.each(["src", "examples", "bench"])("no file under %s/ imports a provider package from its root", (dir) => {
    const offenders = tsFiles(path.join(ROOT, dir)).flatMap((f) =>
      rootProviderImports(fs.readFileSync(f, "utf8")).map((i) => `${path.relative(ROOT, f)}: ${i}`),
    );
    expect(offenders).toEqual([]);
  });
});
