{{ config(enabled=salesforce_enabled()) }}
-- One row per Salesforce Task or Event (latest version) in base_hubspot__engagements' shape, plus
-- `who_id`: the Lead or Contact it was logged on (the ids int_crm_records gives them). In the
-- contract's vocabulary (macros/sources/engagements.sql): a Task is a call, an email or a task by
-- its TaskSubtype, an Event a meeting, `completed` once it ended before the run's instant.
-- When it happened: a Task when it was completed (CompletedDateTime), else on its due date
-- (ActivityDate, from the day's start in the reporting timezone), else when it was created; an
-- Event when it starts. `is_archived`: deleted in Salesforce (IsDeleted, as queryAll and
-- Fivetran keep them).
{%- if salesforce_from_fivetran() %}
with tasks as (
    select
        id,
        who_id,
        owner_id,
        task_subtype,
        call_type,
        call_disposition,
        status,
        activity_date,
        completed_date_time,
        created_date,
        last_modified_date,
        _landed_is_deleted as is_deleted,
        'fivetran:salesforce.task' as _source_file
    from ({{ landed('salesforce_fivetran', 'task') }}) as tasks
),

events as (
    select
        id,
        who_id,
        owner_id,
        start_date_time,
        end_date_time,
        created_date,
        last_modified_date,
        _landed_is_deleted as is_deleted,
        'fivetran:salesforce.event' as _source_file
    from ({{ landed('salesforce_fivetran', 'event') }}) as events
),
{%- else %}
with task_versions as (
    select
        *,
        row_number() over (
            partition by id
            order by {{ parse_timestamp(json_text('record', 'LastModifiedDate')) }} desc, _loaded_at desc,
                _source_file desc
        ) as version_rank
    from {{ source('salesforce', 'task') }}
),

tasks as (
    select
        id,
        {{ json_text('record', 'WhoId') }} as who_id,
        {{ json_text('record', 'OwnerId') }} as owner_id,
        {{ json_text('record', 'TaskSubtype') }} as task_subtype,
        {{ json_text('record', 'CallType') }} as call_type,
        {{ json_text('record', 'CallDisposition') }} as call_disposition,
        {{ json_text('record', 'Status') }} as status,
        {{ safe_cast(json_text('record', 'ActivityDate'), 'date') }} as activity_date,
        {{ parse_timestamp(json_text('record', 'CompletedDateTime')) }} as completed_date_time,
        {{ parse_timestamp(json_text('record', 'CreatedDate')) }} as created_date,
        {{ parse_timestamp(json_text('record', 'LastModifiedDate')) }} as last_modified_date,
        coalesce(lower({{ json_text('record', 'IsDeleted') }}) = 'true', false) as is_deleted,
        _source_file
    from task_versions
    where version_rank = 1
),

event_versions as (
    select
        *,
        row_number() over (
            partition by id
            order by {{ parse_timestamp(json_text('record', 'LastModifiedDate')) }} desc, _loaded_at desc,
                _source_file desc
        ) as version_rank
    from {{ source('salesforce', 'event') }}
),

events as (
    select
        id,
        {{ json_text('record', 'WhoId') }} as who_id,
        {{ json_text('record', 'OwnerId') }} as owner_id,
        {{ parse_timestamp(json_text('record', 'StartDateTime')) }} as start_date_time,
        {{ parse_timestamp(json_text('record', 'EndDateTime')) }} as end_date_time,
        {{ parse_timestamp(json_text('record', 'CreatedDate')) }} as created_date,
        {{ parse_timestamp(json_text('record', 'LastModifiedDate')) }} as last_modified_date,
        coalesce(lower({{ json_text('record', 'IsDeleted') }}) = 'true', false) as is_deleted,
        _source_file
    from event_versions
    where version_rank = 1
),
{%- endif %}

unioned as (
    select
        id as engagement_id,
        {{ salesforce_task_type('task_subtype') }} as engagement_type,
        coalesce(completed_date_time, {{ reporting_day_start('activity_date') }}, created_date) as occurred_at,
        owner_id,
        {{ salesforce_task_direction('task_subtype', 'call_type') }} as direction,
        {{ salesforce_task_outcome('task_subtype', 'call_disposition', 'status') }} as outcome,
        coalesce(lower(trim(task_subtype)) = 'listemail', false) as is_automated,
        created_date as created_at,
        last_modified_date as updated_at,
        is_deleted as is_archived,
        _source_file,
        nullif(trim(who_id), '') as who_id
    from tasks
    union all
    select
        id as engagement_id,
        {{ funnel_string('meeting') }} as engagement_type,
        start_date_time as occurred_at,
        owner_id,
        cast(null as {{ dbt.type_string() }}) as direction,
        {{ salesforce_event_outcome('end_date_time') }} as outcome,
        false as is_automated,
        created_date as created_at,
        last_modified_date as updated_at,
        is_deleted as is_archived,
        _source_file,
        nullif(trim(who_id), '') as who_id
    from events
)

select * from unioned
