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
    case
        when {{ path_expression }} is not null
            then array_to_string(
                list_transform(
                    string_split(split_part({{ path_expression }}, '?', 1), '/'),
                    lambda segment: case
                        when regexp_full_match(
                            segment,
                            '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
                        ) then '{uuid}'
                        when regexp_full_match(segment, '[0-9a-fA-F]{16,}') then '{hash}'
                        when regexp_full_match(segment, 'v[0-9]{1,2}') then segment
                        when regexp_matches(segment, '[0-9]') then '{id}'
                        else segment
                    end
                ),
                '/'
            )
    end
{% endmacro %}
