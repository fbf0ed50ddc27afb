// After `node main.js`: the stack was written, with the team's bucket, the cluster and the drift job,
// whose Lambda asset exists on disk.
const fs = require("fs");
const path = require("path");
const assert = require("assert");

const manifest = JSON.parse(fs.readFileSync("cdktf.out/manifest.json", "utf8"));
assert.deepStrictEqual(Object.keys(manifest.stacks), ["consumer-platform"]);
const stack = manifest.stacks["consumer-platform"];
const json = JSON.parse(fs.readFileSync(path.join("cdktf.out", stack.synthesizedStackPath), "utf8"));
const resources = json.resource;
for (const type of ["aws_s3_bucket", "aws_eks_cluster", "aws_eks_node_group", "helm_release", "aws_sagemaker_endpoint", "aws_lambda_function"]) {
  assert.ok(resources[type], `no ${type} in the synthesized stack`);
}
const fn = Object.values(resources.aws_lambda_function)[0];
const zip = path.join("cdktf.out", stack.workingDirectory, fn.filename);
assert.ok(fs.statSync(zip).size > 0, `drift job asset ${zip} missing`);
const count = Object.values(resources).reduce((n, byName) => n + Object.keys(byName).length, 0);
console.log(`consumer-check: synthesized ${stack.synthesizedStackPath} with ${count} resources`);
