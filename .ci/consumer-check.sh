#!/usr/bin/env bash
# The path every user takes: `npm pack`, install the tarball into a fresh project that has only the
# peer dependencies (the versions this repository tests with), compile a small app against the
# installed package with tsc, run it to synthesize, check the output.
set -euo pipefail
t0=$SECONDS; step() { echo "consumer-check: $1 ($((SECONDS - t0)) s)"; }
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"

# `npm pack` runs `prepare` (the jsii build) first, as `npm publish` would; `--no-build` (from .ci/run,
# right after its jsii build) packs the lib/ and .jsii that are there.
pack_flags=()
[ "${1:-}" = "--no-build" ] && pack_flags=(--ignore-scripts)
tarball="$work/$(npm pack "${pack_flags[@]}" --pack-destination "$work" --json 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s.slice(s.indexOf("[")))[0].filename))')"

step packed
# The tarball ships what a user needs and nothing else.
contents=$(tar -tzf "$tarball")
for f in package/lib/index.js package/lib/index.d.ts package/lib/drift-alarm/job/handler.js package/bin/cdktf-mlops.js \
  package/.jsii package/API.md package/LICENSE package/CHANGELOG.md package/README.md package/node_modules/zod/package.json; do
  grep -qx "$f" <<<"$contents" || { echo "consumer-check: $f missing from $(basename "$tarball")" >&2; exit 1; }
done
if grep -E '^package/(src|test|examples|bench|scripts|\.ci)/' <<<"$contents" | head -3 | grep -q .; then
  echo "consumer-check: the tarball ships sources or tests" >&2
  exit 1
fi

version() { node -p "require('$root/node_modules/$1/package.json').version"; }
app="$work/app"
mkdir "$app"
cp .ci/consumer/main.ts .ci/consumer/check-output.js .ci/consumer/tsconfig.json "$app/"
cd "$app"
printf '{ "name": "consumer-app", "version": "0.0.0", "private": true }\n' >package.json
npm install --no-audit --no-fund --prefer-offline --loglevel=error "$tarball" \
  "cdktf@$(version cdktf)" "constructs@$(version constructs)" \
  "@cdktf/provider-aws@$(version @cdktf/provider-aws)" "@cdktf/provider-helm@$(version @cdktf/provider-helm)" \
  "@cdktf/provider-kubernetes@$(version @cdktf/provider-kubernetes)" \
  "typescript@$(version typescript)" "@types/node@$(version @types/node)" >/dev/null

step installed
# A single copy of each peer: the library resolves the app's own cdktf and constructs.
for peer in cdktf constructs @cdktf/provider-aws; do
  if [ -e "node_modules/cdktf-mlops/node_modules/$peer" ]; then
    echo "consumer-check: cdktf-mlops installed its own copy of $peer" >&2
    exit 1
  fi
done

./node_modules/.bin/tsc -p tsconfig.json
step compiled
node main.js
node check-output.js
# The command of the package (compiled JavaScript, no tsx) works from the install.
printf 'amount,country\n1.5,DE\n2.5,FR\n' >sample.csv
step synthesized
./node_modules/.bin/cdktf-mlops baseline sample.csv --out baseline.json
node -e 'const b=require("./baseline.json"); if(!JSON.stringify(b).includes("amount")) process.exit(1)'
step "installed $(basename "$tarball") with only its peer dependencies, compiled and synthesized an app"
