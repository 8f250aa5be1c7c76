{#- Every action of seed waste_actions finds billing data of its scope before its action date: a typo in the seed
    (or an action on a resource this warehouse has never billed) would otherwise report no savings silently. A
    warning, not an error: the seed ships the demo's action, which a warehouse without the demo data cannot match. -#}
{{ config(severity='warn') }}

select action_id, 'action without billing data of its scope before the action' as problem
from {{ ref('fct_cost_avoidance') }}
where days_before = 0 or cost_before = 0
