"""Finance source: dataset, tables, keys, columns, the file drops' headers and where the configuration comes from.

Four tables, one dlt source ``finance`` (contract: the "dataset finance" section of the issue):

* :data:`AP_TABLE` - the ERP's accounts-payable invoice lines (CSV / XLSX files under ``<landing>/finance/ap/``);
* :data:`CARD_TABLE` - corporate card statement lines (``finance/cards/``) and expense-report lines
  (``finance/expenses/``) in one table, told apart by ``channel``;
* :data:`FX_TABLE` - treasury's daily FX rates (``finance/fx_rates/``);
* :data:`GL_TABLE` - the general-ledger journal lines, a table in a SQL database read with dlt's ``sql_table``.

Bad rows of any of them go to :data:`QUARANTINE_TABLE` with the billing loaders' columns.
"""

from __future__ import annotations

DATASET = "finance"
SOURCE_NAME = "finance"
AP_TABLE = "ap_invoice_lines"
CARD_TABLE = "card_transactions"
FX_TABLE = "fx_rates"
GL_TABLE = "gl_journal_lines"
QUARANTINE_TABLE = "quarantine"
TABLES = (AP_TABLE, CARD_TABLE, FX_TABLE, GL_TABLE)

# the drops' default places: <FINOPS_LANDING>/finance/<folder>/ (the billing discovery leaves finance/ alone)
LANDING_PREFIX = "finance"
AP_DROP = "ap"
CARDS_DROP = "cards"
EXPENSES_DROP = "expenses"
FX_DROP = "fx_rates"
DROPS = (AP_DROP, CARDS_DROP, EXPENSES_DROP, FX_DROP)
# the demo's ledger: <landing>/finance/ledger.sqlite (finops run --demo-finance)
DEMO_LEDGER_FILE = "ledger.sqlite"

CSV_SUFFIXES = (".csv", ".csv.gz")
AP_SUFFIXES = (*CSV_SUFFIXES, ".xlsx")

# configuration (dlt: environment variables first, then .dlt/*.toml [sources.finance]), read when a load runs.
# The drops' config names are sources.finance.<drop>_path.
PATH_ENVS = {
    AP_DROP: "SOURCES__FINANCE__AP_PATH",
    CARDS_DROP: "SOURCES__FINANCE__CARDS_PATH",
    EXPENSES_DROP: "SOURCES__FINANCE__EXPENSES_PATH",
    FX_DROP: "SOURCES__FINANCE__FX_RATES_PATH",
}
LEDGER_CREDENTIALS_ENV = "SOURCES__FINANCE__LEDGER__CREDENTIALS"  # SQLAlchemy URL of the ledger (secret)
LEDGER_TABLE_ENV = "SOURCES__FINANCE__LEDGER__TABLE_NAME"
LEDGER_SCHEMA_ENV = "SOURCES__FINANCE__LEDGER__DB_SCHEMA"
LEDGER_CURSOR_ENV = "SOURCES__FINANCE__LEDGER__CURSOR_COLUMN"
DEFAULT_LEDGER_TABLE = "gl_journal_lines"
DEFAULT_CURSOR = "updated_at"
LEDGER_SYSTEM = "ledger"  # how the ledger is named in messages

WRITE_DISPOSITION = {"disposition": "merge", "strategy": "delete-insert"}
AP_PRIMARY_KEY = ("supplier_id", "invoice_number", "line_number")
AP_MERGE_KEY = ("supplier_id", "invoice_number")  # a re-exported invoice replaces all its lines
CARD_PRIMARY_KEY = ("channel", "transaction_id")
FX_PRIMARY_KEY = ("rate_date", "base_currency", "quote_currency", "rate_source")
GL_PRIMARY_KEY = ("journal_id", "line_number")

CARD_CHANNEL = "card"
EXPENSE_CHANNEL = "expense"

# ----------------------------------------------------------------------------------------------------------------------
# the drops' headers: the names the ERP / card issuer / expense tool / treasury write (matched case-insensitively)
# -> column. The column names themselves (snake_case) are accepted too; ALIASES adds a few common spellings.
# ----------------------------------------------------------------------------------------------------------------------
AP_HEADERS = {
    "Supplier": "supplier_name",
    "Supplier Number": "supplier_id",
    "Supplier Account": "vendor_account_id",
    "Invoice Number": "invoice_number",
    "Invoice Date": "invoice_date",
    "Service Period": "billing_period",
    "Line": "line_number",
    "Description": "line_description",
    "Net Amount": "amount",
    "Tax Amount": "tax_amount",
    "Currency": "currency",
    "GL Account": "gl_account",
    "Cost Center": "cost_center",
    "PO Number": "po_number",
}
AP_ALIASES = {
    "supplier name": "supplier_name",
    "vendor": "supplier_name",
    "vendor name": "supplier_name",
    "supplier id": "supplier_id",
    "vendor number": "supplier_id",
    "vendor id": "supplier_id",
    "account number": "vendor_account_id",
    "customer account": "vendor_account_id",
    "invoice no": "invoice_number",
    "invoice #": "invoice_number",
    "line number": "line_number",
    "line no": "line_number",
    "line description": "line_description",
    "net": "amount",
    "amount": "amount",
    "tax": "tax_amount",
    "currency code": "currency",
    "cost centre": "cost_center",
    "po": "po_number",
    "purchase order": "po_number",
    "billing period": "billing_period",
}
AP_REQUIRED = (
    "supplier_name",
    "supplier_id",
    "invoice_number",
    "invoice_date",
    "line_number",
    "line_description",
    "amount",
    "currency",
)

