"""The sample company as Fivetran lands it: HubSpot's and the ad platforms' tables in a DuckDB file.

Built from the API-shaped pages (loaded with the product's own file loader into a scratch
database), so both layouts hold the same company. Column names and shapes follow Fivetran's
HubSpot schema: `contact` (history mode: `_fivetran_start/_end/_active`), `contact_property_history`,
`company`, `contact_company`, `deal`, `deal_stage`, `deal_pipeline`, `deal_pipeline_stage`,
`deal_contact`, `owner`, `team`, `team_user`, `form`, `contact_form_submission`. Property columns
are typed (timestamps, numbers), as Fivetran types them. Ad platforms land in `google_ads`,
`linkedin_ads`, `facebook_ads` and `microsoft_ads` with their connectors' report and history tables.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from orchestration.sources import ads, hubspot, salesforce

SCHEMA = "hubspot"
_FAR_FUTURE = "timestamptz '9999-12-31 23:59:59+00'"

# Contact properties as typed Fivetran columns (name → DuckDB type).
CONTACT_PROPERTIES = {
    "email": "varchar", "firstname": "varchar", "lastname": "varchar", "company": "varchar", "jobtitle": "varchar",
    "createdate": "timestamptz", "lastmodifieddate": "timestamptz", "lifecyclestage": "varchar",
    "hs_lead_status": "varchar", "hubspot_owner_id": "bigint", "hs_analytics_source": "varchar",
    "hs_analytics_source_data_1": "varchar", "hs_analytics_source_data_2": "varchar",
    "hs_merged_object_ids": "varchar", "hs_object_source": "varchar", "hubspotscore": "double",
    "hs_lifecyclestage_lead_date": "timestamptz", "hs_lifecyclestage_marketingqualifiedlead_date": "timestamptz",
    "hs_lifecyclestage_salesqualifiedlead_date": "timestamptz", "hs_lifecyclestage_opportunity_date": "timestamptz",
    "hs_lifecyclestage_customer_date": "timestamptz",
}
DEAL_PROPERTIES = {
    "dealname": "varchar", "amount": "double", "deal_currency_code": "varchar", "createdate": "timestamptz",
    "closedate": "timestamptz", "dealtype": "varchar", "deal_source": "varchar", "hs_lastmodifieddate": "timestamptz",
}
COMPANY_PROPERTIES = {
    "name": "varchar", "domain": "varchar", "industry": "varchar", "numberofemployees": "bigint",
    "createdate": "timestamptz", "country": "varchar",
}


def _typed(properties: dict[str, str]) -> str:
    return ",\n".join(
        f"try_cast(properties->>'{name}' as {kind}) as property_{name}" for name, kind in properties.items()
    )


def _statements() -> list[str]:
    return [
        f"create or replace schema {SCHEMA}",
        f"""create table {SCHEMA}.contact as
        select cast(id as bigint) as id, {_typed(CONTACT_PROPERTIES)},
            created_at as _fivetran_start,
            coalesce(archived_at, {_FAR_FUTURE}) as _fivetran_end,
            not is_archived as _fivetran_active,
            now() as _fivetran_synced
        from raw.hubspot_contacts""",
        f"""create table {SCHEMA}.contact_property_history as
        with properties as (
            select id, properties_with_history, unnest(json_keys(properties_with_history)) as name
            from raw.hubspot_contacts
        ),
        changes as (
            select id, name, unnest(from_json(properties_with_history -> name, '["json"]')) as change from properties
        )
        select cast(id as bigint) as contact_id, name, change->>'value' as value,
            cast(change->>'timestamp' as timestamptz) as timestamp, change->>'sourceType' as source,
            change->>'sourceId' as source_id, now() as _fivetran_synced
        from changes""",
        f"""create table {SCHEMA}.company as
        select cast(id as bigint) as id, {_typed(COMPANY_PROPERTIES)}, is_archived as _fivetran_deleted,
            now() as _fivetran_synced
        from raw.hubspot_companies""",
        f"""create table {SCHEMA}.deal as
        select cast(id as bigint) as deal_id, properties->>'pipeline' as deal_pipeline_id,
            properties->>'dealstage' as deal_pipeline_stage_id,
            try_cast(properties->>'hubspot_owner_id' as bigint) as owner_id,
            is_archived as is_deleted, {_typed(DEAL_PROPERTIES)}, is_archived as _fivetran_deleted,
            now() as _fivetran_synced
        from raw.hubspot_deals""",
        f"""create table {SCHEMA}.deal_stage as
        with changes as (
            select id, unnest(from_json(properties_with_history -> 'dealstage', '["json"]')) as change
            from raw.hubspot_deals
        ),
        dated as (
            select cast(id as bigint) as deal_id, change->>'value' as value,
                cast(change->>'timestamp' as timestamptz) as date_entered,
                change->>'sourceType' as source, change->>'sourceId' as source_id
            from changes
        )
        select *, date_entered as _fivetran_start,
            coalesce(lead(date_entered) over (partition by deal_id order by date_entered), {_FAR_FUTURE})
                as _fivetran_end,
            lead(date_entered) over (partition by deal_id order by date_entered) is null as _fivetran_active,
            now() as _fivetran_synced
        from dated""",
        f"""create table {SCHEMA}.deal_pipeline as
        select id as pipeline_id, label, display_order, not is_archived as active, is_archived as _fivetran_deleted,
            now() as _fivetran_synced
        from raw.hubspot_deal_pipelines""",
        f"""create table {SCHEMA}.deal_pipeline_stage as
        with stages as (select id, unnest(from_json(stages, '["json"]')) as stage from raw.hubspot_deal_pipelines)
        select stage->>'id' as stage_id, id as pipeline_id, stage->>'label' as label,
            cast(stage->>'displayOrder' as integer) as display_order,
            cast(stage->'metadata'->>'probability' as double) as probability,
            stage->'metadata'->>'isClosed' = 'true' and cast(stage->'metadata'->>'probability' as double) = 1.0
                as closed_won,
            true as active, false as _fivetran_deleted, now() as _fivetran_synced
        from stages""",
        *[
            f"""create table {SCHEMA}.{table} as
            with targets as (
                select from_id, unnest(from_json(to_objects, '["json"]')) as target
                from raw.hubspot_associations where association = '{association}'
            ),
            types as (
                select from_id, target->>'toObjectId' as to_id,
                    unnest(from_json(target->'associationTypes', '["json"]')) as association_type
                from targets
            )
            select cast(from_id as bigint) as {from_column}, cast(to_id as bigint) as {to_column},
                association_type->>'category' as category,
                cast(association_type->>'typeId' as bigint) as type_id,
                now() as _fivetran_synced
            from types"""
            for table, association, from_column, to_column in (
                ("deal_contact", "deals_to_contacts", "deal_id", "contact_id"),
                ("contact_company", "contacts_to_companies", "contact_id", "company_id"),
            )
        ],
        f"""create table {SCHEMA}.owner as
        select cast(id as bigint) as owner_id, email, first_name, last_name, created_at, updated_at,
            cast(user_id as bigint) as active_user_id, now() as _fivetran_synced
        from raw.hubspot_owners""",
        f"""create table {SCHEMA}.team as
        select distinct cast(team->>'id' as bigint) as id, team->>'name' as name
        from (select unnest(from_json(teams, '["json"]')) as team from raw.hubspot_owners)""",
        f"""create table {SCHEMA}.team_user as
        select cast(team->>'id' as bigint) as team_id, cast(user_id as bigint) as user_id,
            not coalesce(cast(team->>'primary' as boolean), false) as is_secondary_user
        from (select user_id, unnest(from_json(teams, '["json"]')) as team from raw.hubspot_owners)""",
        f"""create table {SCHEMA}.form as
        select id, name, form_type, is_archived as _fivetran_deleted, now() as _fivetran_synced
        from raw.hubspot_forms""",
        # Submissions are filed under the contact whose email the form carried.
        f"""create table {SCHEMA}.contact_form_submission as
        with emails as (
            select properties->>'email' as email, min(cast(id as bigint)) as contact_id
            from raw.hubspot_contacts group by 1
        ),
        fields as (
            select s.conversion_id, v->>'name' as name, v->>'value' as value
            from (select conversion_id, unnest(from_json(form_values, '["json"]')) as v
                  from raw.hubspot_form_submissions) as s
        ),
        submitted as (
            select s.*,
                (select value from fields f where f.conversion_id = s.conversion_id and f.name = 'email' limit 1) as email,
                -- Fivetran keeps no form fields: a visit's UTM values reach it only in the page URL.
                (select string_agg(f.name || '=' || f.value, '&' order by f.name) from fields f
                 where f.conversion_id = s.conversion_id and starts_with(f.name, 'utm_')) as utm_query
            from raw.hubspot_form_submissions s
        )
        select emails.contact_id, submitted.conversion_id, submitted.form_id, submitted.submitted_at as timestamp,
            submitted.page_url || coalesce('?' || submitted.utm_query, '') as page_url,
            null::varchar as title, now() as _fivetran_synced
        from submitted join emails on emails.email = submitted.email""",
    ]


def write_fivetran_hubspot(data_dir: Path, warehouse: Path) -> dict[str, int]:
    """Write the HubSpot pages under `data_dir` as Fivetran's tables into `warehouse`."""
    counts = _convert(data_dir, warehouse, lambda con: hubspot.load(con, data_dir), _statements(), [SCHEMA])
    return {name.split(".", 1)[1]: count for name, count in counts.items()}


