#!/usr/bin/env bash
# Per-user install of the onedir bundle on Linux: files under ~/.local, a menu entry, the icon.
# Usage: installer/linux/install.sh [dist/xindang]   (uninstall: --uninstall; the vault stays)
set -euo pipefail
SRC="${1:-dist/xindang}"
PREFIX="${XDG_DATA_HOME:-$HOME/.local/share}"
APPDIR="$PREFIX/xindang-app"
if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$APPDIR" "$HOME/.local/bin/xindang" "$PREFIX/applications/xindang.desktop"
  rm -f "$PREFIX"/icons/hicolor/*/apps/xindang.png
  echo "XinDang removed. Your archive (vault) and backups were kept."
  exit 0
fi
HERE="$(cd "$(dirname "$0")" && pwd)"
rm -rf "$APPDIR" && mkdir -p "$APPDIR" "$HOME/.local/bin" "$PREFIX/applications"
cp -a "$SRC"/. "$APPDIR"/
ln -sf "$APPDIR/xindang" "$HOME/.local/bin/xindang"
for n in 16 24 32 48 64 128 256 512; do
  mkdir -p "$PREFIX/icons/hicolor/${n}x${n}/apps"
  cp "$HERE/../../resources/icons/xindang-$n.png" "$PREFIX/icons/hicolor/${n}x${n}/apps/xindang.png" 2>/dev/null \
    || cp "$APPDIR/_internal/resources/icons/xindang-$n.png" "$PREFIX/icons/hicolor/${n}x${n}/apps/xindang.png"
done
sed "s|^Exec=xindang|Exec=$APPDIR/xindang|" "$HERE/xindang.desktop" > "$PREFIX/applications/xindang.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database "$PREFIX/applications" || true
"$APPDIR/xindang-cli" --self-test
