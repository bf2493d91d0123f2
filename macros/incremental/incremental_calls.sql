{#
    Nightly incremental processing of the call pipeline after staging.

    Each incremental model stamps its rows with the time of the run that
    computed them (`processed_at`, dbt's run_started_at) and, on an
    incremental run, recomputes only the source files whose upstream rows
    were computed after its own latest stamp: so a run that was killed half
    way is caught up by the next one. Rows that depend on reference seeds
    also carry a `reference_version` (a hash of those seeds' contents): when
    a seed changes, every row is recomputed, so corrections reach history
    without a --full-refresh. A source file whose rows are gone upstream
    (retracted in staging: deleted from the raw folder, or rewritten into a
    file the pre-flight quarantines) is retracted here too, and what it could
    have affected is recomputed, as a full rebuild would.
#}

{% macro processed_at() %}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
{% endmacro %}


{#
    True for upstream rows computed after this model's latest run. Every row
    is new when the model is empty.
#}
{% macro is_newer_than_this(upstream_column, this_column) %}
    {{ upstream_column }} > (
        select coalesce(max({{ this_column }}), cast('-infinity' as timestamp))
        from {{ this }}
    )
{% endmacro %}


{#
    One value that changes whenever any row of the given relations changes
    (an md5 over every row rendered as text, in a fixed order).
#}
{% macro reference_version(relations) %}
    (
        select md5(string_agg(row_text, chr(10) order by row_text))
        from (
            {%- for relation in relations %}
            select '{{ loop.index }}:' || cast(reference_rows as varchar) as row_text
            from {{ relation }} as reference_rows
            {{ "union all" if not loop.last }}
            {%- endfor %}
        )
    )
{% endmacro %}


{#
    True when this model's rows were computed with other reference data than
    `version_sql` (or the model is empty), i.e. everything must be recomputed.
#}
{% macro is_reference_changed(version_sql) %}
    (select any_value(reference_version) from {{ this }}) is distinct from {{ version_sql }}
{% endmacro %}


{#
    The source files this model holds that `upstream` no longer has: their
    rows are retracted (delete_retracted_files).
#}
{% macro retracted_files(upstream) %}
    select distinct kept.source_file from {{ this }} as kept
    where not exists (
        select 1 from {{ upstream }} as upstream_rows
        where upstream_rows.source_file = kept.source_file
    )
{% endmacro %}


{# Post-hook of the incremental call models: delete the retracted files' rows. #}
{% macro delete_retracted_files(upstream) %}
    {%- if is_incremental() -%}
        delete from {{ this }} where source_file in ({{ retracted_files(upstream) }})
    {%- endif -%}
{% endmacro %}


{#
    The seeds a billed call's price and owner are computed from: a change to
    any of them recomputes every row of fct_llm_calls.
#}
{% macro pricing_reference_seeds() %}
    {{ return([
        ref('llm_prices'),
        ref('llm_providers'),
        ref('llm_model_aliases'),
        ref('azure_openai_deployments'),
        ref('bedrock_inference_profiles'),
        ref('service_ownership'),
        ref('environment_aliases'),
    ]) }}
{% endmacro %}


{#
    Predicate on `source_file` selecting the files whose billed calls
    fct_llm_calls must (re)compute: all on a full build or after a reference
    change; otherwise the files int_llm_call_records_classified reclassified
    since the model's last run and the files it retracted, listed as
    literals so that DuckDB prunes the other files from every scan under the
    pricing views. Used by the model and by its pre-hook, which first deletes
    those files' rows (a file can lose all of its billed calls, e.g. to a
    source ranked closer to the vendor, or be retracted, and then has no row
    to replace).
#}
{% macro files_to_price() %}
    {%- if not (is_incremental() and execute) -%}
        {{ return("true") }}
    {%- endif -%}
    {%- set changed = run_query(
        "select " ~ is_reference_changed(reference_version(pricing_reference_seeds()))
    ).columns[0].values()[0] -%}
    {%- if changed -%}
        {{ return("true") }}
    {%- endif -%}
    {%- set files = run_query(
        "select distinct source_file from " ~ ref('int_llm_call_records_classified')
        ~ " where " ~ is_newer_than_this('classified_at', 'computed_at')
        ~ " union " ~ retracted_files(ref('int_llm_call_records_classified'))
        ~ " order by source_file"
    ).columns[0].values() -%}
    {%- if not files -%}
        {{ return("false") }}
    {%- endif -%}
    {%- set literals = [] -%}
    {%- for file in files -%}
        {%- do literals.append(sql_string_literal(file)) -%}
    {%- endfor -%}
    {{ return("source_file in (" ~ (literals | join(", ")) ~ ")") }}
{% endmacro %}
