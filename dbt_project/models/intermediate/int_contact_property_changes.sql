-- Every change of a contact property the funnel can date, with the evidence that dates it:
-- - `history`: HubSpot's property history (propertiesWithHistory, Fivetran's
--   contact_property_history), for every property exported with it;
-- - `stage_date_property`: for a record exported without lifecycle history, each lifecycle stage
--   date HubSpot keeps on the record (hs_lifecyclestage_<stage>_date) as a change of
--   lifecyclestage to that stage at that instant.
-- Stage-date properties hold a stage's latest entry and know nothing of regressions or of when a
-- value was written, so history wins wherever a record has it (docs/design.md, "Evidence").
with history as (
    select * from {{ ref('stg_hubspot__contact_lifecycle_history') }}
),

stage_dates as (
    select * from {{ ref('stg_hubspot__contact_stage_dates') }}
),

records_with_lifecycle_history as (
    select distinct contact_id
    from history
    where property_name = 'lifecyclestage'
),

from_history as (
    select
        contact_id,
        property_name,
        property_value,
        property_number,
        changed_at,
        source_type,
        'history' as evidence
    from history
),

from_stage_dates as (
    select
        stage_dates.contact_id,
        'lifecyclestage' as property_name,
        stage_dates.lifecycle_stage as property_value,
        cast(null as double) as property_number,
        stage_dates.entered_at as changed_at,
        cast(null as {{ dbt.type_string() }}) as source_type,
        'stage_date_property' as evidence
    from stage_dates
    left join records_with_lifecycle_history as with_history
        on with_history.contact_id = stage_dates.contact_id
    where with_history.contact_id is null
)

select * from from_history
union all
select * from from_stage_dates
