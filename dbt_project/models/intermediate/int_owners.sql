-- Everyone who owns records, across CRMs (HubSpot owners, Salesforce Users), with their team.
select owner_id, team_name from {{ ref('stg_hubspot__owners') }}
{%- if salesforce_enabled() %}
union all
select owner_id, team_name from {{ ref('stg_salesforce__users') }}
{%- endif %}
