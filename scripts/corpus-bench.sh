#!/usr/bin/env bash
# Reviews every AWS managed policy: prints the distribution of scores and
# categories, then the benchmarks over the corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-corpus.sh
go test -count=1 -run 'TestManagedPolicies' -v ./assistant/review/ | grep -v '^=== RUN'
go test -count=1 -run '^$' -bench 'Corpus|ManagedPolicies' -benchtime 5x ./assistant/analysis/ ./assistant/review/ ./assistant/policy/
