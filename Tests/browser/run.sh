#!/usr/bin/env bash
# Browser tests: Smartcar Connect's pages in headless Chromium against a running fleetmock.
#
#   bash Tests/browser/run.sh [--server URL] [-- PYTEST-ARGS...]
#
# Installs Debian's chromium and chromium-driver when chromium or chromedriver
# is missing (apt-get, with sudo when not root), and a virtualenv with
# selenium, pytest and requests at .fleetmock/venvs/browser (created on first
# use, reused afterwards). Without --server, the script starts
# "$FLEETMOCK_BIN serve --memory --port 0" (default .build/debug/fleetmock),
# waits up to 30 s for its line "fleetmock listening on http://HOST:PORT", and
# stops it on exit. Screenshots land in .fleetmock/browser/. Exits non-zero if
# a test failed.

set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
state_dir="$root/.fleetmock"
venv="$state_dir/venvs/browser"
server_out="$state_dir/browser-server.stdout"
server_err="$state_dir/browser-server.stderr"
PYTHON="${PYTHON:-python3}"

usage() {
  sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

die() {
  echo "run.sh: $*" >&2
  exit 2
}

server=""
pytest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
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

# --- Chromium and chromedriver (Debian packages) ------------------------------

chromium_bin="${CHROMIUM:-/usr/bin/chromium}"
chromedriver_bin="${CHROMEDRIVER:-/usr/bin/chromedriver}"

ensure_chromium() {
  if [ -x "$chromium_bin" ] && [ -x "$chromedriver_bin" ]; then
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "chromium/chromedriver missing ($chromium_bin, $chromedriver_bin) and no apt-get to install them"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "run.sh: installing chromium and chromium-driver (apt-get)" >&2
  local start=$SECONDS
  $sudo apt-get update -qq || return 1
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null || return 1
  echo "run.sh: chromium installed in $((SECONDS - start)) s" >&2
  [ -x "$chromium_bin" ] && [ -x "$chromedriver_bin" ]
}

ensure_chromium || die "could not install chromium and chromium-driver (need $chromium_bin and $chromedriver_bin)"

# --- virtualenv ---------------------------------------------------------------

ensure_venv() {
  if [ ! -x "$venv/bin/python" ]; then
    echo "run.sh: creating virtualenv $venv" >&2
    mkdir -p "$(dirname "$venv")"
    "$PYTHON" -m venv "$venv" || return 1
  fi
  if ! "$venv/bin/python" - >/dev/null 2>&1 <<'EOF'; then
from importlib.metadata import version
assert int(version("selenium").split(".")[0]) >= 4
import pytest, requests, selenium.webdriver, smartcar
EOF
    echo "run.sh: installing selenium, pytest, requests and smartcar into $venv" >&2
    "$venv/bin/python" -m pip install -q --disable-pip-version-check \
      "selenium>=4.11,<5" pytest requests "smartcar==6.19.1" || return 1
  fi
}

ensure_venv || die "could not set up the virtualenv $venv"

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
  # Fixtures from this checkout, whatever the current directory (unless the
  # caller chose a folder with FLEETMOCK_FIXTURES).
  local fixtures=()
  if [ -z "${FLEETMOCK_FIXTURES:-}" ] && [ -d "$root/fixtures" ]; then
    fixtures=(--fixtures "$root/fixtures")
  fi
  # Line-buffer stdout where possible so the "listening" line reaches the file
  # even if the server does not flush it.
  local launcher=()
  if command -v stdbuf >/dev/null 2>&1; then
    launcher=(stdbuf -oL -eL)
  fi
  ${launcher[@]+"${launcher[@]}"} "$bin" serve --memory --port 0 ${fixtures[@]+"${fixtures[@]}"} \
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

# --- tests --------------------------------------------------------------------

echo "==== browser: headless $("$chromium_bin" --version 2>/dev/null | head -n1) against $server"
(
  cd "$here" &&
    FLEETMOCK_URL="$server" CHROMIUM="$chromium_bin" CHROMEDRIVER="$chromedriver_bin" \
      SE_OFFLINE=true PYTHONDONTWRITEBYTECODE=1 \
      "$venv/bin/python" -m pytest -q ${pytest_args[@]+"${pytest_args[@]}"}
)
rc=$?

if [ "$rc" -ne 0 ]; then
  echo "==== browser: FAILED (exit $rc); screenshots in $state_dir/browser" >&2
  if [ "$started_here" -eq 1 ]; then
    if [ -n "$server_pid" ] && ! kill -0 "$server_pid" 2>/dev/null; then
      echo "run.sh: fleetmock exited during the run" >&2
    fi
    echo "run.sh: server output kept in $server_out and $server_err" >&2
  fi
  exit 1
fi
echo "==== browser: ok; screenshots in $state_dir/browser"
exit 0
