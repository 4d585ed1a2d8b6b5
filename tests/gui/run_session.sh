#!/usr/bin/env bash
# Runs a loupe-gui script under a virtual X server with Mesa's software OpenGL (llvmpipe) and
# keeps its screenshots as test artifacts. Exit 77 (CTest: skipped) when xvfb-run is missing.
# usage: run_session.sh LOUPE_GUI SCRIPT ARTIFACT_DIR
set -euo pipefail
gui=$1 script=$2 artifacts=$3
if ! command -v xvfb-run >/dev/null; then
  echo "xvfb-run is not installed (Debian: apt-get install xvfb xauth); skipping the GUI session" >&2
  exit 77
fi
mkdir -p "$artifacts"
export LOUPE_ARTIFACTS=$artifacts LIBGL_ALWAYS_SOFTWARE=1
# Screenshots in the script are relative to the artifact folder.
cd "$artifacts"
rm -rf ./*.png ./*.svg ./*.csv export  # nothing from an earlier run may pass for this one's output
xvfb-run -a -s "-screen 0 1600x1000x24" "$gui" --script "$script" --size 1600x1000
# The screenshots must be real PNG files, not empty ones.
for png in *.png; do
  [ -s "$png" ] && [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || { echo "bad screenshot $png" >&2; exit 1; }
done
for svg in *.svg; do
  [ -e "$svg" ] || continue
  grep -q '</svg>' "$svg" || { echo "unfinished SVG $svg" >&2; exit 1; }
done
for csv in *.csv; do  # a header and at least one row; the heatmap's one row per patch
  [ -e "$csv" ] || continue
  [ "$(wc -l < "$csv")" -ge 2 ] || { echo "empty table $csv" >&2; exit 1; }
done
if [ -e heatmap-norm.csv ]; then
  [ "$(head -1 heatmap-norm.csv)" = row,col,value ] && [ "$(wc -l < heatmap-norm.csv)" -eq 17 ] ||
    { echo "heatmap-norm.csv is not the 4 x 4 patch grid" >&2; exit 1; }
fi
if grep -q '^export ' "$script"; then
  [ -s export/session.json ] && [ -s export/directions.safetensors ] || { echo "the export is missing" >&2; exit 1; }
fi
echo "screenshots and exports kept in $artifacts"
