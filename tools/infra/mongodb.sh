#!/usr/bin/env bash
# A MongoDB wire-compatible server for tests, without Docker: FerretDB v1 on its SQLite backend,
# listening on 127.0.0.1:27018. Binary, data and log live under .brokers/mongodb/ (gitignored).
#
#   tools/infra/mongodb.sh fetch    build the server once (needs go >= 1.24 and the Go module proxy)
#   tools/infra/mongodb.sh start    fetch if needed, start, wait until it answers a ping (idempotent)
#   tools/infra/mongodb.sh stop     stop it and wait until it is gone (idempotent)
#   tools/infra/mongodb.sh status   exit 0 when it answers a ping
#
# Tests reach it with CRM_TEST_MONGODB_URL=mongodb://127.0.0.1:27018/ (printed by `start`).
#
# Why the build looks like this: `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.x`
# produces a binary that panics at start-up (FerretDB#2982), because build/version/version.txt is
# generated from git by FerretDB's own task runner and is absent from the module zip. So we download
# the module, copy it (the module cache is read-only), write version.txt and build ./cmd/ferretdb
# inside the copy, with the module's own go.sum. The PostgreSQL backend is left out to shorten the
# build; the SQLite backend is pure Go (modernc.org/sqlite), so no C compiler is needed.
#
# The databases are SQLite files in WAL mode with synchronous=NORMAL: a test server needs to survive
# a crash of its process, not a power cut, and every write is then one fsync cheaper.
set -euo pipefail

FERRETDB_MODULE=github.com/FerretDB/FerretDB
FERRETDB_VERSION=v1.24.2 # the last v1 release; v2 needs PostgreSQL with the DocumentDB extension
HOST=127.0.0.1
PORT="${MONGODB_PORT:-27018}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BASE="$ROOT/.brokers/mongodb"
BIN="$BASE/bin/ferretdb"
PING="$BASE/bin/ping"
BUILT_VERSION_FILE="$BASE/bin/version"
DATA="$BASE/data"
STATE="$BASE/state"
LOG="$BASE/ferretdb.log"
PID_FILE="$BASE/ferretdb.pid"
START_TIMEOUT_S="${MONGODB_START_TIMEOUT_S:-60}"
STOP_TIMEOUT_S="${MONGODB_STOP_TIMEOUT_S:-30}"

# Never let the Go command fetch another toolchain, pick up a workspace above us, or stamp the
# build with the repository's git state (the copy is not FerretDB's repository).
export GOTOOLCHAIN=local GOWORK=off GOFLAGS="-mod=readonly -buildvcs=false"

log() { echo "mongodb.sh: $*" >&2; }

is_built() {
  [[ -x "$BIN" && -x "$PING" && -f "$BUILT_VERSION_FILE" && "$(cat "$BUILT_VERSION_FILE")" == "$FERRETDB_VERSION" ]]
}

fetch() {
  if is_built; then
    log "FerretDB $FERRETDB_VERSION already built at $BIN"
    return 0
  fi
  command -v go >/dev/null || { log "go is not installed (needed to build FerretDB)"; exit 1; }
  local started=$SECONDS
  mkdir -p "$BASE/bin"
  log "downloading $FERRETDB_MODULE@$FERRETDB_VERSION"
  local module_dir
  # Outside any module, `go mod download` needs no go.mod; -json reports where the module landed.
  module_dir="$(cd "$BASE" && go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -n "$module_dir" && -d "$module_dir" ]] || { log "go mod download did not report a module directory"; exit 1; }

  local src="$BASE/src"
  rm -rf "$src"
  cp -R "$module_dir" "$src"
  chmod -R u+w "$src"
  echo "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  # The readiness probe is a tiny Go program built inside the same module, so that it reuses the
  # MongoDB Go driver FerretDB already depends on (and its go.sum) instead of needing mongosh or node.
  mkdir -p "$src/cmd/crm-ping"
  cp "$ROOT/tools/infra/ferretdb/ping.go" "$src/cmd/crm-ping/main.go"

  log "building FerretDB (first build compiles the pure-Go SQLite; expect a few minutes)"
  (cd "$src" && go build -trimpath -tags ferretdb_no_postgresql -o "$BIN.tmp" ./cmd/ferretdb)
  (cd "$src" && go build -trimpath -o "$PING" ./cmd/crm-ping)
  mv "$BIN.tmp" "$BIN"
  echo "$FERRETDB_VERSION" >"$BUILT_VERSION_FILE"
  log "built FerretDB $FERRETDB_VERSION in $((SECONDS - started)) s"
}

answers_ping() {
  [[ -x "$PING" ]] && "$PING" "mongodb://$HOST:$PORT/?directConnection=true" >/dev/null 2>&1
}

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  if answers_ping; then
    log "already running on $HOST:$PORT"
    print_url
    return 0
  fi
  if running_pid >/dev/null; then
    log "a server started earlier (pid $(running_pid)) does not answer; waiting for it"
  else
    fetch
    if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then
      log "port $PORT is taken by something that does not answer a MongoDB ping"
      exit 1
    fi
    mkdir -p "$DATA" "$STATE"
    log "starting FerretDB on $HOST:$PORT (data in $DATA, log in $LOG)"
    # setsid: the server outlives this script and the shell that ran it.
    setsid "$BIN" \
      --handler=sqlite \
      --sqlite-url="file:$DATA/?_pragma=synchronous(normal)" \
      --listen-addr="$HOST:$PORT" \
      --state-dir="$STATE" \
      --debug-addr=- \
      --telemetry=disable \
      --log-level=error \
      >>"$LOG" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
  fi

  local deadline=$((SECONDS + START_TIMEOUT_S))
  until answers_ping; do
    if ! running_pid >/dev/null; then
      log "FerretDB exited during start-up; last lines of $LOG:"
      tail -n 20 "$LOG" >&2 || true
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      log "FerretDB did not answer a ping within ${START_TIMEOUT_S} s; see $LOG"
      exit 1
    fi
    sleep 0.2
  done
  log "ready on $HOST:$PORT"
  print_url
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    if answers_ping; then
      log "something answers on $HOST:$PORT but was not started by this script (no pid file); leaving it alone"
      exit 1
    fi
    log "not running"
    return 0
  fi
  log "stopping FerretDB (pid $pid)"
  kill -TERM "$pid"
  local deadline=$((SECONDS + STOP_TIMEOUT_S))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "FerretDB did not stop within ${STOP_TIMEOUT_S} s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  rm -f "$PID_FILE"
  log "stopped"
}

status() {
  if answers_ping; then
    log "running on $HOST:$PORT${PID_FILE:+ (pid $(running_pid || echo '?'))}"
    print_url
  else
    log "not running"
    return 1
  fi
}

print_url() {
  echo "CRM_TEST_MONGODB_URL=mongodb://$HOST:$PORT/"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 {fetch|start|stop|status}" >&2
    exit 2
    ;;
esac
