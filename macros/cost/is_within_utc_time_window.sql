{#
    True when the UTC time of day of `timestamp_column` falls in the daily
    window [window_from, window_to) of a price row; a window with
    window_from > window_to wraps past midnight (16:30 to 00:30), and no
    window means all day.
#}
{% macro is_within_utc_time_window(timestamp_column, window_from, window_to) %}
    (
        {{ window_from }} is null
        or (
            {{ window_from }} < {{ window_to }}
            and {{ utc_time_of_day(timestamp_column) }} >= {{ window_from }}
            and {{ utc_time_of_day(timestamp_column) }} < {{ window_to }}
        )
        or (
            {{ window_from }} > {{ window_to }}
            and (
                {{ utc_time_of_day(timestamp_column) }} >= {{ window_from }}
                or {{ utc_time_of_day(timestamp_column) }} < {{ window_to }}
            )
        )
    )
{% endmacro %}
