#!/usr/bin/env bash
# `make run`: prepare the embedded default (SQLite, DEBUG=1, no Redis) and
# start the web server and a Celery worker with embedded beat. Ctrl-C stops both.
#
# Without REDIS_URL the worker uses kombu's filesystem transport under
# var/celery/ (bureau/settings.py "Celery"): beat puts periodic tasks on that
# queue and the worker consumes them, so deadline sweeps run with no Redis.
# The web process keeps running its own tasks in process (eager).
set -euo pipefail
cd "$(dirname "$0")/.."

# Ctrl-C signals the terminal's whole foreground process group, make included, and make then
# dies of SIGINT (exit 130) whatever this script does. With job control on, bash runs the
# script again as a job of its own and hands it the terminal: Ctrl-C reaches only that job (the
# web server, the worker and this script, which stops them), and make sees it exit 0.
if [[ -t 0 && -z ${BUREAU_RUN_JOB:-} ]]; then
    set -m
    BUREAU_RUN_JOB=1 bash "$0" "$@" && rc=0 || rc=$?
    exit $rc
fi
# Interrupted while preparing (migrate, seed): nothing runs yet, stop quietly.
trap 'echo; echo ">> interrupted"; exit 0' INT TERM

export DEBUG=${DEBUG:-1}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
PY=.venv/bin/python
mkdir -p var/log
logins=var/demo-logins.txt
worker_log=var/log/celery.log

echo ">> migrate"
$PY manage.py migrate --noinput
echo ">> seed_demo"
$PY manage.py seed_demo --logins-file "$logins"
echo ">> collectstatic"
$PY manage.py collectstatic --noinput --verbosity 0

pids=()
cleanup() {
    trap - INT TERM EXIT
    echo
    echo ">> stopping web server and worker"
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}
trap 'cleanup; exit 0' INT TERM
trap cleanup EXIT

echo ">> celery worker with beat (log: $worker_log)"
CELERY_TASK_ALWAYS_EAGER=0 .venv/bin/celery -A bureau worker -B --pool=solo --loglevel=INFO \
    --hostname="bureau-dev@%h" >>"$worker_log" 2>&1 &
pids+=($!)

echo ">> web server on http://$HOST:$PORT"
$PY manage.py runserver "$HOST:$PORT" &
pids+=($!)

# Print the logins once the server answers, so they are the last thing on screen.
for _ in $(seq 1 120); do
    if $PY - "http://$HOST:$PORT/healthz" <<'PY' 2>/dev/null; then
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError:
    pass  # 503 still means the server is up
PY
        cat <<MSG

============================================================
 综合行政执法局业务系统 / County enforcement bureau system
 http://$HOST:$PORT/          (admin: http://$HOST:$PORT/admin/)
 worker + beat log: $worker_log
 Ctrl-C stops both.
============================================================
MSG
        cat "$logins"
        echo
        break
    fi
    if ! kill -0 "${pids[1]}" 2>/dev/null; then
        break
    fi
    sleep 0.5
done

# Stop everything as soon as either process ends.
wait -n
