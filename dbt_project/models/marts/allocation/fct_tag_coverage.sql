{{ config(meta={'dagster': {'owners': ['team:finops']}}) }}
{#- Coverage of the required-tags policy (var required_tags): per billing period, provider, billing account,
    service, billing currency and required tag key, how much effective cost cannot carry a tag, carries the key as
    a real tag, gets it from an ownership mapping or a virtual tag, or has no value at all. -#}
{%- set required = cost_tag_required_keys() %}
{%- set grain = ['billing_period', 'provider_name', 'billing_account_id', 'service_name', 'billing_currency'] %}

with tagged as (
    select * from {{ ref('int_cost_tagged') }}
),

by_key as (
    {%- for k in required %}
    select
        {{ grain | join(', ') }},
        '{{ k }}' as tag_key,
        sum(effective_cost) as total_cost,
        sum(case when not taggable then effective_cost else 0 end) as not_taggable_cost,
        sum(case when taggable then effective_cost else 0 end) as taggable_cost,
        sum(case when taggable and {{ k }}_source = 'tag' then effective_cost else 0 end) as tagged_cost,
        sum(case when taggable and {{ k }}_source = 'mapping' then effective_cost else 0 end) as mapped_cost,
        sum(case when taggable and {{ k }}_source = 'virtual_tag' then effective_cost else 0 end)
            as virtual_tagged_cost,
        sum(case when taggable and {{ k }}_source is null then effective_cost else 0 end) as uncovered_cost,
        sum(charge_rows) as charge_rows
    from tagged
    group by {{ grain | join(', ') }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
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
