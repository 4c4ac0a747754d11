#!/usr/bin/env bash
# Sets up, builds and runs every test tier: unit, store, http, e2e, reliability, fuzz, container,
# powershell, openapi and the benchmark smoke runs; then the unit/store/http tiers again under
# ASan+UBSan. Prints ctest's summary; exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
start=$(date +%s)

bash scripts/setup.sh

jobs=$(nproc)
echo "== build (RelWithDebInfo) =="
cmake -S . -B build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/test -j"$jobs"

echo "== tests =="
status=0
ctest --test-dir build/test --output-on-failure --timeout 1800 -j"$jobs" || status=1

echo "== sanitizers (ASan+UBSan): unit, store, http =="
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DJIM_SANITIZE=ON -DJIM_BUILD_BENCH=OFF >/dev/null
cmake --build build/asan -j"$jobs" --target jim_unit_tests jim_store_tests jim_http_tests
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build/asan --output-on-failure -L 'unit|store|http' -j"$jobs" || status=1

echo "== done in $(( $(date +%s) - start )) s =="
exit $status
