{{ config(enabled=salesforce_enabled()) }}
-- Salesforce opportunity stage changes, as known at the run's instant:
-- base_salesforce__opportunity_history inside the run boundary (docs/design.md, "The run's instant").
select *
from {{ ref('base_salesforce__opportunity_history') }}
where {{ known_at_run('changed_at') }}
