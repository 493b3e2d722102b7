"""A throwaway certificate authority for tests and benchmarks: a CA, a server certificate for
127.0.0.1 and localhost (subjectAltName), and a client certificate for mTLS, made with the
`openssl` command line into a directory of the caller's (nothing here is ever trusted by the
system store, which is the point: a client must be given `ca` to accept them).

    certs = make_certs(tmp_path)         # certs.ca, certs.server_cert, certs.client_key, ...
    other = make_certs(tmp_path / "b")   # an unrelated CA: the "wrong CA" of a negative test
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

DAYS = "2"
"""Validity of every certificate: enough for a run, useless afterwards."""


class CertsError(RuntimeError):
    """openssl is missing or refused to make a certificate (its stderr in the message)."""


@dataclass(frozen=True)
class Certs:
    """PEM files (paths as strings) of one test CA and the certificates it signed."""

    ca: str
    ca_key: str
    server_cert: str
    server_key: str
    client_cert: str
    client_key: str
    server_names: tuple[str, ...]
    """The names the server certificate is valid for (DNS and IP subjectAltNames)."""


def make_certs(
    directory: Path, *, names: tuple[str, ...] = ("localhost", "127.0.0.1"), cn: str = "livefire"
) -> Certs:
    """A new CA in `directory` (created) and the server and client certificates it signs.
    `names` are the server certificate's subjectAltNames (an IP or a DNS name each)."""
    if shutil.which("openssl") is None:
        raise CertsError("the openssl command is not installed (apt-get install openssl)")
    directory.mkdir(parents=True, exist_ok=True)
    d = directory
    _openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", f"{d}/ca.key", "-out", f"{d}/ca.pem", "-days", DAYS,
        "-subj", f"/CN={cn} test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    sans = ",".join(f"IP:{n}" if _is_ip(n) else f"DNS:{n}" for n in names)
    _sign(d, "server", f"/CN={names[0]}", f"subjectAltName={sans}\nextendedKeyUsage=serverAuth")
    _sign(d, "client", f"/CN={cn} client", "extendedKeyUsage=clientAuth")
    return Certs(
        ca=f"{d}/ca.pem",
        ca_key=f"{d}/ca.key",
        server_cert=f"{d}/server.pem",
        server_key=f"{d}/server.key",
        client_cert=f"{d}/client.pem",
        client_key=f"{d}/client.key",
        server_names=names,
    )


def _sign(d: Path, name: str, subject: str, extensions: str) -> None:
    (d / f"{name}.ext").write_text(extensions + "\n")
    _openssl(
        "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", f"{d}/{name}.key", "-out", f"{d}/{name}.csr", "-subj", subject,
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", f"{d}/{name}.csr", "-CA", f"{d}/ca.pem", "-CAkey", f"{d}/ca.key",
        "-CAcreateserial", "-out", f"{d}/{name}.pem", "-days", DAYS,
        "-extfile", f"{d}/{name}.ext",
    )  # fmt: skip


def _openssl(*args: str) -> None:
    done = subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise CertsError(f"openssl {args[0]} failed: {done.stderr.strip()[-500:]}")


def _is_ip(name: str) -> bool:
    return name.replace(".", "").isdigit() or ":" in name
