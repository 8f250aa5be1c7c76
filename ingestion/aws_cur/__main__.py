"""``python -m ingestion.aws_cur PATH --warehouse W``: load every aws_cur delivery found under PATH."""

import sys

from ingestion.catalogue import main

if __name__ == "__main__":
    sys.exit(main("aws_cur"))
