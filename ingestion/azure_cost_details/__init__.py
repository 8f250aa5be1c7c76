"""Azure cost details exports (Enterprise Agreement and Microsoft Customer Agreement, ActualCost and
AmortizedCost datasets) -> ``azure_cost_details.cost_details``.

Formats ``azure_ea`` (PascalCase columns) and ``azure_mca`` (camelCase columns) share one raw column set; the
dataset a delivery carries is the column ``x_cost_type`` ('ActualCost' | 'AmortizedCost'), decided per delivery
from the export path, else the exports v2 ``manifest.json``, else the rows (see ``helpers.detect_cost_type``).
The FOCUS mapping (actual + amortized combination, commitment amortisation) is the dbt model
``stg_azure_cost_details__cost_details``. Layout, grain, merge key and the cost rule: ``README.md``.

Run on its own: ``python -m ingestion.azure_cost_details PATH --warehouse W``.
"""
from .settings import DATASET, FORMATS, TABLE

__all__ = ["DATASET", "FORMATS", "TABLE"]
