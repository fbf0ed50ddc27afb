#!/usr/bin/env node
// The cdktf-mlops command: `cdktf-mlops baseline <training-sample.csv|.jsonl> [--out baseline.json] [--bins 10]`.
// An installed package runs its compiled JavaScript; a checkout of the repository runs the TypeScript
// sources through tsx (a dev dependency).
const fs = require("fs");
const path = require("path");

const compiled = path.join(__dirname, "..", "lib", "drift-alarm", "job", "cli.js");
let cli;
if (fs.existsSync(compiled)) {
  cli = require(compiled);
} else {
  require("tsx/cjs");
  cli = require(path.join(__dirname, "..", "src", "drift-alarm", "job", "cli.ts"));
}
process.exitCode = cli.main(process.argv.slice(2));
