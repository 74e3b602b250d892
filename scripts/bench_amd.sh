#!/usr/bin/env bash
# Benchmark: the full `amd analyze` pipeline (decode + front end + every
# detector + decision) against its targets:
#   speed   >= 1000x real time per core at 8 kHz (<= 1 ms of CPU per second of audio)
#   memory  peak RSS < 50 MB for any file length (streaming)
#
# 1. Go benchmarks (pkg/amd BenchmarkAnalyze: 60 s of real telephone speech,
#    in memory; BenchmarkAnalyzeTemplates100: the same with 100 templates;
#    ns of wall time per second of audio, allocations).
# 2. The built binary on a long recording (LONG_MINUTES, default 60) made by
#    looping the Asterisk parity recordings: CPU time (user+sys, so the ratio
#    is per core and does not depend on other load) and peak RSS from
#    /usr/bin/time -v, with -j 1.
# Needs sox and ../shared/asterisk-parity (or KHOMPCTL_PARITY_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local

LONG_MINUTES=${LONG_MINUTES:-60}
PARITY=${KHOMPCTL_PARITY_DIR:-../shared/asterisk-parity}
[ -d "$PARITY/wav" ] || { echo "bench_amd: $PARITY/wav not found (set KHOMPCTL_PARITY_DIR)" >&2; exit 2; }
command -v sox >/dev/null || { echo "bench_amd: sox is needed (scripts/deps.sh)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench_amd: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/khompctl-bench-amd.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "--- Go benchmarks (wall time; noisy on a loaded machine)"
go test -c -o "$work/amd.test" ./pkg/amd/
(cd pkg/amd && "$work/amd.test" -test.run '^$' -test.bench '^Benchmark(Analyze|AnalyzeTemplates100|FrontEnd)$' -test.benchmem -test.count 3) | tee "$work/go.txt" | grep '^Benchmark' || true

echo "--- the same benchmarks in CPU time (user+sys of 21 iterations minus 1, per second of audio)"
cpu_of() { # bench iterations -> CPU seconds
	(cd pkg/amd && /usr/bin/time -f '%U %S' -o "$work/cpu.txt" "$work/amd.test" -test.run '^$' -test.bench "^Benchmark$1\$" -test.benchtime "$2x" >/dev/null)
	awk '{ print $1 + $2 }' "$work/cpu.txt"
}
for b in Analyze AnalyzeTemplates100 FrontEnd; do
	one=$(cpu_of "$b" 1)
	many=$(cpu_of "$b" 21)
	awk -v b="$b" -v one="$one" -v many="$many" 'BEGIN {
		per = (many - one) / 20 / 60 # seconds of CPU per second of audio (60 s per iteration)
		if (per <= 0) { printf "%-20s  too fast to measure\n", b; exit }
		target = (b == "FrontEnd" ? "" : sprintf(" (target 1000x): %s", (1 / per >= 1000 ? "OK" : "BELOW TARGET")))
		printf "%-20s  %.3f ms CPU per audio second = %.0fx real time per core%s\n", b, per * 1000, 1 / per, target
	}'
done

echo "--- khompctl amd analyze on a recording of at least ${LONG_MINUTES} minutes (-j 1)"
go build -o "$work/khompctl" ./cmd/khompctl
# One pass over the 8 kHz mono parity files, then repeated to the length.
inputs=()
for f in "$PARITY"/wav/*.wav; do
	[ "$(soxi -r "$f")" = 8000 ] && [ "$(soxi -c "$f")" = 1 ] && inputs+=("$f")
done
sox "${inputs[@]}" -b 16 -e signed-integer "$work/pass.wav"
pass_s=$(soxi -D "$work/pass.wav")
repeats=$(awk -v p="$pass_s" -v m="$LONG_MINUTES" 'BEGIN { r = int((m * 60 + p - 1) / p); print (r < 1 ? 0 : r - 1) }')
sox "$work/pass.wav" "$work/long.wav" repeat "$repeats"
audio_s=$(soxi -D "$work/long.wav")
/usr/bin/time -v "$work/khompctl" amd analyze -j 1 --json "$work/long.wav" >"$work/out.json" 2>"$work/time.txt"
cpu_s=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$work/time.txt")
rss_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")
awk -v a="$audio_s" -v c="$cpu_s" -v r="$rss_kb" 'BEGIN {
	ratio = (c > 0 ? a / c : 0)
	printf "audio %.0f s, CPU %.2f s: %.0fx real time per core (target 1000x): %s\n", a, c, ratio, (ratio >= 1000 ? "OK" : "BELOW TARGET")
	printf "peak RSS %.1f MB (target < 50 MB): %s\n", r / 1024, (r / 1024 < 50 ? "OK" : "OVER")
}'
head -c 300 "$work/out.json"; echo
