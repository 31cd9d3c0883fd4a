{#- The stage compiler: entry and exit criteria (contract data) to candidate rows over person events.

    Every criterion yields candidates (person_id, candidate_at, event_id, contact_id, is_skip,
    evidence):
    - a leaf yields every event that meets it; `is_skip` marks a lifecycle stage reached by
      jumping past it (lead → SQL meets "reached MQL" with the SQL value); `evidence` is what
      dates the event (int_person_events);
    - `any` yields the union of its children's candidates;
    - `all` yields one candidate per person, at the latest of its children's first candidates,
      when every child has one, with the evidence of that latest one. -#}

{% macro criterion_candidates(node, events) -%}
    {%- if node.kind == 'any' -%}
        {%- for child in node.children %}
        {% if not loop.first %}union all{% endif %}
        select person_id, candidate_at, event_id, contact_id, is_skip, evidence
        from ({{ criterion_candidates(child, events) }}) as any_{{ loop.index }}
        {%- endfor %}
    {%- elif node.kind == 'all' -%}
        select
            person_id,
            first_at as candidate_at,
            cast(null as {{ dbt.type_string() }}) as event_id,
            cast(null as {{ dbt.type_string() }}) as contact_id,
            false as is_skip,
            evidence
        from (
            select
                person_id,
                first_at,
                evidence,
                count(*) over (partition by person_id) as parts_met,
                row_number() over (partition by person_id order by first_at desc, evidence) as latest_rank
            from (
                select
                    person_id,
                    part,
                    candidate_at as first_at,
                    evidence,
                    row_number() over (partition by person_id, part order by candidate_at, evidence) as first_rank
                from (
                    {%- for child in node.children %}
                    {% if not loop.first %}union all{% endif %}
                    select person_id, {{ loop.index }} as part, candidate_at, evidence
                    from ({{ criterion_candidates(child, events) }}) as all_{{ loop.index }}
                    {%- endfor %}
                ) as children
            ) as firsts
            where first_rank = 1
        ) as parts
        where latest_rank = 1 and parts_met = {{ node.children | length }}
    {%- else -%}
        select
            person_id,
            occurred_at as candidate_at,
            event_id,
            contact_id,
            {%- if node.kind == 'lifecycle_stage_reached' and not node.exact %}
            lifecycle_rank > {{ node.rank | int }} as is_skip,
            {%- else %}
            false as is_skip,
            {%- endif %}
            evidence
        from {{ events }}
        where {{ criterion_predicate(node) }}
    {%- endif -%}
{%- endmacro %}

{% macro criterion_predicate(node) -%}
    {%- set k = node.kind -%}
    {%- if k == 'created' -%}
        event_type = 'created'
    {%- elif k == 'lifecycle_stage_reached' -%}
        event_type = 'property_change' and property_name = 'lifecyclestage'
        and lifecycle_rank {{ '=' if node.exact else '>=' }} {{ node.rank | int }}
    {%- elif k == 'lead_status_in' -%}
        event_type = 'property_change' and property_name = 'hs_lead_status'
        and property_value in ({{ funnel_string_list(node['values']) }})
    {%- elif k == 'property_at_least' -%}
        event_type = 'property_change' and property_name = {{ funnel_string(node.property) }}
        and property_number >= {{ funnel_number(node.value) }}
    {%- elif k == 'property_in' -%}
        event_type = 'property_change' and property_name = {{ funnel_string(node.property) }}
        and property_value in ({{ funnel_string_list(node['values']) }})
    {%- elif k == 'form_submitted' -%}
        event_type = 'form_submission'
        {%- if node.forms %}
        and (form_id in ({{ funnel_string_list(node.forms) }}) or form_name in ({{ funnel_string_list(node.forms) }}))
        {%- endif %}
    {%- elif k == 'salesforce_lead_created' -%}
        event_type = 'salesforce_lead_created'
    {%- elif k == 'salesforce_lead_converted' -%}
        event_type = 'salesforce_lead_converted'
    {%- elif k == 'salesforce_lead_status_in' -%}
        event_type = 'salesforce_lead_status' and property_value in ({{ funnel_string_list(node['values']) }})
    {%- elif k == 'deal_created' -%}
        event_type = 'deal_created' and pipeline_id = {{ funnel_string(node.pipeline) }}
        and coalesce(deal_amount_reporting, 0) >= {{ funnel_number(node.min_amount) }}
    {%- elif k == 'deal_stage_reached' -%}
        event_type = 'deal_stage_change' and pipeline_id = {{ funnel_string(node.pipeline) }}
        {%- if node.won %}
        and deal_stage_is_won
        {%- else %}
        and not deal_stage_is_lost
        and deal_stage_order >= (
            select min(display_order) from {{ ref('int_deal_stages') }}
            where pipeline_id = {{ funnel_string(node.pipeline) }} and stage_id = {{ funnel_string(node.stage) }}
        )
        {%- endif %}
    {%- else -%}
        {{ exceptions.raise_compiler_error("unknown criterion kind in the compiled contract: " ~ k) }}
    {%- endif -%}
{%- endmacro %}

{# Every contract stage with its order, as rows (stage, stage_order). #}
{% macro stage_rows() -%}
    {%- for stage in funnel_contract().stages %}
    select {{ funnel_string(stage.key) }} as stage, {{ stage.order | int }} as stage_order
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
