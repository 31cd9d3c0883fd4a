"""A HubSpot export folder as it looks on each of several days: records arrive late, change after
they were first exported, get merged away, and a few are purged.

The generated company is the last day. Earlier days are derived from its contact pages
(sample_company/exports/as_of.py cuts a record at an instant). Every day the folder is rewritten
in place, a page only when its bytes change, as an export job that re-exports the portal would.
"""

from __future__ import annotations

import random
import shutil
from datetime import timedelta
from pathlib import Path

from sample_company.exports.as_of import contact_pages, last_change, record_as_of, write_pages

BEFORE = timedelta(milliseconds=1)


class DailyExports:
    """Days 1..`days` of the export in `final`; day `days` holds every record's last version."""

    def __init__(self, final: Path, days: int = 10, seed: int = 11) -> None:
        self.final, self.days = final, days
        rng = random.Random(seed)
        self.pages = contact_pages(final)
        self.arrives: dict[str, int] = {}  # record → first day it is exported
        self.final_from: dict[str, int] = {}  # record → first day it shows its last version
        for records in self.pages.values():
            for record in records:
                draw = rng.random()
                if record.get("archived"):
                    if draw < 0.6:  # merged away or deleted on a later day: live until then
                        self.final_from[record["id"]] = rng.randint(2, days)
                elif draw < 0.12:
                    self.arrives[record["id"]] = rng.randint(2, days)
                elif draw < 0.32:  # late updates, re-entries among them
                    self.final_from[record["id"]] = rng.randint(2, days)
        # A few records exported on the first days and purged from HubSpot afterwards.
        donors = [r for records in self.pages.values() for r in records if not r.get("archived")][:5]
        self.purged = [{**record_as_of(r, last_change(r) - BEFORE), "id": f"9{r['id']}"} for r in donors]

    def write(self, day: int, target: Path) -> None:
        """Make `target` the export as of `day` (1-based)."""
        if not target.exists():
            shutil.copytree(self.final, target)
        wanted: dict[str, list[dict]] = {}
        for name, records in self.pages.items():
            for record in records:
                key = record["id"]
                if self.arrives.get(key, 1) > day:
                    continue
                if self.final_from.get(key, 1) > day:
                    # Its version before the last change; an archived record was live then.
                    live = name.replace("contacts_archived/", "contacts/archived-")
                    wanted.setdefault(live, []).append(record_as_of(record, last_change(record) - BEFORE))
                else:
                    wanted.setdefault(name, []).append(record)
        if day <= 4:  # exported with the first page, then gone from every page
            first = min(name for name in wanted if name.startswith("hubspot/contacts/"))
            wanted[first] = wanted[first] + self.purged
        write_pages(target, wanted)
