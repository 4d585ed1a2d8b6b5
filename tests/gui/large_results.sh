#!/usr/bin/env bash
# Adds a large synthetic analysis to a workspace, for the results panels' frame-time measurement:
# WS/analyses/large/ with a 20,000-point map (blocks.2.hook_resid_post-tsne.csv, points spread over
# 12 clusters, labelled, each pointing at one of the workspace's images) and a feature analysis of
# 16,384 latents (latents.csv with the columns `loupe analyze features` writes, seeded values).
#   bash tests/gui/large_results.sh WS [POINTS] [LATENTS]
set -euo pipefail
ws=${1:?usage: large_results.sh WS [POINTS] [LATENTS]}
points=${2:-20000} latents=${3:-16384}
out=$ws/analyses/large
mkdir -p "$out"
# sed reads to the end: `head` would close the pipe early and, under pipefail, fail the script
# silently whenever sort was still writing (SIGPIPE).
images=$(find "$ws/.." -path '*/images/*.png' | sort | sed -n '1,40p' | tr '\n' ' ')
[ -n "$images" ] || { echo "no images beside the workspace" >&2; exit 1; }
awk -v n="$points" -v images="$images" 'BEGIN {
  srand(7); split(images, image, " "); k = length(image)
  print "entry,row,lang,image,figure_gender,stated_gender,caption,scene,x,y"
  split("kitchen garage office classroom park workshop", scene, " ")
  for (i = 0; i < n; i++) {
    c = i % 12; g = (rand() < 0.5) ? "woman" : "man"; s = (g == "woman") ? "female" : "male"
    lang = (i % 2) ? "ar" : "en"
    printf "%d,%d,%s,%s,%s,%s,a %s in the %s,%s,%.5f,%.5f\n", i, int(i / 2), lang, image[1 + int(i / 2) % k], g, s, g,
           scene[1 + c % 6], scene[1 + c % 6], 20 * cos(c) + 3 * (rand() - 0.5) * 2, 20 * sin(c) + 3 * (rand() - 0.5) * 2
  }
}' > "$out/blocks.2.hook_resid_post-tsne.csv"
awk -v n="$latents" 'BEGIN {
  srand(11)
  print "latent,frequency,frequency_en,frequency_ar,frequency_text,frequency_image,frequency_template,mean_activation," \
        "max_activation,cohens_d_en,p_en,q_en,cohens_d_ar,p_ar,q_ar,cohens_d,p,q,alignment_r,aligned,language_specific"
  for (j = 0; j < n; j++) {
    f = rand() * rand() * 0.2; de = (rand() - 0.5) * 3; da = de + (rand() - 0.5); q = rand() ^ 4
    spec = (rand() < 0.05) ? ((rand() < 0.5) ? "en" : "ar") : ""
    printf "%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%d,%s\n",
           j, f, f * 0.9, f * 1.1, f, f * 0.5, f * 0.7, rand() * 3, 1 + rand() * 6, de, q, q, da, q, q, (de + da) / 2, q, q,
           rand(), (rand() < 0.5), spec
  }
}' > "$out/latents.csv"
echo "added $points map points and $latents latents to $out"
