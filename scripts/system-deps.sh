#!/usr/bin/env bash
# Install the Debian packages a make target needs, when they are missing.
#
#   scripts/system-deps.sh msgfmt:gettext chromium:chromium
#
# Each argument is COMMAND:PACKAGE. A command that is already on PATH (or an
# absolute path that exists) is left alone. Missing ones are installed with
# apt-get when we are root; otherwise we only warn, and the tests that need
# them skip locally (and fail in CI, see tests/conftest.py require()).
set -euo pipefail

missing=()
for spec in "$@"; do
    cmd=${spec%%:*}
    pkg=${spec#*:}
    if [[ $cmd == /* ]]; then
        [[ -x $cmd ]] && continue
    elif command -v "$cmd" >/dev/null 2>&1; then
        continue
    fi
    missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "warning: missing system packages: ${missing[*]} (install them with: sudo apt-get install ${missing[*]})" >&2
    exit 0
fi

echo ">> apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; update once, then install.
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
