"""Target declarations and platform descriptions become TargetRefs, or one clear error."""

from __future__ import annotations

import pytest

from chaos.model import TargetRef
from chaos.targets import TargetDecl, resolve_targets
from livefire.base.description import TargetDescription
from livefire.base.errors import SetupError

API = "http://127.0.0.1:8474"


def test_todays_platform_description_resolves_as_the_conductor_did() -> None:
    description = {"proxy_api": API, "fault_targets": {"edge-eu": {"proxy": "edge-eu"}}}
    assert resolve_targets(TargetDescription.from_json(description)) == {
        "edge-eu": TargetRef("edge-eu", API, "edge-eu")
    }


def test_component_reference_takes_pid_and_restart() -> None:
    description = {
        "components": {"transcoder-1": {"pid": 4242, "url": "http://x", "restart": ["tc", "-v"]}},
        "fault_targets": {"transcoder-1": {"component": "transcoder-1"}},
    }
    ref = resolve_targets(TargetDescription.from_json(description))["transcoder-1"]
    assert (ref.pids, ref.restart_argv, ref.kinds()) == ((4242,), ("tc", "-v"), ("process",))


def test_staging_declarations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TP_TOKEN", "t0k")
    declared = {
        "edge-eu": {"proxy_api": API, "proxy": "edge-eu", "token_env": "TP_TOKEN"},
        "transcoder-1": {"pid_file": "/run/tc.pid", "restart": ["systemctl", "start", "tc"]},
        "redis": {"redis": {"sentinels": ["10.0.0.5:26379"], "master": "chat"}},
        "payments": {"webhook": {"inject": {"url": "https://ops/on", "json": {"a": 1}}}},
    }
    refs = resolve_targets(TargetDescription(fault_targets=declared))
    assert refs["edge-eu"].token_env == "TP_TOKEN"  # the name: the token stays in the env
    assert refs["transcoder-1"].kinds() == ("process",)
    assert (refs["redis"].sentinels, refs["redis"].sentinel_master) == (("10.0.0.5:26379",), "chat")
    assert refs["payments"].webhook == {
        "inject": {"method": "POST", "url": "https://ops/on", "json": {"a": 1}, "headers": {}},
        "revert": None,
    }


def test_every_bad_target_is_reported_at_once() -> None:
    declared = {
        "a": {},
        "b": {"pidd": 3},
        "c": {"component": "nope"},
        "d": {"proxy": "d"},
        "e": {"webhook": {"inject": {"url": "ftp://x"}}},
        "f": {"proxy": "f", "proxy_api": API, "token_env": "LF_UNSET_VARIABLE"},
    }
    with pytest.raises(SetupError) as caught:
        resolve_targets(TargetDescription(fault_targets=declared))
    lines = str(caught.value).splitlines()[1:]
    assert [line.split(":")[0] for line in lines] == [
        "fault_targets.a",
        "fault_targets.b.pidd",
        "fault_targets.c",
        "fault_targets.d",
        "fault_targets.e.webhook.inject.url",
        "fault_targets.f",
    ]
    assert "unknown component 'nope'" in lines[2]
    assert "no proxy_api" in lines[3]
    assert "LF_UNSET_VARIABLE" in lines[5]


def test_decl_is_a_frozen_model() -> None:
    decl = TargetDecl(pid=5)
    with pytest.raises(ValueError):
        decl.pid = 6  # type: ignore[misc]
