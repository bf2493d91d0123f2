{#-
    The price book as half-open intervals the seed tests can compare: open
    period bounds made infinite, and each daily UTC window as seconds of the
    day, a window that wraps midnight split in two segments (16:30-00:30 is
    [59400, 86400) and [0, 1800)). A row without a window is one segment
    covering the whole day.
-#}
with

prices as (

    select * from {{ ref('llm_prices') }}

),

bounded as (

    select
        price_id,
        provider,
        model,
        endpoint_scope,
        service_tier,
        coalesce(effective_from, {{ unbounded_timestamp('-infinity') }}) as valid_from,
        coalesce(effective_to, {{ unbounded_timestamp('infinity') }}) as valid_to,
        {{ seconds_of_day('utc_time_from') }} as window_start_second,
        {{ seconds_of_day('utc_time_to') }} as window_end_second
    from prices

),

segments as (

    select
        *,
        1 as segment_number,
        coalesce(window_start_second, 0) as segment_start_second,
        case
            when window_start_second < window_end_second then window_end_second
            else 86400
        end as segment_end_second
    from bounded
    union all
    select
        *,
        2 as segment_number,
        0 as segment_start_second,
        window_end_second as segment_end_second
    from bounded
    where window_start_second > window_end_second

),

final as (

    select
        price_id,
        provider,
        model,
        endpoint_scope,
        service_tier,
        valid_from,
        valid_to,
        segment_start_second,
        segment_end_second,
        price_id || '#' || cast(segment_number as {{ dbt.type_string() }}) as price_window_id
    from segments

)

select * from final
