{{ config(meta={'dagster': {'owners': ['team:finops']}}) }}
{#- Coverage of the required-tags policy (seed required_tags): per billing period, provider, billing account,
    service, billing currency and required tag key, how much effective cost cannot carry a tag, carries the key as
    a real tag, gets it from an ownership mapping or a virtual tag, or has no value at all. -#}
{%- set grain = ['billing_period', 'provider_name', 'billing_account_id', 'service_name', 'billing_currency'] %}

with tagged as (
    select * from {{ ref('int_cost_tagged') }}
),

required_tags as (
    select tag_key from {{ ref('required_tags') }}
),

keyed as (
    select
        {%- for c in grain %}
        t.{{ c }},
        {%- endfor %}
        r.tag_key,
        t.taggable,
        t.effective_cost,
        t.charge_rows,
        case r.tag_key
            {%- for k in cost_tag_keys() %}
            when '{{ k }}' then t.{{ k }}_source
            {%- endfor %}
        end as key_source
    from tagged as t
    cross join required_tags as r
),

by_key as (
    select
        {{ grain | join(', ') }},
        tag_key,
        sum(effective_cost) as total_cost,
        sum(case when not taggable then effective_cost else 0 end) as not_taggable_cost,
        sum(case when taggable then effective_cost else 0 end) as taggable_cost,
        sum(case when taggable and key_source = 'tag' then effective_cost else 0 end) as tagged_cost,
        sum(case when taggable and key_source = 'mapping' then effective_cost else 0 end) as mapped_cost,
        sum(case when taggable and key_source = 'virtual_tag' then effective_cost else 0 end) as virtual_tagged_cost,
        sum(case when taggable and key_source is null then effective_cost else 0 end) as uncovered_cost,
        sum(charge_rows) as charge_rows
    from keyed
    group by {{ grain | join(', ') }}, tag_key
),

final as (
    select
        {{ grain | join(', ') }},
        tag_key,
        total_cost,
        not_taggable_cost,
        taggable_cost,
        tagged_cost,
        mapped_cost,
        virtual_tagged_cost,
        tagged_cost + mapped_cost + virtual_tagged_cost as covered_cost,
        taggable_cost - tagged_cost as untagged_cost,
        uncovered_cost,
        charge_rows
    from by_key
)

select
    {%- for c in grain %}
    {{ c }},
    {%- endfor %}
    tag_key,
    cast(total_cost as {{ type_money() }}) as total_cost,
    cast(not_taggable_cost as {{ type_money() }}) as not_taggable_cost,
    cast(taggable_cost as {{ type_money() }}) as taggable_cost,
    cast(tagged_cost as {{ type_money() }}) as tagged_cost,
    cast(mapped_cost as {{ type_money() }}) as mapped_cost,
    cast(virtual_tagged_cost as {{ type_money() }}) as virtual_tagged_cost,
    cast(covered_cost as {{ type_money() }}) as covered_cost,
    cast(untagged_cost as {{ type_money() }}) as untagged_cost,
    cast(uncovered_cost as {{ type_money() }}) as uncovered_cost,
    {{ safe_ratio('tagged_cost', 'taggable_cost') }} as tagged_ratio,
    {{ safe_ratio('covered_cost', 'taggable_cost') }} as covered_ratio,
    {{ safe_ratio('not_taggable_cost', 'total_cost') }} as not_taggable_ratio,
    cast(charge_rows as {{ dbt.type_bigint() }}) as charge_rows
from final
