"""Engagements as GET /crm/v3/objects/<calls|emails|meetings|notes|tasks> returns them, and their
contacts as v4 association batches (POST /crm/v4/associations/<type>/contacts/batch/read).

Every property value is a string, as HubSpot's API returns them; outcomes in HubSpot's own
values (a call's disposition as the GUID of one of HubSpot's six default call outcomes). Texts
are generic on purpose: no engagement names the person or their email.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..simulate.clock import iso
from .hubspot_associations import write_batches
from .pages import API, text_or_none, write_pages

# HubSpot's default call outcomes (hs_call_disposition); a portal's custom ones get other GUIDs.
CALL_DISPOSITIONS = {
    "busy": "9d9162e7-6cf3-4944-bf63-4dff82258764",
    "connected": "f240bbac-87c9-4f6e-bf70-924b57d47db7",
    "left_live_message": "a4c4c377-d246-4b32-a13b-75a56a4cd0ff",
    "left_voicemail": "b2cf5968-551e-4856-9783-52b3da59a7d0",
    "no_answer": "73a0d17f-1163-4015-bdd5-ec830791da20",
    "wrong_number": "17b47fee-58de-441e-a44c-c6300d46f273",
}
# hs_call_status follows the disposition: a call nobody picked up did not complete.
_CALL_STATUS = {"no_answer": "NO_ANSWER", "busy": "BUSY"}
# HUBSPOT_DEFINED association type ids, engagement -> contact.
CONTACT_TYPE_IDS = {"calls": 194, "emails": 198, "meetings": 200, "notes": 202, "tasks": 204}
FOLDERS = {"call": "calls", "email": "emails", "meeting": "meetings", "note": "notes", "task": "tasks"}

_TITLES = {
    "first_attempt": "Outbound call",
    "follow_up": "Follow-up call",
    "qualifying_call": "Qualification call",
    "lead_called_in": "Inbound call",
    "discovery_meeting": "Discovery call",
    "demo_meeting": "Product demo",
}
_SUBJECTS = {
    "first_attempt": "Following up on your request",
    "follow_up": "Checking in",
    "deal_email": "Next steps",
    "lead_reply": "Re: Following up on your request",
}
_SEQUENCE_SUBJECTS = {"7100101": "Getting started with Acme Analytics", "7100103": "Quick question about reporting"}
_NOTES = (
    "Discussed their current reporting setup. Interested in a demo.",
    "Call went well; evaluating options this quarter. Follow up next week.",
    "Not the decision maker; asked for an introduction to the team lead.",
    "Budget approved for next quarter. Send pricing overview.",
)
# Keys are HubSpot's hs_task_type values (CALL, EMAIL, and TODO for a plain to-do), not notes to self.
_TASK_SUBJECTS = {"CALL": "Call back", "EMAIL": "Send follow-up email", "TODO": "Prepare account notes"}


def _properties(part: pd.DataFrame, kind: str, owner_ids: np.ndarray) -> dict[str, list]:
    """Each property's values (strings or None) for the engagements of one type."""
    ids = part["id"].astype(str).tolist()
    owner = part["owner"].to_numpy()
    props = {
        "hs_object_id": ids,
        "hs_timestamp": iso(part["ts"].to_numpy(np.float64)).tolist(),
        "hs_createdate": iso(part["created"].to_numpy(np.float64)).tolist(),
        "hs_lastmodifieddate": iso(part["modified"].to_numpy(np.float64)).tolist(),
        "hubspot_owner_id": [owner_ids[o] if o >= 0 else None for o in owner.tolist()],
    }
    activity = part["activity"].to_numpy(dtype=object)
    outcome = part["outcome"].to_numpy(dtype=object)
    inbound = part["direction"].to_numpy(dtype=object) == "inbound"
    if kind == "call":
        props |= {
            "hs_call_direction": np.where(inbound, "INBOUND", "OUTBOUND").tolist(),
            "hs_call_disposition": [CALL_DISPOSITIONS[o] for o in outcome],
            "hs_call_status": [_CALL_STATUS.get(o, "COMPLETED") for o in outcome],
            "hs_call_duration": [str(int(d)) if o == "connected" else "0" for o, d in zip(outcome, part["duration"])],
            "hs_call_title": [_TITLES[a] for a in activity],
        }
    elif kind == "email":
        sequence = text_or_none(part["sequence_id"])
        props |= {
            "hs_email_direction": np.where(inbound, "INCOMING_EMAIL", "EMAIL").tolist(),
            "hs_email_status": [None if i else "SENT" for i in inbound.tolist()],
            "hs_email_subject": [_SEQUENCE_SUBJECTS[s] if s else _SUBJECTS[a] for s, a in zip(sequence, activity)],
            "hs_sequence_id": sequence,
        }
    elif kind == "meeting":
        start = part["ts"].to_numpy(np.float64)
        props |= {
            "hs_meeting_start_time": iso(start).tolist(),
            "hs_meeting_end_time": iso(start + part["duration"].to_numpy(np.float64)).tolist(),
            "hs_meeting_outcome": [o.upper() for o in outcome],
            "hs_meeting_title": [_TITLES[a] for a in activity],
        }
    elif kind == "note":
        props["hs_note_body"] = [_NOTES[i % len(_NOTES)] for i in part["id"].tolist()]
    elif kind == "task":
        task_type = part["task_type"].tolist()
        props |= {
            "hs_task_status": [o.upper() for o in outcome],
            "hs_task_type": task_type,
            "hs_task_subject": [_TASK_SUBJECTS[t] for t in task_type],
        }
    return props


def write_engagements(
    out: Path, engagements: pd.DataFrame, owners: pd.DataFrame, contact_ids: np.ndarray, page_size: int
) -> dict[str, int]:
    """The five engagement folders and their `<type>_to_contacts` associations; {folder: count}."""
    owner_ids = owners["owner_id"].to_numpy(dtype=object)
    counts = {}
    for kind, folder in FOLDERS.items():
        part = engagements[engagements["type"].to_numpy() == kind].sort_values("id", kind="stable")
        props = _properties(part, kind, owner_ids)
        names = list(props)
        columns = [props[name] for name in names]
        ids = props["hs_object_id"]
        created, modified = props["hs_createdate"], props["hs_lastmodifieddate"]

        def build(lo: int, hi: int, names=names, columns=columns, ids=ids, created=created, modified=modified):
            values = zip(*(column[lo:hi] for column in columns))
            return [
                {
                    "id": ids[i],
                    "properties": dict(zip(names, row)),
                    "createdAt": created[i],
                    "updatedAt": modified[i],
                    "archived": False,
                }
                for i, row in zip(range(lo, hi), values)
            ]

        write_pages(
            out / "hubspot" / folder,
            len(ids),
            page_size,
            build,
            after_of=lambda i, ids=ids: ids[i],
            link=lambda a, folder=folder: f"{API}/crm/v3/objects/{folder}?limit={page_size}&archived=false&after={a}",
        )
        linked = part[part["rec"].to_numpy() >= 0]
        pairs = pd.DataFrame(
            {"from": linked["id"].to_numpy(), "to": contact_ids[linked["rec"].to_numpy()], "flag": True}
        )
        type_id = {"category": "HUBSPOT_DEFINED", "typeId": CONTACT_TYPE_IDS[folder], "label": None}
        write_batches(
            out / "hubspot" / "associations" / f"{folder}_to_contacts",
            part["id"].to_numpy(),
            pairs,
            lambda _, type_id=type_id: [type_id],
            page_size,
        )
        counts[folder] = len(part)
    return counts
