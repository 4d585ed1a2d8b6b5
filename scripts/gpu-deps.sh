#!/usr/bin/env bash
# Fills .gpu-deps with the header-only Debian packages, static libjpeg and the tokenizers that bench/gpu_caption.sh
# needs on a GPU machine without apt (run here, then carry .gpu-deps).
set -euo pipefail
d=${1:-.gpu-deps}
rm -rf "$d" && mkdir -p "$d/include" "$d/share/cmake" "$d/lib/cmake"
cp -r /usr/include/nlohmann /usr/include/stb /usr/include/catch2 "$d/include/"
cp -r /usr/share/cmake/nlohmann_json "$d/share/cmake/"
cp -r /usr/lib/cmake/Catch2 "$d/lib/cmake/"
# libjpeg-turbo (JPEG decoding): its headers and the static library, which links on Ubuntu too.
cp /usr/include/jpeglib.h /usr/include/jerror.h /usr/include/jmorecfg.h /usr/include/x86_64-linux-gnu/jconfig.h "$d/include/"
cp /usr/lib/x86_64-linux-gnu/libjpeg.a "$d/lib/"
tar -czf "$d/tokenizers.tar.gz" -C build tokenizers  # 34 MB as JSON, a quarter compressed
