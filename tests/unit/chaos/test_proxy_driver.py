"""The proxy drivers' spec (what the journal keeps) names the token's variable, never the token."""

from __future__ import annotations

import json

import pytest

from chaos.catalog import FAULTS
from chaos.drivers.proxy import ProxyDisable
from chaos.model import TargetRef
from livefire.base.errors import FaultError

SECRET = "s3cret-canary"


@pytest.mark.parametrize("fault", ["edge-latency", "cdn-region-blackhole", "database-partition"])
def test_a_journaled_spec_holds_no_token(fault: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LF_TOKEN", SECRET)
    target = TargetRef("edge-eu", "http://127.0.0.1:9", "edge-eu", token_env="LF_TOKEN")
    driver = FAULTS.get(fault).create(target, {}, "f0")
    spec = driver.spec()
    assert SECRET not in json.dumps(spec)
    part = spec["parts"][0] if spec["driver"] == "all-of" else spec
    assert ProxyDisable(part).token == SECRET  # read from the environment by whoever reverts


def test_an_unset_token_variable_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LF_TOKEN", raising=False)
    driver = ProxyDisable(
        {"api": "http://127.0.0.1:9", "proxy": "edge-eu", "token_env": "LF_TOKEN"}
    )
    with pytest.raises(FaultError, match=r"^proxy edge-eu: environment variable LF_TOKEN"):
        driver.revert()


def test_a_journal_written_before_token_env_still_reverts_with_its_token() -> None:
    legacy = ProxyDisable({"api": "http://127.0.0.1:9", "proxy": "edge-eu", "token": SECRET})
    assert legacy.token == SECRET and "token" not in legacy.spec()
