"""The embedded Toxiproxy-compatible fault proxy.

An asyncio TCP proxy speaking Toxiproxy's HTTP API, so toxiproxy-python (and Toxiproxy's
other clients) drive it the same way as a real Toxiproxy in staging. Run it with
`livefire proxy serve`, or in-process:

    async with ProxyServer(port=0) as server: ...      # server.url is the API
    with ProxyServerThread(port=0) as server: ...      # same, from sync code

Modules: `server` (lifecycle), `api` (HTTP routes), `collection` and `proxy` (proxies),
`connection`, `link` and `splice` (the data path), `toxic` (interface and registry), `toxics/` (one
fault per module), `spec` (JSON parsed into types), `config` (the --config file), `errors`.
"""

from chaos.proxy.config import load_config
from chaos.proxy.errors import ApiError, Err, ProxyError
from chaos.proxy.server import ProxyServer, ProxyServerThread
from chaos.proxy.spec import ProxySpec, Stream, ToxicSpec
from chaos.proxy.toxic import TOXICS, Toxic, register

__all__ = [
    "TOXICS",
    "ApiError",
    "Err",
    "ProxyError",
    "ProxyServer",
    "ProxyServerThread",
    "ProxySpec",
    "Stream",
    "Toxic",
    "ToxicSpec",
    "load_config",
    "register",
]
