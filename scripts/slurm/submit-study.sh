#!/usr/bin/env bash
# Submits a study's extraction and SAE training as three chained Slurm jobs and prints their ids:
# the extraction array (SHARDS tasks), the merge (after every extraction task succeeded) and the
# SAE array (one task per hook of SAE_HOOKS, after the merge). Settings come from the environment,
# as the .sbatch files read them; extra words are passed to every sbatch (e.g. --partition=gpu).
#   WORKSPACE=/scratch/me/study SHARDS=8 HOOKS='blocks.{6,12}.hook_resid_post' \
#   SAE_HOOKS="blocks.6.hook_resid_post blocks.12.hook_resid_post" bash scripts/slurm/submit-study.sh
set -euo pipefail
here=$(dirname "$0")
: "${WORKSPACE:?set WORKSPACE}" "${SHARDS:?set SHARDS}" "${SAE_HOOKS:?set SAE_HOOKS}"
export WORKSPACE SHARDS SAE_HOOKS
read -r -a sae_hooks <<<"$SAE_HOOKS"
extract=$(sbatch --parsable --array="0-$((SHARDS - 1))" "$@" "$here/extract-array.sbatch")
merge=$(sbatch --parsable --dependency="afterok:$extract" "$@" "$here/merge.sbatch")
sae=$(sbatch --parsable --array="0-$((${#sae_hooks[@]} - 1))" --dependency="afterok:$merge" "$@" "$here/sae-array.sbatch")
echo "extract $extract merge $merge sae $sae"
