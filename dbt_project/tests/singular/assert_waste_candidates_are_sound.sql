{#- Waste candidates and actions hold together: every candidate has cost in its window, non-negative savings, an
    evidence sentence and a first-flagged day not after the as-of day; no resource is counted twice (an idle
    resource inside an abandoned pilot is the pilot's). Seed actions without billing data are
    assert_waste_actions_have_billing_data (a warning). Returns the offenders. -#}
select candidate_id as id, 'candidate without cost, savings, evidence or with a future flag day' as problem
from {{ ref('fct_waste_candidates') }}
where cost_30d is null or cost_30d <= 0
   or estimated_monthly_savings is null or estimated_monthly_savings < 0
   or evidence is null
   or first_flagged_date is null or first_flagged_date > as_of_date
union all
select resource_id, 'resource in more than one candidate'
from {{ ref('fct_waste_candidates') }}
where resource_id is not null
group by resource_id
having count(*) > 1
