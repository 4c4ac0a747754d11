#!/usr/bin/env bash
# ctest smoke of jim_baseline_server: starts it on a free port, expects 201 on POST and 200 on GET.
set -euo pipefail
out=$(mktemp); trap 'kill "$pid" 2>/dev/null || true; rm -f "$out"' EXIT
"$1" --port 0 >"$out" & pid=$!
for _ in $(seq 50); do grep -q listening "$out" && break; sleep 0.1; done
port=$(grep -o ':[0-9]* ' "$out" | tr -d ': ')
[[ $(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:$port/x") == 201 ]]
[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/x") == 200 ]]
echo "baseline server OK on port $port"
