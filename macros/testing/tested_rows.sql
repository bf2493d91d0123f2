{#
    Which rows the data tests of the large, call-level relations test.

    By default, the rows written since the last run whose data tests all ran
    and passed (warnings included): the rows whose stamp (`loaded_at`,
    `validated_at`, `classified_at`, `computed_at`, the run that computed
    them, macros/incremental/incremental_files.sql) is later than that run's.
    A night whose tests failed or were skipped, a run killed mid-way and a
    run without tests leave the mark where it was, so their rows are tested
    again by the next complete run: a failing state never passes silently
    because a later night wrote other rows. With LLM_COST_FULL_TESTS=1
    (`scripts/nightly.sh --full-tests`, the weekly run) every row is tested.

    A test opts in with the `where` config `tested_rows(<stamp column>)`
    (a .yml config cannot call a macro, so get_where_subquery below expands
    it), and a singular test by calling `{{ tested_rows('<stamp column>') }}`.
#}
{% macro tested_rows(stamp_column) -%}
    {%- if full_tests() -%}
        true
    {%- else -%}
        ({{ stamp_column }} > {{ tested_through() }})
    {%- endif -%}
{%- endmacro %}


{# True when every row is to be tested: LLM_COST_FULL_TESTS=1. #}
{% macro full_tests() -%}
    {{ return(env_var('LLM_COST_FULL_TESTS', '') | trim | lower in ('1', 'true', 'yes')) }}
{%- endmacro %}


{# The stamp of the last run whose data tests all ran and passed; -infinity before the first. #}
{% macro tested_through() -%}
    (
        select coalesce(max(tested_runs.run_stamp), cast('-infinity' as timestamp))
        from test_state.tested_runs as tested_runs
    )
{%- endmacro %}


{#
    dbt's get_where_subquery (the `where` config of a generic test), with
    each `tested_rows(<column>)` of the config replaced by the macro's SQL.
#}
{% macro get_where_subquery(relation) -%}
    {%- set where = namespace(sql=config.get('where', '')) -%}
    {%- if where.sql -%}
        {%- for call in modules.re.findall('tested_rows\\(\\s*\\w+\\s*\\)', where.sql) -%}
            {%- set column = modules.re.search('\\(\\s*(\\w+)', call).group(1) -%}
            {%- set where.sql = where.sql | replace(call, tested_rows(column)) -%}
        {%- endfor -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where.sql }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}


{# on-run-start: the table of runs whose data tests all ran and passed. #}
{% macro create_test_state() -%}
    {%- if execute -%}
        {%- do run_query("create schema if not exists test_state") -%}
    {%- endif %}
    create table if not exists test_state.tested_runs (
        run_stamp timestamp not null,
        invocation_id {{ dbt.type_string() }} not null,
        full_tests boolean not null
    )
{%- endmacro %}


{#
    on-run-end: record this run as tested when every data test of the
    project ran in it and none failed, errored or was skipped (a warning
    counts as tested: it was reported tonight), and nothing else failed.
#}
{% macro record_tested_run() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set passed = [] -%}
    {%- set failed = [] -%}
    {%- for result in results -%}
        {%- if result.status in ('error', 'fail', 'skipped', 'runtime error') -%}
            {%- do failed.append(result.node.unique_id) -%}
        {%- elif result.node.resource_type == 'test' -%}
            {%- do passed.append(result.node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set untested = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'test' and node.unique_id not in passed -%}
        {%- do untested.append(node.unique_id) -%}
    {%- endfor -%}
    {%- if failed or untested -%}
        {{ return('') }}
    {%- endif -%}
    insert into test_state.tested_runs
    values ({{ processed_at() }}, '{{ invocation_id }}', {{ full_tests() }})
{%- endmacro %}
