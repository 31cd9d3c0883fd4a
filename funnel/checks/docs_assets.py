"""GX Data Docs that read offline, with real run names and `warn` failures shown as warnings.

GX 1.x writes pages that load Bootstrap, jQuery, bootstrap-table, Font Awesome and Vega from
CDNs, and an index whose validation list exists only as JSON handed to bootstrap-table: offline,
the index is two "Clear Filters" buttons. The site config (gx_context.SITE_CONFIG) plugs in the
two classes below, so every build, whoever starts it, ends offline-ready:

- `OfflineSiteIndexBuilder` lets GX build, then writes the index as plain HTML (a table that
  needs no script), copies the pinned assets into `static/vendor/` and points every page at them;
  a CDN tag with no local copy is dropped, and an inline stylesheet stands in for Bootstrap and
  Font Awesome when they are missing, so a page always reads.
- `WarningAwareValidationResultsPageRenderer` names the data asset, and shows a failed
  expectation whose meta says `severity: warn` with a warning icon, counted apart.

The assets are not in the repository: `python -m funnel.checks.docs_assets` downloads the pinned
npm tarballs once (checking each file's sha256) into a cache beside the environment; runs never
touch the network. Without the cache the docs use the inline styles only.
"""

from __future__ import annotations

import hashlib
import html
import io
import logging
import os
import re
import shutil
import sys
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from great_expectations.render import RenderedStringTemplateContent
from great_expectations.render.renderer.content_block import ValidationResultsTableContentBlockRenderer
from great_expectations.render.renderer.page_renderer import ValidationResultsPageRenderer
from great_expectations.render.renderer.site_builder import DefaultSiteIndexBuilder

logger = logging.getLogger(__name__)

CACHE_ENV = "FUNNEL_DOCS_ASSETS"
REGISTRY = "https://registry.npmjs.org"
VENDOR = "static/vendor"
MARKER = '<meta name="funnel-data-docs" content="offline">'


@dataclass(frozen=True)
class Asset:
    """One file of an npm package, copied to static/vendor/<target>."""

    package: str
    version: str
    member: str
    sha256: str
    target: str
    licence: str


def _tarball(package: str, version: str) -> str:
    return f"{REGISTRY}/{package}/-/{package.rsplit('/', 1)[-1]}-{version}.tgz"