def _catalog(con: duckdb.DuckDBPyConnection, path: Path) -> str:
    return con.execute("select database_name from duckdb_databases() where path = ?", [str(path)]).fetchone()[0]


def _ads_statements() -> list[str]:
    return [
        "create or replace schema google_ads",
        """create table google_ads.campaign_stats as
        select cast(customer_id as varchar) as customer_id, date, cast(campaign_id as bigint) as campaign_id,
            cost_micros, clicks, impressions, conversions, now() as _fivetran_synced
        from raw.google_ads_campaign_stats""",
        """create table google_ads.campaign_history as
        select distinct cast(campaign_id as bigint) as id, campaign_name as name,
            timestamptz '2024-01-01 00:00:00+00' as updated_at
        from raw.google_ads_campaign_stats""",
        """create table google_ads.account_history as
        select distinct cast(customer_id as varchar) as id, customer_currency_code as currency_code,
            timestamptz '2024-01-01 00:00:00+00' as updated_at
        from raw.google_ads_campaign_stats""",
        "create or replace schema linkedin_ads",
        """create table linkedin_ads.ad_analytics_by_campaign as
        select cast(campaign_id as bigint) as campaign_id, date as day, cost_in_local_currency, clicks, impressions,
            cast(external_website_conversions as bigint) as external_website_conversions
        from raw.linkedin_ads_campaign_stats""",
        """create table linkedin_ads.campaign_history as
        select distinct cast(campaign_id as bigint) as id, campaign_name as name, cast(account_id as bigint) as account_id,
            timestamptz '2024-01-01 00:00:00+00' as last_modified_time
        from raw.linkedin_ads_campaign_stats""",
        """create table linkedin_ads.account_history as
        select distinct cast(account_id as bigint) as id, currency,
            timestamptz '2024-01-01 00:00:00+00' as last_modified_time
        from raw.linkedin_ads_campaign_stats""",
        "create or replace schema facebook_ads",
        """create table facebook_ads.basic_campaign as
        select account_id, cast(campaign_id as bigint) as campaign_id, campaign_name, date_start as date, spend,
            impressions, clicks as inline_link_clicks
        from raw.meta_ads_campaign_stats""",
        """create table facebook_ads.basic_campaign_actions as
        select cast(campaign_id as bigint) as campaign_id, date_start as date,
            'offsite_conversion.fb_pixel_lead' as action_type, conversions as value
        from raw.meta_ads_campaign_stats""",
        """create table facebook_ads.account_history as
        select distinct account_id as id, account_currency as currency,
            timestamptz '2024-01-01 00:00:00+00' as updated_time
        from raw.meta_ads_campaign_stats""",
        "create or replace schema microsoft_ads",
        """create table microsoft_ads.campaign_performance_daily_report as
        select TimePeriod as date, cast(AccountId as varchar) as account_id, cast(CampaignId as bigint) as campaign_id,
            CurrencyCode as currency_code, Spend as spend, Clicks as clicks, Impressions as impressions,
            Conversions as conversions
        from raw.microsoft_ads_campaign_stats""",
        """create table microsoft_ads.campaign_history as
        select distinct cast(CampaignId as bigint) as id, CampaignName as name,
            timestamptz '2024-01-01 00:00:00+00' as modified_time
        from raw.microsoft_ads_campaign_stats""",
    ]


