{#- Channels: the contract's ordered rules over HubSpot's original source (and its two drill-downs)
    or Salesforce's LeadSource; first match wins. -#}

{% macro channel_of(source, source_detail, source_detail_2='null', lead_source='null') -%}
    {#- A channel matches when any of its conditions does; a condition when every field it names
        holds one of its values (an empty condition matches everything: the catch-all). -#}
    {%- set fields = {
        'original_source': source,
        'original_source_detail': source_detail,
        'original_source_detail_2': source_detail_2,
        'lead_source': lead_source,
    } -%}
    case
    {%- for channel in funnel_contract().channels %}
        {%- set alternatives = [] -%}
        {%- for condition in channel.conditions -%}
            {%- set parts = [] -%}
            {%- for field, expression in fields.items() if condition.get(field) -%}
                {%- do parts.append(expression ~ " in (" ~ funnel_string_list(condition[field]) ~ ")") -%}
            {%- endfor -%}
            {%- do alternatives.append('(' ~ (parts | join(' and ') if parts else 'true') ~ ')') -%}
        {%- endfor %}
        when {{ alternatives | join(' or ') if alternatives else 'true' }} then {{ funnel_string(channel.key) }}
    {%- endfor %}
    end
{%- endmacro %}

{# Which team gets credit for what a channel sources. #}
{% macro channel_sourced_by(channel) -%}
    case {{ channel }}
    {%- for ch in funnel_contract().channels %}
        when {{ funnel_string(ch.key) }} then {{ funnel_string(ch.sourced_by) }}
    {%- endfor %}
    end
{%- endmacro %}

{# The channel an ad platform's spend belongs to. #}
{% macro ad_platform_channel(platform) -%}
    {{ case_map(platform, funnel_contract().ad_platforms, funnel_string(funnel_contract().channels[-1].key)) }}
{%- endmacro %}

{# `expression` mapped through a contract mapping (value → value, both quoted), else `otherwise`
   (SQL). A contract may leave a mapping empty: then every row gets `otherwise`. #}
{% macro case_map(expression, mapping, otherwise='null') -%}
    {%- if mapping -%}
    case {{ expression }}
    {%- for key, value in mapping.items() %}
        when {{ funnel_string(key) }} then {{ funnel_string(value) }}
    {%- endfor %}
        else {{ otherwise }}
    end
    {%- else -%}
    {{ otherwise }}
    {%- endif -%}
{%- endmacro %}

{# Position of a HubSpot lifecycle stage in the contract's order (null outside it, e.g. `other`). #}
{% macro lifecycle_rank(expression) -%}
    case {{ expression }}
    {%- for stage in funnel_contract().lifecycle_order %}
        when {{ funnel_string(stage) }} then {{ loop.index }}
    {%- endfor %}
    end
{%- endmacro %}
