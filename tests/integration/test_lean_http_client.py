"""LeanHttpClient against real loopback servers (aiohttp + a raw asyncio server, subprocess).

The client always uses gevent sockets, patched process or not, so greenlets here wait
cooperatively as in a Locust worker.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import gevent
import pytest

from livefire.base.processes import free_port
from loadgen.http import LeanHttpClient, RequestFailed


@contextmanager
def _no_monkey_patching() -> Iterator[None]:
    """Importing locust monkey-patches the whole process; in a pytest run that already imported
    ssl and asyncio for other tests, that late patch breaks them (RecursionError in ssl)."""
    before = os.environ.get("LOCUST_SKIP_MONKEY_PATCH")
    os.environ["LOCUST_SKIP_MONKEY_PATCH"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["LOCUST_SKIP_MONKEY_PATCH"]
        else:
            os.environ["LOCUST_SKIP_MONKEY_PATCH"] = before


with _no_monkey_patching():
    import locust.env

pytestmark = pytest.mark.integration

SERVER = Path(__file__).with_name("lean_http_server.py")


class Servers:
    def __init__(self, http_port: int, raw_port: int) -> None:
        self.http = f"http://127.0.0.1:{http_port}"
        self.raw = f"http://127.0.0.1:{raw_port}"


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    process = subprocess.Popen(
        [sys.executable, str(SERVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdin is not None
    try:
        _, http_port, raw_port = process.stdout.readline().split()
        yield Servers(int(http_port), int(raw_port))
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


@pytest.fixture
def client() -> Iterator[LeanHttpClient]:
    with LeanHttpClient(timeout=5.0) as client:
        yield client


def expected_body(size: int) -> bytes:
    return bytes(i % 251 for i in range(size))


def test_content_length_body_is_read_whole(servers: Servers, client: LeanHttpClient) -> None:
    result = client.get(f"{servers.http}/bytes/1000000")
    assert (result.status, result.error, result.ok) == (200, None, True)
    assert result.body == expected_body(1_000_000)
    assert result.headers["content-length"] == "1000000"
    assert result.sent <= result.first_byte <= result.last_byte


def test_chunked_body_is_reassembled(servers: Servers, client: LeanHttpClient) -> None:
    result = client.get(f"{servers.http}/chunked/30000")
    assert result.ok
    assert result.headers["transfer-encoding"] == "chunked"
    assert result.body == expected_body(30000)


def test_one_tcp_connection_serves_many_requests(servers: Servers, client: LeanHttpClient) -> None:
    results = [client.get(f"{servers.http}/bytes/10240") for _ in range(50)]
    assert all(r.ok and len(r.body) == 10240 for r in results)
    assert len({r.headers["x-peer-port"] for r in results}) == 1


def test_server_closing_after_response_means_a_new_connection(
    servers: Servers, client: LeanHttpClient
) -> None:
    first = client.get(f"{servers.http}/close")
    second = client.get(f"{servers.http}/bytes/10")
    third = client.get(f"{servers.http}/bytes/10")
    assert first.ok and first.body == b"bye" and second.ok and third.ok
    assert first.headers["x-peer-port"] != second.headers["x-peer-port"]
    assert second.headers["x-peer-port"] == third.headers["x-peer-port"]


def test_idle_connection_closed_by_server_is_replaced_transparently(
    servers: Servers, client: LeanHttpClient
) -> None:
    first = client.get(f"{servers.http}/bytes/10")
    time.sleep(1.0)  # the server's keep-alive timeout (0.5 s) closes the idle connection
    second = client.get(f"{servers.http}/bytes/10")
    assert first.ok and second.ok
    assert first.headers["x-peer-port"] != second.headers["x-peer-port"]


def test_body_delimited_by_close(servers: Servers, client: LeanHttpClient) -> None:
    result = client.get(f"{servers.raw}/eof-body")
    assert result.ok and result.body == b"until-close"


def test_truncated_body_is_an_error(servers: Servers, client: LeanHttpClient) -> None:
    result = client.get(f"{servers.raw}/truncated")
    assert result.status == 200 and not result.ok
    assert result.error == "connection closed before the response was complete"
    assert result.last_byte == 0.0


def test_reset_before_response(servers: Servers, client: LeanHttpClient) -> None:
    result = client.get(f"{servers.raw}/reset")
    assert (result.status, result.ok, result.first_byte) == (0, False, 0.0)
    assert result.error in (
        "connection reset",
        "connection closed before the response was complete",
    )


def test_invalid_response(servers: Servers, client: LeanHttpClient) -> None:
    result = client.get(f"{servers.raw}/garbage")
    assert not result.ok and result.error is not None
    assert result.error.startswith("invalid HTTP response")


def test_connection_refused_is_status_zero(client: LeanHttpClient) -> None:
    port = free_port()
    result = client.get(f"http://127.0.0.1:{port}/x")
    assert (result.status, result.ok) == (0, False)
    assert result.error == f"connection refused by 127.0.0.1:{port}"
    assert (result.first_byte, result.last_byte, result.body) == (0.0, 0.0, b"")


@pytest.mark.parametrize("path", ["raw:/silent", "http:/delay/3000"])
def test_timeout_covers_the_whole_response(servers: Servers, path: str) -> None:
    base = servers.raw if path.startswith("raw:") else servers.http
    with LeanHttpClient(timeout=0.3) as client:
        started = time.time()
        result = client.get(base + path.split(":", 1)[1])
        elapsed = time.time() - started
    assert (result.status, result.error) == (0, "timeout after 0.3 s")
    assert elapsed == pytest.approx(0.3, abs=0.1)


def test_per_request_timeout_overrides_the_default(
    servers: Servers, client: LeanHttpClient
) -> None:
    result = client.get(f"{servers.http}/delay/1000", timeout=0.2)
    assert result.error == "timeout after 0.2 s"
    assert client.get(f"{servers.http}/bytes/5").ok  # a fresh connection after the timeout


def test_server_delay_shows_as_latency(servers: Servers, client: LeanHttpClient) -> None:
    client.get(f"{servers.http}/bytes/1")  # connect first: measure the response alone
    result = client.get(f"{servers.http}/delay/300")
    assert result.ok
    assert result.latency_ms == pytest.approx(300, abs=40)
    assert result.latency_ms >= 300
    assert result.intended == result.began <= result.sent


def test_latency_counts_from_intended_send_time(servers: Servers, client: LeanHttpClient) -> None:
    intended = time.time() - 0.2  # the generator was 200 ms late
    result = client.get(f"{servers.http}/bytes/10", intended=intended)
    assert result.intended == intended
    assert result.self_delay_ms == pytest.approx(200, abs=40)
    assert result.latency_ms == pytest.approx(200, abs=40)
    assert result.latency_ms >= result.self_delay_ms


def test_status_codes_and_headers(servers: Servers, client: LeanHttpClient) -> None:
    missing = client.get(f"{servers.http}/status/404")
    moved = client.get(f"{servers.http}/status/302")
    assert (missing.status, missing.ok, missing.error) == (404, False, None)
    assert (moved.status, moved.ok) == (302, True)  # redirects are not followed
    echo = client.get(f"{servers.http}/echo", headers={"X-Trace": "abc"}).body.decode()
    assert "X-Trace: abc" in echo and "User-Agent: livefire" in echo
    assert f"Host: {servers.http.removeprefix('http://')}" in echo


def test_greenlets_wait_concurrently(servers: Servers) -> None:
    clients = [LeanHttpClient() for _ in range(50)]
    started = time.time()
    jobs = [gevent.spawn(c.get, f"{servers.http}/delay/200") for c in clients]
    gevent.joinall(jobs, timeout=5)
    elapsed = time.time() - started
    assert all(job.value is not None and job.value.ok for job in jobs)
    assert elapsed < 1.5  # 50 x 200 ms one after another would take 10 s
    for c in clients:
        c.close()


def test_concurrent_requests_on_one_client_use_separate_connections(servers: Servers) -> None:
    with LeanHttpClient() as client:
        started = time.time()
        jobs = [gevent.spawn(client.get, f"{servers.http}/delay/200") for _ in range(2)]
        gevent.joinall(jobs, timeout=5)
        elapsed = time.time() - started
        results = [job.value for job in jobs]
        assert all(r is not None and r.ok for r in results)
        assert len({r.headers["x-peer-port"] for r in results if r is not None}) == 2
        assert elapsed < 0.39
        again = [client.get(f"{servers.http}/bytes/1") for _ in range(2)]
        assert {r.headers["x-peer-port"] for r in again} <= {
            r.headers["x-peer-port"] for r in results if r is not None
        }


def test_close_drops_idle_connections(servers: Servers) -> None:
    client = LeanHttpClient()
    first = client.get(f"{servers.http}/bytes/1")
    client.close()
    second = client.get(f"{servers.http}/bytes/1")
    assert first.ok and second.ok
    assert first.headers["x-peer-port"] != second.headers["x-peer-port"]


def test_locust_request_event_fields(servers: Servers) -> None:
    environment = locust.env.Environment()
    fired: list[dict[str, Any]] = []
    environment.events.request.add_listener(lambda **kwargs: fired.append(kwargs))
    client = LeanHttpClient(request_event=environment.events.request)
    intended = time.time() - 0.1
    ok = client.get(f"{servers.http}/bytes/2048?x=1", intended=intended)
    named = client.get(f"{servers.http}/status/503", name="segment")
    refused = client.get(f"http://127.0.0.1:{free_port()}/down")
    client.close()

    assert [f["name"] for f in fired] == ["/bytes/2048", "segment", "/down"]
    assert all(f["request_type"] == "GET" and f["context"] == {} for f in fired)
    assert fired[0]["response_time"] == pytest.approx(ok.latency_ms, abs=1e-6)
    assert fired[0]["response_time"] >= 100
    assert fired[0]["response_length"] == 2048
    assert fired[0]["exception"] is None
    assert fired[0]["response"] is ok and fired[0]["start_time"] == intended
    assert isinstance(fired[1]["exception"], RequestFailed)
    assert str(fired[1]["exception"]) == "HTTP 503" and named.status == 503
    assert str(fired[2]["exception"]) == refused.error
    assert fired[2]["response_length"] == 0


def test_locust_statistics_see_the_requests(servers: Servers) -> None:
    environment = locust.env.Environment()
    runner = environment.create_local_runner()
    try:
        with LeanHttpClient(request_event=environment.events.request) as client:
            for _ in range(5):
                client.get(f"{servers.http}/bytes/100", name="playlist")
            client.get(f"{servers.http}/status/500", name="playlist")
        entry = environment.stats.get("playlist", "GET")
        assert (entry.num_requests, entry.num_failures) == (6, 1)
        assert entry.total_content_length == 500
    finally:
        runner.quit()


def _answer_after(listener: socket.socket, delay: float, stop: threading.Event) -> None:
    """Accept nothing for `delay` (the queue stays full), then answer every request."""
    time.sleep(delay)
    listener.settimeout(0.2)
    while not stop.is_set():
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            continue
        threading.Thread(target=_reply, args=(conn,), daemon=True).start()


def _reply(conn: socket.socket) -> None:
    conn.settimeout(3)
    with conn:
        try:
            if conn.recv(4096):
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        except OSError:
            pass


def test_a_slow_connect_is_the_servers_time_not_generator_lag(client: LeanHttpClient) -> None:
    """A full accept queue drops the SYN; the kernel retries it after ~1 s. That second is
    latency (the user waited) but not the generator's lateness (schedule lag)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(2):  # one fills the queue, one more waits in SYN-SENT
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.1)
    stop = threading.Event()
    server = threading.Thread(target=_answer_after, args=(listener, 0.3, stop), daemon=True)
    server.start()
    try:
        intended = time.time()
        result = client.get(f"http://127.0.0.1:{port}/", intended=intended, timeout=5)
    finally:
        stop.set()
        server.join(2)
        for sock in (*fillers, listener):
            sock.close()
    assert result.ok, result.error
    if result.sent - result.began < 0.5:
        pytest.skip("this kernel did not delay the connect")
    assert result.self_delay_ms < 50
    assert result.latency_ms >= 500
