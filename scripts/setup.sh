#!/usr/bin/env bash
# Installs what jim-edge needs on a Debian 12 machine, only what is missing (idempotent).
#
#   scripts/setup.sh --build-only   the packages to build and run the server
#   scripts/setup.sh                 also every test tool: GoogleTest, Google Benchmark, curl, wrk,
#                                    clang (fuzzing), npm validator, PowerShell + Pester, podman
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_only=0
[[ "${1:-}" == "--build-only" ]] && build_only=1

BUILD_PACKAGES=(g++ cmake make pkg-config libcpp-httplib-dev libsimdjson-dev librocksdb-dev libcli11-dev libssl-dev
                libpq-dev)
TEST_PACKAGES=(libgtest-dev libgmock-dev libbenchmark-dev curl openssl wrk gnuplot-nox jq linux-perf valgrind procps psmisc
               postgresql
               clang-14 libclang-rt-14-dev nodejs npm python3)

packages=("${BUILD_PACKAGES[@]}")
(( build_only )) || packages+=("${TEST_PACKAGES[@]}")

missing=()
for p in "${packages[@]}"; do
  # NodeSource's nodejs bundles npm and conflicts with Debian's npm package: a working node and npm suffice.
  [[ $p == nodejs || $p == npm ]] && command -v node >/dev/null && command -v npm >/dev/null && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#packages[@]} packages present"
fi

(( build_only )) && exit 0

# Test-only tools from npm and NuGet, pinned, installed into the project's ignored folders.
if [[ -f "$root/tests/openapi/package.json" ]]; then
  (cd "$root/tests/openapi" && { [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error; })
fi
[[ -x "$root/scripts/setup-powershell.sh" || -f "$root/scripts/setup-powershell.sh" ]] && bash "$root/scripts/setup-powershell.sh"
[[ -f "$root/scripts/setup-container.sh" ]] && bash "$root/scripts/setup-container.sh" || echo "setup: container tooling unavailable; the container test will skip"
exit 0
