"""Staging settings: what livefire cannot honour is refused at validation with file:line, and
what it accepts reaches the load generator merged, absolute and with secrets unresolved."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from livefire.base.connect import EndpointSettings
from livefire.base.errors import ScenarioError
from livefire.scenario import load_scenario
from livefire.scenario.staging_checks import pool_rows, unverified

BAD = Path(__file__).parent.parent / "fixtures" / "bad_scenarios"


def test_every_unhonourable_setting_is_refused_on_its_line() -> None:
    path = BAD / "staging_unhonourable.yaml"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    text = str(caught.value)
    expected = [
        ":5: target.staging.hls: 'ftp://cdn.example/live/master.m3u8': ftp:// is not supported",
        ":6: target.staging.chat[0]: 'http://chat.example/ws': http:// is not supported here "
        "(expected an absolute ws:// or wss:// URL)",
        ":10: target.staging.connect.hls.tls.ca: no-such-ca.pem: no such file",
        ":14: target.staging.connect.gifts.headers.X-Api-Key: environment variable "
        "LIVEFIRE_TEST_UNSET_VARIABLE is not set",
        ":15: target.staging.connect.gifts.headers.X-Team: ${team} is not known",
        ":17: target.staging.identities.pool: ",
        ":20: target.staging.identities.login.token: '$..[[' is not a JSON path",
    ]
    for line in expected:
        assert f"{path}{line}" in text, f"missing {line!r} in:\n{text}"
    assert "column 'token' is reserved" in text
    assert len(caught.value.problems) == len(expected), text


def _staging(tmp_path: Path, staging: dict[str, object], users: int = 3) -> Path:
    path = tmp_path / "staging.yaml"
    scenario = {
        "name": "s",
        "duration": "30s",
        "target": {"staging": staging},
        "load": {"users": {"viewer": users}},
        "slos": {"stream_latency_p95": "2s"},
    }
    path.write_text(yaml.safe_dump(scenario))
    return path


def test_accepted_settings_are_merged_absolute_and_still_references(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVEFIRE_TEST_TOKEN", "s3cret-canary")
    (tmp_path / "ca.pem").write_text("not read at validation")
    (tmp_path / "pool.csv").write_text("username,password\na,1\nb,2\n")
    path = _staging(
        tmp_path,
        {
            "hls": [
                {"url": "https://cdn.example/a/master.m3u8", "share": 3},
                {"url": "http://cdn.example/b/master.m3u8", "name": "b"},
            ],
            "connect": {
                "default": {"headers": {"X-Key": "env:LIVEFIRE_TEST_TOKEN"}, "timeout": "3s"},
                "hls": {"headers": {"X-User": "${username}"}, "tls": {"ca": "ca.pem"}},
                "router": {"tls": {"verify": False}},
            },
            "identities": {"pool": "pool.csv"},
        },
    )
    staging = load_scenario(path).scenario.target.staging
    assert staging is not None
    hls = EndpointSettings.from_json(staging.endpoints()["hls"])
    assert hls.headers == {"X-Key": "env:LIVEFIRE_TEST_TOKEN", "X-User": "${username}"}
    assert hls.tls.ca == str(tmp_path / "ca.pem") and hls.timeout == 3.0
    assert EndpointSettings.from_json(staging.endpoints()["chat"]).timeout == 3.0
    assert "s3cret-canary" not in repr(staging.endpoints())
    assert unverified(staging) == ["router"]
    assert pool_rows(staging) == 2
    description = staging.description()
    assert description.master_playlists == {
        "hls1": ["https://cdn.example/a/master.m3u8"],
        "b": ["http://cdn.example/b/master.m3u8"],
    }
    assert description.region_shares == {"hls1": 3.0, "b": 1.0}


def test_a_token_without_a_login_is_refused(tmp_path: Path) -> None:
    path = _staging(
        tmp_path,
        {
            "hls": "https://cdn.example/master.m3u8",
            "connect": {"hls": {"headers": {"Authorization": "Bearer ${token}"}}},
        },
    )
    with pytest.raises(ScenarioError, match=r"\$\{token\} is not known \(a token needs"):
        load_scenario(path)


def test_a_file_reference_is_relative_to_the_scenario(tmp_path: Path) -> None:
    (tmp_path / "key.txt").write_text("k\n")
    ok = _staging(
        tmp_path,
        {
            "hls": "https://cdn.example/m.m3u8",
            "connect": {"hls": {"headers": {"K": "file:key.txt"}}},
        },
    )
    staging = load_scenario(ok).scenario.target.staging
    assert staging is not None
    assert staging.endpoints()["hls"]["headers"] == {"K": f"file:{tmp_path / 'key.txt'}"}
    (tmp_path / "key.txt").unlink()
    with pytest.raises(ScenarioError, match=r"headers\.K: .*key\.txt: no such file"):
        load_scenario(ok)
