#!/usr/bin/env bash
# Mitigation by LoRA fine-tuning on the demo model (issue 18; docs/finetune.md): three training sets
# from one biased `loupe synth` dataset, each fine-tuned for the default 200 steps, then every adapter
# through `loupe mitigate` on the study's counter-stereotypical split and on its balanced split.
#   swapped    every caption gender-swapped, the images kept (loupe swap-gender)
#   augmented  each original row and its swapped copy (loupe swap-gender --with-original)
#   pairs      rendered counterfactual pairs: the same scene and activity with a woman and a man
# Prints each run's training time and the misgendering and BLEU before and after. The reference
# measured in the same run is the base model: each "baseline → intervened" line.
#   bash bench/lora_mitigation.sh [OUT]      (about 4 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/loupe-lora-mitigation}
loupe=build/loupe
rm -rf "$out"
$loupe synth --out "$out/eval" --n 240 --seed 1 >/dev/null
$loupe init --workspace "$out/ws" --model assets/models/demo --dataset "$out/eval" >/dev/null
$loupe synth --out "$out/train" --n 800 --seed 11 >/dev/null
$loupe swap-gender --dataset "$out/train" --out "$out/swapped" >/dev/null
$loupe swap-gender --dataset "$out/train" --out "$out/augmented" --with-original >/dev/null
$loupe synth --out "$out/pairs" --pairs 400 --seed 12 >/dev/null

for name in swapped augmented pairs; do
  split=train
  [[ $name == pairs ]] && split=pairs
  summary=$($loupe finetune --workspace "$out/ws" --data "$out/$name" --split "$split" --out "$name" --json 2>/dev/null)
  echo "== $name: $(grep -o '"seconds":[0-9.]*' <<< "$summary") s of training, $(grep -o '"examples":[0-9]*' <<< "$summary")"
  for eval_split in counter balanced; do
    echo "  -- on the $eval_split split"
    $loupe mitigate --workspace "$out/ws" --split "$eval_split" --adapter "$name" --out "$name-$eval_split" 2>/dev/null |
      grep -E '^(en|ar) |misgendered_(counter|stereo)|bleu' | sed 's/^/  /'
  done
done
