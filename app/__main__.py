"""`python -m app` entry point: the same as the `xindang` console script."""

import sys

from app.cli import entry

if __name__ == "__main__":
    sys.exit(entry())
