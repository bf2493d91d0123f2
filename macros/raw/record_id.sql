{#
    Deterministic id of a raw record: the file, the record's content hash and
    its copy number among identical records of that file (1, 2, ...).
    Independent of scan order, so re-reading the same files always yields
    the same ids, and two identical lines in one file stay two records.
    The raw relations carry the hash and the copy number
    (raw_view_statement).
#}
{% macro raw_record_id(file_column, hash_column, copy_column) %}
    md5({{ file_column }} || ':' || {{ hash_column }} || ':' || cast({{ copy_column }} as {{ dbt.type_string() }}))
{% endmacro %}
