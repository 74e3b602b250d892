#!/usr/bin/env bash
# Benchmark: khompctl update-patterns over a vicidial_khomp_log of 1,000,000
# rows (100,000 of them in the last 4 hours), the every-minute run and
# --full-check, against a real MariaDB. Prints time and peak memory (max
# RSS) next to the targets:
#   every-minute run (4-hour window, 100k rows)  well under 1 s
#   --full-check (1M rows)                        under 10 s
#   memory flat: the full check's peak RSS close to the 4-hour run's
#
# Uses the database server named by KHOMPCTL_BENCH_DSN or KHOMPCTL_TEST_DSN
# (user:pass@tcp(host:port)/, a user allowed to create databases); it
# creates a scratch database and drops it at the end.
#   KHOMPCTL_TEST_DSN='khompctl:khompctl-test@tcp(127.0.0.1:33306)/' scripts/bench_patterns.sh
# ROWS / WINDOW_ROWS override the sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local

ROWS=${ROWS:-1000000}
WINDOW_ROWS=${WINDOW_ROWS:-100000}
DSN=${KHOMPCTL_BENCH_DSN:-${KHOMPCTL_TEST_DSN:-}}
re='^([^:]*):([^@]*)@tcp\(([^:]*):([0-9]+)\)/'
[[ $DSN =~ $re ]] || { echo "bench_patterns: set KHOMPCTL_TEST_DSN=user:pass@tcp(host:port)/ (see scripts/mariadb.sh)" >&2; exit 2; }
DB_USER=${BASH_REMATCH[1]} DB_HOST=${BASH_REMATCH[3]} DB_PORT=${BASH_REMATCH[4]}
export MYSQL_PWD=${BASH_REMATCH[2]} # not on the command line
DB=kbench_$$_$RANDOM
sqlc() { mariadb -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" "$@"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/khompctl-bench.XXXXXX")
cleanup() { sqlc -e "DROP DATABASE IF EXISTS \`$DB\`" || true; rm -rf "$work"; }
[ -n "${KEEP_DB:-}" ] || trap cleanup EXIT

go build -o "$work/khompctl" ./cmd/khompctl
sqlc -e "CREATE DATABASE \`$DB\` CHARACTER SET utf8mb3"
cat sql/testdata/common.sql sql/testdata/schema_1728.sql | sqlc "$DB"
BDSN="${DB_USER}:${MYSQL_PWD}@tcp(${DB_HOST}:${DB_PORT})/${DB}"
KHOMPCTL_DSN=$BDSN "$work/khompctl" install >/dev/null

echo "loading $ROWS rows ($WINDOW_ROWS in the last 4 hours) ..."
t0=$(date +%s.%N)
# One INSERT ... SELECT over MariaDB's sequence engine: no client round trips.
# Older rows spread over 7 days (VICIdial purges the log after 7 days).
sqlc "$DB" <<SQL
ALTER TABLE vicidial_khomp_log DISABLE KEYS;
INSERT INTO vicidial_khomp_log (caller_code, server_ip, start_date, conclusion, pattern)
SELECT CONCAT('V', LPAD(seq, 19, '0')), '10.0.0.1',
       IF(seq <= $ROWS - $WINDOW_ROWS,
          NOW() - INTERVAL 4 HOUR - INTERVAL 60 SECOND - INTERVAL (seq MOD 590000) SECOND,
          NOW() - INTERVAL (seq MOD 14000) SECOND),
       IF(seq MOD 10 = 0, NULL,
          ELT(1 + seq MOD 9, 'Voice mail', 'Interception announcement', 'Long human answer', 'Short human answer',
              'Fax', 'Ringback signal', 'Non human answer', 'No speech', 'Brand new conclusion')),
       CASE seq MOD 7
         WHEN 0 THEN NULL
         WHEN 1 THEN ''
         WHEN 2 THEN 'Voice mail 300Hz'
         WHEN 3 THEN CONCAT('New announcement ', seq MOD 400)
         WHEN 4 THEN 'Busy tone'
         WHEN 5 THEN CONCAT('Rare pattern ', seq MOD 1000)
         ELSE 'SIT Tone - Innefective/other' END
FROM seq_1_to_$ROWS;
ALTER TABLE vicidial_khomp_log ENABLE KEYS;
SQL
printf 'loaded in %.1f s\n' "$(echo "$(date +%s.%N) - $t0" | bc)"

# measure LABEL ARGS...: one run; sets secs and rss (KiB), prints a line.
measure() {
	local label=$1; shift
	/usr/bin/time -f "%e %M" -o "$work/time" env KHOMPCTL_DSN="$BDSN" "$work/khompctl" update-patterns --lock-file "$work/lock" --json "$@" >"$work/out.json"
	read -r secs rss <"$work/time"
	local counts
	counts=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["added"]), d["rows_scanned"])' "$work/out.json")
	printf '%-34s %6.2f s  %7d KiB max RSS  (added, rows scanned: %s)\n' "$label" "$secs" "$rss" "$counts"
}

# best_of N LABEL ARGS...: N runs; sets best_secs, median_secs, max_rss.
# The machine may be shared, so the best run is the figure that measures
# khompctl rather than its neighbours; the median is printed too.
best_of() {
	local n=$1 label=$2; shift 2
	local all=() i
	max_rss=0
	for i in $(seq "$n"); do
		measure "$label" "$@"
		all+=("$secs")
		((rss > max_rss)) && max_rss=$rss
	done
	best_secs=$(printf '%s\n' "${all[@]}" | sort -n | head -1)
	median_secs=$(printf '%s\n' "${all[@]}" | sort -n | sed -n "$(((n + 1) / 2))p")
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
measure "first 4-hour run (writes)"
best_of 5 "minute 4-hour run (nothing new)"
minute_best=$best_secs minute_median=$median_secs minute_rss=$max_rss
best_of 3 "full --full-check" --full-check
full_best=$best_secs full_median=$median_secs full_rss=$max_rss

ratio() { echo "scale=2; $1 / $2" | bc; }
echo
echo "target                            best     median   target   best/target"
printf 'every-minute run, %6d rows   %6.2f s  %6.2f s   1.00 s   %s\n' "$WINDOW_ROWS" "$minute_best" "$minute_median" "$(ratio "$minute_best" 1)"
printf 'full check, %7d rows        %6.2f s  %6.2f s  10.00 s   %s\n' "$ROWS" "$full_best" "$full_median" "$(ratio "$full_best" 10)"
printf 'memory (max RSS), full vs 4-hour run: %d KiB vs %d KiB, ratio %s (flat: close to 1)\n' "$full_rss" "$minute_rss" "$(ratio "$full_rss" "$minute_rss")"
