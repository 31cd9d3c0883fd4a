{{ config(enabled=salesforce_enabled()) }}
-- Salesforce contacts, as known at the run's instant:
-- base_salesforce__contacts inside the run boundary (docs/design.md, "The run's instant").
select *
from {{ ref('base_salesforce__contacts') }}
where {{ known_at_run('created_at') }}
