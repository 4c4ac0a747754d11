#!/usr/bin/env bash
# Runs clang-format (check only, or --fix) and clang-tidy over the project's C++ sources.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mapfile -t files < <(git ls-files 'core/*.cpp' 'core/*.h' 'store/*.cpp' 'store/*.h' 'http/*.cpp' 'http/*.h' 'cmd/*.cpp' 'cmd/*.h')
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
else
  clang-format --dry-run "${files[@]}" 2>&1 | grep -c "warning:" | xargs -I{} echo "clang-format: {} lines differ (run scripts/lint.sh --fix)"
fi
if [[ -f build/test/compile_commands.json ]]; then
  clang-tidy -p build/test --quiet $(printf '%s\n' "${files[@]}" | grep '\.cpp$') 2>/dev/null | grep -E "warning:|error:" || true
fi
