"""The dbt docs site for BI users: every model, column, test, metric and dashboard, in one file.

`dbt docs generate --static` writes `static_index.html` with the manifest and the catalog built
in, so the page opens from disk without a server. dbt writes it into a scratch target folder (and
its logs into a scratch log folder) that is removed afterwards: the project is left as it was,
and the page is copied to `<artifacts>/docs/index.html`. dbt runs in a subprocess, so the
warehouse file is closed when this returns.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from funnel.config import Settings
from funnel.contract.load import LoadedContract


def docs_dir(settings: Settings) -> Path:
    return settings.artifacts_dir / "docs"


def docs_args(project_dir: Path, target: Path, logs: Path) -> list[str]:
    """dbt arguments: a static page, compiled SQL included, nothing written into the project."""
    return [
        "docs",
        "generate",
        "--static",
        "--quiet",
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--target-path",
        str(target),
        "--log-path",
        str(logs),
    ]


def build_docs(loaded: LoadedContract, settings: Settings) -> Path:
    """Write the site and return its page. The warehouse must exist: the catalog (column types,
    row counts) is read from it."""
    from funnel import compiled
    from funnel.transform import dbt_env, dbt_executable, prepare

    if not settings.warehouse.exists():
        raise FileNotFoundError(f"No warehouse at {settings.warehouse}: run `funnel run` first.")
    settings = compiled.for_run(loaded, settings)
    prepare(settings)
    project_dir = settings.dbt_project_dir
    out = docs_dir(settings)
    with tempfile.TemporaryDirectory(prefix="funnel-docs-") as scratch:
        target, logs = Path(scratch) / "target", Path(scratch) / "logs"
        result = subprocess.run(
            [dbt_executable(), *docs_args(project_dir, target, logs)],
            cwd=project_dir,
            env=dbt_env(settings),
            capture_output=True,
            text=True,
            check=False,
        )
        page = target / "static_index.html"
        if result.returncode != 0 or not page.exists():
            raise RuntimeError(f"dbt docs generate failed in {project_dir}:\n{result.stdout}\n{result.stderr}")
        out.mkdir(parents=True, exist_ok=True)
        partial = out / "index.html.tmp"
        shutil.copyfile(page, partial)
        partial.replace(out / "index.html")
    return out / "index.html"