# The files GX 1.24's templates load, at the versions they name (for vega, vega-lite and vega-embed,
# which name only a major version: the newest 5, 5 and 6). bootstrap-prefers-dark.css (880 kB,
# a dark theme) is left out: the pages stay light. Columns: target under static/vendor/, npm
# package@version, file in its tarball, licence, sha256 of the file.
_PINS = """
bootstrap/bootstrap.min.css                        bootstrap@4.3.1                       dist/css/bootstrap.min.css                                               MIT          60b19e5da6a9234ff9220668a5ec1125c157a268513256188ee80f2d2c8d8d36
bootstrap/bootstrap.min.js                         bootstrap@4.3.1                       dist/js/bootstrap.min.js                                                 MIT          0a34a87842c539c1f4feec56bba982fd596b73500046a6e6fe38a22260c6577b
jquery/jquery.min.js                               jquery@3.7.1                          dist/jquery.min.js                                                       MIT          fc9a93dd241f6b045cbff0481cf4e1901becd0e12fb45166a8f17f95823f0b1a
popper/popper.min.js                               popper.js@1.12.9                      dist/umd/popper.min.js                                                   MIT          a52f7aa54d7bcaafa056ee0a050262dfc5694ae28dee8b4cac3429af37ff0d66
bootstrap-table/bootstrap-table.min.css            bootstrap-table@1.19.1                dist/bootstrap-table.min.css                                             MIT          643f536f6982af4d7287af23f89ad457dd7e4a82f9c695330a112b0881c30a4a
bootstrap-table/bootstrap-table.min.js             bootstrap-table@1.19.1                dist/bootstrap-table.min.js                                              MIT          06a571a9beb50bd5ddd60517159775dfec1f3e798fff38fb117ae2350dc9ba9d
bootstrap-table/filter-control.min.css             bootstrap-table@1.19.1                dist/extensions/filter-control/bootstrap-table-filter-control.min.css    MIT          be4e0c0d11f9319f1ad191f7447a38f755728bbaa10903e469f367441ba79ae2
bootstrap-table/filter-control.min.js              bootstrap-table@1.19.1                dist/extensions/filter-control/bootstrap-table-filter-control.min.js     MIT          111f68d31d1bdd714f9503bf5f4e162e0739c363e4ff2feef950d39e78266ffc
bootstrap-datepicker/bootstrap-datepicker.min.css  bootstrap-datepicker@1.9.0            dist/css/bootstrap-datepicker.min.css                                    Apache-2.0   b22c8ea45fe905650f8087108b5ed32c1923bcd80d400adc9b0241f18be40208
bootstrap-datepicker/bootstrap-datepicker.min.js   bootstrap-datepicker@1.9.0            dist/js/bootstrap-datepicker.min.js                                      Apache-2.0   6ea55ea86749ee1fe560fabac6b3effd81b33046fa74dc657e24d41d28110a9f
fontawesome/css/all.min.css                        @fortawesome/fontawesome-free@6.6.0   css/all.min.css                                                          MIT,OFL-1.1  e5e202e3c899507992952533f57b634722b69b34241d271963559d31aa33ef81
fontawesome/webfonts/fa-solid-900.woff2            @fortawesome/fontawesome-free@6.6.0   webfonts/fa-solid-900.woff2                                              OFL-1.1      1f0189e087fcefbf654fad74a3a06668b782c01353a61d5c0b7f0bf23e33c020
fontawesome/webfonts/fa-regular-400.woff2          @fortawesome/fontawesome-free@6.6.0   webfonts/fa-regular-400.woff2                                            OFL-1.1      c732f106e91bc618767fbac8e2c7b27e5c736d477b2bb4fb83f597a43198c33c
fontawesome/webfonts/fa-brands-400.woff2           @fortawesome/fontawesome-free@6.6.0   webfonts/fa-brands-400.woff2                                             OFL-1.1      c411f11975d26eb04cd2aa3c071181d4b18e489f1fb97060d4176a3531dfb36e
fontawesome/webfonts/fa-v4compatibility.woff2      @fortawesome/fontawesome-free@6.6.0   webfonts/fa-v4compatibility.woff2                                        OFL-1.1      2aca24b35bd41474dcc5e7fb5f11ec43fa06e3ac1d0035ad41108fa6b30b0871
vega/vega.min.js                                   vega@5.33.1                           build/vega.min.js                                                        BSD-3-Clause 463f3db6a40b20e9747b4ed38f37ed0add508838f9141b1cf8366784b07b30c8
vega/vega-lite.min.js                              vega-lite@5.23.0                      build/vega-lite.min.js                                                   BSD-3-Clause 58c27358e26f2d319cf62f45bc17a4c8362f08645001df2ec8d341eee4097c7f
vega/vega-embed.min.js                             vega-embed@6.29.0                     build/vega-embed.min.js                                                  BSD-3-Clause 12d02acfbe3ec59ef9a37dd4822a2e04e2961b5bbb671bbe661d2221715b99da
"""  # noqa: E501 (a table)
ASSETS = [
    Asset(package, version, member, sha256, target, licence)
    for target, spec, member, licence, sha256 in (line.split() for line in _PINS.strip().splitlines())
    for package, version in [spec.rsplit("@", 1)]
]

# What GX 1.24's templates load from the network, and the local file standing for each.
CDN = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap/bootstrap.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper/popper.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": "bootstrap-table/filter-control.min.css",  # noqa: E501
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": "bootstrap-table/filter-control.min.css",  # noqa: E501
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": "bootstrap-table/filter-control.min.js",  # noqa: E501
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": "bootstrap-datepicker/bootstrap-datepicker.min.css",  # noqa: E501
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": "bootstrap-datepicker/bootstrap-datepicker.min.js",  # noqa: E501
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "fontawesome/css/all.min.css",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega/vega-embed.min.js",
}

