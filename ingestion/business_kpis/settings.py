"""Business-KPI source: dataset, table, keys, columns, the KPI vocabulary and where its configuration comes from.

One table, :data:`TABLE` (``business_kpis.daily_volumes``), filled by two resources with identical columns: the CSV
drop (``source_system = 'csv_drop'``) and a table in a SQL database read with dlt's ``sql_database``
(``source_system = 'sql_database'``). Bad rows go to :data:`QUARANTINE_TABLE` with the billing loaders' columns.
"""

from __future__ import annotations

DATASET = "business_kpis"
SOURCE_NAME = "business_kpis"
TABLE = "daily_volumes"
QUARANTINE_TABLE = "quarantine"

# resource names (the dlt state of each is kept under its name)
CSV_RESOURCE = "csv_drop"
SQL_RESOURCE = "sql_database"

# source_system values
CSV_SYSTEM = "csv_drop"
SQL_SYSTEM = "sql_database"

# configuration (dlt: environment variables first, then .dlt/*.toml), read when a load runs
CREDENTIALS_ENV = "SOURCES__BUSINESS_KPIS__CREDENTIALS"  # SQLAlchemy URL of the KPI database (secret)
CSV_PATH_ENV = "SOURCES__BUSINESS_KPIS__CSV_PATH"  # folder or fsspec URL of the CSV drop
TABLE_NAME_ENV = "SOURCES__BUSINESS_KPIS__TABLE_NAME"
SCHEMA_ENV = "SOURCES__BUSINESS_KPIS__DB_SCHEMA"
CURSOR_ENV = "SOURCES__BUSINESS_KPIS__CURSOR_COLUMN"

# the CSV drop's default place: <FINOPS_LANDING>/business_kpis/ (the billing discovery leaves this folder alone)
LANDING_PREFIX = "business_kpis"
CSV_SUFFIXES = (".csv", ".csv.gz")
DEFAULT_SQL_TABLE = "daily_volumes"
DEFAULT_CURSOR = "updated_at"

# natural key of a reported value; the table's primary key adds the source system (both sources may report it)
KPI_KEY = ("kpi_date", "product", "kpi_name")
PRIMARY_KEY = (*KPI_KEY, "source_system")
WRITE_DISPOSITION = {"disposition": "merge", "strategy": "delete-insert"}

# source columns: required and optional (CSV header or SQL table; names are matched case-insensitively)
REQUIRED_COLUMNS = ("kpi_date", "product", "kpi_name", "kpi_value")
OPTIONAL_COLUMNS = ("kpi_unit",)
# accepted CSV header aliases -> column
HEADER_ALIASES = {
    "date": "kpi_date",
    "day": "kpi_date",
    "kpi": "kpi_name",
    "metric": "kpi_name",
    "value": "kpi_value",
    "volume": "kpi_value",
    "unit": "kpi_unit",
}

# the KPI vocabulary: unit of the known KPI names (used when a row gives no unit) and the accepted units (a row's
# unit is written in this spelling when it matches case-insensitively). dbt tests the staging model against the
# same list (var business_kpi_units in _business_kpis__models.yml).
DEFAULT_UNITS = {
    "transactions": "Transactions",
    "active_users": "Users",
    "tickets_resolved": "Tickets",
    "documents_processed": "Documents",
    "images_processed": "Images",
    "requests": "Requests",
    "queries": "Queries",
    "sessions": "Sessions",
    "orders": "Orders",
    "predictions": "Predictions",
}
KPI_UNITS = (
    "Transactions",
    "Users",
    "Tickets",
    "Documents",
    "Images",
    "Requests",
    "Queries",
    "Sessions",
    "Orders",
    "Predictions",
    "Count",
)

MONEY = {"data_type": "decimal", "precision": 38, "scale": 10}  # DECIMAL(38,10), as every amount in the warehouse

COLUMNS: dict[str, dict] = {
    "kpi_date": {"data_type": "date", "nullable": False, "description": "day the volume belongs to"},
    "product": {
        "data_type": "text",
        "nullable": False,
        "description": "product / project as reported (the demo's team names)",
    },
    "kpi_name": {
        "data_type": "text",
        "nullable": False,
        "description": "transactions, documents_processed, active_users, tickets_resolved, ...",
    },
    "kpi_value": {**MONEY, "nullable": False, "description": "the day's volume (exact decimal, >= 0)"},
    "kpi_unit": {"data_type": "text", "nullable": False, "description": "unit of kpi_value (KPI_UNITS)"},
    "source_system": {"data_type": "text", "nullable": False, "description": "'csv_drop' or 'sql_database'"},
    "source_ref": {
        "data_type": "text",
        "nullable": False,
        "description": "CSV: path under the drop's parent (business_kpis/x.csv); SQL: [schema.]table",
    },
    "source_row": {"data_type": "bigint", "nullable": True, "description": "CSV data row (1 = first after header)"},
    "source_fingerprint": {
        "data_type": "text",
        "nullable": True,
        "description": "CSV: fingerprint (path, size, version) of the file as loaded",
    },
    "source_updated_at": {
        "data_type": "timestamp",
        "timezone": True,
        "nullable": True,
        "description": "SQL: the row's cursor value (updated_at) when it was read",
    },
    "loaded_at": {
        "data_type": "timestamp",
        "timezone": True,
        "nullable": False,
        "description": "when the load that wrote the row started (UTC)",
    },
}
