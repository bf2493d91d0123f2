{{ config(materialized='view') }}

{{ cost_rollup('environment') }}
