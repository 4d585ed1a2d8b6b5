#!/usr/bin/env bash
# The GPU checks of issue 20 in one go, on a machine with an NVIDIA GPU and a pip torch (with its
# LibTorch) and transformers: build core + CLI + tests against that LibTorch, CUDA parity (float32
# and bfloat16 against transformers' own bfloat16), then caption speed of a random-weight
# Gemma-3-4B-shaped checkpoint, loupe against transformers generate (eager, sdpa), and SAE training.
#
#   bench/gpu_caption.sh LOGS [DEPS]
#
# DEPS: a prefix holding what Debian gives elsewhere (include/{nlohmann,stb,catch2},
# share/cmake/nlohmann_json, lib/cmake/Catch2) and tokenizers.tar.gz (of build/tokenizers); scripts/gpu-deps.sh
# fills it. Each stage's log lands in LOGS; a failed stage is reported and the others still run.
set -uo pipefail
logs=$(realpath -m "${1:?usage: bench/gpu_caption.sh LOGS [DEPS]}")
deps=$(realpath "${2:-.gpu-deps}")
mkdir -p "$logs"
build=build-gpu
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
stage() { local name=$1; shift; echo "== $name"; local t=$SECONDS; "$@" >"$logs/$name.log" 2>&1; local rc=$?;
  echo "   rc=$rc in $((SECONDS - t)) s"; tail -n "${TAIL:-6}" "$logs/$name.log"; return $rc; }

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
stage configure cmake -S . -B $build -G Ninja -DLOUPE_GUI=OFF -DCMAKE_BUILD_TYPE=Release -DTORCH_CUDA_ARCH_LIST=9.0 \
  -DCMAKE_PREFIX_PATH="$torch_prefix;$deps" -DCMAKE_INCLUDE_PATH="$deps/include" -DCMAKE_LIBRARY_PATH="$deps/lib" -DCMAKE_CXX_FLAGS="-isystem $deps/include" || exit 1
TAIL=40 stage build ninja -C $build -k 0 loupe loupe_tests gpu_caption_bench sae_train || exit 1
tar -xzf "$deps/tokenizers.tar.gz" -C $build

TAIL=12 stage reference_bf16 python3 bench/gpu_reference.py bf16 tests/fixtures "$logs/bf16"
TAIL=20 LOUPE_BF16_REFERENCE="$logs/bf16" stage parity $build/loupe_tests "[gpu]" -s -r compact
TAIL=8 stage cpu_suite_sample $build/loupe_tests "[model]" -r compact

model=/tmp/gemma3-4b-random
TAIL=3 stage make_model python3 bench/gpu_reference.py make-gemma3-4b $model $build/tokenizers/gemma3/tokenizer.json
TAIL=3 stage loupe_speed $build/gpu_caption_bench $model assets/demo/images/kitchen.png cuda bfloat16 32
prompt_tokens=$(python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).readline())['prompt_tokens'])" "$logs/loupe_speed.log" 2>/dev/null || echo 280)
TAIL=2 stage transformers_speed python3 bench/gpu_reference.py time $model "$prompt_tokens" 32
TAIL=4 stage sae_speed $build/sae_train --d-in 2560 --expansion 8 --k 32 --batch 4096 --steps 5 --device cuda