# Stand-ins when Bootstrap or Font Awesome has no local copy: enough for the pages to read.
FALLBACK_BOOTSTRAP_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:15px;color:#212529;margin:0}
a{color:#0b5ed7}table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #dee2e6;padding:.3rem .5rem;text-align:left;vertical-align:top}
.container-fluid{padding:1rem 2rem}.alert{padding:.6rem 1rem;margin:.5rem 0;border-radius:.25rem}
.alert-secondary{background:#e2e3e5}.card{border:1px solid #dee2e6;border-radius:.25rem;margin:.5rem 0}
.badge{display:inline-block;padding:.1em .4em;border-radius:.25rem;background:#6c757d;color:#fff;font-size:85%}
.text-success{color:#198754}.text-danger{color:#dc3545}.text-warning{color:#b8860b}
.navbar{display:flex;align-items:center;padding:.3rem 1rem;border-bottom:1px solid #dee2e6}
.nav-tabs,.breadcrumb{list-style:none;display:flex;gap:1rem;padding:0}.d-none{display:none}
"""
FALLBACK_ICONS_CSS = """
i.fas,i.far{font-style:normal}.fa-check-circle::before{content:"\\2714"}.fa-times::before{content:"\\2716"}
.fa-exclamation-triangle::before{content:"\\26A0"}.fa-question-circle::before{content:"?"}
"""
INDEX_CSS = """
.ge-index{padding:1.5rem 2rem;max-width:1200px}.ge-index h1{font-size:1.5rem;margin:.5rem 0 1rem}
.ge-index h2{font-size:1.2rem;margin:1.5rem 0 .5rem}.ge-index table{width:100%}
.ge-status{font-weight:600;white-space:nowrap}.ge-status-passed{color:#198754}
.ge-status-failed{color:#dc3545}.ge-status-warnings{color:#b8860b}.ge-muted{color:#6c757d}
"""


def cache_dir() -> Path:
    """Where the fetched assets live: $FUNNEL_DOCS_ASSETS, else beside the Python environment."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else Path(sys.prefix) / "share" / "unified-funnel" / "data-docs-assets"


def cached(directory: Path | None = None) -> bool:
    """Whether every pinned asset is in the cache."""
    directory = directory or cache_dir()
    return all((directory / a.target).is_file() for a in ASSETS)


def fetch(directory: Path | None = None) -> list[str]:
    """Download the pinned assets not yet cached (one tarball per package version), each checked
    against its sha256; returns the targets written. Raises on a download or checksum error."""
    directory = directory or cache_dir()
    missing = [a for a in ASSETS if not (directory / a.target).is_file()]
    written = []
    for package, version in sorted({(a.package, a.version) for a in missing}):
        with urllib.request.urlopen(_tarball(package, version), timeout=120) as response:  # noqa: S310 (a fixed https URL)
            archive = tarfile.open(fileobj=io.BytesIO(response.read()), mode="r:gz")
        for asset in (a for a in missing if (a.package, a.version) == (package, version)):
            member = archive.extractfile(f"package/{asset.member}")
            data = member.read() if member else b""
            if hashlib.sha256(data).hexdigest() != asset.sha256:
                raise ValueError(f"{package}@{version} {asset.member}: sha256 differs from the pinned one")
            target = directory / asset.target
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".partial")
            partial.write_bytes(data)
            partial.replace(target)
            written.append(asset.target)
    return written


def _notice() -> str:
    lines = ["Third-party files copied from the npm registry by funnel.checks.docs_assets:", ""]
    lines += [f"{a.target}: {a.package}@{a.version} {a.member} ({a.licence})" for a in ASSETS]
    return "\n".join(lines) + "\n"


def vendor(site: Path, directory: Path | None = None) -> set[str]:
    """Copy the cached assets into the site; returns the targets the site now has."""
    directory = directory or cache_dir()
    present = set()
    for asset in ASSETS:
        source, target = directory / asset.target, site / VENDOR / asset.target
        if source.is_file():
            if not target.is_file() or target.stat().st_size != source.stat().st_size:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
            present.add(asset.target)
    if present:
        notice = site / VENDOR / "NOTICE.txt"
        if not notice.is_file() or notice.read_text() != _notice():
            notice.write_text(_notice())
    return present


_SCRIPT = re.compile(r"<script\b[^>]*\bsrc=\"(https?://[^\"]+)\"[^>]*>\s*</script>", re.IGNORECASE)
_LINK = re.compile(r"<link\b[^>]*\bhref=\"(https?://[^\"]+)\"[^>]*>", re.IGNORECASE)
_REMOTE_IMAGE = re.compile(r"(<img\b[^>]*\bsrc=\")https?://[^\"]*?/([\w.-]+\.(?:png|svg|gif|ico))(?:\?[^\"]*)?\"")


def _fallback_styles(present: set[str]) -> str:
    css = ("" if "bootstrap/bootstrap.min.css" in present else FALLBACK_BOOTSTRAP_CSS) + (
        "" if "fontawesome/css/all.min.css" in present else FALLBACK_ICONS_CSS
    )
    return f'<style id="funnel-offline">{css}</style>' if css else ""


def localise(page: str, prefix: str, present: set[str], images: set[str]) -> str:
    """A GX page with every CDN script and stylesheet pointed at its local copy (`prefix` leads
    from the page to the site root), or dropped when there is none."""

    def script(match: re.Match) -> str:
        target = CDN.get(match.group(1))
        return f'<script src="{prefix}{VENDOR}/{target}"></script>' if target in present else ""

    def link(match: re.Match) -> str:
        target = CDN.get(match.group(1))
        return f'<link rel="stylesheet" href="{prefix}{VENDOR}/{target}">' if target in present else ""

    def image(match: re.Match) -> str:
        name = match.group(2)
        return f'{match.group(1)}{prefix}static/images/{name}"' if name in images else f'{match.group(1)}"'

    page = _SCRIPT.sub(script, page)
    page = _LINK.sub(link, page)
    page = _REMOTE_IMAGE.sub(image, page)
    head = "<head>\n" + MARKER + _fallback_styles(present)
    return re.sub(r"<head>", lambda _: head, page, count=1, flags=re.IGNORECASE)


def localise_site(site: Path, present: set[str]) -> int:
    """Localise every page GX (re)wrote since the last build; returns how many were."""
    images = {p.name for p in (site / "static" / "images").glob("*")}
    done = 0
    for path in site.rglob("*.html"):
        with path.open(encoding="utf-8") as handle:
            if MARKER in handle.read(4096):
                continue
        depth = len(path.relative_to(site).parts) - 1
        _write(path, localise(path.read_text(encoding="utf-8"), "../" * depth, present, images))
        done += 1
    return done


def _write(path: Path, text: str) -> None:
    """Replace a page whole: a reader (or a concurrent build) never sees half of one."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def is_warning(result: Any) -> bool:
    """A failed expectation that only warns (meta severity `warn`, as the contract's tolerances say)."""
    config = getattr(result, "expectation_config", None)
    raised = bool((getattr(result, "exception_info", None) or {}).get("raised_exception"))
    return not result.success and not raised and config is not None and (config.meta or {}).get("severity") == "warn"


def _failures(validation: Any) -> tuple[int, int]:
    """(failed expectations, of which only warn)."""
    failed = [r for r in validation.results if not r.success]
    return len(failed), sum(is_warning(r) for r in failed)


def status(validation: Any) -> str:
    """passed, warnings (every failed expectation only warns) or failed."""
    failed, warned = _failures(validation)
    return "passed" if not failed else ("warnings" if failed == warned else "failed")


STATUS_LABEL = {"passed": "\u2714 passed", "warnings": "\u26a0 warnings", "failed": "\u2716 failed"}


def _run_time(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if hasattr(value, "strftime") else str(value or "")


def render_index(links: dict, statuses: dict[str, str], present: set[str]) -> str:
    """The index as plain HTML: the validation list (newest first) and the suites, readable with no
    script and no stylesheet; bootstrap-table, when vendored, only adds search and sorting."""
    e = html.escape
    css = "".join(
        f'<link rel="stylesheet" href="{VENDOR}/{t}">'
        for t in ("bootstrap/bootstrap.min.css", "bootstrap-table/bootstrap-table.min.css")
        if t in present
    )
    rows = []
    for link in links.get("validations_links", []):
        state = statuses.get(link["filepath"], "passed" if link.get("validation_success") else "failed")
        run_name = link.get("run_name") or ""
        rows.append(
            f'<tr class="ge-validation-row" data-status="{state}">'
            f'<td><span class="ge-status ge-status-{state}">{e(STATUS_LABEL[state])}</span></td>'
            f'<td><a href="{e(link["filepath"])}">{e(run_name) or "<span class=ge-muted>(no run name)</span>"}</a></td>'
            f"<td>{e(_run_time(link.get('run_time')))}</td>"
            f'<td><a href="{e(link["expectation_suite_filepath"] or "")}">{e(link["expectation_suite_name"])}</a></td>'
            f"<td>{e(link.get('asset_name') or '')}</td></tr>"
        )
    suites = "".join(
        f'<li><a href="{e(link["filepath"])}">{e(link["expectation_suite_name"])}</a></li>'
        for link in links.get("expectations_links", [])
    )
    scripts = ""
    if {"jquery/jquery.min.js", "bootstrap-table/bootstrap-table.min.js"} <= present:
        scripts = (
            f'<script src="{VENDOR}/jquery/jquery.min.js"></script>'
            f'<script src="{VENDOR}/bootstrap-table/bootstrap-table.min.js"></script>'
            "<script>try{jQuery('#ge-validations').bootstrapTable({search:true,pagination:true,pageSize:50,"
            "pageList:[50,200,'All']})}catch(e){}</script>"
        )
    site = e(links.get("site_name") or "")
    count = len(rows)
    table = (
        '<table id="ge-validations" class="table table-sm table-hover"><thead><tr>'
        '<th data-sortable="true">Status</th><th data-sortable="true">Run (day and run id)</th>'
        '<th data-sortable="true">Run time</th><th data-sortable="true">Expectation suite</th>'
        '<th data-sortable="true">Data asset</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"
        if rows
        else "<p>No validation yet.</p>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head>\n'
        f'{MARKER}<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Data Docs | {site}</title>{css}{_fallback_styles(present)}<style>{INDEX_CSS}</style>"
        '<link rel="icon" href="static/images/favicon.ico"></head>\n<body><main class="ge-index">'
        f'<h1><img src="static/images/logo-long.png" alt="Great Expectations" style="height:40px;'
        f'vertical-align:middle"> Data Docs <span class="ge-muted">| {site}</span></h1>'
        f'<h2 id="validation-results">Validation results <span class="ge-muted">({count}, newest first)</span></h2>'
        f"{table}"
        f'<h2 id="expectation-suites">Expectation suites</h2><ul>{suites}</ul>'
        f"</main>{scripts}</body></html>\n"
    )


class OfflineSiteIndexBuilder(DefaultSiteIndexBuilder):
    """GX's index builder, then the offline site: plain index, local assets, localised pages."""

    def build(self, skip_and_clean_missing=True, build_index: bool = True):
        url, links = super().build(skip_and_clean_missing=skip_and_clean_missing, build_index=build_index)
        try:
            self._offline(links)
        except Exception:  # the docs are a view: a problem here must never fail a validation
            logger.exception("could not make the Data Docs offline-ready")
        return url, links

    def _offline(self, links: dict | None) -> None:
        base = getattr(self.target_store.store_backends["index_page"], "full_base_directory", None)
        if base is None:  # not a filesystem site: nothing to localise
            return
        site = Path(base)
        present = vendor(site)
        if links is not None:
            statuses = {
                link["filepath"]: self._status(link)
                for link in links.get("validations_links", [])
                if link.get("validation_success") is False
            }
            self.target_store.write_index_page(render_index(links, statuses, present))
        localise_site(site, present)

    def _status(self, link: dict) -> str:
        """Load a failed result again to tell a warning from a failure (GX's links keep only success)."""
        try:
            validation = self.data_context.get_validation_result(
                expectation_suite_name=link["expectation_suite_name"],
                run_id=link["run_id"],
                batch_identifier=link["batch_identifier"],
                validation_results_store_name=self.source_stores.get("validations"),
            )
            return status(validation)
        except Exception:  # an unreadable result is shown as GX saw it: failed
            logger.warning("could not read %s for its status", link["filepath"], exc_info=True)
            return "failed"


class WarningAwareTableRenderer(ValidationResultsTableContentBlockRenderer):
    """GX's expectation table, with a warning icon for failures that only warn."""

    @classmethod
    def _get_content_block_fn(cls, expectation_type, expectation_config=None):
        row_fn = super()._get_content_block_fn(expectation_type, expectation_config)
        if row_fn is None:
            return None

        def row(configuration=None, result=None, runtime_configuration=None, **kwargs):
            rows = row_fn(
                configuration=configuration, result=result, runtime_configuration=runtime_configuration, **kwargs
            )
            if result is not None and is_warning(result) and rows and rows[0]:
                rows[0][0] = RenderedStringTemplateContent(
                    content_block_type="string_template",
                    string_template={
                        "template": "$icon",
                        "params": {"icon": "", "markdown_status_icon": "\u26a0\ufe0f"},
                        "styling": {
                            "params": {
                                "icon": {
                                    "classes": ["fas", "fa-exclamation-triangle", "text-warning", "ge-warning-icon"],
                                    "tag": "i",
                                    "attributes": {"title": "warning: severity warn, does not block the run"},
                                }
                            }
                        },
                    },
                )
            return rows

        return row


class WarningAwareValidationResultsPageRenderer(ValidationResultsPageRenderer):
    """GX's validation page, naming the data asset and telling warnings from failures."""

    def __init__(self, column_section_renderer=None, run_info_at_end: bool = False, data_context=None) -> None:
        if column_section_renderer is None:
            column_section_renderer = {
                "class_name": "ValidationResultsColumnSectionRenderer",
                "table_renderer": {"module_name": __name__, "class_name": "WarningAwareTableRenderer"},
            }
        super().__init__(column_section_renderer, run_info_at_end, data_context)

    @classmethod
    def _render_validation_header(cls, validation_results):
        header = super()._render_validation_header(validation_results)
        params = header.subheader.string_template["params"]
        # GX looks for the asset in batch_kwargs/batch_spec, where a fluent datasource keeps none.
        if not params.get("data_asset_name"):
            params["data_asset_name"] = validation_results.asset_name or "(unnamed)"
        if status(validation_results) == "warnings":
            params["success"] = "Passed with warnings"
            params["html_success_icon"] = '<i class="fas fa-exclamation-triangle text-warning" aria-hidden="true"></i>'
        return header

    @classmethod
    def _render_validation_statistics(cls, validation_results):
        _, warned = _failures(validation_results)
        if not warned:
            return super()._render_validation_statistics(validation_results)
        statistics = dict(validation_results.statistics)
        statistics["unsuccessful_expectations"] = statistics.get("unsuccessful_expectations", 0) - warned
        table = super()._render_validation_statistics(SimpleNamespace(statistics=statistics))
        table.table.insert(2, ["Warnings (severity warn)", warned])
        return table


def main() -> int:
    directory = cache_dir()
    try:
        written = fetch(directory)
    except Exception as error:  # offline or a changed file: the docs still build, with inline styles
        print(f"Data Docs assets not fetched ({error}); the docs will use inline styles.", file=sys.stderr)
        return 1
    print(f"Data Docs assets in {directory}: {len(written)} fetched, {len(ASSETS) - len(written)} already there.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
