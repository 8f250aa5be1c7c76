{#- MetricFlow's time spine (models/semantic/_time_spine.yml): one row per day from 2020-01-01 to 2035-12-31 (5,844
    days), the calendar MetricFlow joins metric_time to. Static: no data is read. -#}

with days as (
    {{ dbt.generate_series(5844) }}
)

select cast({{ dbt.dateadd('day', 'generated_number - 1', "cast('2020-01-01' as date)") }} as date) as date_day
from days
