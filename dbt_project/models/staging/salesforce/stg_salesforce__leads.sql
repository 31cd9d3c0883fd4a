{{ config(enabled=salesforce_enabled()) }}
-- Salesforce leads, as known at the run's instant:
-- base_salesforce__leads inside the run boundary (docs/design.md, "The run's instant").
select *
from {{ ref('base_salesforce__leads') }}
where {{ known_at_run('created_at') }}
