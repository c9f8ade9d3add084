#!/usr/bin/env bash
# Print the path of a Python >= 3.12 (PySide6 on 3.11 crashes on a None refcount bug), or explain.
set -u
check() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
candidates+=(python3.13 python3.12 python3)
for v in "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python /root/.pyenv/versions/3.1[2-9]*/bin/python \
         /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
  [ -x "$v" ] && candidates+=("$v")
done
for c in "${candidates[@]}"; do
  p=$(command -v "$c" 2>/dev/null) || continue
  if check "$p"; then echo "$p"; exit 0; fi
done
cat >&2 <<'MSG'
XinDang needs Python 3.12 or newer, and none was found.
Install one, for example:
  Debian/Ubuntu:  sudo apt-get install python3.12 python3.12-venv   (or use pyenv: pyenv install 3.12)
  Windows/macOS:  https://www.python.org/downloads/
Or point to one explicitly: make PYTHON=/path/to/python3.12 test
MSG
exit 1
