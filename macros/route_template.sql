{#
    A low-cardinality route template from a raw URL path, for telemetry that
    has no `http.route`: the query string is dropped and every path segment
    that looks like an identifier is replaced by a placeholder:
      UUID                                  -> {uuid}
      hex hash of 16+ characters            -> {hash}
      number                                -> {id}
      any other segment containing a digit  -> {id}   (c_8842, T-99121)
    Version segments (`v1`, `v2`, `v10`) are kept as they are.
#}
{% macro route_template(path_expression) %}
    {%- set segment_template -%}
        case
            when {{ regexp_matches_whole(
                'segment', '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
            ) }} then '{uuid}'
            when {{ regexp_matches_whole('segment', '[0-9a-fA-F]{16,}') }} then '{hash}'
            when {{ regexp_matches_whole('segment', 'v[0-9]{1,2}') }} then segment
            when translate(segment, '0123456789', '') != segment then '{id}'
            else segment
        end
    {%- endset -%}
    case
        when {{ path_expression }} is not null
            then {{ join_list(
                list_transform_each(
                    split_text("split_part(" ~ path_expression ~ ", '?', 1)", '/'), 'segment', segment_template
                ),
                "'/'"
            ) }}
    end
{% endmacro %}
