"""Outputs of the warehouse, apart from its checks (``data_quality/``): the read-only BI copy (``publish``) and its
Parquet export (``marts_export``), the month's close pack (``close_pack``) with its chargeback journal
(``journal_export``) and workbook (``close_workbook``), the FOCUS export file (``focus_export``) and the governance
alerts (``governance_alerts`` findings and Slack messages, ``alert_webhook`` delivery); ``vendor_names``: one display
name per vendor for everything printed for people.
No Dagster import: ``orchestration/`` wires these into assets, sensors and ``finops`` commands."""
