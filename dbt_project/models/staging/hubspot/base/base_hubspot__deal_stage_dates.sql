-- The date HubSpot stores on a deal for each stage it entered: hs_v2_date_entered_<stage id>
-- (current), else the legacy hs_date_entered_<stage id>. One row per deal and stage; it holds the
-- stage's latest entry, and a stage the deal never entered has none. Deal stages are dated from it
-- only for deals exported without dealstage history (int_deal_stage_history).
{%- set prefixes = hubspot_deal_stage_date_prefixes() %}
{%- if hubspot_from_fivetran() %}
{#- Fivetran lands one column per stage (property_hs_v2_date_entered_<stage id>): the portal's. -#}
{%- set columns = [] %}
{%- for prefix in prefixes %}
{%- set family_rank = loop.index0 %}
{%- for name in landed_columns_like('hubspot_fivetran', 'deal', 'property_' ~ prefix) %}
{%- do columns.append((family_rank, prefix, name)) %}
{%- endfor %}
{%- endfor %}
with deals as (
    select cast(deal_id as {{ dbt.type_string() }}) as deal_id, *
    from ({{ landed('hubspot_fivetran', 'deal', extra_columns=columns | map(attribute=2) | list) }}) as landed
),

dated as (
    {%- for family_rank, prefix, name in columns %}
    select
        deal_id,
        {{ funnel_string(name[('property_' ~ prefix) | length:]) }} as deal_stage_id,
        {{ family_rank }} as family_rank,
        {{ adapter.quote(name) }} as entered_at
    from deals
    union all
    {%- endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as deal_id, cast(null as {{ dbt.type_string() }}) as deal_stage_id,
        0 as family_rank, cast(null as {{ instant_type() }}) as entered_at
    where false
),
{%- else %}
with deals as (
    select
        id as deal_id,
        properties,
        row_number() over (partition by id order by updated_at desc, _loaded_at desc, _source_file desc) as version_rank
    from {{ source('hubspot', 'deals') }}
),

named as (
    select deal_id, properties, {{ json_keys('properties') }} as property_name
    from deals
    where version_rank = 1
),

dated as (
    {%- for prefix in prefixes %}
    select
        deal_id,
        substr(property_name, {{ prefix | length + 1 }}) as deal_stage_id,
        {{ loop.index0 }} as family_rank,
        {{ parse_timestamp(json_text_by_key('properties', 'property_name')) }} as entered_at
    from named
    where {{ starts_with("property_name", funnel_string(prefix)) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),
{%- endif %}

ranked as (
    select
        *,
        row_number() over (partition by deal_id, deal_stage_id order by family_rank) as family_choice
    from dated
    where entered_at is not null
)

select deal_id, deal_stage_id, entered_at
from ranked
where family_choice = 1
