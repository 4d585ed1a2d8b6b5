#!/usr/bin/env bash
# Exported SVGs against the figures on screen: the results session (tests/gui/run_results_session.sh)
# exports each figure as PNG (the screen back-end, off-screen at 2x) and as SVG; headless Chromium
# draws each SVG at 2x; build/figure_compare measures the difference. Also checks that Chromium
# reports no error for any SVG.
#   bash bench/svg_screen.sh [ARTIFACTS]   (default build/gui-artifacts/results, after the GUI tests ran)
set -euo pipefail
cd "$(dirname "$0")/.."
artifacts=${1:-build/gui-artifacts/results}
chromium=$(command -v chromium || command -v chromium-browser || command -v google-chrome) || { echo "no Chromium" >&2; exit 77; }
for png in "$artifacts"/figure-*.png; do
  svg=${png%.png}.svg
  [ -f "$svg" ] || continue
  size=$(head -c 400 "$svg" | grep -o 'width="[0-9.]*" height="[0-9.]*"' | head -1 | tr -dc '0-9 .' | awk '{printf "%d,%d", $1+0.999, $2+0.999}')
  shot=$(mktemp --suffix=.png)
  html=$(mktemp --suffix=.html)
  printf '<html><body style="margin:0"><img src="file://%s"></body></html>' "$(realpath "$svg")" > "$html"
  log=$("$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=2 \
        --window-size="$size" --screenshot="$shot" "file://$html" 2>&1 || true)
  if grep -qi "error.*svg\|XML" <<< "$log"; then echo "$svg: Chromium reported: $log" >&2; exit 1; fi
  echo "$(basename "$svg") ($size CSS px):"
  build/figure_compare "$png" "$shot" | sed 's/^/  /'
  rm -f "$shot" "$html"
done
