"""The files generated from funnel.yml and sources.yml, their one writer, and where a run finds them.

Generated into the dbt project: the contract macro, the contract's docs block, the semantic
metrics, the sources macro and the line of dbt_project.yml that switches unread sources off; into
the GX folder: one suite (with its validation definition and checkpoint) per slice of the
contract. `funnel compile` is the only command that writes them into the repository, and a test
fails when the committed ones are stale.

Loading the definitions only reads. When the checkout's generated files are those of the
configured contract and sources (the usual case), a run uses the checkout as it is. When they are
not (FUNNEL_CONTRACT or FUNNEL_SOURCES name other files), the run compiles into a scratch copy of
the dbt project and GX folder beside the warehouse (`<warehouse dir>/compiled/<digest>/`), named
by what it holds so that the next run with the same files reuses it and its parsed manifest.
"""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import tempfile
from pathlib import Path

from funnel.checks import slices
from funnel.config import Settings
from funnel.contract import compile as contract_compile
from funnel.contract.load import LoadedContract
from funnel.sources.config import GENERATED_RELATIVE as SOURCES_RELATIVE
from funnel.sources.config import PROJECT_RELATIVE, load_sources, render_dbt_macro, render_dbt_project

COMPLETE = "complete"


def dbt_outputs(loaded: LoadedContract, settings: Settings) -> dict[Path, str]:
    """Every generated file of the dbt project, relative to it, with its text (dbt_project.yml
    is generated in one line: the sources' switches)."""
    sources = load_sources(settings.sources_file)
    project = (settings.dbt_project_dir / PROJECT_RELATIVE).read_text(encoding="utf-8")
    return {
        **contract_compile.outputs(loaded),
        SOURCES_RELATIVE: render_dbt_macro(sources),
        PROJECT_RELATIVE: render_dbt_project(sources, project),
    }


def stale(loaded: LoadedContract, settings: Settings) -> list[str]:
    """The generated files (dbt paths, GX suite names) that differ from what the contract and
    the sources compile to; empty when the configured folders are current. Writes nothing."""
    differing = [
        str(relative)
        for relative, text in dbt_outputs(loaded, settings).items()
        if not (settings.dbt_project_dir / relative).exists()
        or (settings.dbt_project_dir / relative).read_text(encoding="utf-8") != text
    ]
    return differing + [f"GX suite {name}" for name in slices.sync_suites(loaded, settings, write=False)]


def write(loaded: LoadedContract, settings: Settings) -> list[str]:
    """Write every generated file that differs into the configured folders: `funnel compile`."""
    written = [
        str(relative)
        for relative, text in dbt_outputs(loaded, settings).items()
        if contract_compile.write_if_changed(settings.dbt_project_dir / relative, text)
    ]
    return written + [f"GX suite {name}" for name in slices.sync_suites(loaded, settings)]


def for_run(loaded: LoadedContract, settings: Settings) -> Settings:
    """The settings a run uses: the configured folders when current, else a compiled scratch copy."""
    if not stale(loaded, settings):
        return settings
    root = settings.warehouse.parent / "compiled" / _digest(loaded, settings)
    if not (root / COMPLETE).exists():
        _build(loaded, settings, root)
    return dataclasses.replace(settings, dbt_project_dir=root / "dbt_project", expectations_dir=root / "expectations")


def resolve(settings: Settings) -> Settings:
    """for_run for the configured contract: where a run with these settings builds and checks,
    so that readers (`funnel metrics`, `funnel report`) find its manifest and Data Docs."""
    from funnel.contract.load import load_contract

    return for_run(load_contract(settings.contract), settings)


def _build(loaded: LoadedContract, settings: Settings, root: Path) -> None:
    """Copy, compile, then rename into place: a crash leaves a temporary folder, never a half copy.
    Two processes may build the same copy at once (the UI and its run worker): the first rename
    wins, the other drops its own folder; a finished copy is never deleted under a reader."""
    root.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(dir=root.parent, prefix=f"{root.name}.building-"))
    shutil.copytree(settings.dbt_project_dir, building / "dbt_project", ignore=shutil.ignore_patterns("target", "logs"))
    shutil.copytree(settings.expectations_dir, building / "expectations", ignore=shutil.ignore_patterns("uncommitted"))
    scratch = dataclasses.replace(
        settings, dbt_project_dir=building / "dbt_project", expectations_dir=building / "expectations"
    )
    write(loaded, scratch)
    (building / COMPLETE).write_text("")
    try:
        building.rename(root)
    except OSError:
        shutil.rmtree(building, ignore_errors=True)
        if not (root / COMPLETE).exists():
            raise


def _digest(loaded: LoadedContract, settings: Settings) -> str:
    """What the scratch copy holds: the generated files and the checkout's own dbt and GX files."""
    digest = hashlib.sha256(loaded.sha256.encode())
    for relative, text in sorted(dbt_outputs(loaded, settings).items()):
        digest.update(str(relative).encode() + text.encode())
    for folder, skip in ((settings.dbt_project_dir, {"target", "logs"}), (settings.expectations_dir, {"uncommitted"})):
        for path in sorted(folder.rglob("*")):
            parts = path.relative_to(folder).parts
            if path.is_file() and not skip.intersection(parts):
                digest.update("/".join(parts).encode() + path.read_bytes())
    return digest.hexdigest()[:16]
