"""``python -m ingestion.gcp_billing PATH --warehouse W``: load every gcp_billing delivery found under PATH."""

import sys

from ingestion.catalogue import main

if __name__ == "__main__":
    sys.exit(main("gcp_billing"))
