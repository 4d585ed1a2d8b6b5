#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang-16, ASan + UBSan) in build-fuzz/ and runs each for
# RUNS executions (default 20000) from its seed corpus in tests/fuzz/corpus/<target>/. Fails on the
# first crash, leak, timeout or undefined-behaviour report, leaving the input in
# build-fuzz/artifacts/. New inputs a run finds go to build-fuzz/corpus/<target>/ (never committed),
# so later local runs start from them. docs/hardening.md.
#   bash scripts/fuzz.sh [RUNS]        LOUPE_FUZZ_TARGETS="tokenizer image" limits the targets
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20000}

packages=(clang-16 libfuzzer-16-dev libclang-rt-16-dev cmake ninja-build nlohmann-json3-dev libstb-dev libjpeg-dev)
bash scripts/install-packages.sh "${packages[@]}"

cmake -S tests/fuzz -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16 >/dev/null
cmake --build build-fuzz -j "$(nproc)"

targets=${LOUPE_FUZZ_TARGETS:-$(cd tests/fuzz && ls -1 *_fuzz.cpp | sed 's/_fuzz\.cpp$//')}
mkdir -p build-fuzz/artifacts
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
summary=()
for target in $targets; do
  work=build-fuzz/corpus/$target
  mkdir -p "$work"
  log=build-fuzz/$target.log
  echo "fuzz: $target, $runs executions"
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: a reader must never need 2 GB.
  if ! build-fuzz/${target}_fuzz -runs="$runs" -seed="${LOUPE_FUZZ_SEED:-1}" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$target-" \
       "$work" "tests/fuzz/corpus/$target" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz: $target FAILED; the input is in build-fuzz/artifacts/ (full log: $log)" >&2
    exit 1
  fi
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
  summary+=("$target: ${done_line:-$(tail -n 1 "$log")}")
done
printf 'fuzz: %s\n' "${summary[@]}"
