"""Writing API-shaped JSON pages one at a time, so a million records never sit in memory as text."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

API = "https://api.hubapi.com"


def dump(body: object) -> str:
    """Compact JSON; key order is the order the dicts were built in, so output is stable."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def write_json(path: Path, body: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(body), encoding="utf-8")


def write_pages(
    folder: Path,
    total: int,
    page_size: int,
    build: Callable[[int, int], list[dict]],
    after_of: Callable[[int], str],
    link: Callable[[str], str],
) -> int:
    """Pages of `build(lo, hi)`; every page but the last says where the next one starts.

    `after_of(i)` is the cursor of the page starting at item i. An empty listing is one empty
    page, so readers always find the folder. Returns the number of pages.
    """
    folder.mkdir(parents=True, exist_ok=True)
    pages = max(1, -(-total // page_size))
    for p in range(pages):
        lo, hi = p * page_size, min(total, (p + 1) * page_size)
        body: dict = {"results": build(lo, hi)}
        if hi < total:
            after = after_of(hi)
            body["paging"] = {"next": {"after": after, "link": link(after)}}
        (folder / f"page-{p + 1:05d}.json").write_text(dump(body), encoding="utf-8")
    return pages


def text_or_none(values) -> list:
    """Python strings, with None where pandas holds a missing value (NaN in string columns)."""
    values = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
    return [None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in list(values)]


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    """CSV with `true`/`false` booleans, empty cells for missing values, '\\n' line ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = []
    for name in frame.columns:
        values = frame[name].to_numpy()
        if values.dtype == bool:
            columns.append(np.where(values, "true", "false").tolist())
        else:
            columns.append(
                ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values.tolist()]
            )
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(list(frame.columns))
        writer.writerows(zip(*columns))
