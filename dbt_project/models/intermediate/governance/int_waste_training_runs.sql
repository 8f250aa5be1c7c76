{#- Training runs (one row per training job: the ResourceId of lines whose meter matches seed waste_training_meters)
    up to the as-of day, and their spec: provider, account, sub-account, instance meter (usage type), hours rounded to
    training_hours_precision decimals and the training_spec_tag tag (a hyperparameter / config hash the pipeline tags
    its jobs with; seed waste_policy), else the job family (the job name without its trailing date / counter).
    Runs of one spec that started within the last lookback_days days are numbered by start (run_number); when
    there are training_min_runs or more, every run after the first is a repeat (is_repeat) - the same job
    spec, resources and cost run again. Cost: EffectiveCost in the reporting currency. -#}

with as_of as (
    select as_of_date from {{ ref('int_waste_as_of_date') }}
),

policy as (
    select lookback_days, training_spec_tag, training_hours_precision, training_min_runs
    from {{ ref('waste_policy') }}
),

training_meters as (
    select lower(pattern) as pattern from {{ ref('waste_training_meters') }}
),

lines as (
    select c.*
    from {{ ref('fct_charges') }} as c
    cross join as_of as o
    where c.resource_id is not null
        and c.charge_category = 'Usage'
        and exists (
            select 1
            from training_meters as m
            where {{ waste_meter_text('c') }} like m.pattern
        )
        and cast(c.charge_period_start as date) <= o.as_of_date
),

runs as (
    select
        provider_name,
        resource_id,
        max(billing_account_id) as billing_account_id,
        max(sub_account_id) as sub_account_id,
        max(sub_account_name) as sub_account_name,
        max(service_name) as service_name,
        max(x_usage_type) as instance_meter,
        max({{ waste_tag_value('l.tags', 'p.training_spec_tag') }}) as spec_tag_value,
        min(charge_period_start) as run_start,
        max(coalesce(charge_period_end, charge_period_start)) as run_end,
        cast(min(charge_period_start) as date) as run_date,
        sum(consumed_quantity) as run_hours,
        sum(x_reporting_effective_cost) as run_cost
    from lines as l
    cross join policy as p
    group by 1, 2
),

specs as (
    select
        r.*,
        {{ waste_resource_short_name('r.resource_id') }} as job_name,
        {{ waste_job_family(waste_resource_short_name('r.resource_id')) }} as job_family,
        -- round() takes a constant number of decimals: one branch per precision the policy allows (0 - 6)
        cast(case p.training_hours_precision
            {%- for d in range(7) %}
            when {{ d }} then round(r.run_hours, {{ d }})
            {%- endfor %}
        end as {{ type_money() }}) as spec_hours,
        p.training_spec_tag
    from runs as r
    cross join policy as p
),

keyed as (
    select
        s.*,
        case when s.spec_tag_value is not null
                then {{ dbt.concat(['s.training_spec_tag', "'='", 's.spec_tag_value']) }}
            else {{ dbt.concat(["'job family '", 's.job_family']) }}
        end as spec_label,
        {{ dbt.concat([
            's.provider_name', "'|'", "coalesce(s.billing_account_id, '-')", "'|'", "coalesce(s.sub_account_id, '-')",
            "'|'", "coalesce(s.instance_meter, '-')", "'|'", waste_number_text('s.spec_hours'), "'h|'",
            "case when s.spec_tag_value is not null then " ~ dbt.concat(["'tag:'", 's.spec_tag_value'])
            ~ " else " ~ dbt.concat(["'job:'", 's.job_family']) ~ " end"]) }} as spec_key,
        s.run_date > {{ dbt.dateadd('day', '-p.lookback_days', 'o.as_of_date') }} as in_window,
        o.as_of_date
    from specs as s
    cross join as_of as o
    cross join policy as p
),

numbered as (
    select
        k.*,
        case when k.in_window then row_number() over (
                    partition by k.spec_key, k.in_window
                    order by k.run_start, k.resource_id
                )
        end as run_number,
        case when k.in_window then count(*) over (partition by k.spec_key, k.in_window) end as runs_in_window
    from keyed as k
)

select
    provider_name,
    resource_id,
    job_name,
    job_family,
    billing_account_id,
    sub_account_id,
    sub_account_name,
    service_name,
    instance_meter,
    spec_tag_value,
    spec_label,
    spec_key,
    spec_hours,
    run_start,
    run_end,
    run_date,
    cast(run_hours as {{ type_money() }}) as run_hours,
    cast(run_cost as {{ type_money() }}) as run_cost,
    in_window,
    cast(run_number as integer) as run_number,
    cast(runs_in_window as integer) as runs_in_window,
    coalesce(n.runs_in_window >= p.training_min_runs and n.run_number > 1, false) as is_repeat,
    n.as_of_date
from numbered as n
cross join policy as p
