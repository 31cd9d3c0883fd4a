"""The starter dashboard (funnel/dashboard/, issue #15 item 3): built from the sample run's marts,
rendered in headless Chromium with the network refused, and read back from the rendered DOM.

The expected numbers are computed here with SQL on the marts, not with the module's queries, so
that a wrong query in the module cannot agree with itself.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import numpy as np
import pytest

from funnel.contract import load_contract
from funnel.dashboard import RunContext, build_dashboard, run_day_of
from funnel.engine import models
from funnel.publish import publish
from funnel.run_day import as_of_for

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("analytics")]

RUN_DAY = date(2026, 10, 31)  # the day of the `default_run` fixture (tests/conftest.py)
# HubSpot's internal value for "Marketing qualified lead": the MQL is the stage the contract
# enters on it, whatever its key.
MQL_LIFECYCLE_VALUE = "marketingqualifiedlead"


def _browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    if os.environ.get("CI"):
        pytest.fail("CI must have Chromium to test the dashboard (apt-get install chromium)")
    pytest.skip("no Chromium on this machine")


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    """Headless Chromium with its own profile, every network request sent to a closed port."""
    command = [
        _browser(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--proxy-server=127.0.0.1:9",
        f"--user-data-dir={tmp / 'profile'}",
        *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    return result


class Metrics(HTMLParser):
    """Every element with data-metric: its data attributes and its rendered text."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str]] = []
        self._open: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        data = {k[5:]: v or "" for k, v in attrs if k.startswith("data-")}
        if "metric" in data:
            self._open.append((tag, {**data, "text": ""}))

    def handle_data(self, text: str) -> None:
        for _, element in self._open:
            element["text"] += text

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            self.found.append(self._open.pop()[1])

    def where(self, metric: str, **keys: str) -> list[dict[str, str]]:
        wanted = {k.replace("_", "-"): v for k, v in keys.items()}
        return [e for e in self.found if e["metric"] == metric and all(e.get(k) == v for k, v in wanted.items())]


def _number(text: str) -> float:
    """A number as the page shows it: '1,234', '+14', '-10', '±4.5'."""
    return float(text.strip().replace(",", "").replace("±", "").replace("+", ""))


@pytest.fixture(scope="module")
def page(analytics_run, tmp_path_factory):
    """(marts connection factory, project, page source, rendered DOM metrics, screenshot path)."""
    project = analytics_run
    tmp = tmp_path_factory.mktemp("dashboard")
    # A copy: the page reads a file BI could be holding, never the run's own warehouse. Named
    # marts.duckdb on purpose: the catalog then has the name of the schema, and must still work.
    warehouse = tmp / "marts.duckdb"
    shutil.copyfile(project.settings.warehouse, warehouse)
    out = build_dashboard(warehouse, tmp / "site" / "index.html", contract=project.settings.contract)
    dom = _chromium(tmp, "--dump-dom", out.as_uri()).stdout
    metrics = Metrics()
    metrics.feed(dom)
    screenshot = tmp / "screenshot.png"
    _chromium(tmp, f"--screenshot={screenshot}", "--window-size=1280,2000", out.as_uri())
    return warehouse, project, out.read_text(encoding="utf-8"), dom, metrics, screenshot


def _query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect()
    try:
        con.execute(f"attach '{warehouse}' as warehouse (read_only)")
        con.execute("use warehouse")
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _last_full_month(run_day: date) -> date:
    """The month of the last month-end on or before the run's day."""
    month_end = (run_day + timedelta(days=1)).replace(day=1) - timedelta(days=1)
    return month_end.replace(day=1)


@pytest.mark.parametrize(
    "as_of, run_day, last_full_month",
    [
        # The end of 2026-10-31 in New York is 04:00 UTC the next day (EDT).
        (datetime(2026, 11, 1, 4, tzinfo=UTC), date(2026, 10, 31), date(2026, 10, 1)),
        (datetime(2026, 10, 31, 4, tzinfo=UTC), date(2026, 10, 30), date(2026, 9, 1)),
        (datetime(2026, 1, 2, 5, tzinfo=UTC), date(2026, 1, 1), date(2025, 12, 1)),
        (datetime(2026, 1, 1, 5, tzinfo=UTC), date(2025, 12, 31), date(2025, 12, 1)),
    ],
)
def test_the_last_full_month_is_the_last_one_over_on_the_run_day(as_of, run_day, last_full_month):
    context = RunContext(run_day_of(as_of, "America/New_York"), "America/New_York", as_of, None)
    assert context.run_day == run_day
    assert context.last_full_month == last_full_month == _last_full_month(run_day)
    assert len(context.months) == 12 and context.months[-1] == run_day.replace(day=1)


