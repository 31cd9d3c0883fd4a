{{ config(enabled=salesforce_enabled()) }}
-- Salesforce Tasks and Events as known at the run's instant:
-- base_salesforce__activities inside the run boundary (docs/design.md, "The run's instant").
select *
from {{ ref('base_salesforce__activities') }}
where {{ known_at_run('created_at') }}
