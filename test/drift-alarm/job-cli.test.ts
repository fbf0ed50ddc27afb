import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildBaseline, parseBaseline } from "../../src/drift-alarm/job/baseline";
import { main, readSample } from "../../src/drift-alarm/job/cli";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-mlops-baseline-"));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};
function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(
    ["baseline", ...argv],
    (s) => out.push(s),
    (s) => err.push(s),
  );
  return { code, out: out.join(""), err: err.join("") };
}

describe("cdktf-mlops baseline: CSV through a real parser", () => {
  test("a quoted value with a comma stays one value, without its quotes", () => {
    const csv = file("quoted.csv", 'merchant,amount\n"Smith, Jones & Co",12.5\n"Acme ""Ltd""",3\nplain,7\n');
    expect(readSample(csv, fs.readFileSync(csv, "utf8"))).toEqual([
      { merchant: "Smith, Jones & Co", amount: "12.5" },
      { merchant: 'Acme "Ltd"', amount: "3" },
      { merchant: "plain", amount: "7" },
    ]);
    const r = run(csv, "--out", path.join(dir, "quoted.json"));
    expect(r.code).toBe(0);
    const b = parseBaseline(fs.readFileSync(path.join(dir, "quoted.json"), "utf8"));
    expect(Object.keys(b.features.merchant.type === "categorical" ? b.features.merchant.frequencies : {})).toEqual([
      'Acme "Ltd"',
      "Smith, Jones & Co",
      "plain",
    ]);
    expect(b.features.amount.type).toBe("numeric");
  });

  test("CRLF line ends, a byte-order mark and a quoted newline are read", () => {
    const csv = file("crlf.csv", '\ufeffa,b\r\n1,"two\r\nlines"\r\n3,x\r\n');
    expect(readSample(csv, fs.readFileSync(csv, "utf8"))).toEqual([
      { a: "1", b: "two\r\nlines" },
      { a: "3", b: "x" },
    ]);
  });

  test("a header-only file is an error with a non-zero exit, not an empty baseline", () => {
    const r = run(file("header.csv", "txn_amount,merchant_category\n"), "--out", path.join(dir, "never.json"));
    expect(r.code).toBe(1);
    expect(r.err).toContain("has a header row (txn_amount, merchant_category) and no records");
    expect(fs.existsSync(path.join(dir, "never.json"))).toBe(false);
  });

  test("an empty file is an error with a non-zero exit, not a crash", () => {
    for (const name of ["empty.csv", "empty.jsonl"]) {
      const r = run(file(name, ""));
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/is empty: a training sample needs (a header row and )?at least one record/);
      expect(r.err).not.toContain("Cannot read properties");
    }
  });

  test("a row of another width is refused with its line", () => {
    const r = run(file("ragged.csv", "a,b\n1,2\n3\n"));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/ragged\.csv: .*line 3/);
  });

  test("a header naming a column twice is refused", () => {
    const r = run(file("twice.csv", "a,b,a\n1,2,3\n"));
    expect(r.code).toBe(1);
    expect(r.err).toContain("the header names a more than once");
  });
});

