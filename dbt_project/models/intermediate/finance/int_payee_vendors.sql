{#- Every distinct free-text payee the warehouse sees - card and expense merchants, AP suppliers and AP line
    descriptions, ledger vendors, FOCUS provider and invoice-issuer names, SaaS invoice vendors - resolved to a
    catalogue vendor (seed ai_vendor_catalogue). A payee equal to a vendor's canonical name resolves to it directly;
    otherwise aliases are matched as whole words (int_vendor_aliases, vendor_alias_matches) and the highest
    priority, then the longest alias, wins (vendor_alias_rank). Payees no alias matches keep vendor null (not a
    known AI or cloud vendor). Join on payee. -#}

with payees as (
    select merchant as payee from {{ ref('stg_finance__card_transactions') }}
    union
    select supplier_name from {{ ref('stg_finance__ap_invoice_lines') }}
    union
    -- AP line descriptions: a product bought from a supplier whose own name is no AI alias ("GitHub, Inc." /
    -- "GitHub Copilot Business - 200 seats"); fct_shadow_ai_spend decides when the description wins
    select line_description from {{ ref('stg_finance__ap_invoice_lines') }}
    union
    select vendor_name from {{ ref('stg_finance__gl_journal_lines') }}
    where vendor_name is not null
    union
    select vendor from {{ ref('stg_saas_invoices__invoices') }}
    union
    select distinct provider_name from {{ ref('int_charges_unioned') }}
    union
    select distinct invoice_issuer_name from {{ ref('int_charges_unioned') }}
),

normalized as (
    select distinct payee, {{ normalize_payee('payee') }} as payee_normalized
    from payees
    where payee is not null
),

matches as (
    select
        n.payee,
        n.payee_normalized,
        a.vendor,
        a.product,
        a.category as vendor_category,
        coalesce(a.is_ai_vendor, false) as is_ai_vendor,
        a.alias as matched_alias,
        {{ count_distinct_window('a.vendor', 'n.payee') }} as matched_vendors,
        {{ vendor_alias_rank('n', 'a') }} as match_rank
    from normalized as n
    left join {{ ref('int_vendor_aliases') }} as a on {{ vendor_alias_matches('n', 'a') }}
)

select payee, payee_normalized, vendor, product, vendor_category, is_ai_vendor, matched_alias, matched_vendors
from matches
where match_rank = 1
