#!/usr/bin/env bash
# Sets up, builds (Release) and starts jim-edge on the embedded default data dir ./data.
# Extra arguments go to `jim-edge serve` (see `jim-edge serve --help`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh --build-only
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DJIM_BUILD_TESTS=OFF -DJIM_BUILD_BENCH=OFF >/dev/null
cmake --build build/release --target jim-edge -j"$(nproc)"
exec build/release/cmd/jim-edge serve --data-dir "${JIM_DATA_DIR:-./data}" "$@"
