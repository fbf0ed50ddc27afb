#!/usr/bin/env node
// The cdktf-mlops command:
//   cdktf-mlops baseline <training-sample.csv|.jsonl|.parquet> [--out baseline.json] [--bins 10]
//   cdktf-mlops review [--base BASE_OUT] [HEAD_OUT] ...
// An installed package runs its compiled JavaScript; a checkout of the repository (which has src/, and
// a lib/ from `prepare` that may be older than src/) runs the TypeScript sources through tsx (a dev dependency).
const fs = require("fs");
const path = require("path");

/** The module at `rel` (without extension) from src/ in a checkout, or from lib/ in an installed package. */
function load(rel) {
  const source = path.join(__dirname, "..", "src", `${rel}.ts`);
  if (fs.existsSync(source)) {
    require("tsx/cjs");
    return require(source);
  }
  return require(path.join(__dirname, "..", "lib", `${rel}.js`));
}

if (process.argv[2] === "review") {
  // Its own entry point, which loads no construct.
  process.exitCode = load("review/cli").main(process.argv.slice(3));
} else {
  // A number, or a promise of one (a Parquet sample is read asynchronously).
  Promise.resolve(load("drift-alarm/job/cli").main(process.argv.slice(2))).then((code) => (process.exitCode = code));
}
