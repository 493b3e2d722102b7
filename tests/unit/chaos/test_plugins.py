"""Third-party faults through real entry points: a tiny installed distribution (a dist-info
directory) on a temporary sys.path, found by importlib.metadata as pip would leave it."""

from __future__ import annotations

import itertools
import textwrap
import time
from pathlib import Path

import pytest

from chaos.catalog import FAULTS
from chaos.journal import Journal
from chaos.model import DRIVERS, TargetRef
from chaos.plugins import PluginError, load_plugins
from chaos.safety import FaultSession

_ids = itertools.count()

MODULE = """
from typing import Any
from chaos.model import DRIVERS, FaultType, Params

CALLS: list[str] = []

class Fill(Params):
    percent: int = 90

class FillDriver:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.percent = spec["percent"]
    def inject(self) -> None:
        CALLS.append(f"fill {{self.percent}}")
    def revert(self) -> None:
        CALLS.append("empty")
    def spec(self) -> dict[str, Any]:
        return {{"driver": "{name}", "percent": self.percent}}

DRIVERS.add("{name}", FillDriver)
FAULT = FaultType("{name}", "fills a disk", False, Fill,
                  lambda target, params, fault_id: FillDriver({{"percent": params.percent}}),
                  "command")
NOT_A_FAULT = {{"name": "{name}"}}
CLASH = FaultType("edge-latency", "shadow", False, Fill, FAULT.build, "proxy")
ODD_KIND = FaultType("{name}", "x", False, Fill, FAULT.build, "mainframe")
"""


@pytest.fixture(autouse=True)
def clean_registries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a test's plugin registers is gone afterwards."""
    monkeypatch.setattr(FAULTS, "_items", dict(FAULTS._items))
    monkeypatch.setattr(DRIVERS, "_items", dict(DRIVERS._items))


def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entries: dict[str, str]) -> str:
    """Install module `acme_<n>` and a dist-info declaring `entries` (name -> attribute)."""
    n = next(_ids)
    module, fault = f"acme_{n}_{time.time_ns()}", f"disk-fill-{n}"
    (tmp_path / f"{module}.py").write_text(textwrap.dedent(MODULE.format(name=fault)))
    info = tmp_path / f"acme_chaos_{n}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: acme-chaos-{n}\nVersion: 1.0\n")
    lines = [f"{name.format(fault=fault)} = {module}:{attr}" for name, attr in entries.items()]
    (info / "entry_points.txt").write_text("[livefire.faults]\n" + "\n".join(lines) + "\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    return fault


def test_a_plugin_fault_joins_the_catalog_and_is_reverted_from_the_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fault = install(tmp_path, monkeypatch, {"{fault}": "FAULT"})
    assert load_plugins() == [fault]
    assert load_plugins() == [fault]  # idempotent
    fault_type = FAULTS.get(fault)
    driver = fault_type.create(TargetRef("disk", command={"inject": ["x"]}), {"percent": 95}, "f1")
    session = FaultSession(Journal(tmp_path / "run"))
    (tmp_path / "run").mkdir()
    session.inject("f1", fault, "disk", driver, ttl=30)
    assert session.revert_all() == []  # rebuilt from the journal by the plugin's driver
    calls = __import__(type(driver).__module__).CALLS
    assert calls == ["fill 95", "empty"]


@pytest.mark.parametrize(
    ("name", "attr", "message"),
    [
        ("{fault}", "NOT_A_FAULT", "is a dict, expected a chaos.model.FaultType"),
        ("edge-latency", "CLASH", "fault 'edge-latency' is already in the catalog"),
        ("other-name", "FAULT", "its FaultType is named 'disk-fill-"),
        ("{fault}", "ODD_KIND", "unknown target kind 'mainframe'"),
        ("{fault}", "MISSING", "cannot be loaded: AttributeError"),
    ],
)
def test_bad_plugins_are_refused_naming_the_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, attr: str, message: str
) -> None:
    fault = install(tmp_path, monkeypatch, {name: attr})
    with pytest.raises(PluginError) as caught:
        load_plugins()
    text = str(caught.value)
    assert text.startswith(f"plugin '{name.format(fault=fault)}' (acme_")
    assert "from acme-chaos-" in text and message in text
    assert FAULTS.get("edge-latency").summary == "added latency on an edge link"


def test_the_safety_net_skips_a_broken_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fault = install(tmp_path, monkeypatch, {"{fault}": "FAULT", "broken": "NOT_A_FAULT"})
    assert load_plugins(strict=False) == [fault]
