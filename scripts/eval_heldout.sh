#!/usr/bin/env bash
# Held-out evaluation of `khompctl amd analyze` (issue 5 acceptance): build
# the held-out corpus (internal/heldout: other languages, voices, noises,
# codec chains, ringback cadences, beeps, fax/SIT tolerances; cached under
# $KHOMPCTL_CORPUS_CACHE or ~/.cache/khompctl), run the freshly built
# khompctl over it and print the confusion matrices, balanced accuracy,
# humans called MACHINE, fax/SIT recall with the right signal/code, beep
# recall and frequency error, decision_ms percentiles, the same figures for
# the `asterisk` field, and error rates by condition. Measurement only: it
# never fails on accuracy (exit 0 unless something could not run).
#   scripts/eval_heldout.sh [-v] [-seed N] [-dir DIR] [-keep OUT.jsonl] [-before OLD.jsonl] [amd analyze flags...]
#     -v       list every miss with its tags
#     -seed    another draw of the same recipe (a fresh, never-seen corpus: use one after tuning)
#     -dir     score an existing labelled directory instead (e.g. the dev corpus)
#     -keep    also save the raw JSON lines
#     -before  compare with an earlier run's JSON lines (-keep): figures moved, files fixed/broken
set -euo pipefail
verbose= dir= keep= before= seed=
while [ $# -gt 0 ]; do
  case "$1" in
    -v) verbose=-v; shift ;;
    -seed) seed="-seed $2"; shift 2 ;;
    -dir) dir=$2; shift 2 ;;
    -keep) keep=$2; shift 2 ;;
    -before) before=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    *) break ;;
  esac
done
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/khompctl" ./cmd/khompctl && go build -o "$tmp/evalheldout" ./scripts/evalheldout)
if [ -z "$dir" ]; then
  cache=${KHOMPCTL_CORPUS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/khompctl}
  dir=$("$tmp/evalheldout" $seed -ensure "$cache")
fi
if [ ! -f "$dir/labels.tsv" ]; then
  echo "eval_heldout: $dir/labels.tsv not found" >&2
  exit 2
fi
status=0
start=$(date +%s%N)
"$tmp/khompctl" amd analyze --json "$@" "$dir" > "$tmp/results.jsonl" || status=$?
end=$(date +%s%N)
if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
  echo "eval_heldout: amd analyze failed (exit $status)" >&2
  exit "$status"
fi
[ -n "$keep" ] && cp "$tmp/results.jsonl" "$keep"
echo "corpus: $dir ($(($(wc -l < "$dir/labels.tsv") - 1)) files, analysed in $(((end - start) / 1000000)) ms wall)"
exec "$tmp/evalheldout" $verbose ${before:+-before "$before"} -labels "$dir/labels.tsv" "$tmp/results.jsonl"
