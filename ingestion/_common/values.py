"""Value rules every billing export row passes at ingestion, whatever its format: checked on the format transform's
output (the raw table's canonical columns) in :func:`ingestion._common.source._read_file`, for every batch of every
file, on the pyarrow path and the DuckDB Parquet path alike. A value that a later model, dbt test or contract would
trip on is refused here, with file, row, field (the file's own column) and value, and the delivery is quarantined:
nothing of a bad file reaches a mart, and the previous delivery of its period stays loaded.

* Billing currency (``BillingCurrency`` of FOCUS and Azure, ``lineItem/CurrencyCode`` of AWS CUR, ``currency`` of the
  GCP billing export): when present, an active ISO 4217 code (:data:`~ingestion._common.currencies.ISO_4217_CODES`,
  upper case). A code the marts cannot convert or reconcile (``usd``, ``US$``, ``EURO``, ``Dollars``) would otherwise
  load and fail the ``iso_currency_code`` test of ``fct_invoice_reconciliation`` at the end of a dbt build, naming no
  file. An absent value is left to the formats' own required-value rules (the FOCUS spec samples of commitment
  discounts carry no currency column at all).

Unparseable numbers and dates are refused by the transform itself (:class:`~ingestion._common.transform.SelectBuilder`
checks); a charge period that ends before it starts trips no model or test (the day-spreading macro books such a line
on its start day), so it is not refused here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyarrow as pa
import pyarrow.compute as pc

from .currencies import ISO_4217_CODES
from .errors import BadInputError

#: raw-table column holding a row's billing currency -> the source columns it is read from (matched
#: case-insensitively, to name the file's own column in the error)
CURRENCY_COLUMNS: dict[str, tuple[str, ...]] = {
    "billing_currency": ("BillingCurrency", "BillingCurrencyCode", "Currency"),  # FOCUS, Azure EA / MCA
    "line_item_currency_code": ("lineItem/CurrencyCode", "line_item_currency_code"),  # AWS CUR legacy / 2.0
    "currency": ("currency",),  # GCP billing export
}
CURRENCY_HINT = (
    "A billing currency is an ISO 4217 code in upper case (USD, EUR, JPY). Correct the currency column "
    "or re-export the file from the provider and deliver it again; nothing of this file is loaded, the "
    "previous delivery of its period stays loaded."
)

SourceRow = Callable[[int, str], tuple[str | None, str | None]]
"""(1-based data row, source field) -> (the field's value as delivered, the raw record as JSON)."""

_ISO = pa.array(sorted(ISO_4217_CODES), pa.string())


def violation_sql(columns: Iterable[str]) -> str | None:
    """A SQL predicate true for a row of a transform's output (with ``columns``) that :func:`check_values` refuses;
    None when no rule applies. The direct DuckDB load aborts on such a row and reads the file again through
    :func:`check_values`, which names it."""
    codes = ", ".join("'" + c + "'" for c in sorted(ISO_4217_CODES))
    have = set(columns)
    parts = [f'("{c}" IS NOT NULL AND CAST("{c}" AS VARCHAR) NOT IN ({codes}))' for c in CURRENCY_COLUMNS if c in have]
    return " OR ".join(parts) or None


def source_field(header: list[str], candidates: tuple[str, ...], default: str) -> str:
    """The file's own spelling of the first candidate column it has, else ``default``."""
    by_lower = {h.lower(): h for h in header}
    return next((by_lower[c.lower()] for c in candidates if c.lower() in by_lower), default)


def check_values(tbl: pa.Table, file: str, header: list[str], source_row: SourceRow) -> None:
    """Raise :class:`BadInputError` for the first row of ``tbl`` (a transform's output) that breaks a rule above."""
    for out, candidates in CURRENCY_COLUMNS.items():
        if out not in tbl.column_names or not tbl.num_rows:
            continue
        col = tbl[out]
        if pa.types.is_dictionary(col.type):
            col = col.cast(pa.string())
        codes = _ISO.cast(col.type) if col.type != pa.string() else _ISO
        bad = pc.and_kleene(pc.is_valid(col), pc.invert(pc.is_in(col, value_set=codes)))
        n = pc.sum(pc.cast(bad, pa.int64())).as_py() or 0
        if not n:
            continue
        rows = pc.filter(tbl["x_source_row"], bad)
        row = int(pc.min(rows).as_py())
        loaded = pc.filter(col, bad)[pc.index(rows, row).as_py()].as_py()
        field = source_field(header, candidates, out)
        value, raw = source_row(row, field)
        value = loaded if value is None else value
        reason = "billing currency is not an ISO 4217 currency code"
        near = str(value).strip().upper()
        if near in ISO_4217_CODES and near != value:
            reason += f" (did you mean {near!r}?)"
        if n > 1:
            reason += f"; at least {n:,} rows of the file have one"
        raise BadInputError(file, reason, row=row, field=field, value=value, hint=CURRENCY_HINT, raw_record=raw)
