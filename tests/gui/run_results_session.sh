#!/usr/bin/env bash
# The results panels' scripted session: the demo study's workspace (scripts/demo-study.sh: every
# analysis of the study on the demo model, an SAE trained on every position), a large synthetic
# analysis beside it (tests/gui/large_results.sh: 20,000 map points, 16,384 latents), then
# results.script under Xvfb. Screenshots and exported figures land in ARTIFACTS. Exit 77 (CTest:
# skipped) without xvfb-run.
#   bash tests/gui/run_results_session.sh LOUPE_GUI ARTIFACTS
set -euo pipefail
gui=$(realpath "$1") artifacts=$(realpath -m "$2")
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v xvfb-run >/dev/null; then
  echo "xvfb-run is not installed (Debian: apt-get install xvfb xauth); skipping the GUI session" >&2
  exit 77
fi
study=$artifacts/study
bash "$here/../../scripts/demo-study.sh" "$study" html,md,json > "$artifacts.study.log" 2>&1 ||
  { echo "the demo study failed; the end of $artifacts.study.log:" >&2; tail -20 "$artifacts.study.log" >&2; exit 1; }
bash "$here/large_results.sh" "$study/ws"
mkdir -p "$artifacts"
cd "$artifacts"
rm -f ./*.png ./*.svg ./*.csv
LIBGL_ALWAYS_SOFTWARE=1 xvfb-run -a -s "-screen 0 1600x1000x24" "$gui" --workspace "$study/ws" --script "$here/results.script" --size 1600x1000
for png in *.png; do
  [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || { echo "bad PNG $png" >&2; exit 1; }
done
for svg in *.svg; do
  grep -q '</svg>' "$svg" || { echo "unfinished SVG $svg" >&2; exit 1; }
done
head -1 table-summary.csv | grep -q '^sae,store,hook,layer,' || { echo "the summary table's CSV does not start with its header" >&2; exit 1; }
grep -q '^counter figures: wrong_to_none,' table-mitigation.csv || { echo "the mitigation table lacks the gender-word changes" >&2; exit 1; }
echo "screenshots and exports kept in $artifacts"
