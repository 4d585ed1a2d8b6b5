#!/usr/bin/env bash
# Installs the named Debian packages that are missing (apt-get, with sudo unless root); a no-op when
# all are there. Used by setup.sh, fuzz.sh and sanitize.sh.
#   bash scripts/install-packages.sh PACKAGE...
set -euo pipefail
missing=()
for package in "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=$([[ $(id -u) == 0 ]] && echo "" || echo sudo)
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
