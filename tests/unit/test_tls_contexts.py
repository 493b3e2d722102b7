"""SSL contexts from TLS settings: gevent's kind, one per distinct setting, refusals that name
the file and never its contents."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import gevent.ssl
import pytest
from livefire_stubs.certs import make_certs

from livefire.base.connect import Tls
from loadgen.tls import DEFAULT, TlsSettingsError, client_context


def test_default_is_the_system_store_verifying_for_gevent_sockets() -> None:
    context = client_context(DEFAULT)
    assert isinstance(context, gevent.ssl.SSLContext)
    assert context.sslsocket_class is gevent.ssl.SSLSocket  # waits yield to other greenlets
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)
    assert context.get_ca_certs()  # the system store (ca-certificates) was loaded


def test_one_context_per_distinct_settings(tmp_path: Path) -> None:
    certs = make_certs(tmp_path)
    with_ca = client_context(Tls(ca=certs.ca))
    assert client_context(Tls(ca=certs.ca)) is with_ca  # equal settings: the cached one
    assert client_context(Tls(ca=certs.ca, server_name="x")) is not with_ca
    assert client_context(Tls()) is client_context(DEFAULT)
    assert [c["subject"] for c in with_ca.get_ca_certs()] == [
        ((("commonName", "livefire test CA"),),)
    ]


def test_verify_false_checks_nothing() -> None:
    context = client_context(Tls(verify=False))
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_NONE, False)


def test_client_certificate_is_loaded(tmp_path: Path) -> None:
    certs = make_certs(tmp_path)
    client_context(Tls(ca=certs.ca, cert=certs.client_cert, key=certs.client_key))  # no raise
    with pytest.raises(TlsSettingsError, match=r"client certificate .* with key .*server\.key"):
        client_context(Tls(cert=certs.client_cert, key=certs.server_key))  # not its key


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("ca", None, r"CA bundle .*: cannot be read \(No such file or directory\)"),
        ("ca", "junk\n", r"CA bundle .*: not usable"),
        ("cert", None, r"client certificate .*: cannot be read"),
        ("cert", "junk\n", r"client certificate .*: not usable"),
    ],
)
def test_unloadable_files_are_refused_by_name(
    tmp_path: Path, field: str, text: str | None, message: str
) -> None:
    path = tmp_path / "file.pem"
    if text is not None:
        path.write_text(text)
    with pytest.raises(TlsSettingsError, match=message) as refused:
        client_context(Tls(**{field: str(path)}))
    assert str(path) in str(refused.value) and "junk" not in str(refused.value)


def test_an_encrypted_key_is_refused_without_a_prompt(tmp_path: Path) -> None:
    certs = make_certs(tmp_path)
    encrypted = tmp_path / "encrypted.key"
    key = Path(certs.client_key).read_text()
    subprocess.run(
        ["openssl", "pkey", "-in", certs.client_key, "-out", str(encrypted), "-aes256",
         "-passout", "pass:secret"],
        check=True,
    )  # fmt: skip
    with pytest.raises(TlsSettingsError, match="encrypted") as refused:
        client_context(Tls(cert=certs.client_cert, key=str(encrypted)))
    assert key.splitlines()[1] not in str(refused.value)