CARD_HEADERS = {
    "Transaction ID": "transaction_id",
    "Posted Date": "transaction_date",
    "Cardholder": "employee_name",
    "Employee ID": "employee_id",
    "Merchant": "merchant",
    "Description": "description",
    "Amount": "amount",
    "Currency": "currency",
    "Cost Center": "cost_center",
    "MCC Category": "expense_category",
}
EXPENSE_HEADERS = {
    "Report Line ID": "transaction_id",
    "Expense Date": "transaction_date",
    "Employee": "employee_name",
    "Employee ID": "employee_id",
    "Payee": "merchant",
    "Purpose": "description",
    "Amount": "amount",
    "Currency": "currency",
    "Cost Center": "cost_center",
    "Category": "expense_category",
}
CARD_ALIASES = {
    "transaction date": "transaction_date",
    "posting date": "transaction_date",
    "date": "transaction_date",
    "cardholder name": "employee_name",
    "employee name": "employee_name",
    "payee name": "merchant",
    "merchant name": "merchant",
    "cost centre": "cost_center",
    "mcc": "expense_category",
    "expense category": "expense_category",
    "currency code": "currency",
}
CARD_REQUIRED = ("transaction_id", "transaction_date", "merchant", "amount", "currency")

FX_HEADERS = {
    "Date": "rate_date",
    "Base Currency": "base_currency",
    "Quote Currency": "quote_currency",
    "Rate": "rate",
    "Source": "rate_source",
}
FX_ALIASES = {
    "rate date": "rate_date",
    "base": "base_currency",
    "quote": "quote_currency",
    "exchange rate": "rate",
    "rate source": "rate_source",
}
FX_REQUIRED = ("rate_date", "base_currency", "quote_currency", "rate", "rate_source")

# the ledger table's columns (names as in the contract; matched case-insensitively) and its cursor
GL_REQUIRED = ("journal_id", "line_number", "period", "posting_date", "gl_account", "amount", "currency")
GL_OPTIONAL = ("cost_center", "vendor_name", "vendor_id", "reference", "description")

# ----------------------------------------------------------------------------------------------------------------------
# columns (declared with every type, nullability and description; applied with the data, see __init__)
# ----------------------------------------------------------------------------------------------------------------------
MONEY = {"data_type": "decimal", "precision": 38, "scale": 10}  # DECIMAL(38,10), as every amount in the warehouse
_TZ = {"data_type": "timestamp", "timezone": True}


_TEXT = {"data_type": "text", "nullable": False}
_TEXT_OR_NULL = {"data_type": "text", "nullable": True}


_FILE_LINEAGE: dict[str, dict] = {
    "source_file": {**_TEXT, "description": "path under the landing root, e.g. finance/ap/ap_invoices_2026-10.xlsx"},
    "source_row": {
        "data_type": "bigint",
        "nullable": True,
        "description": "data row of the file (1 = first row after the header; XLSX: of the first sheet)",
    },
}
_FINGERPRINT = {
    "source_fingerprint": {**_TEXT_OR_NULL, "description": "fingerprint (path, size, version) of the file as loaded"}
}
_LOADED_AT = {"loaded_at": {**_TZ, "nullable": False, "description": "when the load that wrote the row started (UTC)"}}

