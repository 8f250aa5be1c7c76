"""``python -m ingestion.azure_cost_details PATH --warehouse W``: load every azure_cost_details delivery found under
PATH."""

import sys

from ingestion.catalogue import main

if __name__ == "__main__":
    sys.exit(main("azure_cost_details"))
