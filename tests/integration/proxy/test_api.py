"""Status codes and error bodies of the HTTP API, as Toxiproxy answers them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
import urllib.request

import pytest

from chaos.proxy import ApiError, Err, ProxyServer, ProxyServerThread
from tests.integration.proxy.api_calls import call
from tests.integration.proxy.upstreams import connect, recv_exactly, round_trip

pytestmark = pytest.mark.integration


def create(url: str, name: str, upstream: str, **extra: object) -> tuple[int, dict]:
    return call(f"{url}/proxies", "POST", {"name": name, "upstream": upstream, **extra})


def test_proxy_crud_codes(server: ProxyServerThread, echo_upstream: str) -> None:
    url = server.url
    status, body = create(url, "p", echo_upstream)
    assert status == 201 and body["toxics"] == [] and not body["listen"].endswith(":0")
    assert create(url, "p", echo_upstream) == (
        409,
        {"error": "proxy already exists: p", "status": 409},
    )
    assert call(f"{url}/proxies/p")[0] == 200
    status, body = call(f"{url}/proxies/p", "PATCH", {"enabled": False})
    assert status == 200 and body["enabled"] is False
    status, body = call(f"{url}/proxies/p", "POST", {"enabled": True})
    assert status == 200 and body["enabled"] is True
    assert call(f"{url}/proxies/p", "DELETE") == (204, None)
    assert call(f"{url}/proxies/p") == (404, {"error": "proxy not found: p", "status": 404})
    assert call(f"{url}/proxies/p", "DELETE")[0] == 404


def test_toxic_crud_codes(server: ProxyServerThread, echo_upstream: str) -> None:
    url = server.url
    create(url, "p", echo_upstream)
    toxics = f"{url}/proxies/p/toxics"
    latency = {"type": "latency", "attributes": {"latency": 10}}
    status, body = call(toxics, "POST", latency)
    assert status == 200, "Toxiproxy (and its Go client) answer 200 on toxic create"
    assert body == {
        "attributes": {"latency": 10, "jitter": 0},
        "name": "latency_downstream",
        "type": "latency",
        "stream": "downstream",
        "toxicity": 1.0,
    }
    assert call(toxics, "POST", latency) == (
        409,
        {"error": "toxic already exists: latency_downstream", "status": 409},
    )
    status, body = call(f"{toxics}/latency_downstream", "PATCH", {"attributes": {"jitter": 3}})
    assert status == 200 and body["attributes"] == {"latency": 10, "jitter": 3}
    assert call(toxics)[1] == [body]
    assert call(f"{toxics}/latency_downstream", "DELETE") == (204, None)
    assert call(f"{toxics}/latency_downstream")[0] == 404
    assert call(f"{url}/proxies/nope/toxics", "POST", latency)[0] == 404


@pytest.mark.parametrize(
    ("body", "raw", "message"),
    [
        (None, b"{not json", "bad request body: "),
        (None, b"", "bad request body: EOF"),
        ([1, 2], None, "bad request body: expected a JSON object"),
        ({"type": "latncy"}, None, "invalid toxic type: 'latncy'; did you mean 'latency'?"),
        ({"type": "latency", "stream": "up"}, None, "stream was invalid"),
        ({"type": "latency", "attributes": {"latency": "x"}}, None, "attributes.latency"),
        ({"type": "latency", "attributes": {"latency": -1}}, None, "expected an integer >= 0"),
        ({"type": "latency", "toxicity": "all"}, None, "toxicity: expected float"),
        (None, b"[" * 100_000 + b"]" * 100_000, "bad request body: nested deeper than"),
        (None, b'{"type": ' * 40 + b"1" + b"}" * 40, "bad request body: nested deeper than"),
        (None, b'{"type": "latency", "toxicity": NaN}', "bad request body: NaN"),
        (None, b'{"type": "latency", "toxicity": -Infinity}', "bad request body: -Infinity"),
        (None, b'{"type": "latency", "toxicity": 1e999}', "bad request body: 1e999"),
    ],
)
def test_bad_toxic_bodies_are_400(
    server: ProxyServerThread, echo_upstream: str, body: object, raw: bytes | None, message: str
) -> None:
    create(server.url, "p", echo_upstream)
    status, answer = call(f"{server.url}/proxies/p/toxics", "POST", body, raw=raw)
    assert status == 400 and answer["status"] == 400
    assert answer["error"].startswith(message) or message in answer["error"]
    assert call(f"{server.url}/proxies/p/toxics") == (200, []), "nothing was added"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"type": "latency", "stream": "UPSTREAM"}, {"stream": "upstream"}),
        ({"type": "latency", "stream": "Downstream"}, {"name": "latency_downstream"}),
        (
            {"type": "slicer", "attributes": {"average_size": 4, "size_variation": 9}},
            {"attributes": {"average_size": 4, "size_variation": 9, "delay": 0}},
        ),
    ],
)
def test_toxiproxy_accepts_these_bodies_so_do_we(
    server: ProxyServerThread, echo_upstream: str, body: dict, expected: dict
) -> None:
    create(server.url, "p", echo_upstream)
    status, answer = call(f"{server.url}/proxies/p/toxics", "POST", body)
    assert status == 200, answer
    assert {key: answer[key] for key in expected} == expected


def test_non_finite_numbers_never_reach_a_response(
    server: ProxyServerThread, echo_upstream: str
) -> None:
    create(server.url, "p", echo_upstream)
    raw = b'{"type": "latency", "attributes": {"latency": Infinity}}'
    assert call(f"{server.url}/proxies/p/toxics", "POST", raw=raw)[0] == 400
    call(f"{server.url}/proxies/p/toxics", "POST", {"type": "latency", "toxicity": 0.5})
    update = f"{server.url}/proxies/p/toxics/latency_downstream"
    assert call(update, "PATCH", raw=b'{"toxicity": NaN}')[0] == 400
    with urllib.request.urlopen(f"{server.url}/proxies", timeout=5) as response:
        text = response.read().decode()
    strict = json.loads(text, parse_constant=lambda token: pytest.fail(f"{token} in {text}"))
    assert strict["p"]["toxics"][0]["toxicity"] == 0.5


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"upstream": "127.0.0.1:1"}, "missing required field: name"),
        ({"name": "x"}, "missing required field: upstream"),
        ({"name": 5, "upstream": "127.0.0.1:1"}, "name: expected str"),
        ({"name": "x", "upstream": "u:1", "listen": "nowhere"}, "expected host:port"),
        ({"name": "x", "upstream": "u:1", "listen": "0.0.0.0:0"}, "--allow-remote"),
        ({"name": "x", "upstream": "u:1", "enabled": "yes"}, "enabled: expected bool"),
    ],
)
def test_bad_proxy_bodies_are_400(server: ProxyServerThread, body: object, message: str) -> None:
    status, answer = call(f"{server.url}/proxies", "POST", body)
    assert (status, answer["status"]) == (400, 400)
    assert message in answer["error"]
    assert call(f"{server.url}/proxies")[1] == {}, "nothing half-created"


def test_listen_conflict_is_500_as_toxiproxy(server: ProxyServerThread, echo_upstream: str) -> None:
    _, first = create(server.url, "a", echo_upstream)
    status, answer = create(server.url, "b", echo_upstream, listen=first["listen"])
    assert status == 500 and answer["error"].startswith("could not listen")


def test_populate_creates_keeps_and_replaces(server: ProxyServerThread, echo_upstream: str) -> None:
    url = server.url
    status, body = call(f"{url}/populate", "POST", [{"name": "a", "upstream": echo_upstream}])
    assert status == 201
    listen = body["proxies"][0]["listen"]
    call(f"{url}/proxies/a/toxics", "POST", {"type": "latency"})
    same = [{"name": "a", "upstream": echo_upstream, "listen": listen}]
    status, body = call(f"{url}/populate", "POST", same)
    assert status == 201 and len(body["proxies"][0]["toxics"]) == 1, "unchanged proxy kept"
    dup = [{"name": "b", "upstream": echo_upstream}] * 2
    assert call(f"{url}/populate", "POST", dup)[0] == 400
    assert set(call(f"{url}/proxies")[1]) == {"a"}, "a refused populate changes nothing"
    assert call(f"{url}/populate", "POST", {"name": "a"})[0] == 400


def test_reset_version_metrics_and_unknown_routes(
    server: ProxyServerThread, echo_upstream: str
) -> None:
    url = server.url
    _, body = create(url, "p", echo_upstream)
    with connect(body["listen"]) as sock:
        round_trip(sock, b"x" * 1000)
    assert call(f"{url}/reset", "POST") == (204, None)
    assert call(f"{url}/version")[1]["version"].startswith("2.")
    assert call(f"{url}/healthz") == (200, {"status": "ok", "proxies": 1})
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as r:
        text = r.read().decode()
    line = 'toxiproxy_proxy_received_bytes_total{direction="upstream"'
    assert any(row.startswith(line) and row.endswith(" 1000.0") for row in text.splitlines())
    assert call(f"{url}/nope")[0] == 404
    assert call(f"{url}/version", "DELETE")[0] == 405
    assert call(f"{url}/proxies", "GET", **{"User-Agent": "Mozilla/5.0"})[0] == 403


def test_reset_resets_every_proxy_even_when_one_cannot_listen(
    server: ProxyServerThread, echo_upstream: str
) -> None:
    url = server.url
    listens = {name: create(url, name, echo_upstream)[1]["listen"] for name in "abc"}
    for name in "abc":
        call(f"{url}/proxies/{name}/toxics", "POST", {"type": "latency"})
    for name in "ac":
        call(f"{url}/proxies/{name}", "PATCH", {"enabled": False})
    host, port = listens["a"].rsplit(":", 1)
    with socket.socket() as squatter:
        squatter.bind((host, int(port)))
        squatter.listen()
        status, body = call(f"{url}/reset", "POST")
    assert (status, body["status"]) == (500, 500)
    assert body["error"].startswith("could not listen: proxy 'a' (")
    after = call(f"{url}/proxies")[1]
    assert [after[name]["enabled"] for name in "abc"] == [False, True, True]
    assert all(after[name]["toxics"] == [] for name in "abc"), "every proxy lost its toxics"
    with connect(listens["c"]) as sock:
        round_trip(sock)
    assert call(f"{url}/reset", "POST") == (204, None), "a can listen again"


def test_remote_listen_allowed_with_allow_remote(echo_upstream: str) -> None:
    with ProxyServerThread(port=0, allow_remote=True) as server:
        status, body = create(server.url, "p", echo_upstream, listen="0.0.0.0:0")
        assert status == 201 and body["listen"].startswith("0.0.0.0:")


def test_async_context_manager(echo_upstream: str) -> None:
    async def scenario() -> tuple[int, str]:
        async with ProxyServer(port=0) as server:
            status, body = await asyncio.to_thread(create, server.url, "p", echo_upstream)
            return status, body["listen"]

    status, listen = asyncio.run(scenario())
    assert status == 201
    with pytest.raises(ConnectionRefusedError):
        connect(listen)


def test_malformed_requests_never_disturb_other_traffic(
    server: ProxyServerThread, echo_upstream: str
) -> None:
    _, body = create(server.url, "p", echo_upstream)
    stop, errors, exchanges = threading.Event(), [], []

    def traffic() -> None:
        with connect(body["listen"]) as sock:
            while not stop.is_set():
                try:
                    exchanges.append(round_trip(sock, b"steady"))
                except Exception as exc:  # recorded, asserted below
                    errors.append(exc)
                    return

    worker = threading.Thread(target=traffic)
    worker.start()
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    garbage = [
        b"\x00\xff\x13garbage\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST /proxies HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{",
        b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
        b"POST /proxies/p/toxics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ]
    for payload in garbage:
        with socket.create_connection((host, int(port)), timeout=5) as raw:
            raw.sendall(payload)
            raw.shutdown(socket.SHUT_WR)
            with contextlib.suppress(OSError):
                raw.recv(65536)
    for _ in range(3):
        call(f"{server.url}/proxies/p/toxics", "POST", raw=b"\xff\xfe")
        call(f"{server.url}/populate", "POST", raw=b"[[[[[[[[")
    time.sleep(0.1)
    stop.set()
    worker.join(10)
    assert not errors and len(exchanges) > 10
    assert call(f"{server.url}/proxies/p")[0] == 200
    with connect(body["listen"]) as sock:
        sock.sendall(b"still")
        assert recv_exactly(sock, 5) == b"still"


def test_add_proxy_in_process(server: ProxyServerThread, echo_upstream: str) -> None:
    listen = server.add_proxy("direct", echo_upstream)
    with connect(listen) as sock:
        round_trip(sock)
    assert call(f"{server.url}/proxies/direct")[1]["listen"] == listen
    with pytest.raises(ApiError) as caught:
        server.add_proxy("direct", echo_upstream)
    assert caught.value.kind is Err.PROXY_EXISTS