AP_COLUMNS: dict[str, dict] = {
    "supplier_name": {**_TEXT, "description": "ERP vendor master name (e.g. 'Amazon Web Services, Inc.')"},
    "supplier_id": {**_TEXT, "description": "ERP supplier number (e.g. 'V-10001')"},
    "vendor_account_id": {
        **_TEXT_OR_NULL,
        "description": "customer account number printed on the invoice (= FOCUS "
        "BillingAccountId for cloud and API vendors)",
    },
    "invoice_number": {**_TEXT, "description": "the supplier's invoice number"},
    "invoice_date": {"data_type": "date", "nullable": False, "description": "invoice date"},
    "billing_period": {**_TEXT_OR_NULL, "description": "service period printed on the invoice, 'YYYY-MM'"},
    "line_number": {"data_type": "bigint", "nullable": False, "description": "line of the invoice"},
    "line_description": {**_TEXT, "description": "the line's description"},
    "amount": {**MONEY, "nullable": False, "description": "net amount of the line (tax excluded; credits negative)"},
    "tax_amount": {**MONEY, "nullable": False, "description": "tax of the line (0 when none)"},
    "currency": {**_TEXT, "description": "ISO 4217 currency of amount and tax_amount (upper case)"},
    "gl_account": {**_TEXT_OR_NULL, "description": "expense account the line is coded to"},
    "cost_center": {**_TEXT_OR_NULL, "description": "cost centre the line is coded to"},
    "po_number": {**_TEXT_OR_NULL, "description": "purchase order"},
    **_FILE_LINEAGE,
    **_FINGERPRINT,
    **_LOADED_AT,
}

CARD_COLUMNS: dict[str, dict] = {
    "transaction_id": {**_TEXT, "description": "card: the issuer's transaction id; expense: the report line id"},
    "channel": {**_TEXT, "description": "'card' (card statement) or 'expense' (expense report)"},
    "transaction_date": {
        "data_type": "date",
        "nullable": False,
        "description": "card: posted date; expense: expense date",
    },
    "employee_id": {**_TEXT_OR_NULL, "description": "HR id of the cardholder / employee"},
    "employee_name": {**_TEXT_OR_NULL, "description": "cardholder / employee name"},
    "merchant": {
        **_TEXT,
        "description": "payee as written on the statement (free text, e.g. 'OPENAI *CHATGPT SUBSCR')",
    },
    "description": {**_TEXT_OR_NULL, "description": "card: description; expense: purpose"},
    "amount": {**MONEY, "nullable": False, "description": "positive = spend, refunds negative"},
    "currency": {**_TEXT, "description": "ISO 4217 currency of amount (upper case)"},
    "cost_center": {**_TEXT_OR_NULL, "description": "cost centre charged"},
    "expense_category": {**_TEXT_OR_NULL, "description": "card: MCC category; expense: category"},
    **_FILE_LINEAGE,
    **_FINGERPRINT,
    **_LOADED_AT,
}

FX_COLUMNS: dict[str, dict] = {
    "rate_date": {"data_type": "date", "nullable": False, "description": "day the rate applies to"},
    "base_currency": {**_TEXT, "description": "ISO 4217 base currency (1 unit of it = rate quote currency)"},
    "quote_currency": {**_TEXT, "description": "ISO 4217 quote currency"},
    "rate": {**MONEY, "nullable": False, "description": "1 base = rate quote (> 0)"},
    "rate_source": {**_TEXT, "description": "publisher of the rate (e.g. 'ECB euro foreign exchange reference rates')"},
    **_FILE_LINEAGE,
    **_LOADED_AT,
}

GL_COLUMNS: dict[str, dict] = {
    "journal_id": {**_TEXT, "description": "journal entry id"},
    "line_number": {"data_type": "bigint", "nullable": False, "description": "line of the journal entry"},
    "period": {**_TEXT, "description": "accounting period 'YYYY-MM' the entry is posted to"},
    "posting_date": {"data_type": "date", "nullable": False, "description": "posting date"},
    "gl_account": {**_TEXT, "description": "general-ledger account (e.g. '6150-CLOUD', '2000-AP')"},
    "cost_center": {**_TEXT_OR_NULL, "description": "cost centre"},
    "vendor_name": {**_TEXT_OR_NULL, "description": "vendor as named in the ledger"},
    "vendor_id": {**_TEXT_OR_NULL, "description": "ERP supplier_id"},
    "amount": {**MONEY, "nullable": False, "description": "debit positive, credit negative"},
    "currency": {**_TEXT, "description": "ISO 4217 currency of amount (upper case)"},
    "reference": {**_TEXT_OR_NULL, "description": "the invoice number for AP postings"},
    "description": {**_TEXT_OR_NULL, "description": "line text"},
    "source_updated_at": {**_TZ, "nullable": True, "description": "the row's cursor value (updated_at) when read"},
    **_LOADED_AT,
}

COLUMNS: dict[str, dict[str, dict]] = {
    AP_TABLE: AP_COLUMNS,
    CARD_TABLE: CARD_COLUMNS,
    FX_TABLE: FX_COLUMNS,
    GL_TABLE: GL_COLUMNS,
}
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    AP_TABLE: AP_PRIMARY_KEY,
    CARD_TABLE: CARD_PRIMARY_KEY,
    FX_TABLE: FX_PRIMARY_KEY,
    GL_TABLE: GL_PRIMARY_KEY,
}
MERGE_KEYS: dict[str, tuple[str, ...]] = {AP_TABLE: AP_MERGE_KEY}
