"""Price book: effective-dated list prices of model APIs from the ``genai-prices`` package (Pydantic, MIT).

``python -m ingestion.price_book.snapshot`` writes ``dbt_project/seeds/price_book/model_prices_list.csv``; the dbt
model ``dim_model_prices`` overlays the negotiated rates of ``model_prices_negotiated.csv``. See README.md.
"""

from .snapshot import DEFAULT_OUT, DEFAULT_PROVIDERS, VENDORS, build_rows, write_csv

__all__ = ["DEFAULT_OUT", "DEFAULT_PROVIDERS", "VENDORS", "build_rows", "write_csv"]