# Salesforce object → (Fivetran table, [(column, field, type)]); Fivetran snake-cases field names.
_SALESFORCE = {
    "salesforce_lead": ("lead", [
        ("email", "Email", "varchar"), ("first_name", "FirstName", "varchar"), ("last_name", "LastName", "varchar"),
        ("company", "Company", "varchar"), ("status", "Status", "varchar"), ("lead_source", "LeadSource", "varchar"),
        ("is_converted", "IsConverted", "boolean"), ("converted_date", "ConvertedDate", "date"),
        ("converted_contact_id", "ConvertedContactId", "varchar"),
        ("converted_account_id", "ConvertedAccountId", "varchar"),
        ("converted_opportunity_id", "ConvertedOpportunityId", "varchar"), ("owner_id", "OwnerId", "varchar"),
        ("created_date", "CreatedDate", "timestamptz"), ("last_modified_date", "LastModifiedDate", "timestamptz"),
        ("is_deleted", "IsDeleted", "boolean")]),
    "salesforce_lead_history": ("lead_history", [
        ("lead_id", "LeadId", "varchar"), ("field", "Field", "varchar"), ("old_value", "OldValue", "varchar"),
        ("new_value", "NewValue", "varchar"), ("created_date", "CreatedDate", "timestamptz")]),
    "salesforce_contact": ("contact", [
        ("email", "Email", "varchar"), ("first_name", "FirstName", "varchar"), ("last_name", "LastName", "varchar"),
        ("account_id", "AccountId", "varchar"), ("owner_id", "OwnerId", "varchar"),
        ("lead_source", "LeadSource", "varchar"), ("created_date", "CreatedDate", "timestamptz"),
        ("last_modified_date", "LastModifiedDate", "timestamptz"), ("is_deleted", "IsDeleted", "boolean")]),
    "salesforce_account": ("account", [
        ("name", "Name", "varchar"), ("website", "Website", "varchar"), ("industry", "Industry", "varchar"),
        ("number_of_employees", "NumberOfEmployees", "bigint"), ("created_date", "CreatedDate", "timestamptz"),
        ("is_deleted", "IsDeleted", "boolean")]),
    "salesforce_opportunity": ("opportunity", [
        ("account_id", "AccountId", "varchar"), ("name", "Name", "varchar"), ("stage_name", "StageName", "varchar"),
        ("amount", "Amount", "double"), ("currency_iso_code", "CurrencyIsoCode", "varchar"),
        ("type", "Type", "varchar"), ("lead_source", "LeadSource", "varchar"), ("owner_id", "OwnerId", "varchar"),
        ("created_date", "CreatedDate", "timestamptz"), ("close_date", "CloseDate", "date"),
        ("last_modified_date", "LastModifiedDate", "timestamptz"), ("is_closed", "IsClosed", "boolean"),
        ("is_won", "IsWon", "boolean"), ("is_deleted", "IsDeleted", "boolean")]),
    "salesforce_opportunity_history": ("opportunity_history", [
        ("opportunity_id", "OpportunityId", "varchar"), ("stage_name", "StageName", "varchar"),
        ("amount", "Amount", "double"), ("created_date", "CreatedDate", "timestamptz")]),
    "salesforce_opportunity_contact_role": ("opportunity_contact_role", [
        ("opportunity_id", "OpportunityId", "varchar"), ("contact_id", "ContactId", "varchar"),
        ("is_primary", "IsPrimary", "boolean"), ("role", "Role", "varchar")]),
    "salesforce_user": ("user", [
        ("email", "Email", "varchar"), ("first_name", "FirstName", "varchar"), ("last_name", "LastName", "varchar"),
        ("department", "Department", "varchar"), ("is_active", "IsActive", "boolean")]),
    "salesforce_opportunity_stage": ("opportunity_stage", [
        ("master_label", "MasterLabel", "varchar"), ("api_name", "ApiName", "varchar"),
        ("sort_order", "SortOrder", "integer"), ("is_active", "IsActive", "boolean"),
        ("is_closed", "IsClosed", "boolean"), ("is_won", "IsWon", "boolean"),
        ("default_probability", "DefaultProbability", "double")]),
}


