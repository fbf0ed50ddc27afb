#!/usr/bin/env node
// The cdktf-mlops command: `cdktf-mlops baseline <training-sample.csv|.jsonl> [--out baseline.json] [--bins 10]`.
// An installed package runs its compiled JavaScript; a checkout of the repository (which has src/, and
// a lib/ from `prepare` that may be older than src/) runs the TypeScript sources through tsx (a dev dependency).
const fs = require("fs");
const path = require("path");

const source = path.join(__dirname, "..", "src", "drift-alarm", "job", "cli.ts");
let cli;
if (fs.existsSync(source)) {
  require("tsx/cjs");
  cli = require(source);
} else {
  cli = require(path.join(__dirname, "..", "lib", "drift-alarm", "job", "cli.js"));
}
process.exitCode = cli.main(process.argv.slice(2));
