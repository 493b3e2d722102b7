"""A creator's cookies are its simulated user's: what the origin sets comes back on the next
request, and `cookies: false` keeps none (the requests session's own jar keeps nothing)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar

import pytest

from livefire.base.connect import EndpointSettings
from loadgen.config import LoadConfig
from loadgen.creator import CreatorSession
from loadgen.recorder import Recorder
from loadgen.user_http import UserHttp
from tests.http_serving import serving

pytestmark = pytest.mark.integration


class Origin(BaseHTTPRequestHandler):
    cookies: ClassVar[list[str | None]] = []

    def do_GET(self) -> None:
        type(self).cookies.append(self.headers.get("Cookie"))
        body = json.dumps({"push": "http://127.0.0.1:9/push"}).encode()
        self.send_response(200)
        self.send_header("Set-Cookie", "sess=abc; Path=/")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def origin() -> Iterator[tuple[str, type[Origin]]]:
    handler = type("O", (Origin,), {"cookies": []})
    with serving(handler) as url:
        yield url, handler


@pytest.mark.parametrize(("keep", "second"), [(True, "sess=abc"), (False, None)])
def test_the_origin_cookie_is_the_users_to_keep_or_not(
    tmp_path: Path, origin: tuple[str, type[Origin]], keep: bool, second: str | None
) -> None:
    url, handler = origin
    settings = EndpointSettings(cookies=keep).to_json()
    config = LoadConfig(str(tmp_path), 1.0, {"creator": 1}, [], endpoints={"origin": settings})
    session = CreatorSession(url, "s", Recorder("w"), user=UserHttp(config, "creator-1"))
    session._route()
    session._route()
    assert handler.cookies == [None, second]
