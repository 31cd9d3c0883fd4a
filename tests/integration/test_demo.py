"""`funnel demo` (what `make demo` runs) ends with a published copy BI can read — the day before
the sample's last day, its closed-period divergences signed off — and says why the last day is
blocked."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
import yaml

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("demo")]

# Another process, as a BI tool would be: every table of every published schema, read whole.
READ_EVERY_MART = textwrap.dedent(
    """
    import json, sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables order by 1, 2"
    ).fetchall()
    counts = {f"{s}.{t}": len(con.execute(f'select * from "{s}"."{t}"').fetchall()) for s, t in tables}
    status = dict(con.execute(
        "select status, count(*) from marts.alignment_reconciliation group by status"
    ).fetchall())
    signers = [r[0] for r in con.execute(
        "select distinct accepted_by from marts.alignment_reconciliation where accepted_by is not null"
    ).fetchall()]
    print(json.dumps({"counts": counts, "status": status, "signers": signers}))
    """
)


def test_the_demo_leaves_a_published_day_and_says_why_the_last_day_is_blocked(fresh_project):
    settings = fresh_project.settings
    env = fresh_project.env()
    env.pop("FUNNEL_ACCEPTANCES", None)
    done = subprocess.run(
        [sys.executable, "-m", "funnel.cli", "demo"], env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    read = subprocess.run(
        [sys.executable, "-c", READ_EVERY_MART, str(settings.published)], capture_output=True, text=True, timeout=120
    )
    assert read.returncode == 0, read.stderr
    published = json.loads(read.stdout)
    marts = {name: rows for name, rows in published["counts"].items() if name.startswith("marts.")}
    assert len(marts) >= 15
    for name in (
        "marts.fct_stage_entries",
        "marts.funnel_daily",
        "marts.alignment_reconciliation",
        "marts._publication",
    ):
        assert marts[name] > 0, name
    # Reconciled: nothing outside tolerance unless signed off, and the sign-offs are the demo's.
    assert "fail" not in published["status"]
    assert published["status"].get("accepted", 0) > 0
    assert published["signers"] == ["funnel demo"]

    # They live with the sample's data, not beside the contract.
    assert not settings.acceptances.exists()
    signed = yaml.safe_load((settings.data_dir / "alignment_acceptances.yml").read_text())["acceptances"]
    assert len(signed) == published["status"]["accepted"]

    assert "BI reads" in done.stdout and "the run of 2026-10-30" in done.stdout
    assert "The run of 2026-10-31 is blocked" in done.stdout
