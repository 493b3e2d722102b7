"""LeanHttpClient over TLS against real loopback servers (aiohttp behind Python's ssl, in a
subprocess) with a CA the test makes: verification, SNI, mTLS, keep-alive, pool separation,
and every TLS failure as one line in a failed result, never a traceback."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from livefire_stubs.certs import Certs, make_certs

from livefire.base.connect import Tls
from loadgen.http import LeanHttpClient, RequestFailed
from loadgen.tls import TlsSettingsError
from tests.integration.test_lean_http_client import locust

pytestmark = pytest.mark.integration

SERVER = Path(__file__).with_name("lean_https_server.py")


class Servers:
    def __init__(self, certs: Certs, other: Certs, ports: list[int]) -> None:
        self.certs, self.other = certs, other
        self.tls, self.mtls, self.reset = (f"https://127.0.0.1:{port}" for port in ports)
        self.tls_port = ports[0]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    base = tmp_path_factory.mktemp("tls")
    certs, other = make_certs(base / "ours"), make_certs(base / "other", cn="unrelated")
    process = subprocess.Popen(
        [sys.executable, str(SERVER), certs.server_cert, certs.server_key, certs.ca],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None
    try:
        _, *ports = process.stdout.readline().split()
        yield Servers(certs, other, [int(port) for port in ports])
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
    assert process.returncode is not None


@pytest.fixture
def client() -> Iterator[LeanHttpClient]:
    with LeanHttpClient(timeout=5.0) as client:
        yield client


def test_keep_alive_holds_over_tls(servers: Servers, client: LeanHttpClient) -> None:
    tls = Tls(ca=servers.certs.ca)
    results = [client.get(f"{servers.tls}/bytes/10240", tls=tls) for _ in range(30)]
    assert all(r.ok and r.body == bytes(i % 251 for i in range(10240)) for r in results)
    assert len({r.headers["x-peer-port"] for r in results}) == 1  # one handshake, 30 requests


def test_handshake_is_latency_of_the_first_request_only(
    servers: Servers, client: LeanHttpClient
) -> None:
    tls = Tls(ca=servers.certs.ca)
    first = client.get(f"{servers.tls}/bytes/1", tls=tls)
    second = client.get(f"{servers.tls}/bytes/1", tls=tls)
    assert first.ok and second.ok
    assert first.intended == first.began < first.sent <= first.first_byte  # connect + handshake
    assert second.sent - second.began < first.sent - first.began
    assert first.self_delay_ms == 0.0


def test_big_body_over_tls(servers: Servers, client: LeanHttpClient) -> None:
    result = client.get(f"{servers.tls}/chunked/1000000", tls=Tls(ca=servers.certs.ca))
    assert result.ok and result.body == bytes(i % 251 for i in range(1_000_000))


def test_sni_is_the_host_or_the_server_name(servers: Servers, client: LeanHttpClient) -> None:
    ca = servers.certs.ca
    by_name = client.get(f"https://localhost:{servers.tls_port}/bytes/1", tls=Tls(ca=ca))
    by_ip = client.get(f"{servers.tls}/bytes/1", tls=Tls(ca=ca))
    named = client.get(f"{servers.tls}/echo", tls=Tls(ca=ca, server_name="localhost"))
    assert by_name.ok and by_ip.ok and named.ok, (by_name.error, by_ip.error, named.error)
    assert by_name.headers["x-sni"] == "localhost"
    assert by_ip.headers["x-sni"] == "-"  # no SNI for an IP address; its IP SAN verified
    assert named.headers["x-sni"] == "localhost"
    assert f"Host: 127.0.0.1:{servers.tls_port}" in named.body.decode()  # the URL's, not SNI


def test_the_system_store_refuses_a_test_ca(servers: Servers, client: LeanHttpClient) -> None:
    for tls in (None, Tls()):
        result = client.get(f"{servers.tls}/bytes/1", tls=tls)
        assert (result.status, result.ok) == (0, False)
        assert result.error == (
            "TLS: certificate verify failed: unable to get local issuer certificate "
            f"(ca: the system store; from 127.0.0.1:{servers.tls_port})"
        )


def test_a_wrong_ca_fails_on_one_line(servers: Servers, client: LeanHttpClient) -> None:
    result = client.get(f"{servers.tls}/bytes/1", tls=Tls(ca=servers.other.ca))
    assert result.error == (
        "TLS: certificate verify failed: unable to get local issuer certificate "
        f"(ca: {servers.other.ca}; from 127.0.0.1:{servers.tls_port})"
    )
    assert "\n" not in result.error
    assert client.get(f"{servers.tls}/bytes/1", tls=Tls(ca=servers.certs.ca)).ok  # the control


def test_verify_false_accepts_any_certificate(servers: Servers, client: LeanHttpClient) -> None:
    result = client.get(f"{servers.tls}/bytes/5", tls=Tls(verify=False))
    assert result.ok and result.body == bytes(range(5))


def test_hostname_mismatch(servers: Servers, client: LeanHttpClient) -> None:
    tls = Tls(ca=servers.certs.ca, server_name="cdn.example")
    result = client.get(f"{servers.tls}/bytes/1", tls=tls)
    assert result.error == (
        "TLS: certificate verify failed: Hostname mismatch, certificate is not valid for "
        f"'cdn.example' (ca: {servers.certs.ca}, server_name: cdn.example; "
        f"from 127.0.0.1:{servers.tls_port})"
    )


def test_mtls_with_and_without_a_client_certificate(
    servers: Servers, client: LeanHttpClient
) -> None:
    certs = servers.certs
    given = Tls(ca=certs.ca, cert=certs.client_cert, key=certs.client_key)
    ok = client.get(f"{servers.mtls}/bytes/3", tls=given)
    assert ok.ok, ok.error
    assert ok.headers["x-client"] == "livefire client"
    missing = client.get(f"{servers.mtls}/bytes/3", tls=Tls(ca=certs.ca))
    assert not missing.ok and missing.status == 0
    assert missing.error is not None and missing.error.startswith("TLS: ")
    assert "certificate required" in missing.error, missing.error
    assert "\n" not in missing.error


def test_pool_is_keyed_by_tls_settings(servers: Servers, client: LeanHttpClient) -> None:
    ca = servers.certs.ca
    plain, named = Tls(ca=ca), Tls(ca=ca, server_name="localhost")
    ports = [client.get(f"{servers.tls}/bytes/1", tls=tls).headers["x-peer-port"] for tls in (
        plain, named, plain, named, Tls(ca=ca)
    )]  # fmt: skip
    assert ports[0] != ports[1]  # same address, different settings: never one connection
    assert ports[0] == ports[2] == ports[4] and ports[1] == ports[3]


def test_idle_tls_connection_closed_by_server_is_replaced(
    servers: Servers, client: LeanHttpClient
) -> None:
    tls = Tls(ca=servers.certs.ca)
    first = client.get(f"{servers.tls}/bytes/10", tls=tls)
    time.sleep(1.0)  # the server's keep-alive timeout (0.5 s) closes the idle connection
    second = client.get(f"{servers.tls}/bytes/10", tls=tls)
    assert first.ok and second.ok, second.error
    assert first.headers["x-peer-port"] != second.headers["x-peer-port"]


def test_reset_mid_handshake(servers: Servers, client: LeanHttpClient) -> None:
    port = servers.reset.rsplit(":", 1)[1]
    result = client.get(f"{servers.reset}/x", tls=Tls(ca=servers.certs.ca))
    assert (result.status, result.ok) == (0, False)
    assert result.error in (
        f"TLS: handshake with 127.0.0.1:{port} cut short: connection reset",
        f"TLS: handshake with 127.0.0.1:{port} cut short: closed by the server",
    )


def test_tls_failures_reach_locusts_request_event(servers: Servers) -> None:
    environment = locust.env.Environment()
    fired: list[dict[str, Any]] = []
    environment.events.request.add_listener(lambda **kwargs: fired.append(kwargs))
    with LeanHttpClient(request_event=environment.events.request) as client:
        refused = client.get(f"{servers.tls}/bytes/1", name="segment", tls=Tls(ca=servers.other.ca))
        fine = client.get(f"{servers.tls}/bytes/1", name="segment", tls=Tls(ca=servers.certs.ca))
    assert isinstance(fired[0]["exception"], RequestFailed)
    assert str(fired[0]["exception"]) == refused.error
    assert "certificate verify failed" in str(refused.error)
    assert fired[1]["exception"] is None and fine.ok


def test_unloadable_tls_files_are_a_settings_error(
    servers: Servers, client: LeanHttpClient, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    with pytest.raises(TlsSettingsError, match=f"CA bundle {junk}: not usable"):
        client.get(f"{servers.tls}/bytes/1", tls=Tls(ca=str(junk)))
    key_text = Path(servers.certs.client_key).read_text()
    with pytest.raises(TlsSettingsError, match="client certificate") as refused:
        client.get(f"{servers.tls}/bytes/1", tls=Tls(cert=str(junk), key=servers.certs.client_key))
    assert key_text.strip().splitlines()[1] not in str(refused.value)  # never the key itself
