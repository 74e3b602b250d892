#!/usr/bin/env bash
# Build the labelled AMD development corpus into DIR (deterministic: same
# seed, same files). Extra arguments go to the generator, e.g. -seed 7.
#   scripts/gen_corpus.sh /tmp/corpus
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 DIR [gencorpus flags]" >&2
  exit 2
fi
out=$1
shift
cd "$(dirname "$0")/.."
exec go run ./scripts/gencorpus -out "$out" "$@"
