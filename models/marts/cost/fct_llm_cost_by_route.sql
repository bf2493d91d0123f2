{{ config(materialized='view') }}

{{ cost_rollup('route') }}
