{#
    The incremental contract, one for every incremental model (the raw-reading
    staging models, int_otlp__llm_spans_in_context, int_llm_call_records_validated,
    int_llm_call_records_classified, fct_llm_calls, fct_llm_call_ownership,
    and by day or month fct_llm_cost_daily and fct_llm_route_unit_costs):

    Each run recomputes exactly the source files (for a daily or monthly
    aggregate, the days or months: `unit`, below) whose inputs changed since
    the model last ran (a file with new or newer upstream rows, a file that
    shares context with one, a retracted file, or every file when a seed the
    model reads changed) and replaces all of their rows; since a file's
    (day's, month's) rows are a function of those inputs only, the result
    equals a full rebuild.

    `incremental_files()` returns that set of files (or days) as a predicate on
    `source_file` (or `usage_date`): `true` on a full build, on an empty model or when a seed
    changed; otherwise the files as literals, so that DuckDB prunes every
    other file from the scans below (raw files, staged rows, the pricing
    views), or `false`. The model filters its input with it, and its
    pre-hook (`delete_incremental_files`) deletes those files' rows first,
    in the same transaction: a file can yield no row any more (retracted,
    rewritten empty, or with no billed call left), and then has no row to
    replace them. The pre-hook renders the predicate again, before anything
    is deleted, so both see the same state.

    A model that reads raw relations (sources) is a staging model: its
    upstream is the raw manifest, its changed files the files new or changed
    since they were loaded (pending_raw_files); it is stamped `loaded_at`
    and reads no seed. Any other incremental model takes its parameters
    from its config, `incremental_files`:
      upstream        the relation (model name) the model reads rows from ...
      upstream_stamp  ... and its stamp column: files with a row stamped
                      after this model's latest `stamp` changed.
      stamp           this model's own stamp column (processed_at()).
      sparse_upstream true when the upstream keeps only some of a file's
                      records (fct_llm_calls: the billed ones), so a file
                      can lose every upstream row: a file this model has
                      and the upstream no longer has is changed too (its
                      rows are deleted).
      unit            'source_file' (default), or 'usage_date' ('usage_month')
                      for a model that aggregates its upstream by day (by
                      month, its upstream's usage_date truncated; the model
                      filters the calls after adding that column): a day changed when
                      an upstream row of it is stamped after this model's
                      latest stamp, or when its upstream row count differs
                      from the count this model holds for it (the column
                      `upstream_row_count` of its rows, summed: rows deleted
                      upstream leave no stamp behind). The upstream deletes
                      and inserts rows, never updates them, so a day whose
                      rows all kept their stamps is unchanged.
      keep_unchanged_stamps
                      true when a recomputed row equal to the row it
                      replaces (every column but the stamp) keeps that
                      row's stamp: the model's context files are
                      recomputed every night but rarely change, and their
                      readers then recompute only the files whose rows did
                      (int_llm_call_records_classified). The pre-hook sets
                      aside each replaced row's fingerprint and stamp
                      (replaced_rows()); the model joins its rows to them
                      by the fingerprint of the same columns itself.
      context         what else a changed file's rows give context to:
                      'call_days': the files with a record within
                      var('call_key_lookback_days') days of a day the changed
                      files' records are on (now, or as this model has them).
                      'shared_keys': the files with an upstream row that
                      shares a value of one of `context_keys` (SQL
                      expressions over upstream rows; null shares nothing)
                      with a row of a changed file, as the upstream has it now
                      or as this model has it (int_otlp__llm_spans_in_context:
                      the trace, and the service of a root LLM span); a
                      retracted file's keys are gone with it, so every file.

    A retracted file is one the pre-flight retracted (deleted from the raw
    folder, or rewritten into a file it quarantines) since the model last
    ran: raw.file_retractions, of the model's raw relations, or of any
    telemetry relation after staging; read on incremental runs only. The
    seeds are every seed the model reads, directly or through views and
    tables, up to the incremental models it reads from (whose own stamps
    carry their seeds' changes), found in the dbt graph (incremental_seeds):
    no list to keep.
#}
{% macro incremental_files() %}
    {%- set changed = incremental_units() -%}
    {%- if changed['values'] is none -%}
        {{ return("true") }}
    {%- elif not changed['values'] -%}
        {{ return("false") }}
    {%- endif -%}
    {%- set literals = [] -%}
    {%- for value in changed['values'] -%}
        {%- do literals.append(
            sql_string_literal(value) if changed['column'] == 'source_file'
            else "cast(" ~ sql_string_literal(value) ~ " as date)"
        ) -%}
    {%- endfor -%}
    {{ return(changed['column'] ~ " in (" ~ (literals | join(", ")) ~ ")") }}
{% endmacro %}


{#
    The units (source files, days or months) incremental_files selects:
    {'column': the unit column (none on a full build), 'values': none for
    every unit, else the units' values as text, sorted (empty: none)}, so
    that a pre-hook can name them (Spark drops their partitions).
#}
{% macro incremental_units() %}
    {%- if not (execute and is_incremental()) -%}
        {{ return({'column': none, 'values': none}) }}
    {%- endif -%}
    {%- set raw_relations = [] -%}
    {%- for parent_id in graph.nodes[model.unique_id].depends_on.nodes if parent_id in graph.sources -%}
        {%- do raw_relations.append(graph.sources[parent_id].identifier) -%}
    {%- endfor -%}
    {#- a staging model: stamped `loaded_at`, no config, reads no seed -#}
    {%- set spec = {'stamp': 'loaded_at'} if raw_relations else config.require('incremental_files') -%}
    {%- set unit = spec.get('unit', 'source_file') -%}
    {%- set every_unit = {'column': unit, 'values': none} -%}
    {#- an empty model recomputes every unit; otherwise its latest stamp, as a literal -#}
    {%- set latest_stamp = run_query(
        "select cast(max(" ~ spec['stamp'] ~ ") as " ~ dbt.type_string() ~ ") from " ~ this
    ).columns[0].values()[0] -%}
    {%- if latest_stamp is none -%}
        {{ return(every_unit) }}
    {%- endif -%}
    {%- set last_run = "cast(" ~ sql_string_literal(latest_stamp) ~ " as timestamp)" -%}
    {%- set seeds = [] if raw_relations else incremental_seeds() -%}
    {%- if seeds -%}
        {%- set seeds_changed = run_query(
            "select (select any_value(reference_version) from " ~ this ~ ")"
            ~ " is distinct from " ~ reference_version(seeds)
        ).columns[0].values()[0] -%}
        {%- if seeds_changed -%}
            {{ return(every_unit) }}
        {%- endif -%}
    {%- endif -%}
    {%- if unit in ('usage_date', 'usage_month') -%}
        {%- set upstream_unit = 'upstream_rows.usage_date' if unit == 'usage_date'
            else 'cast(' ~ dbt.date_trunc('month', 'upstream_rows.usage_date') ~ ' as date)' -%}
        {%- set changed_units -%}
            with upstream_units as (
                select {{ upstream_unit }} as unit_value, count(*) as row_count
                from {{ ref(spec['upstream']) }} as upstream_rows
                group by {{ upstream_unit }}
            ),
            kept_units as (
                select kept.{{ unit }} as unit_value, sum(kept.{{ spec['upstream_row_count'] }}) as row_count
                from {{ this }} as kept
                group by kept.{{ unit }}
            ),
            counted_differently as (
                (select * from upstream_units except select * from kept_units)
                union
                (select * from kept_units except select * from upstream_units)
            )
            select {{ upstream_unit }} as unit_value from {{ ref(spec['upstream']) }} as upstream_rows
            where upstream_rows.{{ spec['upstream_stamp'] }} > {{ last_run }}
            union
            select counted_differently.unit_value from counted_differently
        {%- endset -%}
        {%- set values = run_query(
            "select distinct cast(changed_units.unit_value as " ~ dbt.type_string() ~ ") from ("
            ~ changed_units ~ ") as changed_units where changed_units.unit_value is not null"
        ).columns[0].values() | list -%}
        {{ return({'column': unit, 'values': values | sort}) }}
    {%- elif unit != 'source_file' -%}
        {{ exceptions.raise_compiler_error("incremental_files: unknown unit '" ~ unit ~ "'") }}
    {%- endif -%}
    {%- set retracted -%}
        select retractions.source_file
        from {{ source('raw_files', 'file_retractions') }} as retractions
        where
            {{ timestamptz_in_utc('retractions.retracted_at') }} > {{ last_run }}
            and {% if raw_relations -%}
                retractions.relation_name in ('{{ raw_relations | join("', '") }}')
            {%- else -%}
                {{ is_telemetry_relation('retractions.relation_name') }}
            {%- endif %}
    {%- endset -%}
    {%- if raw_relations -%}
        {%- set files = run_query(retracted).columns[0].values() | list -%}
        {%- for relation_name in raw_relations -%}
            {%- do files.extend(pending_raw_files(relation_name)) -%}
        {%- endfor -%}
    {%- else -%}
        {%- set changed -%}
            select upstream_rows.source_file from {{ ref(spec['upstream']) }} as upstream_rows
            where upstream_rows.{{ spec['upstream_stamp'] }} > {{ last_run }}
            union
            {{ retracted }}
            {%- if spec.get('sparse_upstream') %}
            union
            (
                select kept.source_file from {{ this }} as kept
                except
                select upstream_rows.source_file from {{ ref(spec['upstream']) }} as upstream_rows
            )
            {%- endif %}
        {%- endset -%}
        {%- set context = spec.get('context') -%}
        {%- if context == 'shared_keys' -%}
            {%- if run_query(retracted ~ " limit 1").rows | length > 0 -%}
                {{ return(every_unit) }}
            {%- endif -%}
            {%- set query -%}
                with changed_files as ({{ changed }}),
                {%- for key in spec['context_keys'] %}
                changed_keys_{{ loop.index }} as (
                    select {{ key }} as key_value from {{ ref(spec['upstream']) }}
                    where source_file in (select source_file from changed_files)
                    union
                    select {{ key }} from {{ this }}
                    where source_file in (select source_file from changed_files)
                ),
                {%- endfor %}
                sharing_files as (
                    select source_file from changed_files
                    {%- for key in spec['context_keys'] %}
                    union
                    select source_file from {{ ref(spec['upstream']) }}
                    where {{ key }} in (select key_value from changed_keys_{{ loop.index }})
                    {%- endfor %}
                )
                select source_file from sharing_files
            {%- endset -%}
        {%- elif context == 'call_days' -%}
            {%- set lookback_days = var('call_key_lookback_days') | int -%}
            {%- set query -%}
                with changed_files as ({{ changed }}),
                changed_days as (
                    select cast(upstream_rows.called_at as date) as call_date
                    from {{ ref(spec['upstream']) }} as upstream_rows
                    where upstream_rows.source_file in (select source_file from changed_files)
                    union
                    select cast(kept.called_at as date) from {{ this }} as kept
                    where kept.source_file in (select source_file from changed_files)
                ),
                affected_days as (
                    select distinct
                        cast({{ dbt.dateadd('day', 'offsets.day_offset', 'changed_days.call_date') }} as date)
                            as call_date
                    from changed_days
                    cross join (
                        values {% for day_offset in range(-lookback_days, lookback_days + 1) -%}
                            ({{ day_offset }}){{ ", " if not loop.last }}
                        {%- endfor %}
                    ) as offsets (day_offset)
                    where changed_days.call_date is not null
                )
                select source_file from changed_files
                union
                select upstream_rows.source_file from {{ ref(spec['upstream']) }} as upstream_rows
                where cast(upstream_rows.called_at as date) in (select affected_days.call_date from affected_days)
            {%- endset -%}
        {%- elif context is none -%}
            {%- set query = changed -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error("incremental_files: unknown context '" ~ context ~ "'") }}
        {%- endif -%}
        {%- set files = run_query(
            "select distinct changed_files.source_file from (" ~ query ~ ") as changed_files"
            ~ " where changed_files.source_file is not null"
        ).columns[0].values() | list -%}
    {%- endif -%}
    {{ return({'column': 'source_file', 'values': files | unique | sort | list}) }}
{% endmacro %}


{#
    Pre-hook of every incremental model: delete the rows of the files this run
    recomputes. A model that keeps the stamps of unchanged rows first sets
    aside those rows' fingerprints and stamps in replaced_rows() (none when
    every file is recomputed: then every row is stamped anew).
#}
{% macro delete_incremental_files() %}
    {{- return(adapter.dispatch("delete_incremental_files", "llm_cost")()) -}}
{% endmacro %}

{% macro duckdb__delete_incremental_files() %}
    {%- if is_incremental() -%}
        {%- set files = incremental_files() -%}
        {%- if config.get('incremental_files', {}).get('keep_unchanged_stamps') -%}
            create or replace table {{ replaced_rows() }} as
            select {{ replaced_row_columns() }} from {{ this }} where {{ files if files != 'true' else 'false' }};
        {% endif -%}
        delete from {{ this }} where {{ files }}
    {%- endif -%}
{% endmacro %}

{#-
    Spark (Parquet, no DELETE): the table is partitioned by the contract's
    unit (spark__incremental_contract), so the recomputed units' rows are
    their partitions: dropped, or the table truncated when every unit is
    recomputed. Spark runs one statement per hook, so what a model with
    keep_unchanged_stamps sets aside is written (a Parquet table) while the
    hook is rendered, before it runs.
-#}
{% macro spark__delete_incremental_files() %}
    {%- if is_incremental() -%}
        {%- set changed = incremental_units() -%}
        {%- if config.get('incremental_files', {}).get('keep_unchanged_stamps') -%}
            {%- do run_query("drop table if exists " ~ replaced_rows()) -%}
            {%- do run_query(
                "create table " ~ replaced_rows() ~ " using parquet as select " ~ replaced_row_columns()
                ~ " from " ~ this
                ~ " where " ~ ("false" if changed['values'] is none else incremental_files())
            ) -%}
        {%- endif -%}
        {%- if changed['values'] is none -%}
            truncate table {{ this }}
        {%- elif changed['values'] -%}
            {%- set partitions = [] -%}
            {%- for value in changed['values'] -%}
                {%- do partitions.append("partition (" ~ changed['column'] ~ " = " ~ sql_string_literal(value) ~ ")") -%}
            {%- endfor -%}
            alter table {{ this }} drop if exists {{ partitions | join(", ") }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}


{#
    What the pre-hook set aside of the rows it deleted, for a model whose
    contract keeps the stamps of unchanged rows (`keep_unchanged_stamps`): each
    row's `row_fingerprint` (of every column but the stamp, by name:
    stamped_row_fingerprint) and its stamp; dropped by the model's post-hook, in
    the same transaction. Three narrow columns instead of a copy of the rows:
    at 10M app-log calls a night replaces ~700,000 rows of 75 columns.
#}
{% macro replaced_rows() %}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ '__replaced'})) }}
{% endmacro %}

{#- The select list of replaced_rows(), over the model's table as it is. -#}
{% macro replaced_row_columns() %}
    {%- set stamp = config.require('incremental_files')['stamp'] -%}
    {%- set columns = [] -%}
    {%- for column in adapter.get_columns_in_relation(this) if column.name != stamp -%}
        {%- do columns.append(column.name) -%}
    {%- endfor -%}
    {{- return(stamped_row_fingerprint(columns) ~ " as row_fingerprint, " ~ stamp) -}}
{% endmacro %}

{#
    The fingerprint keep_unchanged_stamps compares: row_fingerprint of the
    given columns (every column of the model but its stamp) in name order, so
    that a table whose columns are stored in another order (Spark stores the
    partition column last) fingerprints its rows as the model's select does.
#}
{% macro stamped_row_fingerprint(columns, relation_alias=none) %}
    {{- return(row_fingerprint(columns | sort, relation_alias)) -}}
{% endmacro %}


{#
    The seeds a model reads, from the dbt graph: its parents, and theirs
    through every model that is not incremental (views, ephemeral models,
    tables), sorted by name; the walk stops at incremental models, inputs
    the contract tracks by their stamps. Anything else
    upstream (a source, a snapshot) would be an input it does not track, and
    fails the build.
#}
{% macro incremental_seeds(node_id=none) %}
    {%- set start = node_id or model.unique_id -%}
    {#- a unit test (not a node of the graph) reads its given rows, not the seeds -#}
    {%- if not execute or start not in graph.nodes -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set found = {} -%}
    {%- set pending = [start] -%}
    {%- set seen = [] -%}
    {%- for _ in range(10000) if pending -%}
        {%- set current = pending.pop() -%}
        {%- for parent_id in graph.nodes[current].depends_on.nodes if parent_id not in seen -%}
            {%- do seen.append(parent_id) -%}
            {%- set parent = graph.nodes.get(parent_id) -%}
            {%- if parent is none or parent.resource_type not in ('seed', 'model') -%}
                {{ exceptions.raise_compiler_error(
                    model.unique_id ~ ": an incremental model may read only seeds and models, not "
                    ~ parent_id ~ " (macros/incremental/incremental_files.sql)"
                ) }}
            {%- elif parent.resource_type == 'seed' -%}
                {%- do found.update({parent.name: parent}) -%}
            {%- elif parent.config.materialized != 'incremental' -%}
                {%- do pending.append(parent_id) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set relations = [] -%}
    {%- for name in found | sort -%}
        {%- set seed = found[name] -%}
        {%- do relations.append(api.Relation.create(
            database=seed.database, schema=seed.schema, identifier=seed.alias or seed.name
        )) -%}
    {%- endfor -%}
    {{ return(relations) }}
{% endmacro %}


{#
    One value that changes whenever any of the given seeds changes: an md5
    over each seed's name and every row rendered as text (column names
    included), in a fixed order, so adding, removing or editing a seed or a
    row changes it.
#}
{% macro reference_version(relations) %}
    {%- if not relations -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        {{- adapter.dispatch("reference_version", "llm_cost")(relations) -}}
    {%- endif -%}
{% endmacro %}

{% macro duckdb__reference_version(relations) %}
    (
        select md5(string_agg(row_text, chr(10) order by row_text))
        from (
            {%- for relation in relations %}
            select '{{ relation.identifier }}' as row_text
            union all
            select '{{ relation.identifier }}:' || cast(reference_rows as varchar) as row_text
            from {{ relation }} as reference_rows
            {{ "union all" if not loop.last }}
            {%- endfor %}
        )
    )
{% endmacro %}

{#- Spark: each row as JSON (nulls kept), the texts sorted and joined; not DuckDB's value. -#}
{% macro spark__reference_version(relations) %}
    (
        select md5(array_join(array_sort(collect_list(version_rows.row_text)), chr(10)))
        from (
            {%- for relation in relations %}
            select '{{ relation.identifier }}' as row_text
            union all
            select
                '{{ relation.identifier }}:'
                || to_json(struct(reference_rows.*), map('ignoreNullFields', 'false')) as row_text
            from {{ relation }} as reference_rows
            {{ "union all" if not loop.last }}
            {%- endfor %}
        ) as version_rows
    )
{% endmacro %}


{# The start of the dbt run as a timestamp: the stamp of the rows a run computes. #}
{% macro processed_at() %}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
{% endmacro %}


{#
    The config of a model under the contract, in one call:
    `{{ config(**incremental_contract(upstream=..., upstream_stamp=..., stamp=...)) }}`.
    An incremental table, appended to after the pre-hook has deleted the
    rows of the files (days, months) the run recomputes; a changed column
    list fails the run (a full refresh is needed). The keyword arguments
    are the model's `incremental_files` parameters (none for a staging
    model: its upstream is the raw manifest).
#}
{% macro incremental_contract() %}
    {{- return(adapter.dispatch("incremental_contract", "llm_cost")(kwargs)) -}}
{% endmacro %}

{% macro duckdb__incremental_contract(parameters) %}
    {%- set contract = {
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'on_schema_change': 'fail',
        'pre_hook': '{{ delete_incremental_files() }}',
    } -%}
    {%- if parameters -%}
        {%- do contract.update({'incremental_files': parameters}) -%}
    {%- endif -%}
    {%- if parameters.get('keep_unchanged_stamps') -%}
        {%- do contract.update({'post_hook': 'drop table if exists {{ replaced_rows() }}'}) -%}
    {%- endif -%}
    {{ return(contract) }}
{% endmacro %}

{#-
    Spark (Parquet, no MERGE or DELETE): the same contract, the table
    partitioned by its unit (source_file, usage_date or usage_month), so that
    the pre-hook drops the partitions of the recomputed units
    (spark__delete_incremental_files) and the run appends their rows. Spark
    stores the partition column last in the table.
-#}
{% macro spark__incremental_contract(parameters) %}
    {%- set contract = {
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'file_format': 'parquet',
        'partition_by': [parameters.get('unit', 'source_file')],
        'on_schema_change': 'fail',
        'pre_hook': '{{ delete_incremental_files() }}',
    } -%}
    {%- if parameters -%}
        {%- do contract.update({'incremental_files': parameters}) -%}
    {%- endif -%}
    {%- if parameters.get('keep_unchanged_stamps') -%}
        {%- do contract.update({'post_hook': 'drop table if exists {{ replaced_rows() }}'}) -%}
    {%- endif -%}
    {{ return(contract) }}
{% endmacro %}
