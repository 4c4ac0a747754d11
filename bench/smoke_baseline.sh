#!/usr/bin/env bash
# ctest smoke of jim_baseline_server: starts it on a free port, expects 201 on POST and 200 on GET; then
# the durable mode (--durable DIR): 201 for a create body, 400 for a body that is not one.
set -euo pipefail
out=$(mktemp) dir=$(mktemp -d) pid=""
trap 'if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; rm -rf "$out" "$dir"' EXIT
start() {
  : >"$out"
  "$@" >"$out" & pid=$!
  for _ in $(seq 50); do grep -q listening "$out" && break; sleep 0.1; done
  port=$(grep -o ':[0-9]* ' "$out" | tr -d ': ')
}
post() { curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d "$1" "http://127.0.0.1:$port/x"; }

start "$1" --port 0
[[ $(post '{}') == 201 ]]
[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/x") == 200 ]]
echo "baseline server OK on port $port"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""

start "$1" --port 0 --durable "$dir/data"
[[ $(post '{"name":"Full import","runType":"FullImport","pageSize":500}') == 201 ]]
[[ $(post '{"pageSize":500}') == 400 ]]
[[ $(post 'not json') == 400 ]]
echo "durable baseline server OK on port $port"
