"""Report formats: every one renders the same plain-data report (schema `livefire.report/1`,
built by `livefire.report.build`) and registers by name in `FORMATS`.

    json        report.json    the report itself
    junit       junit.xml      one test case per promise, for CI test tabs
    html        report.html    one self-contained page with plots, works offline
    prometheus  metrics.prom   verdict figures for a textfile collector or a Pushgateway

`write_all(report, run_dir)` writes them; rendering is pure, so formats are tested without files.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from livefire.base.errors import ReportError
from livefire.reports import html, json, junit, prometheus  # noqa: F401  (they register)
from livefire.reports.base import FORMATS, Report, ReportFormat

__all__ = [
    "DEFAULT_FORMATS",
    "FORMATS",
    "SCHEMA_FILE",
    "Report",
    "ReportFormat",
    "render",
    "write_all",
]

DEFAULT_FORMATS = ("json", "junit", "html", "prometheus")
SCHEMA_FILE = Path(__file__).with_name("report.schema.json")  # JSON Schema of report.json


def render(report: Report, name: str) -> str:
    """The text of one format; an unknown name raises KeyError with a suggestion."""
    return FORMATS.get(name).render(report)


def write_all(
    report: Report, run_dir: Path, formats: Iterable[str] = DEFAULT_FORMATS
) -> list[Path]:
    """Write each format into `run_dir`, returning the paths written, in order.

    Every name is checked before anything is written. One format failing does not stop the
    others (report.json must survive a broken HTML renderer); the failures are raised together
    afterwards as a ReportError. Files are replaced atomically, so a textfile collector never
    reads half a file.
    """
    names = list(formats)
    if unknown := [FORMATS.unknown(n) for n in names if n not in FORMATS]:
        raise ReportError("; ".join(unknown))
    run_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    failed: list[str] = []
    for name in names:
        fmt = FORMATS.get(name)
        try:
            text = fmt.render(report)
        except Exception as exc:  # a renderer bug must not cost the other reports
            failed.append(f"{name} ({fmt.filename}): {type(exc).__name__}: {exc}")
            continue
        written.append(_replace(run_dir / fmt.filename, text))
    if failed:
        done = ", ".join(p.name for p in written) or "nothing"
        raise ReportError(f"could not render {'; '.join(failed)} (wrote {done})")
    return written


def _replace(path: Path, text: str) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; a textfile collector runs as another user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
