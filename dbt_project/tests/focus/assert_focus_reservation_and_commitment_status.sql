{#- What the validator's wrongly generated leaves were meant to check (model 1.2.0.1 MustSatisfy):
    CapacityReservationStatus-C-003-C null when CapacityReservationId is null; -C-004-C not null when
    CapacityReservationId is not null and ChargeCategory = 'Usage'; CommitmentDiscountStatus-C-004-C not null when
    CommitmentDiscountId is not null and ChargeCategory = 'Usage'; with -003-C null when CommitmentDiscountId is
    null. One row per rule that fails, with its rows. -#}
{%- set rel = ref('focus_cost_and_usage') -%}
with rules as (
    select
        count(*) filter (
            where "CapacityReservationId" is null and "CapacityReservationStatus" is not null
        ) as "CapacityReservationStatus-C-003-C",
        count(*) filter (
            where "CapacityReservationId" is not null and "ChargeCategory" = 'Usage'
                and "CapacityReservationStatus" is null
        ) as "CapacityReservationStatus-C-004-C",
        count(*) filter (
            where "CommitmentDiscountId" is not null and "ChargeCategory" = 'Usage'
                and "CommitmentDiscountStatus" is null
        ) as "CommitmentDiscountStatus-C-004-C",
        count(*) filter (
            where "CommitmentDiscountId" is null and "CommitmentDiscountStatus" is not null
        ) as "CommitmentDiscountStatus-C-003-C"
    from {{ rel }}
),

per_rule as (
    unpivot rules on columns(*) into name rule_id value n_rows
)

select rule_id, n_rows
from per_rule
where n_rows > 0
