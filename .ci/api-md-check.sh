#!/usr/bin/env bash
# API.md must be what jsii-docgen writes from the current jsii assembly (.jsii, from `npm run jsii`).
# Fix a failure with: npm run jsii && npm run docgen
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .jsii ] || { echo "api-md-check: no .jsii assembly; run npm run jsii first" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npx jsii-docgen -o "$tmp/API.md" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
if ! cmp -s API.md "$tmp/API.md"; then
  diff -u API.md "$tmp/API.md" | head -40 >&2 || true
  echo "api-md-check: API.md is out of date with the public API; run: npm run jsii && npm run docgen" >&2
  exit 1
fi
echo "api-md-check: API.md matches the jsii assembly"
