"""AWS Cost and Usage Reports -> raw dataset ``aws_cur``, table ``line_items``.

Three formats load into the same table with identical columns (CUR 2.0 snake_case names):

* ``aws_cur2`` - AWS Data Exports CUR 2.0, Parquet (``<export>/data/BILLING_PERIOD=YYYY-MM/...parquet``),
  MAP columns ``resource_tags``, ``cost_category``, ``product``, ``discount`` serialised to JSON text;
* ``aws_cur2_csv`` - the same export as gzip CSV (maps already JSON text);
* ``aws_cur_legacy`` - the legacy CUR CSV/CSV.gz (``<report>/YYYYMMDD-YYYYMMDD/<assembly>/...csv.gz``) with
  ``lineItem/UnblendedCost`` style headers, translated to the CUR 2.0 names.

Cost rule (see README.md): BilledCost = ``line_item_unblended_cost``; EffectiveCost = the CUR amortised cost
(Savings Plan / RI effective cost on covered usage, unused commitment on the fee rows, 0 for negations and
upfront fees, unblended cost otherwise).

Run: ``python -m ingestion.aws_cur PATH --warehouse warehouse/finops.duckdb``.
"""
from .settings import DATASET, FORMATS, TABLE

__all__ = ["DATASET", "FORMATS", "TABLE"]
