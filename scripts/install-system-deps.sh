#!/usr/bin/env bash
# Debian packages the app and its tests need: Qt's runtime libraries, a virtual display,
# CJK fonts, and PDF tools. Idempotent; skips apt entirely when everything is present.
set -euo pipefail
PKGS=(xvfb xauth poppler-utils fonts-noto-cjk fontconfig libegl1 libgl1 libxkbcommon0
      libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-image0
      libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0
      libxcb-xkb1 libglib2.0-0 x11-utils imagemagick postgresql e2fsprogs)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing system packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
