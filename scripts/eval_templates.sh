#!/usr/bin/env bash
# False-match rate of template AMD on the AMD corpora: a library of ~50
# Asterisk prompts that neither corpus uses is enrolled, every corpus file
# is matched against it, and any hit is a false match. Prints files, hours
# and false matches per hour per corpus; exits 1 if there was any.
#   scripts/eval_templates.sh                 # generates both corpora in $TMPDIR
#   scripts/eval_templates.sh DEVDIR HODIR     # corpora already generated
#   scripts/eval_templates.sh DEVDIR HODIR -reversed   # + ~650 reversed prompts
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local
tmp=${TMPDIR:-/tmp}
dev=${1:-$tmp/khompctl-eval-dev}
ho=${2:-$tmp/khompctl-eval-heldout}
shift $(( $# < 2 ? $# : 2 ))
[ -f "$dev/labels.tsv" ] || bash scripts/gen_corpus.sh "$dev" >&2
[ -f "$ho/labels.tsv" ] || go run ./scripts/evalheldout -gen "$ho" -seed 77 >&2
exec go run ./scripts/evaltemplates "$@" "$dev" "$ho"
