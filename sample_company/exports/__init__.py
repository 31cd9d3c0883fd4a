"""The simulated company written in the shapes its sources deliver: HubSpot API pages, Salesforce
query pages, Fivetran tables, ad platform and FX files, and the teams' own monthly reports."""
