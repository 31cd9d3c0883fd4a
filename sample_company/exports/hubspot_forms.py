"""Forms (GET /marketing/v3/forms) and their submissions (GET /form-integrations/v1/submissions/forms/<id>)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..simulate.clock import Clock
from ..simulate.forms import FORM_KEYS, page_url
from .hubspot_objects import setup_time
from .pages import API, text_or_none, write_json, write_pages

_FIELDS = {
    "demo_request": ("email", "firstname", "lastname", "company", "jobtitle"),
    "contact_us": ("email", "firstname", "lastname", "company"),
    "ebook_download": ("email", "firstname", "company"),
    "webinar_registration": ("email", "firstname", "lastname", "company"),
    "newsletter_signup": ("email",),
}


def write_forms(out: Path, ids: dict[str, str], clock: Clock) -> None:
    at = setup_time(clock)
    results = [
        {
            "id": ids[key],
            "name": key,
            "formType": "hubspot",
            "createdAt": at,
            "updatedAt": at,
            "archived": False,
            "fieldGroups": [
                {
                    "groupType": "default_group",
                    "richTextType": "text",
                    "fields": [
                        {
                            "objectTypeId": "0-1",
                            "name": f,
                            "label": f,
                            "required": f == "email",
                            "hidden": False,
                            "fieldType": "email" if f == "email" else "single_line_text",
                        }
                        for f in _FIELDS[key]
                    ],
                }
            ],
        }
        for key in FORM_KEYS
    ]
    write_json(out / "hubspot" / "forms" / "forms.json", {"results": results})


def write_submissions(
    out: Path, subs: pd.DataFrame, records: pd.DataFrame, ids: dict[str, str], page_size: int
) -> dict:
    people = {
        "email": text_or_none(records["email"]),
        "firstname": text_or_none(records["firstname"]),
        "lastname": text_or_none(records["lastname"]),
        "company": text_or_none(records["company_name"]),
        "jobtitle": text_or_none(records["jobtitle"]),
    }
    counts = {}
    for key in FORM_KEYS:
        mine = subs[subs["form"] == key]
        counts[key] = len(mine)
        _write_form(out / "hubspot" / "form_submissions" / ids[key], key, ids[key], mine, people, page_size)
    return counts


def _write_form(
    folder: Path, key: str, form_id: str, subs: pd.DataFrame, people: dict[str, list], page_size: int
) -> None:
    rec = subs["rec"].to_numpy().tolist()
    at = subs["at"].to_numpy().tolist()
    conv = subs["conversion_id"].tolist()
    utm = {c: text_or_none(subs[c]) for c in ("utm_source", "utm_medium", "utm_campaign")}
    fields = _FIELDS[key]
    url = page_url(key)

    def build(lo: int, hi: int) -> list[dict]:
        page = []
        for i in range(lo, hi):
            r = rec[i]
            values = [{"name": f, "value": people[f][r]} for f in fields if people[f][r] is not None]
            values += [{"name": n, "value": v[i]} for n, v in utm.items() if v[i] is not None]
            page.append({"conversionId": conv[i], "submittedAt": int(at[i]), "values": values, "pageUrl": url})
        return page

    write_pages(
        folder,
        len(subs),
        page_size,
        build,
        after_of=lambda i: f"{i:012d}",
        link=lambda after: f"{API}/form-integrations/v1/submissions/forms/{form_id}?limit={page_size}&after={after}",
    )
