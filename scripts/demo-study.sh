#!/usr/bin/env bash
# A whole study on the demo model, for the report (docs/reports.md) and the desktop app's screenshots:
# a synthetic dataset of 160 rows, the model's own captions stored at every decoder layer and every
# position (so SAE latents have image-token heatmaps), a TopK SAE at layer 2 with its feature
# analysis, probes, ranks, the per-layer summary, logit lens and attribution, a steering
# dose-response, a mitigation run, a patching sweep and a t-SNE map, then the study report
# (OUT/ws/reports/report/report.html, docs/reports.md). About 35 s on 2 cores.
#   bash scripts/demo-study.sh [OUT] [FORMATS]
# OUT defaults to /tmp/loupe-demo-study (the workspace is OUT/ws); FORMATS, the report's formats,
# to html,md,json,pdf (the desktop app's test leaves the PDF, and so Chromium, out).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/loupe-demo-study}
formats=${2:-html,md,json,pdf}
loupe=build/loupe
ws=$out/ws
rm -rf "$out"
$loupe synth --out "$out/data" --n 160 --seed 5
$loupe init --workspace "$ws" --model assets/models/demo --dataset "$out/data"
$loupe extract --workspace "$ws" --hooks 'blocks.{0,1,2,3}.hook_resid_post' --source generate --positions all
$loupe train-sae --workspace "$ws" --hook blocks.2.hook_resid_post --out l2 --expansion 8 --k 16 --batch 256 --tokens 100000
$loupe eval-sae --workspace "$ws" --sae l2
$loupe analyze features --workspace "$ws" --sae l2 --by caption --out l2-caption
$loupe analyze probe --workspace "$ws" --out layers
$loupe analyze rank --workspace "$ws" --out layers
$loupe analyze summary --workspace "$ws" --out layers
$loupe analyze lens --workspace "$ws" --split balanced --out lens
$loupe direction --workspace "$ws" --hook blocks.0.hook_resid_post --by caption --lang pooled --name gender
mkdir -p "$ws/steering"
cat > "$ws/steering/gender.json" <<'JSON'
[{"hook": "blocks.0.hook_resid_post", "direction": "../directions/gender.safetensors:gender",
  "alpha": -2, "positions": "image", "mode": "additive"}]
JSON
$loupe steer --workspace "$ws" --split balanced --limit 8 --set "$ws/steering/gender.json" --sweep alpha=-4:4:2 --out steer
$loupe mitigate --workspace "$ws" --split counter --limit 16 --set "$ws/steering/gender.json" --out mitigate
$loupe pairs --workspace "$ws" --out pairs
pair=$(sed -n 2p "$ws/analyses/pairs/pairs.csv")
[[ -n $pair ]] || { echo "demo-study: the pairs analysis found no woman/man caption pair to patch" >&2; exit 1; }
IFS=, read -r _ _ _ woman _ man <<< "$pair"
$loupe patch-sweep --workspace "$ws" --clean "$woman" --corrupt "$man" --method both --out patch
$loupe analyze embed --workspace "$ws" --hooks blocks.2.hook_resid_post --method tsne --out map
$loupe report --workspace "$ws" --format "$formats" || [[ $? == 3 ]]  # 3: no Chromium, no PDF