def test_the_mql_count_of_the_last_full_month_is_the_marts(page):
    warehouse, project, _, _, metrics, _ = page
    contract = load_contract(project.settings.contract).contract
    mql = next(s.key for s in contract.stages if s.entry == {"lifecycle_stage_reached": MQL_LIFECYCLE_VALUE})
    month = _last_full_month(RUN_DAY)
    key = month.strftime("%Y-%m")
    next_month = (month + timedelta(days=32)).replace(day=1)
    expected = _query(
        warehouse,
        "select count(*) from marts.fct_stage_entries where stage = ? and entered_date >= ? and entered_date < ?",
        [mql, month, next_month],
    )[0][0]
    before = _query(
        warehouse,
        "select count(*) from marts.fct_stage_entries where stage = ? and entered_date >= ? and entered_date < ?",
        [mql, (month - timedelta(days=1)).replace(day=1), month],
    )[0][0]
    in_utc = _query(
        warehouse,
        "set TimeZone = 'UTC'; select count(*) from marts.fct_stage_entries "
        "where stage = ? and entered_at >= ? and entered_at < ?",
        [mql, month, next_month],
    )[0][0]
    # The sample is such that the wrong month, or months in UTC, would show another number.
    assert expected > 0 and before != expected != in_utc

    assert [e["text"] for e in metrics.where("last_full_month")] == [key]
    cells = metrics.where("stage_entries", stage=mql, month=key)
    assert len(cells) == 1
    assert _number(cells[0]["text"]) == expected == float(cells[0]["value"])
    kpis = metrics.where("kpi_stage_entries", stage=mql, month=key)
    assert [_number(k["text"]) for k in kpis] == [expected]
    # The targets section counts the same entries (the sample contract sets an MQL target that month).
    assert [_number(t["text"]) for t in metrics.where("actual", stage=mql, period=key)] == [expected]


def test_the_published_copy_dates_the_page_by_its_publication(analytics_run, tmp_path):
    """The default source: the copy publish() writes (older storage format, run context in
    marts._publication, no intermediate schema). Its run day comes from the publication's as_of."""
    project = analytics_run
    contract = load_contract(project.settings.contract).contract
    published = tmp_path / "funnel_published.duckdb"
    publish(
        models(project.settings),
        published,
        run_id="dashboard-test",
        as_of=as_of_for(RUN_DAY, contract.reporting.timezone),
        contract_version=contract.meta.version,
    )
    out = build_dashboard(published, tmp_path / "index.html", contract=project.settings.contract)
    metrics = Metrics()
    metrics.feed(out.read_text(encoding="utf-8"))
    assert [e["text"] for e in metrics.where("run_day")] == [str(RUN_DAY)]
    assert [e["text"] for e in metrics.where("last_full_month")] == [_last_full_month(RUN_DAY).strftime("%Y-%m")]
    assert len(metrics.where("stage_entries")) == 5 * 12


def test_every_stage_and_month_of_the_funnel_table_is_the_marts(page):
    warehouse, _, _, _, metrics, _ = page
    expected = {
        (stage, month): count
        for stage, month, count in _query(
            warehouse,
            "select stage, strftime(date_trunc('month', entered_date), '%Y-%m'), count(*) "
            "from marts.fct_stage_entries group by all",
        )
    }
    shown = {(e["stage"], e["month"]): _number(e["text"]) for e in metrics.where("stage_entries")}
    assert len(shown) == 5 * 12
    assert {k: v for k, v in shown.items() if v != expected.get(k, 0)} == {}


def test_a_team_gap_on_the_page_is_the_team_number_minus_the_canonical_count(page):
    warehouse, project, _, _, metrics, _ = page
    contract = load_contract(project.settings.contract).contract
    mql = next(s.key for s in contract.stages if s.entry == {"lifecycle_stage_reached": MQL_LIFECYCLE_VALUE})
    mql_metrics = [name for name, m in contract.alignment.metrics.items() if m.stage == mql]
    # The latest failing report on MQLs, whoever sent it.
    team, team_metric, start, end, team_value = _query(
        warehouse,
        "select team, team_metric, period_start, period_end, team_value from marts.alignment_reconciliation "
        "where status = 'fail' and list_contains(?, metric) order by period_start desc, team limit 1",
        [mql_metrics],
    )[0]
    canonical = _query(
        warehouse,
        "select count(*) from marts.fct_stage_entries where stage = ? and entered_date between ? and ?",
        [mql, start, end],
    )[0][0]
    gap = float(team_value) - canonical
    assert gap != 0

    period = start.strftime("%Y-%m")
    shown = metrics.where("delta", team=team, team_metric=team_metric, period=period)
    assert len(shown) == 2, "the alignment matrix and the open gaps both show it"
    assert [_number(e["text"]) for e in shown] == [gap, gap]
    assert [
        _number(e["text"]) for e in metrics.where("canonical_value", team=team, team_metric=team_metric, period=period)
    ] == [canonical]


