#!/usr/bin/env bash
# Contract tests: the official Smartcar and DIMO Python SDKs against a running fleetmock.
#
#   bash Tests/contract/run.sh [smartcar6|smartcar3|dimo|all] [--server URL] [-- PYTEST-ARGS...]
#
# Each SDK version gets its own virtualenv under .fleetmock/venvs/<suite>
# (created on first use, reused afterwards). Without --server, the script
# starts "$FLEETMOCK_BIN serve --memory --port 0" (default
# .build/debug/fleetmock), waits up to 30 s for its line
# "fleetmock listening on http://HOST:PORT", and stops it on exit.
# DIMO_PYTEST_ARGS (shell-quoted, default empty) goes to the dimo suite only,
# e.g. DIMO_PYTEST_ARGS='-m "not dimo_rest"'. Exits non-zero if any suite failed.

set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
state_dir="$root/.fleetmock"
venv_root="$state_dir/venvs"
server_out="$state_dir/contract-server.stdout"
server_err="$state_dir/contract-server.stderr"
PYTHON="${PYTHON:-python3}"

sdk_version() {
  case "$1" in
    smartcar6) echo "6.19.1" ;;
    smartcar3) echo "3.0.1" ;;
    dimo) echo "1.8.0" ;;
  esac
}

# The PyPI distribution and the module each suite imports.
sdk_package() {
  case "$1" in
    smartcar6 | smartcar3) echo "smartcar" ;;
    dimo) echo "dimo-python-sdk" ;;
  esac
}

sdk_module() {
  case "$1" in
    smartcar6 | smartcar3) echo "smartcar" ;;
    dimo) echo "dimo" ;;
  esac
}

usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

die() {
  echo "run.sh: $*" >&2
  exit 2
}

suite="all"
server=""
pytest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    smartcar6 | smartcar3 | dimo | all) suite="$1" ;;
    --server)
      [ $# -ge 2 ] || die "--server needs a URL"
      server="$2"
      shift
      ;;
    --server=*) server="${1#--server=}" ;;
    -h | --help)
      usage
      exit 0
      ;;
    --)
      shift
      pytest_args=("$@")
      break
      ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
  shift
done

if [ "$suite" = all ]; then
  suites=(smartcar6 smartcar3 dimo)
else
  suites=("$suite")
fi

# --- virtualenvs --------------------------------------------------------------

ensure_venv() {
  local name="$1" version package module venv
  version="$(sdk_version "$name")"
  package="$(sdk_package "$name")"
  module="$(sdk_module "$name")"
  venv="$venv_root/$name"
  if [ ! -x "$venv/bin/python" ]; then
    echo "run.sh: creating virtualenv $venv" >&2
    mkdir -p "$venv_root"
    "$PYTHON" -m venv "$venv" || return 1
  fi
  if ! "$venv/bin/python" - "$package" "$version" "$module" >/dev/null 2>&1 <<'EOF'; then
import importlib, sys
from importlib.metadata import version
assert version(sys.argv[1]) == sys.argv[2]
importlib.import_module(sys.argv[3])
import pytest, requests
EOF
    echo "run.sh: installing $package==$version and pytest into $venv" >&2
    "$venv/bin/python" -m pip install -q --disable-pip-version-check \
      "$package==$version" pytest || return 1
  fi
}

# DIMO_PYTEST_ARGS, split by shell quoting rules (shlex): one element per argument.
dimo_args=()
if [ -n "${DIMO_PYTEST_ARGS:-}" ]; then
  split_out="$(DIMO_PYTEST_ARGS="$DIMO_PYTEST_ARGS" "$PYTHON" -c '
import os, shlex, sys
sys.stdout.write("".join(a + "\n" for a in shlex.split(os.environ["DIMO_PYTEST_ARGS"])))
')" || die "could not parse DIMO_PYTEST_ARGS: $DIMO_PYTEST_ARGS"
  while IFS= read -r arg; do
    dimo_args+=("$arg")
  done <<<"$split_out"
fi

for name in "${suites[@]}"; do
  ensure_venv "$name" || die "could not set up the virtualenv for $name"
done

# --- server -------------------------------------------------------------------

server_pid=""

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null
    for _ in $(seq 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  server_pid=""
}
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_server_logs() {
  local f
  for f in "$server_out" "$server_err"; do
    if [ -s "$f" ]; then
      echo "---- last lines of $f" >&2
      tail -n 40 "$f" >&2
    fi
  done
}

start_server() {
  local bin="${FLEETMOCK_BIN:-$root/.build/debug/fleetmock}"
  [ -x "$bin" ] || die "fleetmock binary not found at $bin (build it with 'swift build', set FLEETMOCK_BIN, or pass --server URL)"
  mkdir -p "$state_dir"
  : >"$server_out"
  : >"$server_err"
  # Line-buffer stdout where possible so the "listening" line reaches the file
  # even if the server does not flush it.
  local launcher=()
  if command -v stdbuf >/dev/null 2>&1; then
    launcher=(stdbuf -oL -eL)
  fi
  ${launcher[@]+"${launcher[@]}"} "$bin" serve --memory --port 0 \
    >"$server_out" 2>"$server_err" </dev/null &
  server_pid=$!

  local deadline=$((SECONDS + 30)) line="" rc
  while :; do
    line="$(grep -m1 -E '^fleetmock listening on https?://[^[:space:]]+[[:space:]]*$' "$server_out" 2>/dev/null || true)"
    [ -n "$line" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
      wait "$server_pid"
      rc=$?
      server_pid=""
      show_server_logs
      die "fleetmock ($bin) exited with status $rc before printing 'fleetmock listening on http://HOST:PORT'"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      show_server_logs
      die "fleetmock ($bin) did not print 'fleetmock listening on http://HOST:PORT' within 30 s"
    fi
    sleep 0.1
  done
  line="${line#fleetmock listening on }"
  server="${line//[[:space:]]/}"
  echo "run.sh: started fleetmock (pid $server_pid) at $server" >&2
}

started_here=0
if [ -z "$server" ]; then
  start_server
  started_here=1
fi
server="${server%/}"

# --- suites -------------------------------------------------------------------

failed=()
summary=()
for name in "${suites[@]}"; do
  echo "==== $name: $(sdk_package "$name")==$(sdk_version "$name") against $server"
  extra=()
  if [ "$name" = dimo ]; then
    extra=(${dimo_args[@]+"${dimo_args[@]}"})
  fi
  (
    cd "$here" &&
      FLEETMOCK_URL="$server" PYTHONDONTWRITEBYTECODE=1 \
        "$venv_root/$name/bin/python" -m pytest -q "$name" \
        ${extra[@]+"${extra[@]}"} ${pytest_args[@]+"${pytest_args[@]}"}
  )
  rc=$?
  if [ "$rc" -eq 0 ]; then
    summary+=("$name=ok")
  else
    summary+=("$name=FAILED(exit $rc)")
    failed+=("$name")
  fi
done

echo "==== contract suites: ${summary[*]}"
if [ "${#failed[@]}" -gt 0 ]; then
  if [ "$started_here" -eq 1 ]; then
    if [ -n "$server_pid" ] && ! kill -0 "$server_pid" 2>/dev/null; then
      echo "run.sh: fleetmock exited during the run" >&2
    fi
    echo "run.sh: server output kept in $server_out and $server_err" >&2
  fi
  exit 1
fi
exit 0
