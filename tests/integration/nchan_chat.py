"""A chat server nobody here wrote: Debian's nginx with its Nchan pub/sub module
(libnginx-mod-nchan). `nchan_pubsub websocket` makes each `/chat/<room>` a channel: a text
frame a client sends is published to everyone subscribed to that room, the sender included, as
the bare text — no envelope, no join, no ids: nothing of livefire's chat protocol."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from livefire_stubs.certs import Certs

from livefire.base.processes import free_port
from tests.stopping import stop

MODULE = "/usr/lib/nginx/modules/ngx_nchan_module.so"
CONF = """load_module {module};
daemon off; user root; pid {d}/nginx.pid; error_log {d}/error.log warn;
worker_processes 1;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {d}/body;
  server {{
    listen 127.0.0.1:{port}{tls};
    location ~ ^/chat/([A-Za-z0-9_-]+)$ {{
      nchan_pubsub websocket;
      nchan_channel_id $1;
      nchan_message_buffer_length 0;
    }}
  }}
}}
"""
TEMPLATE = {"path": "/chat/${room}", "send": "${user} says ${marker}"}
"""The scenario template that speaks to it: the room in the path, the marker in the text."""


@contextmanager
def nchan_chat(directory: Path, certs: Certs | None = None) -> Iterator[str]:
    """Run the server until the block ends; yields its base URL (ws://127.0.0.1:PORT, or
    wss:// with `certs`: TLS with their server certificate)."""
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = directory / "nginx.conf"
    tls = (
        f" ssl;\n    ssl_certificate {certs.server_cert};\n"
        f"    ssl_certificate_key {certs.server_key}"
        if certs is not None
        else ""
    )
    conf.write_text(CONF.format(module=MODULE, d=directory, port=port, tls=tls))
    proc = subprocess.Popen(
        ["nginx", "-p", str(directory), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (
                        (directory / "error.log").read_text()
                        if (directory / "error.log").exists()
                        else ""
                    )
                    raise RuntimeError(f"nginx with nchan did not start: {log[-500:]}") from None
                time.sleep(0.05)
        yield f"{'wss' if certs is not None else 'ws'}://127.0.0.1:{port}"
    finally:
        stop(proc)
