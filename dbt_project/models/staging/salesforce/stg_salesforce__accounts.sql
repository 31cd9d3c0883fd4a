{{ config(enabled=salesforce_enabled()) }}
-- Salesforce accounts, as known at the run's instant:
-- base_salesforce__accounts inside the run boundary (docs/design.md, "The run's instant").
select *
from {{ ref('base_salesforce__accounts') }}
where {{ known_at_run('created_at') }}
