{{ config(materialized='view') }}

{{ cost_rollup('team') }}
