"""Night over night: two runs of one scenario compared promise by promise.

    runs.py      read RUN_DIR/report.json back, schema-checked (RunDirError names file, field)
    compare.py   pair the checks, judge each delta against the run's tolerance (pure)
    render.py    the comparison as data (schema livefire.compare/1) and as terminal lines
    html.py      compare.html: the table and the run report's plots, baseline overlaid

`compare_dirs(baseline, run)` reads both and compares them; `write(result, out_dir)` writes
compare.json and compare.html. Only `livefire.cli` prints or exits.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from livefire.history import html, render
from livefire.history.compare import Comparison, compare
from livefire.history.runs import load_run

__all__ = ["EXIT_CODES", "Compared", "compare_dirs", "write"]

EXIT_CODES = {"ok": 0, "regressed": 1, "aborted": 3, "inconclusive": 4}  # as `livefire run`
FILES = ("compare.json", "compare.html")


@dataclass(frozen=True)
class Compared:
    """Two runs read and compared, with what is needed to render them."""

    comparison: Comparison
    baseline: dict[str, Any]
    run: dict[str, Any]
    names: tuple[str, str]  # the baseline's and the run's directories, as given

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.comparison.result]

    def summary(self) -> list[str]:
        return render.summary(self.comparison, *self.names)

    def to_json(self) -> dict[str, Any]:
        return render.to_json(self.comparison, *self.names)


def compare_dirs(baseline: Path, run: Path) -> Compared:
    """Read both run directories and compare them; RunDirError for a missing or corrupt
    report, or for runs of two scenarios."""
    names = (str(baseline), str(run))
    before, after = load_run(baseline), load_run(run)
    return Compared(compare(before, after, names), before, after, names)


def write(compared: Compared, out_dir: Path) -> list[Path]:
    """compare.json and compare.html into `out_dir`, each replaced atomically."""
    out_dir.mkdir(parents=True, exist_ok=True)
    texts = (
        json.dumps(compared.to_json(), indent=2) + "\n",
        html.render(compared.comparison, compared.baseline, compared.run, compared.names),
    )
    return [_replace(out_dir / name, text) for name, text in zip(FILES, texts, strict=True)]


def _replace(path: Path, text: str) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
