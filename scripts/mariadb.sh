#!/usr/bin/env bash
# A throw-away MariaDB on a loopback port for the tests.
#
#   source scripts/mariadb.sh; mariadb_start   # exports KHOMPCTL_TEST_DSN, stops on exit
#   scripts/mariadb.sh start                    # for a developer: prints the export line
#   scripts/mariadb.sh stop
#
# The server runs as the current user with its data directory under $TMPDIR,
# listens only on 127.0.0.1, and grants a test user every privilege so tests
# can create and drop one database each.

MARIADB_DIR=${MARIADB_DIR:-${TMPDIR:-/tmp}/khompctl-mariadb}
MARIADB_PORT=${MARIADB_PORT:-}

mariadb_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + RANDOM % 20000))
}

mariadb_start() {
	local bin=/usr/sbin/mariadbd
	command -v mariadbd >/dev/null 2>&1 && bin=$(command -v mariadbd)
	[ -x "$bin" ] || { echo "mariadb: mariadbd not found; run scripts/deps.sh" >&2; return 1; }
	mariadb_stop_quiet
	rm -rf "$MARIADB_DIR"
	mkdir -p "$MARIADB_DIR/data"
	[ -n "$MARIADB_PORT" ] || MARIADB_PORT=$(mariadb_free_port)
	local userflag=()
	[ "$(id -u)" = 0 ] && userflag=(--user=root)
	mariadb-install-db "${userflag[@]}" --datadir="$MARIADB_DIR/data" --auth-root-authentication-method=normal \
		--skip-test-db >"$MARIADB_DIR/install.log" 2>&1 ||
		{ cat "$MARIADB_DIR/install.log" >&2; return 1; }
	"$bin" --no-defaults "${userflag[@]}" --datadir="$MARIADB_DIR/data" --socket="$MARIADB_DIR/sock" \
		--pid-file="$MARIADB_DIR/pid" --port="$MARIADB_PORT" --bind-address=127.0.0.1 \
		--skip-name-resolve --log-error="$MARIADB_DIR/error.log" --innodb-buffer-pool-size=64M \
		--max-connections=500 >/dev/null 2>&1 &
	local i
	for i in $(seq 1 100); do
		mariadb --socket="$MARIADB_DIR/sock" -uroot -e 'select 1' >/dev/null 2>&1 && break
		sleep 0.2
	done
	mariadb --socket="$MARIADB_DIR/sock" -uroot -e "
		CREATE USER IF NOT EXISTS 'khompctl'@'127.0.0.1' IDENTIFIED BY 'khompctl-test';
		GRANT ALL PRIVILEGES ON *.* TO 'khompctl'@'127.0.0.1' WITH GRANT OPTION;" ||
		{ echo "mariadb: server did not start; see $MARIADB_DIR/error.log:" >&2; tail -20 "$MARIADB_DIR/error.log" >&2; return 1; }
	export KHOMPCTL_TEST_DSN="khompctl:khompctl-test@tcp(127.0.0.1:$MARIADB_PORT)/"
	echo "mariadb: running on 127.0.0.1:$MARIADB_PORT (data in $MARIADB_DIR)" >&2
}

mariadb_stop_quiet() {
	if [ -f "$MARIADB_DIR/pid" ]; then
		local pid
		pid=$(cat "$MARIADB_DIR/pid" 2>/dev/null || true)
		if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
			for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
		fi
		rm -f "$MARIADB_DIR/pid"
	fi
}

mariadb_stop() {
	mariadb_stop_quiet
	rm -rf "$MARIADB_DIR"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	case "${1:-}" in
	start) mariadb_start && echo "export KHOMPCTL_TEST_DSN='$KHOMPCTL_TEST_DSN'" ;;
	stop) mariadb_stop ;;
	*) echo "usage: $0 start|stop" >&2; exit 2 ;;
	esac
fi
