#!/usr/bin/env bash
# The feature study of docs/feature-analysis.md on the demo model: a synthetic dataset of 240 rows,
# the model's own captions (--source generate) in English and Arabic at every decoder layer, a TopK
# SAE per layer, and the feature analysis by figure and by caption gender. About 3 minutes on 2 cores.
#   bash scripts/demo-features.sh [OUT]   (default /tmp/loupe-demo-features)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/loupe-demo-features}
loupe=build/loupe
rm -rf "$out"
$loupe synth --out "$out/data" --n 240 --seed 21
$loupe init --workspace "$out/ws" --model assets/models/demo --dataset "$out/data"
$loupe extract --workspace "$out/ws" --hooks 'blocks.{0,1,2,3}.hook_resid_post' --source generate
for layer in 0 1 2 3; do
  $loupe train-sae --workspace "$out/ws" --hook blocks.$layer.hook_resid_post --out l$layer --expansion 8 --k 16 \
    --batch 256 --tokens 200000
  for by in figure caption; do
    $loupe analyze features --workspace "$out/ws" --sae l$layer --by $by --out l$layer-$by
  done
done
