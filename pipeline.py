"""Entry point: `python pipeline.py run [PATH ...] [--out DIR]`; see `--help`."""

import sys

from extract.cli import main

if __name__ == "__main__":
    sys.exit(main())
