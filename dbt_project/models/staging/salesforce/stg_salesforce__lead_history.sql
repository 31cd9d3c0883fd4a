{{ config(enabled=salesforce_enabled()) }}
-- Salesforce lead status changes, as known at the run's instant:
-- base_salesforce__lead_history inside the run boundary (docs/design.md, "The run's instant").
select *
from {{ ref('base_salesforce__lead_history') }}
where {{ known_at_run('changed_at') }}
