"""unified-funnel's core: the contract, the loaders, dbt from Python, the checks' logic, the
publications, the reports and the `funnel` CLI. It never imports Dagster (tests/test_layout.py);
the Dagster definitions that wire it into a job are in orchestration/."""
