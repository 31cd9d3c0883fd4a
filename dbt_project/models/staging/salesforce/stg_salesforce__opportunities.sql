{{ config(enabled=salesforce_enabled()) }}
-- Salesforce opportunities, as known at the run's instant:
-- base_salesforce__opportunities inside the run boundary (docs/design.md, "The run's instant").
select *
from {{ ref('base_salesforce__opportunities') }}
where {{ known_at_run('created_at') }}
