import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * The folder of the drift job's JavaScript, for a Lambda asset. An installed package has it compiled
 * next to this file (`lib/drift-alarm/job`); in this repository, where only TypeScript exists, the
 * sources are transpiled (TypeScript, a dev dependency) into a folder named after their hash, so the
 * asset, and with it the synthesized JSON, is the same on every machine.
 */
export function driftJobAssetDir(): string {
  const dir = path.join(__dirname, "..", "job");
  if (fs.existsSync(path.join(dir, "handler.js"))) return dir;
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .sort();
  const hash = createHash("sha256");
  for (const f of files) hash.update(f).update(fs.readFileSync(path.join(dir, f)));
  const out = path.join(os.tmpdir(), `cdktf-mlops-drift-job-${hash.digest("hex").slice(0, 16)}`);
  if (!fs.existsSync(path.join(out, "handler.js"))) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require("typescript") as typeof import("typescript");
    const staging = fs.mkdtempSync(`${out}-`);
    for (const f of files) {
      const { outputText } = ts.transpileModule(fs.readFileSync(path.join(dir, f), "utf8"), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        fileName: f,
      });
      fs.writeFileSync(path.join(staging, f.replace(/\.ts$/, ".js")), outputText);
    }
    fs.rmSync(out, { recursive: true, force: true });
    fs.renameSync(staging, out);
  }
  return out;
}
