#!/usr/bin/env bash
# The test command: brings build/ up to date and runs every test (Catch2 through CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build -j "$(nproc)"
ctest --test-dir build --output-on-failure -j "$(nproc)"
