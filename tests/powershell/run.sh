#!/usr/bin/env bash
# Runs the Pester suite of the JIM PowerShell module against a real jim-edge server.
#
#   tests/powershell/run.sh <path to the jim-edge binary>
#
# Starts `jim-edge serve` on a free loopback port with a fresh data dir and a random infrastructure
# API key, waits for GET /api/v1/health, seeds the fixtures the documentation examples rely on
# (connected system 1 "LDAP" with partition 1 "Users", connected system 2 "HR Database"), runs every
# tests/powershell/*.Tests.ps1 with pwsh + Pester 5, prints the summary, stops the server with
# SIGTERM and exits non-zero when a test failed.
#
# With JIM_TEST_STORE=postgresql the server runs on the PostgreSQL backend, on a fresh database of the
# cluster in JIM_TEST_DATABASE_URL (scripts/test.sh starts one), dropped at exit; exit 77 without it.
#
# Exit 77 (ctest SKIP_RETURN_CODE) when pwsh or Pester is not installed: run scripts/setup-powershell.sh.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
pwsh="$root/.tools/pwsh/pwsh"

if [[ -f "$root/.tools/powershell.skipped" ]]; then
  echo "SKIPPED: pwsh not installed (run scripts/setup-powershell.sh; it skipped: $(cat "$root/.tools/powershell.skipped"))"
  exit 77
fi
if [[ ! -x "$pwsh" ]]; then
  echo "SKIPPED: pwsh not installed (run scripts/setup-powershell.sh)"
  exit 77
fi
if ! "$pwsh" -NoLogo -NoProfile -NonInteractive -Command 'exit 0' >/dev/null 2>&1; then
  echo "SKIPPED: pwsh not installed (run scripts/setup-powershell.sh): $pwsh does not start (is dotnet missing?)"
  exit 77
fi

pester_psd1=""
if [[ -f "$root/.tools/powershell.env" ]]; then
  pester_psd1="$(sed -n 's/^PESTER_PSD1=//p' "$root/.tools/powershell.env")"
fi
if [[ -z "$pester_psd1" || ! -f "$pester_psd1" ]]; then
  pester_psd1="$(ls -d "$root"/.tools/nuget/pester/5.*/tools/Pester.psd1 2>/dev/null | sort -V | tail -n1 || true)"
fi
if [[ -z "$pester_psd1" || ! -f "$pester_psd1" ]]; then
  echo "SKIPPED: Pester 5 not installed (run scripts/setup-powershell.sh)"
  exit 77
fi

