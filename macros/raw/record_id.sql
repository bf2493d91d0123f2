{#
    Deterministic id of a raw record: the file, the record's content hash and
    its copy number among identical records of that file (1, 2, ...).
    Independent of scan order, so re-reading the same files always yields
    the same ids, and two identical lines in one file stay two records.
    The staging model groups a file's identical records and numbers their
    copies with generate_series (a window numbering them would hold the
    text of every record in memory at once: more than 2 GiB for 1M OTLP
    calls), and passes the content hash (md5 of the record text), which a
    model that keeps it computes once.
#}
{% macro raw_record_id(file_column, hash_column, copy_column) %}
    md5({{ file_column }} || ':' || {{ hash_column }} || ':' || cast({{ copy_column }} as varchar))
{% endmacro %}
