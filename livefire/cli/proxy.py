"""`livefire proxy serve`: the embedded Toxiproxy-compatible fault proxy (see chaos.proxy).

Ready-file contract: once the API and every --config proxy listen, PATH is written atomically
as {"name": "proxy", "pid": PID, "url": "http://HOST:PORT"}; SIGTERM/SIGINT stop it (exit 0).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import signal
from pathlib import Path

from chaos.proxy import ProxyServer, load_config
from livefire.base.description import PROXY_TOKEN_ENV
from livefire.base.errors import SetupError

TOKEN_ENV = PROXY_TOKEN_ENV


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("proxy", help="run the embedded Toxiproxy-compatible fault proxy")
    actions = parser.add_subparsers(dest="proxy_command", metavar="ACTION", required=True)
    serve = actions.add_parser(
        "serve",
        help="serve Toxiproxy's HTTP API and the proxies it creates",
        description="Serve Toxiproxy's HTTP API (toxiproxy-python and other clients drive it).",
    )
    serve.add_argument("--host", default="127.0.0.1", help="API address (default 127.0.0.1)")
    serve.add_argument("--port", type=port, default=8474, help="API port; 0 picks a free one")
    serve.add_argument("--config", type=Path, help="Toxiproxy JSON config: proxies to create")
    serve.add_argument(
        "--token", help=f"required on every mutating call (default: ${TOKEN_ENV} if set)"
    )
    serve.add_argument(
        "--allow-remote", action="store_true", help="allow API and proxy addresses off loopback"
    )
    serve.add_argument("--ready-file", type=Path, help="write {name, pid, url} here once ready")
    serve.set_defaults(handler=run_serve)


def port(text: str) -> int:
    """argparse type: a TCP port, 0-65535 (0 picks a free one)."""
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 0-65535, got {text!r}")
    return int(text)


def run_serve(args: argparse.Namespace) -> int:
    specs = load_config(args.config, args.allow_remote) if args.config else []
    _raise_open_files_limit()
    server = ProxyServer(
        args.host,
        args.port,
        proxies=specs,
        token=args.token or os.environ.get(TOKEN_ENV) or None,
        allow_remote=args.allow_remote,
    )
    asyncio.run(_serve(server, args.ready_file))
    return 0


async def _serve(server: ProxyServer, ready_file: Path | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await server.start()
    try:
        if ready_file is not None:
            write_ready_file(ready_file, {"name": "proxy", "pid": os.getpid(), "url": server.url})
        await stop.wait()
    finally:
        await server.close()


def _raise_open_files_limit() -> None:
    """Each proxied connection holds up to 6 descriptors (2 sockets, 2 splice pipes)."""
    with contextlib.suppress(ValueError, OSError):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
            wanted = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
            if wanted > soft:
                resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def write_ready_file(path: Path, info: dict[str, object]) -> None:
    """Write atomically (temp file, then rename), so a reader never sees half of it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(info), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise SetupError(f"ready file {path}: {exc.strerror or exc}") from None
