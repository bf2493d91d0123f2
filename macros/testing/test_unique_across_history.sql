{#
    `unique` for a key whose new rows are tested (tested_rows(stamp)): every
    key of the tested rows occurs once in the whole relation, so a new row
    that collides with an old one fails, as do two new rows; old keys are
    read only to look the tested ones up. One row per duplicated key, with
    its number of rows. With LLM_COST_FULL_TESTS=1: `unique` over every row.
#}
{% test unique_across_history(model, column_name, stamp) %}

select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where
    {{ column_name }} is not null
    {%- if not full_tests() %}
        and {{ column_name }} in (
            select tested.{{ column_name }} from {{ model }} as tested
            where {{ tested_rows('tested.' ~ stamp) }}
        )
    {%- endif %}
group by {{ column_name }}
having count(*) > 1

{% endtest %}
