"""Outputs of the warehouse, apart from its checks (``data_quality/``): the read-only BI copy (``publish``), the month's
close pack (``close_pack``) with its chargeback journal (``journal_export``), the FOCUS export file (``focus_export``)
and the governance alerts (``governance_alerts`` findings and Slack messages, ``alert_webhook`` delivery).
No Dagster import: ``orchestration/`` wires these into assets, sensors and ``finops`` commands."""
