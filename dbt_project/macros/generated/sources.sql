{#- Generated from sources.yml by `funnel compile`; do not edit. -#}
{% macro funnel_sources() -%}
{%- set payload -%}{% raw %}
{
 "ads": {
  "google_ads": "files",
  "linkedin_ads": "files",
  "meta_ads": "files",
  "microsoft_ads": "files"
 },
 "fivetran": {
  "primary_deal_contact_type_id": 1001
 },
 "hubspot": "files",
 "hubspot_default_currency": null,
 "reports": "files",
 "salesforce": "off"
}
{% endraw %}{%- endset -%}
{{- return(fromjson(payload)) -}}
{%- endmacro %}
