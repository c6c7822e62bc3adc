#!/usr/bin/env bash
# Create .venv with Python 3.11 (or python3) when it does not exist yet.
set -euo pipefail
venv=${1:-.venv}
[[ -x $venv/bin/python ]] && exit 0

python=$(command -v python3.11 || command -v python3 || true)
if [[ -z $python ]]; then
    echo "error: Python 3.11 not found (install python3.11 or python3)" >&2
    exit 1
fi
echo ">> $python -m venv $venv"
if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
    # Debian ships venv/ensurepip in a separate package (python3.11-venv).
    rm -rf "$venv"
    version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo ">> apt-get install python${version}-venv"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "python${version}-venv" >/dev/null
    else
        echo "error: '$python -m venv' failed; install python${version}-venv" >&2
        exit 1
    fi
    "$python" -m venv "$venv"
fi
