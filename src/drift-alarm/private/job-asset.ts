import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AssetType, TerraformAsset, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";

/**
 * The drift job's Lambda package: built once per process, one asset per stack, shared by every
 * `DriftAlarm` of that stack.
 *
 * The package is a zip written here rather than by `AssetType.ARCHIVE`: cdktf zips an archive asset in a
 * child process (`node … archiver`, about 250 ms apiece), and the archive carries file times, so its bytes
 * change from one machine to the next. This zip stores the job's `.js` files in name order, uncompressed
 * and with a fixed time, so its bytes, and with them its SHA-256, depend on the job's code alone: the
 * Lambda's `source_code_hash` (which AWS reports as the function's `CodeSha256`) only changes when the job
 * changes.
 */
export interface DriftJobPackage {
  /** Absolute path of the zip (a cache under the system's temp folder). */
  readonly zipPath: string;
  /** SHA-256 of the zip, hex. */
  readonly sha256Hex: string;
  /** SHA-256 of the zip, base64: Terraform's `filebase64sha256`, Lambda's `CodeSha256`. */
  readonly sha256Base64: string;
}

/** Construct id of the per-stack asset: a direct child of the stack, so its path does not depend on any alarm. */
export const DRIFT_JOB_ASSET_ID = "DriftJobCode";

let cached: DriftJobPackage | undefined;

/**
 * `filename` and `source_code_hash` of the drift job for a Lambda in the stack of `scope`: the stack's one
 * asset of the job, created by the first caller.
 */
export function driftJobCode(scope: IConstruct): { filename: string; sourceCodeHash: string } {
  const stack = TerraformStack.of(scope);
  const pkg = driftJobPackage();
  const asset =
    (stack.node.tryFindChild(DRIFT_JOB_ASSET_ID) as TerraformAsset | undefined) ??
    new TerraformAsset(stack, DRIFT_JOB_ASSET_ID, { path: pkg.zipPath, type: AssetType.FILE, assetHash: pkg.sha256Hex.slice(0, 32).toUpperCase() });
  return { filename: asset.path, sourceCodeHash: pkg.sha256Base64 };
}

/** The job's package, built on the first call of the process. */
export function driftJobPackage(): DriftJobPackage {
  cached ??= packageDir(driftJobAssetDir());
  return cached;
}

/** Zips the `.js` files of `dir` (see {@link DriftJobPackage}) into the temp-folder cache, once per content. */
export function packageDir(dir: string): DriftJobPackage {
  const zip = storedZip(jsFiles(dir).map((f) => ({ name: f, data: fs.readFileSync(path.join(dir, f)) })));
  const digest = createHash("sha256").update(zip).digest();
  const sha256Hex = digest.toString("hex");
  const zipPath = path.join(os.tmpdir(), `cdktf-mlops-drift-zip-${sha256Hex.slice(0, 16)}`, "drift-job.zip");
  if (!fs.existsSync(zipPath) || !fs.readFileSync(zipPath).equals(zip)) {
    fs.mkdirSync(path.dirname(zipPath), { recursive: true });
    const staging = `${zipPath}.${process.pid}.tmp`;
    fs.writeFileSync(staging, zip);
    fs.renameSync(staging, zipPath);
  }
  return { zipPath, sha256Hex, sha256Base64: digest.toString("base64") };
}

/** Paths (posix, relative to `dir`, sorted) of every `.js` file below `dir`. */
function jsFiles(dir: string, prefix = ""): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? jsFiles(dir, `${prefix}${e.name}/`) : e.name.endsWith(".js") ? [`${prefix}${e.name}`] : []))
    .sort();
}

/**
 * The folder of the drift job's JavaScript. An installed package has it compiled next to this file
 * (`lib/drift-alarm/job`); in this repository, where only TypeScript exists, the sources are transpiled
 * (TypeScript, a dev dependency) into a folder named after their hash, once per content and machine.
 */
export function driftJobAssetDir(): string {
  const dir = path.join(__dirname, "..", "job");
  if (fs.existsSync(path.join(dir, "handler.js"))) return dir;
  const files = tsFiles(dir);
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
      fs.mkdirSync(path.dirname(path.join(staging, f)), { recursive: true });
      fs.writeFileSync(path.join(staging, f.replace(/\.ts$/, ".js")), outputText);
    }
    fs.rmSync(out, { recursive: true, force: true });
    try {
      fs.renameSync(staging, out);
    } catch (e) {
      // another process (a parallel test worker) renamed its identical copy first
      if (!fs.existsSync(path.join(out, "handler.js"))) throw e;
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }
  return out;
}

function tsFiles(dir: string, prefix = ""): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? tsFiles(dir, `${prefix}${e.name}/`) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [`${prefix}${e.name}`] : [],
    )
    .sort();
}

// --- a reproducible zip: stored entries, 1980-01-01 00:00, regular files readable by all ---------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip of `entries`, in the order given, without compression (the job is a few tens of kB). */
export function storedZip(entries: { name: string; data: Buffer }[]): Buffer {
  const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const fileName = Buffer.from(name, "utf8");
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0
    local.writeUInt16LE(0x0800, 6); // names are UTF-8
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10); // 00:00
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, 2.0: the external attributes are a file mode
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(0, 30); // extra and comment lengths
    central.writeUInt32LE(0, 34); // disk, internal attributes
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // -rw-r--r--
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const centralSize = centrals.reduce((s, b) => s + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
