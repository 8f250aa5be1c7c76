"""``python -m ingestion.focus_exports PATH --warehouse W``: load every focus_exports delivery found under PATH."""

import sys

from ingestion.catalogue import main

if __name__ == "__main__":
    sys.exit(main("focus_exports"))