def _salesforce_statements() -> list[str]:
    statements = ["create or replace schema salesforce"]
    for raw_table, (table, columns) in _SALESFORCE.items():
        fields = ", ".join(f"try_cast(record->>'{field}' as {kind}) as {column}" for column, field, kind in columns)
        statements.append(
            f'create table salesforce."{table}" as select id, {fields}, false as _fivetran_deleted, '
            f"now() as _fivetran_synced from raw.{raw_table}"
        )
    return statements


def write_fivetran_salesforce(data_dir: Path, warehouse: Path) -> dict[str, int]:
    """Write the Salesforce pages under `data_dir` as Fivetran's Salesforce tables into `warehouse`."""
    return _convert(data_dir, warehouse, lambda con: salesforce.load(con, data_dir), _salesforce_statements(),
                    ["salesforce"])


def write_fivetran_ads(data_dir: Path, warehouse: Path) -> dict[str, int]:
    """Write the ad platforms' exports under `data_dir` as Fivetran's tables into `warehouse`."""
    return _convert(data_dir, warehouse, lambda con: ads.load(con, data_dir), _ads_statements(),
                    ["google_ads", "linkedin_ads", "facebook_ads", "microsoft_ads"])


def _convert(data_dir: Path, warehouse: Path, load, statements: list[str], schemas: list[str]) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as scratch:
        staged = Path(scratch) / "pages.duckdb"
        con = duckdb.connect(str(staged))
        try:
            load(con)
        finally:
            con.close()
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(warehouse))
        try:
            catalog = _catalog(con, warehouse)
            con.execute(f"attach '{staged}' as pages (read_only)")
            con.execute("begin transaction")
            for statement in statements:
                con.execute(statement.replace("raw.", "pages.raw."))
            con.execute("commit")
            counts = {
                f"{schema}.{table}": con.execute(f'select count(*) from {schema}."{table}"').fetchone()[0]
                for schema, table in con.execute(
                    "select table_schema, table_name from information_schema.tables "
                    f"where table_catalog = '{catalog}' and table_schema in ({', '.join(repr(s) for s in schemas)})"
                ).fetchall()
            }
            con.execute("detach pages")
        finally:
            con.close()
    return counts
