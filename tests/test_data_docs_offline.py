"""GX Data Docs read offline: the index lists the validations without any CDN, in headless
Chromium with no network; runs carry the run's day and id; `warn` failures show as warnings."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from funnel.checks import docs_assets, suites
from funnel.checks.gx_context import data_docs_index, gx_run_name, sync, validate
from funnel.config import EXPECTATIONS_DIR, PROJECT_ROOT
from funnel.contract.load import load_contract
from tests.helpers import CHROMIUM, CHROMIUM_FLAGS

pytestmark = pytest.mark.xdist_group("data_docs")

SUITE = "alignment_marketing"
RUNS = {"2026-10-30": "0a1b2c3d-run-with-a-warning", "2026-10-31": "9f8e7d6c-run-that-fails"}


def _frame(mqls_delta: float) -> pd.DataFrame:
    """A slice of marts.alignment_reconciliation: `leads` (a warn metric) is outside tolerance,
    `mqls` (block) is outside it only when mqls_delta > 3."""
    rows = [
        ("leads", "2026-10-01", 5.0, 9.0, False, 0.0, False),
        ("mqls", "2026-10-01", 3.0, mqls_delta, False, 0.0, False),
    ]
    columns = ["team_metric", "period_start", "allowed_delta", "abs_delta", "has_team_view", "unexplained_delta"]
    return pd.DataFrame(rows, columns=[*columns, "is_accepted"])


@pytest.fixture(scope="module", params=["no_assets", "vendored_assets"])
def site(request, tmp_path_factory) -> Path:
    """A copy of the repository's GX context, validated twice (one run only warns, one fails),
    its Data Docs built without (no_assets) or with the pinned assets (when fetched)."""
    if request.param == "vendored_assets" and not docs_assets.cached():
        pytest.skip("the pinned Data Docs assets are not fetched (python -m funnel.checks.docs_assets)")
    root = tmp_path_factory.mktemp(request.param)
    expectations = root / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, expectations, ignore=shutil.ignore_patterns("uncommitted"))
    # The suite as the contract makes it today (its `leads` tolerance warns, `mqls` blocks).
    sync(expectations, [suites.alignment(load_contract(PROJECT_ROOT / "funnel.yml"), "marketing").suite])
    mp = pytest.MonkeyPatch()
    if request.param == "no_assets":
        mp.setenv(docs_assets.CACHE_ENV, str(root / "no-assets-here"))
    try:
        (warn_day, warn_run), (fail_day, fail_run) = RUNS.items()
        warned = validate(expectations, SUITE, _frame(1.0), run_name=gx_run_name(warn_day, warn_run))
        failed = validate(expectations, SUITE, _frame(10.0), run_name=gx_run_name(fail_day, fail_run))
    finally:
        mp.undo()
    assert not warned.success and [f.meta["severity"] for f in warned.failed] == ["warn"]
    assert not failed.success and {f.meta["severity"] for f in failed.failed} == {"warn", "block"}
    return data_docs_index(expectations).parent


def _chromium(*args: str, url: str, profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _png_pixels(data: bytes) -> np.ndarray:
    """The RGB(A) pixels of an 8-bit PNG (what Chromium writes), as an array (height, width, channels)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, *_ = header
    assert depth == 8 and colour in (2, 6), header
    bpp = 3 if colour == 2 else 4
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, 1 + width * bpp)
    out = np.zeros((height, width * bpp), dtype=np.int32)
    prev = np.zeros(width * bpp, dtype=np.int32)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:].astype(np.int32)
        if kind == 0:
            row = line
        elif kind == 1:
            row = np.cumsum(line.reshape(width, bpp), axis=0).reshape(-1) % 256
        elif kind == 2:
            row = (line + prev) % 256
        else:
            row = np.zeros_like(line)
            for x in range(width * bpp):
                left = row[x - bpp] if x >= bpp else 0
                up, corner = prev[x], (prev[x - bpp] if x >= bpp else 0)
                if kind == 3:
                    row[x] = (line[x] + (left + up) // 2) % 256
                else:
                    p = left + up - corner
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                    pred = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                    row[x] = (line[x] + pred) % 256
        out[y], prev = row, row
    return out.reshape(height, width, bpp)[:, :, :3]


def test_no_page_loads_css_or_js_from_the_network(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 3  # the index, the suite, two validations
    remote = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=[\"']?(?:https?:)?//", re.IGNORECASE)
    for page in pages:
        text = page.read_text()
        assert not remote.search(text), f"{page.relative_to(site)} loads something from the network"
    for local in re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"([^\"#]+)\"", (site / "index.html").read_text()):
        assert (site / local).is_file(), f"index.html refers to a missing file: {local}"


def test_validation_pages_name_the_data_asset_run_and_warnings(site):
    pages = {p.parent.parent.name: p.read_text() for p in site.glob(f"validations/{SUITE}/*/*/*.html")}
    warn_run, fail_run = (gx_run_name(day, run) for day, run in RUNS.items())
    assert set(pages) == {warn_run, fail_run}
    text = {run: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)) for run, page in pages.items()}
    for run, page in pages.items():
        assert f"Data asset: {SUITE} Status:" in text[run]  # GX wrote "Data asset: None"
        assert f"Run Name {run} " in text[run] and "__none__" not in page
    # The run that only breaks a `warn` tolerance passed with warnings; the other failed.
    assert "Status: Passed with warnings Statistics" in text[warn_run]
    assert "Status: Failed Statistics" in text[fail_run]
    assert "Warnings (severity warn) 1 Unsuccessful Expectations 0" in text[warn_run]
    assert "Warnings (severity warn) 1 Unsuccessful Expectations 1" in text[fail_run]
    # Each run has one failed `warn` expectation, drawn with a warning icon, not a failure's cross.
    assert pages[warn_run].count("ge-warning-icon") == 1 and pages[fail_run].count("ge-warning-icon") == 1
    assert "fa-times text-danger" not in pages[warn_run] and "fa-times text-danger" in pages[fail_run]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs Debian's)")
def test_index_shows_the_validation_list_in_headless_chromium_offline(site, tmp_path):
    url = (site / "index.html").as_uri()
    dom = _chromium("--dump-dom", url=url, profile=tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom.stdout))
    for day, run in RUNS.items():
        assert gx_run_name(day, run) in text and day in text
    rows = re.findall(r"<tr\b[^>]*class=\"[^\"]*ge-validation-row[^\"]*\"[^>]*>.*?</tr>", dom.stdout, re.S)
    assert len(rows) == 2, "one row per validation"
    assert all(SUITE in row for row in rows)
    status = [re.search(r"data-status=\"(\w+)\"", row).group(1) for row in rows]
    assert status == ["failed", "warnings"]  # newest first

    screenshot = tmp_path / "index.png"
    shot = _chromium(
        "--window-size=1280,1600", f"--screenshot={screenshot}", url=url, profile=tmp_path / "profile-shot"
    )
    assert shot.returncode == 0, shot.stderr[-2000:]
    pixels = _png_pixels(screenshot.read_bytes())
    assert pixels.shape[:2] == (1600, 1280)
    background = np.all(pixels == pixels[-1, -1], axis=2)
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    assert background.mean() < 0.99 and len(colours) > 20, "the page is blank"
    # The validation list is drawn: text in the table's band (rows below the header), not only at the top.
    inked_rows = np.flatnonzero(~background.all(axis=1))
    assert len(inked_rows) > 100
