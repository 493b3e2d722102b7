"""TLS loopback servers for the lean client's HTTPS tests, run in a subprocess.

    python lean_https_server.py SERVER_CERT SERVER_KEY CA

Serves lean_http_server's routes over TLS to anyone (aiohttp on asyncio), and /bytes/N only to
clients with a certificate signed by CA (mTLS, a blocking http.server: like most OpenSSL
servers, and unlike asyncio's, it sends the "certificate required" alert before closing). A
third port accepts TCP, reads the ClientHello and resets the connection mid-handshake.
Prints "ports TLS MTLS RESET" once all listen; exits when stdin closes. Every TLS response
also carries X-Sni (the server name the client sent, "-" for none) and X-Client (the client
certificate's common name, "-" for none).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiohttp import web
from lean_http_server import KEEPALIVE_TIMEOUT, make_app  # type: ignore[import-not-found]


def _remember_sni(sslobj: ssl.SSLObject, name: str | None, _: ssl.SSLContext) -> None:
    sslobj.sni = name  # type: ignore[attr-defined]  # read back by the response hook


def context(cert: str, key: str, ca: str | None) -> ssl.SSLContext:
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    server.sni_callback = _remember_sni
    if ca is not None:  # mTLS: no certificate, no connection
        server.load_verify_locations(cafile=ca)
        server.verify_mode = ssl.CERT_REQUIRED
    return server


async def tls_headers(request: web.Request, response: web.StreamResponse) -> None:
    assert request.transport is not None
    sslobj = request.transport.get_extra_info("ssl_object")
    response.headers["X-Sni"] = getattr(sslobj, "sni", None) or "-"
    peer = sslobj.getpeercert() if sslobj is not None else None
    subject = dict(pair[0] for pair in peer["subject"]) if peer else {}
    response.headers["X-Client"] = subject.get("commonName", "-")


class MtlsHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        size = int(self.path.rsplit("/", 1)[1])
        peer = self.connection.getpeercert()  # type: ignore[attr-defined]
        subject = dict(pair[0] for pair in peer["subject"]) if peer else {}
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.send_header("X-Client", subject.get("commonName", "-"))
        self.send_header("X-Peer-Port", str(self.client_address[1]))
        self.end_headers()
        self.wfile.write(bytes(i % 251 for i in range(size)))

    def log_message(self, *args: object) -> None:
        pass


class MtlsServer(ThreadingHTTPServer):
    """Handshakes in each connection's thread; a refused client gets the alert, then, a moment
    later, a close (closing at once over the request it already sent would reset the
    connection, and a reset can beat the alert to the client)."""

    daemon_threads = True

    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), MtlsHandler)
        self.context = context

    def finish_request(self, request: Any, client_address: Any) -> None:
        tls = self.context.wrap_socket(request, server_side=True, do_handshake_on_connect=False)
        try:
            tls.do_handshake()
        except (ssl.SSLError, OSError):
            time.sleep(0.3)
            tls.close()
            return
        super().finish_request(tls, client_address)


def mtls_server(cert: str, key: str, ca: str) -> MtlsServer:
    server = MtlsServer(context(cert, key, ca))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


async def reset_mid_handshake(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(5)  # the ClientHello's record header: the handshake has begun
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.close()


async def site(context: ssl.SSLContext) -> tuple[web.AppRunner, int]:
    app = make_app()
    app.on_response_prepare.append(tls_headers)
    runner = web.AppRunner(app, keepalive_timeout=KEEPALIVE_TIMEOUT, access_log=None)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await tcp.start()
    return runner, tcp._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


async def main(cert: str, key: str, ca: str) -> None:
    open_runner, open_port = await site(context(cert, key, None))
    mtls = mtls_server(cert, key, ca)
    mtls_port = mtls.server_address[1]
    reset_server = await asyncio.start_server(reset_mid_handshake, "127.0.0.1", 0)
    reset_port = reset_server.sockets[0].getsockname()[1]
    print(f"ports {open_port} {mtls_port} {reset_port}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    reset_server.close()
    await open_runner.cleanup()
    mtls.shutdown()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
