{#
    Deterministic id of a raw record: the file, the record's content hash and
    its occurrence among identical records of that file. Independent of scan
    order, so re-reading the same files always yields the same ids, and two
    identical lines in one file stay two records. Takes the content hash
    (md5 of the record text) rather than the text, so a model that also keeps
    the hash computes it once.
#}
{% macro raw_record_id(file_column, hash_column) %}
    md5(
        {{ file_column }} || ':' || {{ hash_column }} || ':'
        || cast(row_number() over (
            partition by {{ file_column }}, {{ hash_column }}
        ) as varchar)
    )
{% endmacro %}
