"""The frozen bundle's entry: the same as `xindang` (GUI without arguments, else the CLI)."""

import sys

from app.cli import entry

if __name__ == "__main__":
    sys.exit(entry())
