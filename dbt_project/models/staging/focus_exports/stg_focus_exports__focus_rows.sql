-- placeholder: replaced by the format's real staging model
with final as (
    select {% for name, _, _ in focus_charge_columns() %}null as {{ name }}{{ "," if not loop.last }}{% endfor %}
)
select {{ select_focus_columns('final') }} from final where 1 = 0
