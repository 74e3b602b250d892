#!/usr/bin/env bash
# Installs the Debian packages the tests and the corpus generator need, only
# when something is missing (so a developer machine is not touched twice).
set -euo pipefail
need=()
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need+=(mariadb-server)
command -v sox >/dev/null 2>&1 || need+=(sox)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
[ -d /usr/share/asterisk/sounds/en_US_f_Allison ] || [ -d /usr/share/asterisk/sounds/en ] || need+=(asterisk-core-sounds-en-wav)
[ -d /usr/share/asterisk/sounds/es_MX_f_Allison ] || [ -d /usr/share/asterisk/sounds/es ] || need+=(asterisk-core-sounds-es-wav)
if [ ${#need[@]} -gt 0 ]; then
	echo "deps: installing ${need[*]}" >&2
	sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
