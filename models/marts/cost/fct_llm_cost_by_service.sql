{{ config(materialized='view') }}

{{ cost_rollup('service') }}