if [[ $# -lt 1 ]]; then
  echo "usage: $0 <path to the jim-edge binary>" >&2
  exit 2
fi
binary="$1"
if [[ ! -x "$binary" ]]; then
  echo "powershell tests: jim-edge binary not found or not executable: $binary" >&2
  exit 1
fi
if ! command -v curl >/dev/null 2>&1; then
  echo "powershell tests: curl is needed to seed the fixtures" >&2
  exit 1
fi

port_is_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
random_free_port() {
  local candidate
  for _ in $(seq 1 200); do
    candidate=$((20000 + RANDOM % 40000))
    if port_is_free "$candidate"; then echo "$candidate"; return 0; fi
  done
  return 1
}

# The store: the embedded one in data_dir, or a fresh PostgreSQL database (its name is ours alone).
store_args=()
pg_admin="" pg_name=""
if [[ "${JIM_TEST_STORE:-rocksdb}" == postgresql ]]; then
  pg_admin="${JIM_TEST_DATABASE_URL:-}"
  if [[ -z "$pg_admin" ]]; then
    echo "SKIPPED: JIM_TEST_DATABASE_URL is not set: the PostgreSQL backend is NOT tested (scripts/test.sh sets it)"
    exit 77
  fi
  pg_name="pester_$$_$RANDOM"
  psql -qAt "$pg_admin" -c "CREATE DATABASE $pg_name" ||
    { echo "powershell tests: cannot create database $pg_name" >&2; exit 1; }
  store_args=(--store postgresql --database-url "${pg_admin%/*}/$pg_name")
fi

data_dir="$(mktemp -d)"
log="$(mktemp)"
key="jim_ak_$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
server_pid=""

stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null
    for _ in $(seq 1 100); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      echo "powershell tests: server did not stop on SIGTERM within 10 s; killing it" >&2
      kill -KILL "$server_pid" 2>/dev/null
    fi
    wait "$server_pid" 2>/dev/null
  fi
  server_pid=""
}
cleanup() {
  stop_server
  rm -rf "$data_dir" "$log"
  if [[ -n "$pg_name" ]]; then psql -qAt "$pg_admin" -c "DROP DATABASE IF EXISTS $pg_name WITH (FORCE)" >/dev/null; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "powershell tests: $*" >&2
  echo "---- server log (last 50 lines) ----" >&2
  tail -n 50 "$log" >&2
  exit 1
}

# start_server <port>: 0 when it answers GET /api/v1/health, 1 when it exited first (port taken?).
start_server() {
  url="http://127.0.0.1:$1"
  JIM_INFRASTRUCTURE_API_KEY="$key" "$binary" serve --host 127.0.0.1 --port "$1" \
    --data-dir "$data_dir" "${store_args[@]}" --rate-limit off >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      wait "$server_pid"
      echo "powershell tests: jim-edge exited (status $?) before answering on port $1" >&2
      server_pid=""
      return 1
    fi
    if curl -fsS -o /dev/null "$url/api/v1/health" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  fail "jim-edge did not answer GET $url/api/v1/health within 30 s"
}

# Prefer 8080, the port of the documentation's Connect-JIM example, so that it runs verbatim;
# else (or when the start fails, e.g. the port was taken meanwhile) a random free port.
started=""
for attempt in 1 2 3; do
  if [[ $attempt -eq 1 ]] && port_is_free 8080; then
    port=8080
  else
    port="$(random_free_port)" || fail "no free port found"
  fi
  if start_server "$port"; then started=1; break; fi
  rm -rf "$data_dir" && data_dir="$(mktemp -d)"
done
[[ -n "$started" ]] || fail "jim-edge did not start (3 attempts)"
echo "powershell tests: jim-edge serving on $url (pid $server_pid, store ${JIM_TEST_STORE:-rocksdb})"

# seed <path> <json> <expected id>
seed() {
  local path="$1" body="$2" want_id="$3" out status
  out="$(curl -sS -w '\n%{http_code}' -X POST -H "X-Api-Key: $key" \
    -H 'Content-Type: application/json; charset=utf-8' --data "$body" "$url$path")" ||
    fail "POST $path failed"
  status="${out##*$'\n'}"
  out="${out%$'\n'*}"
  [[ "$status" == 201 ]] || fail "POST $path $body answered $status: $out"
  [[ "$out" == *"\"id\":$want_id,"* || "$out" == *"\"id\":$want_id}"* ]] ||
    fail "POST $path $body: expected id $want_id, got $out"
}
seed /api/v1/synchronisation/connected-systems \
  '{"name":"LDAP","description":"Corporate directory","connectorDefinitionId":1}' 1
seed /api/v1/synchronisation/connected-systems/1/partitions \
  '{"name":"Users","externalId":"OU=Users,DC=corp,DC=example"}' 1
seed /api/v1/synchronisation/connected-systems \
  '{"name":"HR Database","description":"HR CSV exports","connectorDefinitionId":2}' 2
echo "powershell tests: fixtures seeded (1 LDAP + partition 1 Users, 2 HR Database)"

export JIM_TEST_URL="$url" JIM_TEST_API_KEY="$key" JIM_TEST_PESTER="$pester_psd1" JIM_TEST_ROOT="$root"
"$pwsh" -NoLogo -NoProfile -NonInteractive -Command '
  $ErrorActionPreference = "Stop"
  Import-Module $env:JIM_TEST_PESTER
  "pwsh $($PSVersionTable.PSVersion), Pester $((Get-Module Pester).Version)"
  $config = New-PesterConfiguration
  $config.Run.Path = (Join-Path $env:JIM_TEST_ROOT "tests/powershell")
  $config.Run.PassThru = $true
  $config.Output.Verbosity = "Detailed"
  $config.Output.RenderMode = "Plaintext"
  $result = Invoke-Pester -Configuration $config
  "powershell: $($result.PassedCount) passed, $($result.FailedCount) failed, $($result.SkippedCount) skipped"
  if ($result.Result -ne "Passed" -or $result.FailedCount -gt 0 -or $result.PassedCount -eq 0) { exit 1 }
  exit 0
'
status=$?
stop_server
if [[ $status -ne 0 ]]; then
  echo "powershell tests: FAILED (pwsh exit $status)"
  echo "---- server log (last 30 lines) ----"
  tail -n 30 "$log"
fi
exit $status
