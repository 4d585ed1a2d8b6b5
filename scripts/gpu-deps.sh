#!/usr/bin/env bash
# Fills .gpu-deps with the header-only Debian packages and the tokenizers that bench/gpu_caption.sh
# needs on a GPU machine without apt (run here, then carry .gpu-deps).
set -euo pipefail
d=${1:-.gpu-deps}
rm -rf "$d" && mkdir -p "$d/include" "$d/share/cmake" "$d/lib/cmake"
cp -r /usr/include/nlohmann /usr/include/stb /usr/include/catch2 "$d/include/"
cp -r /usr/share/cmake/nlohmann_json "$d/share/cmake/"
cp -r /usr/lib/cmake/Catch2 "$d/lib/cmake/"
tar -czf "$d/tokenizers.tar.gz" -C build tokenizers  # 34 MB as JSON, a quarter compressed
