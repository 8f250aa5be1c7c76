"""The floor: what DuckDB alone needs to turn the same export files into a FOCUS-shaped table.

One ``CREATE TABLE focus AS SELECT`` over ``read_parquet`` (CUR 2.0) or ``read_csv`` (legacy CUR) with the same
kind of mapping the warehouse does, about 25 columns: CASE on the line item type for ChargeCategory and
EffectiveCost, casts to DECIMAL(38,10), tags to JSON, UTC timestamps, the source file for lineage. No
validation, no quarantine, no incremental bookkeeping, no raw copy: a lower bound, not a competitor.
"""

from __future__ import annotations

MONEY = "DECIMAL(38,10)"

# logical name -> (CUR 2.0 column, legacy CUR column)
COLUMNS = {
    "payer": ("bill_payer_account_id", "bill/PayerAccountId"),
    "account": ("line_item_usage_account_id", "lineItem/UsageAccountId"),
    "bp_start": ("bill_billing_period_start_date", "bill/BillingPeriodStartDate"),
    "bp_end": ("bill_billing_period_end_date", "bill/BillingPeriodEndDate"),
    "start": ("line_item_usage_start_date", "lineItem/UsageStartDate"),
    "end": ("line_item_usage_end_date", "lineItem/UsageEndDate"),
    "type": ("line_item_line_item_type", "lineItem/LineItemType"),
    "description": ("line_item_line_item_description", "lineItem/LineItemDescription"),
    "product_code": ("line_item_product_code", "lineItem/ProductCode"),
    "region": ("product_region_code", "product/regionCode"),
    "resource": ("line_item_resource_id", "lineItem/ResourceId"),
    "sku": ("product_sku", "product/sku"),
    "unit": ("pricing_unit", "pricing/unit"),
    "usage": ("line_item_usage_amount", "lineItem/UsageAmount"),
    "unblended": ("line_item_unblended_cost", "lineItem/UnblendedCost"),
    "rate": ("line_item_unblended_rate", "lineItem/UnblendedRate"),
    "list": ("pricing_public_on_demand_cost", "pricing/publicOnDemandCost"),
    "currency": ("line_item_currency_code", "lineItem/CurrencyCode"),
    "sp_arn": ("savings_plan_savings_plan_a_r_n", "savingsPlan/SavingsPlanARN"),
    "ri_arn": ("reservation_reservation_a_r_n", "reservation/ReservationARN"),
    "sp_effective": ("savings_plan_savings_plan_effective_cost", "savingsPlan/SavingsPlanEffectiveCost"),
    "ri_effective": ("reservation_effective_cost", "reservation/EffectiveCost"),
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def floor_sql(con, kind: str, files: list[str]) -> str:
    """The CTAS for ``kind`` (``cur2`` = Parquet, ``legacy`` = legacy CUR CSV/CSV.gz) over ``files``."""
    file_list = "[" + ", ".join(_lit(f) for f in files) + "]"
    if kind == "cur2":
        scan = f"read_parquet({file_list}, filename = true)"
    elif kind == "legacy":
        scan = f"read_csv({file_list}, header = true, filename = true, sample_size = 20480)"
    else:
        raise ValueError(kind)
    header = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()]
    have = set(header)
    idx = 0 if kind == "cur2" else 1

    def c(key: str) -> str:
        name = COLUMNS[key][idx]
        return _q(name) if name in have else "NULL"

    def ts(key: str) -> str:
        return f"CAST(CAST({c(key)} AS TIMESTAMPTZ) AS TIMESTAMP)"

    def money(expr: str) -> str:
        return f"CAST({expr} AS {MONEY})"

    def m(key: str) -> str:  # a money/quantity column as DECIMAL (legacy CSV columns may sniff as VARCHAR)
        return money(c(key))

    if kind == "cur2":
        tags = "CAST(to_json(resource_tags) AS JSON)" if "resource_tags" in have else "NULL"
    else:
        tag_cols = [h for h in header if h.startswith("resourceTags/")]
        pairs = ", ".join(f"{_lit(h.split('/', 1)[1].replace(':', '_'))}, {_q(h)}" for h in tag_cols)
        tags = f"CAST(json_object({pairs}) AS JSON)" if tag_cols else "NULL"
    t = c("type")
    return f"""
CREATE OR REPLACE TABLE focus AS
SELECT
    'AWS' AS ProviderName,
    CAST({c("payer")} AS VARCHAR) AS BillingAccountId,
    CAST({c("account")} AS VARCHAR) AS SubAccountId,
    {ts("bp_start")} AS BillingPeriodStart,
    {ts("bp_end")} AS BillingPeriodEnd,
    {ts("start")} AS ChargePeriodStart,
    {ts("end")} AS ChargePeriodEnd,
    CASE
        WHEN {t} = 'Tax' THEN 'Tax'
        WHEN {t} IN ('Credit', 'BundledDiscount', 'EdpDiscount', 'PrivateRateDiscount') THEN 'Credit'
        WHEN {t} = 'Refund' THEN 'Adjustment'
        WHEN {t} IN ('Fee', 'RIFee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee') THEN 'Purchase'
        ELSE 'Usage'
    END AS ChargeCategory,
    {c("description")} AS ChargeDescription,
    {c("product_code")} AS ServiceName,
    {c("region")} AS RegionId,
    {c("resource")} AS ResourceId,
    {c("sku")} AS SkuId,
    {c("unit")} AS PricingUnit,
    {m("usage")} AS ConsumedQuantity,
    {m("unblended")} AS BilledCost,
    CASE
        WHEN {t} = 'SavingsPlanCoveredUsage' THEN coalesce({m("sp_effective")}, 0)
        WHEN {t} = 'DiscountedUsage' THEN coalesce({m("ri_effective")}, 0)
        WHEN {t} IN ('SavingsPlanNegation', 'SavingsPlanUpfrontFee', 'SavingsPlanRecurringFee', 'RIFee')
            THEN CAST(0 AS {MONEY})
        ELSE coalesce({m("unblended")}, 0)
    END AS EffectiveCost,
    {m("list")} AS ListCost,
    {money(f"TRY_CAST({c('rate')} AS DOUBLE)")} AS ContractedUnitPrice,
    {c("currency")} AS BillingCurrency,
    coalesce({c("sp_arn")}, {c("ri_arn")}) AS CommitmentDiscountId,
    {tags} AS Tags,
    strftime({ts("bp_start")}, '%Y-%m') AS x_BillingPeriod,
    filename AS x_SourceFile
FROM {scan}
"""
