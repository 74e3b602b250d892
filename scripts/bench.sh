#!/usr/bin/env bash
# Runs every benchmark script (scripts/bench_*.sh), each printing its
# measurements next to its targets. Pass names to run only some:
#   scripts/bench.sh patterns
set -euo pipefail
cd "$(dirname "$0")"
status=0
if [ $# -gt 0 ]; then
	scripts=()
	for n in "$@"; do scripts+=("bench_$n.sh"); done
else
	scripts=(bench_*.sh)
fi
for s in "${scripts[@]}"; do
	echo "=== $s"
	bash "$s" || status=1
done
exit $status
