{{ config(materialized='view') }}
{#- The names a payee is resolved by (seed ai_vendor_catalogue), one row per name: each vendor's canonical name
    (match_name, priority 1000: a payee spelled as the vendor wins over any alias; category and AI flag of the
    vendor-level aliases, those without a product) and every alias (lower case, matched as whole words by
    payee_matches, with its priority and length). Payees are matched against these rows with vendor_alias_matches
    and the best row wins: the highest priority, then the longest alias, then the vendor name (int_payee_vendors;
    int_saas_charges, which int_payee_vendors cannot feed: it reads int_charges_unioned, which reads
    int_saas_charges). A view: small, over the seed (not ephemeral: inlined into int_saas_charges it passes the
    SQL parser's token limit of dbt's CTE injection). -#}

with catalogue as (
    select vendor, nullif(product, '') as product, lower(alias) as alias, category, is_ai_vendor, priority
    from {{ ref('ai_vendor_catalogue') }}
),

vendors as (
    select
        vendor,
        coalesce(min(case when product is null then category end), min(category)) as category,
        -- a payee spelled as the canonical vendor name: the AI flag of the vendor-level aliases (no product)
        coalesce(
            max(case when product is null then case when is_ai_vendor then 1 else 0 end end),
            max(case when is_ai_vendor then 1 else 0 end)
        ) as is_ai_vendor
    from catalogue
    group by vendor
)

select
    vendor,
    lower(vendor) as match_name,
    cast(null as {{ dbt.type_string() }}) as alias,
    cast(null as {{ dbt.type_string() }}) as product,
    category,
    is_ai_vendor = 1 as is_ai_vendor,
    1000 as priority,
    0 as alias_length
from vendors
union all
select
    vendor,
    cast(null as {{ dbt.type_string() }}) as match_name,
    alias,
    product,
    category,
    is_ai_vendor,
    priority,
    length(alias) as alias_length
from catalogue
