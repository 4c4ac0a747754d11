#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (clang++-14, -fsanitize=fuzzer,address,undefined).
#
#   run.sh build                 configure + build the fuzz project into $JIM_FUZZ_BUILD
#   run.sh run <target>          fuzz one target for $JIM_FUZZ_SECONDS (default 60) from its seed corpus
#   run.sh repro <target> <file> run one input (a reproducer) through a target
#
# Exits 77 (ctest: skipped) when clang++-14 or libFuzzer is not installed; 1 on a crash, after printing
# the reproducer (the input's bytes, base64) and the command that replays it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${JIM_FUZZ_BUILD:-$root/build/fuzz}"
seconds="${JIM_FUZZ_SECONDS:-60}"
cxx="${JIM_FUZZ_CXX:-clang++-14}"

have_toolchain() {
  command -v "$cxx" >/dev/null 2>&1 || { echo "SKIPPED: $cxx is not installed (apt-get install clang-14 libclang-rt-14-dev)"; return 1; }
  local probe
  probe="$(mktemp -d)"
  printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long){return 0;}\n' >"$probe/p.cpp"
  if ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" >/dev/null 2>&1; then
    rm -rf "$probe"
    echo "SKIPPED: $cxx cannot link -fsanitize=fuzzer (install libclang-rt-14-dev)"
    return 1
  fi
  rm -rf "$probe"
}

cmd="${1:-}"
case "$cmd" in
  build)
    have_toolchain || exit 77
    cmake -S "$here/project" -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Debug >/dev/null
    cmake --build "$build" -j"${JIM_FUZZ_JOBS:-2}"
    ;;
  run)
    target="${2:?target}"
    have_toolchain || exit 77
    bin="$build/$target"
    [[ -x "$bin" ]] || { echo "FAIL: $bin is not built (run.sh build)"; exit 1; }
    work="$build/work/$target"
    rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
    cp "$here/corpus/$target/"* "$work/corpus/" 2>/dev/null || true
    log="$work/fuzz.log"
    set +e
    # -rss_limit_mb bounds memory; -timeout flags a slow input (a hang) as a failure too.
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}" \
    UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}" \
      "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/" "$work/corpus" >"$log" 2>&1
    rc=$?
    set -e
    execs="$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1)"
    cov="$(grep -E '#[0-9]+.*cov:' "$log" | tail -1 | sed -E 's/.*cov: ([0-9]+).*/\1/')"
    corpus_n="$(ls "$work/corpus" | wc -l)"
    if [[ $rc -ne 0 ]]; then
      echo "FAIL: $target crashed (libFuzzer exit $rc) after ${execs:-?} executions"
      grep -vE '^#[0-9]+' "$log" | tail -60
      for a in "$work/artifacts"/*; do
        [[ -f "$a" ]] || continue
        echo "reproducer $a ($(stat -c %s "$a") bytes), base64:"
        base64 -w 100 "$a" | head -40
        echo "replay: tests/fuzz/run.sh repro $target $a"
      done
      exit 1
    fi
    echo "PASS: $target: ${execs:-?} executions in ${seconds} s, coverage ${cov:-?} edges, corpus ${corpus_n} inputs, no crash"
    ;;
  repro)
    target="${2:?target}" input="${3:?input}"
    "$build/$target" "$input"
    ;;
  *)
    echo "usage: $0 build | run <target> | repro <target> <file>" >&2
    exit 2
    ;;
esac