def test_the_open_gaps_are_the_reports_outside_tolerance_not_signed_off_of_the_months_shown(page):
    warehouse, _, _, _, metrics, _ = page
    first = date(RUN_DAY.year - 1, RUN_DAY.month + 1, 1) if RUN_DAY.month < 12 else date(RUN_DAY.year, 1, 1)
    expected = {
        (team, team_metric, start.strftime("%Y-%m"))
        for team, team_metric, start in _query(
            warehouse,
            "select team, team_metric, period_start from marts.alignment_reconciliation "
            "where status not in ('ok', 'accepted') and period_start >= ?",
            [first],
        )
    }
    shown = {(e["team"], e["team-metric"], e["period"]) for e in metrics.where("unexplained_delta")}
    assert shown == expected and len(expected) > 3


def test_the_page_loads_nothing_from_outside_and_names_nobody(page):
    _, _, source, dom, _, _ = page
    for text in (source, dom):
        assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", text, re.IGNORECASE)
        assert not re.search(r"<script|<link|@import|url\(", text, re.IGNORECASE)
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text), "an email address on the page"
    assert "Dana Whitfield" not in source  # the contract's owner: people's names stay out


def _png_pixels(data: bytes) -> np.ndarray:
    """The RGB(A) pixels of an 8-bit, non-interlaced PNG (what Chromium writes), decoded with
    zlib and the PNG row filters, so that the test needs no image library."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, []
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        position += length + 12
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
    assert depth == 8 and interlace == 0 and color in (2, 6)
    channels = 3 if color == 2 else 4
    stride = width * channels
    raw = np.frombuffer(zlib.decompress(b"".join(chunks)), dtype=np.uint8).reshape(height, stride + 1)
    pixels = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:]
        if kind == 0:
            row = line.copy()
        elif kind == 1:  # Sub: a running sum per channel
            row = (line.reshape(width, channels).astype(np.int64).cumsum(axis=0) % 256).astype(np.uint8).ravel()
        elif kind == 2:  # Up
            row = line + previous
        else:  # Average or Paeth: each byte depends on the one before it
            row = np.zeros(stride, dtype=np.uint8)
            line_b, up = line.tolist(), previous.tolist()
            out = [0] * stride
            for x in range(stride):
                left = out[x - channels] if x >= channels else 0
                if kind == 3:
                    out[x] = (line_b[x] + (left + up[x]) // 2) & 255
                else:
                    corner = up[x - channels] if x >= channels else 0
                    p = left + up[x] - corner
                    pa, pb, pc = abs(p - left), abs(p - up[x]), abs(p - corner)
                    pred = left if pa <= pb and pa <= pc else (up[x] if pb <= pc else corner)
                    out[x] = (line_b[x] + pred) & 255
            row = np.array(out, dtype=np.uint8)
        pixels[y], previous = row, row
    return pixels.reshape(height, width, channels)


def test_the_screenshot_shows_a_page_not_a_blank(page):
    screenshot = page[5]
    pixels = _png_pixels(screenshot.read_bytes())
    assert pixels.shape[:2] == (2000, 1280)
    colours = Counter(map(tuple, pixels[:, :, :3].reshape(-1, 3)[::7].tolist()))
    most_common_share = colours.most_common(1)[0][1] / sum(colours.values())
    # Text, tables and coloured bars: many colours, and the background does not fill the page.
    assert len(colours) > 50 and most_common_share < 0.95
    # The bars' blue is drawn (the charts are rendered, not just the tables).
    assert colours[(0x25, 0x63, 0xEB)] > 500


def test_a_file_without_marts_is_refused_in_one_line(tmp_path):
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    env = {**os.environ, "FUNNEL_WAREHOUSE": str(tmp_path / "warehouse" / "funnel.duckdb")}
    for warehouse, says in ((tmp_path / "nowhere.duckdb", "does not exist"), (empty, "has no marts.")):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "funnel.dashboard",
                "--warehouse",
                str(warehouse),
                "--out",
                str(tmp_path / "x.html"),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert result.returncode == 4
        assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
        assert result.stderr.startswith("funnel dashboard: ") and says in result.stderr
        assert not (tmp_path / "x.html").exists()
