"""The knobs that make the sample company as untidy as a real CRM export."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Messiness:
    """How untidy the generated company is. Every knob is on by default; 0 removes its cases.

    A rate is a share of the rows the knob can apply to; a positive rate always yields at least
    one case, so that a small sample still shows every kind of mess.

    duplicate_rate: ordinary persons who get an extra ACTIVE record, created later, whose email
        differs from theirs only by case, surrounding spaces or a `+tag`. It has its own lead
        history, sometimes its own MQL; it is never merged.
    merge_rate: inbound persons whose earliest events sit on an older record (personal gmail or
        outlook address) that was later merged into the business-email record (the survivor).
    merge_chain_rate: inbound persons with three records A -> B -> C: A merged into B, then B
        merged into C. C lists B in hs_merged_object_ids; the archived B lists A.
    skip_mql_rate: inbound SQLs that went from lead straight to salesqualifiedlead (outbound
        prospects always skip MQL).
    regression_rate: MQLs sent back to `lead` (hs_lead_status UNQUALIFIED) and made MQL again
        weeks later; the MQL date property is overwritten, as HubSpot does.
    deals_without_contact_rate: share of deals that have no associated contact at all.
    deleted_rate: junk (bot/spam) contacts that became leads, sometimes MQLs, and were deleted.
    internal_rate: employees (@acme-analytics.com) in the CRM.
    test_rate: form tests (test+N@, qa.x@, @example.com, @mailinator.com), often auto-MQL'd.
    competitor_rate: competitors' staff (@rivalmetrics.io, @pipelinepro.com).
    other_lifecycle_rate: vendors and similar, set to lifecycle stage `other` after entering.
    late_update_rate: MQLs an integration wrote a few days late: the lifecyclestage history
        entry is stamped with the write time (early next month, after the team's report) while
        hs_lifecyclestage_marketingqualifiedlead_date keeps the original instant.
    near_midnight_rate: creation, MQL and SQL events moved to within 90 minutes of a local
        midnight (mostly a month's first midnight), so UTC and reporting-timezone dates differ.
    currencies: currencies deals may be in, drawn USD 80% / EUR 12% / GBP 8% among those listed
        (others are ignored; reporting is always in USD). Ad platforms keep their own currencies.
    """

    duplicate_rate: float = 0.03
    merge_rate: float = 0.02
    merge_chain_rate: float = 0.004
    skip_mql_rate: float = 0.10
    regression_rate: float = 0.04
    deals_without_contact_rate: float = 0.03
    deleted_rate: float = 0.01
    internal_rate: float = 0.01
    test_rate: float = 0.01
    competitor_rate: float = 0.003
    other_lifecycle_rate: float = 0.005
    late_update_rate: float = 0.01
    near_midnight_rate: float = 0.05
    currencies: tuple[str, ...] = ("USD", "EUR", "GBP")

    def as_dict(self) -> dict:
        values = asdict(self)
        values["currencies"] = list(self.currencies)
        return values
