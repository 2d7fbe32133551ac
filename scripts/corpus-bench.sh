#!/usr/bin/env bash
# Reviews every AWS managed policy: prints the distribution of scores and
# categories, the benchmarks over the corpus, and the wall time of one
# `policycheck check` process over the corpus written out as files.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-corpus.sh
go test -count=1 -run 'TestManagedPolicies' -v ./assistant/review/ | grep -v '^=== RUN'
go test -count=1 -run '^$' -bench 'Corpus|ManagedPolicies' -benchtime 5x ./assistant/analysis/ ./assistant/review/ ./assistant/policy/

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
node -e '
const fs = require("fs");
const all = JSON.parse(fs.readFileSync("testdata/corpus/managedPolicies.json", "utf8"));
for (const [name, p] of Object.entries(all)) {
  const doc = p.versions ? p.versions[p.latestVersionId].document : p;
  const text = JSON.stringify(doc);
  if (text.length <= 100 * 1024) fs.writeFileSync(process.argv[1] + "/" + name + ".json", text);
}' "$dir"
go build -o "$dir/policycheck" .
echo "policycheck check over $(ls "$dir"/*.json | wc -l) managed policies (one process, with suggestions):"
/usr/bin/time -f '%e s wall, %M KB max RSS' "$dir/policycheck" check --offline --format json "$dir" > /dev/null
