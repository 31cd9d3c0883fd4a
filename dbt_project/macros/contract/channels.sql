{#- Channels: the contract's ordered rules over HubSpot's original source; first match wins. -#}

{% macro channel_of(source, source_detail, lead_source='null') -%}
    case
    {%- for channel in funnel_contract().channels %}
        {%- set conditions = [] -%}
        {%- if channel.lead_source -%}
            {%- do conditions.append(lead_source ~ " in (" ~ funnel_string_list(channel.lead_source) ~ ")") -%}
        {%- endif -%}
        {%- if channel.original_source -%}
            {%- do conditions.append(source ~ " in (" ~ funnel_string_list(channel.original_source) ~ ")") -%}
        {%- endif -%}
        {%- if channel.original_source_detail -%}
            {%- do conditions.append(source_detail ~ " in (" ~ funnel_string_list(channel.original_source_detail) ~ ")") -%}
        {%- endif %}
        when {{ conditions | join(' and ') if conditions else 'true' }} then {{ funnel_string(channel.key) }}
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
    case {{ platform }}
    {%- for name, channel in funnel_contract().ad_platforms.items() %}
        when {{ funnel_string(name) }} then {{ funnel_string(channel) }}
    {%- endfor %}
        else {{ funnel_string(funnel_contract().channels[-1].key) }}
    end
{%- endmacro %}

{# Position of a HubSpot lifecycle stage in the contract's order (null outside it, e.g. `other`). #}
{% macro lifecycle_rank(expression) -%}
    case {{ expression }}
    {%- for stage in funnel_contract().lifecycle_order %}
        when {{ funnel_string(stage) }} then {{ loop.index }}
    {%- endfor %}
    end
{%- endmacro %}
