"""A simulated user's identity against a real API that wants a login: the token from the login
response reaches every request, a 401 logs in again, cookies are kept per user, and each user
takes its own credential pool row."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from livefire.base.connect import EndpointSettings, Identities, Login
from loadgen.config import LoadConfig
from loadgen.http import LeanHttpClient
from loadgen.user_http import EndpointClient, UserHttp

HERE = Path(__file__).parent


@pytest.fixture
def api() -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "auth_server.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("port "), line
        yield f"http://127.0.0.1:{line.split()[1]}"
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


def _config(api: str, pool: Path, refresh: float | None = None) -> LoadConfig:
    login = Login(
        url=f"{api}/login",
        token="$.auth.access_token",
        body='{"user": "${username}", "password": "${password}"}',
        refresh_every=refresh,
    )
    headers = {"Authorization": "Bearer ${token}", "X-Team": "${team}"}
    return LoadConfig(
        run_dir="",
        duration=1,
        users={},
        shape=[],
        endpoints={"discovery": EndpointSettings(headers=headers).to_json()},
        identities=Identities(pool=str(pool), login=login).to_json(),
    )


@pytest.fixture
def pool(tmp_path: Path) -> Path:
    path = tmp_path / "pool.csv"
    path.write_text("username,password,team\nalice,wonder,red\nbob,builder,blue\n")
    return path


def test_each_user_logs_in_with_its_row_and_sends_its_token(api: str, pool: Path) -> None:
    config = _config(api, pool)
    seen = []
    with LeanHttpClient(timeout=5) as lean:
        for name in ("u1", "u2", "u3"):
            client = EndpointClient(lean, UserHttp(config, name), "discovery")
            result = client.get(f"{api}/private")
            assert result.status == 200, result.body
            seen.append(json.loads(result.body))
    assert [(s["user"], s["team"]) for s in seen] == [
        ("alice", "red"),
        ("bob", "blue"),
        ("alice", "red"),  # fewer rows than users: reused round-robin
    ]
    assert len({s["token"] for s in seen}) == 3  # each user logged in itself


def test_a_401_logs_in_again_and_cookies_stay_with_their_user(api: str, pool: Path) -> None:
    config = _config(api, pool)
    with LeanHttpClient(timeout=5) as lean:
        user = UserHttp(config, "u1")
        client = EndpointClient(lean, user, "discovery")
        first = json.loads(client.get(f"{api}/private").body)
        assert first["cookie"] is None  # the first request has no cookie yet
        second = json.loads(client.get(f"{api}/private").body)
        assert second["cookie"] == f"s-{first['user']}" and second["token"] == first["token"]
        requests.post(f"{api}/revoke", timeout=5)
        assert client.get(f"{api}/private").status == 401
        again = json.loads(client.get(f"{api}/private").body)
        assert again["token"] != first["token"] and again["user"] == first["user"]
        other = EndpointClient(lean, UserHttp(config, "u2"), "discovery")
        assert json.loads(other.get(f"{api}/private").body)["cookie"] is None


def test_a_token_is_refreshed_on_schedule(api: str, pool: Path) -> None:
    config = _config(api, pool, refresh=0.2)
    with LeanHttpClient(timeout=5) as lean:
        client = EndpointClient(lean, UserHttp(config, "u1"), "discovery")
        first = json.loads(client.get(f"{api}/private").body)["token"]
        assert json.loads(client.get(f"{api}/private").body)["token"] == first
        time.sleep(0.3)
        assert json.loads(client.get(f"{api}/private").body)["token"] != first


def test_failed_login_is_a_401_not_a_crash(api: str, tmp_path: Path) -> None:
    pool = tmp_path / "wrong.csv"
    pool.write_text("username,password,team\nalice,nope,red\n")
    with LeanHttpClient(timeout=5) as lean:
        client = EndpointClient(lean, UserHttp(_config(api, pool), "u1"), "discovery")
        assert client.get(f"{api}/private").status == 401