describe("cdktf-mlops baseline: --exclude, JSON lines, the summary", () => {
  const csv = file(
    "labelled.csv",
    "is_fraud,txn_amount,merchant_category\n" +
      Array.from({ length: 40 }, (_, i) => `${i % 2},${i},${i < 20 ? "grocery" : "fuel"}`).join("\n") +
      "\n",
  );

  test("--exclude label leaves the label out of the features and the positional order, and records it", () => {
    const out = path.join(dir, "labelled.json");
    const r = run(csv, "--exclude", "is_fraud", "--out", out, "--bins", "4");
    expect(r.code).toBe(0);
    const b = parseBaseline(fs.readFileSync(out, "utf8"));
    expect(b.featureOrder).toEqual(["txn_amount", "merchant_category"]);
    expect(b.excludedColumns).toEqual(["is_fraud"]);
    expect(Object.keys(b.features)).toEqual(["txn_amount", "merchant_category"]);
  });

  test("a one-screen summary on success: records, features, types, bins or categories", () => {
    const r = run(csv, "--exclude", "is_fraud", "--out", path.join(dir, "s.json"), "--bins", "4");
    const lines = r.out.trimEnd().split("\n");
    expect(lines[0]).toBe(`cdktf-mlops baseline: ${csv}: 40 records, 2 features (up to 4 bins); excluded: is_fraud`);
    expect(lines.find((l) => l.includes("txn_amount"))).toMatch(/txn_amount\s+numeric\s+4 bins\s+0\.0% missing/);
    expect(lines.find((l) => l.includes("merchant_category"))).toMatch(/merchant_category\s+categorical\s+2 categories/);
    expect(lines[lines.length - 1]).toBe(`wrote ${path.join(dir, "s.json")}`);
    expect(lines.length).toBeLessThan(25);
  });

  test("without --out the baseline goes to stdout and the summary to stderr", () => {
    const r = run(csv);
    expect(r.code).toBe(0);
    expect(parseBaseline(r.out).recordCount).toBe(40);
    expect(r.err).toContain("40 records, 3 features");
  });

  test("--exclude of a column the sample does not have is refused, naming the columns", () => {
    const r = run(csv, "--exclude", "label");
    expect(r.code).toBe(1);
    expect(r.err).toContain("--exclude label: no such column");
    expect(r.err).toContain("columns: is_fraud, txn_amount, merchant_category");
  });

  test("JSON lines: a bad line is named; blank lines only is empty", () => {
    const bad = run(file("bad.jsonl", '{"a": 1}\n{"a": \n'));
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("bad.jsonl line 2: not JSON");
    const array = run(file("array.ndjson", "[1, 2]\n"));
    expect(array.err).toContain("line 1: not a JSON object");
    expect(run(file("blank.jsonl", "\n\n  \n")).code).toBe(1);
  });

  test("bad usage exits 2", () => {
    expect(run().code).toBe(2);
    expect(run(csv, "--bins").code).toBe(2);
    expect(run(csv, "--colour", "red").err).toContain("unknown argument --colour");
    expect(run(csv, "--bins", "1").code).toBe(2);
  });

  test("the installed command exits non-zero on a header-only file (bin/cdktf-mlops.js)", () => {
    const bin = path.join(__dirname, "..", "..", "bin", "cdktf-mlops.js");
    let status = 0;
    let stderr = "";
    try {
      execFileSync(process.execPath, [bin, "baseline", file("header2.csv", "a,b\n")], { stdio: "pipe" });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: Buffer }).stderr);
    }
    expect(status).toBe(1);
    expect(stderr).toContain("and no records");
  });
});

describe("cdktf-mlops baseline: Parquet (hyparquet, an ES module loaded with import())", () => {
  // The command runs as it is installed (bin/cdktf-mlops.js in a process of its own): Jest's module
  // sandbox cannot run import(). The fixture was written with hyparquet-writer 0.17.0:
  //   parquetWriteFile({ filename, columnData: [
  //     { name: "txn_amount", data: i => i === 3 ? null : i * 2.5, type: "DOUBLE" },
  //     { name: "txn_count_1h", data: i => BigInt(i % 5), type: "INT64" },
  //     { name: "merchant_category", data: i => ["grocery", "fuel", "travel", "café"][i % 4], type: "STRING" },
  //     { name: "label", data: i => i % 3 === 0, type: "BOOLEAN" } ] })   for i = 0..19
  const bin = path.join(__dirname, "..", "..", "bin", "cdktf-mlops.js");
  const fixture = path.join(__dirname, "fixtures", "training-sample.parquet");
  const command = (...argv: string[]) => {
    try {
      return { status: 0, stdout: execFileSync(process.execPath, [bin, "baseline", ...argv], { stdio: "pipe", encoding: "utf8" }), stderr: "" };
    } catch (e) {
      const x = e as { status: number; stdout: string; stderr: string };
      return { status: x.status, stdout: x.stdout, stderr: x.stderr };
    }
  };

  test("the rows of the file, INT64 as numbers, nulls missing, the label excluded, and a summary", () => {
    const target = path.join(dir, "parquet-baseline.json");
    const r = command(fixture, "--out", target, "--bins", "4", "--exclude", "label");
    expect(r.status).toBe(0);
    const rows = Array.from({ length: 20 }, (_, i) => ({
      txn_amount: i === 3 ? null : i * 2.5,
      txn_count_1h: i % 5,
      merchant_category: ["grocery", "fuel", "travel", "café"][i % 4],
      label: i % 3 === 0,
    }));
    expect(parseBaseline(fs.readFileSync(target, "utf8"))).toEqual(buildBaseline(rows, 4, ["label"]));
    expect(r.stdout).toContain("training-sample.parquet: 20 records, 3 features (up to 4 bins); excluded: label");
    expect(r.stdout).toMatch(/txn_count_1h\s+numeric\s+4 bins/);
  });

  test("a file that is not Parquet, and an empty one, exit 1 with the reason", () => {
    const bad = command(file("bad.parquet", "PAR1 not really"));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("bad.parquet: not a readable Parquet file");
    const empty = command(file("empty.parquet", ""));
    expect(empty.status).toBe(1);
    expect(empty.stderr).toContain("empty.parquet is empty");
  });
});
