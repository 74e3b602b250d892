#!/usr/bin/env bash
# Score amd analyze (default profile, and the Asterisk profile's figures on
# the same files) on any labelled directory: DIR/labels.tsv with the columns
# file, label (HUMAN/MACHINE/FAX/SIT/SILENCE), signal, code, beep_hz,
# answer_ms, notes (see docs/amd.md). Exit 1 when a goal of issue 5 is missed.
#   scripts/eval_amd.sh DIR [-v] [extra amd analyze flags...]
set -euo pipefail
if [ $# -lt 1 ] || [ ! -f "$1/labels.tsv" ]; then
  echo "usage: $0 DIR [-v] [amd analyze flags]   (DIR must hold labels.tsv)" >&2
  exit 2
fi
dir=$1
shift
verbose=
if [ "${1:-}" = "-v" ]; then
  verbose=-v
  shift
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/khompctl" ./cmd/khompctl && go build -o "$tmp/evalamd" ./scripts/evalamd)
status=0
"$tmp/khompctl" amd analyze --json "$@" "$dir" > "$tmp/results.jsonl" || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
  echo "eval_amd: amd analyze failed (exit $status)" >&2
  exit "$status"
fi
exec "$tmp/evalamd" $verbose -labels "$dir/labels.tsv" "$tmp/results.jsonl"
