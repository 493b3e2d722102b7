"""A component whose limit is known exactly: `slots` service slots behind one HTTP endpoint.

    python -m livefire_stubs.capacity --slots 16 --service-ms 40 --seed 7 --ready-file F

`GET /work` takes a slot (FIFO), holds it for a service time drawn from a seeded
exponential (or fixed, `--fixed`) distribution stretched by the USL factor at the number of
busy slots (`--sigma`, `--kappa`), then answers 200. `capacity_truth` gives the exact p95
crossing and the USL curve for these parameters. A bare asyncio server (no aiohttp) keeps
the stub's own CPU cost low, so on a shared core the stub is the bottleneck by its slots,
not by its parser. `GET /stats` answers served requests and the busiest moment as JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import time
from dataclasses import dataclass, field

from livefire_stubs.capacity_truth import usl_factor
from livefire_stubs.component import base_parser, write_ready_file

_OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


@dataclass
class Slots:
    """The service model: slots, a seeded service-time source and the USL stretch."""

    slots: int
    service_s: float
    seed: int
    sigma: float = 0.0
    kappa: float = 0.0
    fixed: bool = False
    busy: int = 0
    served: int = 0
    peak_busy: int = 0
    _rng: random.Random = field(init=False)
    _sem: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._sem = asyncio.Semaphore(self.slots)

    async def serve(self) -> None:
        async with self._sem:
            self.busy += 1
            self.peak_busy = max(self.peak_busy, self.busy)
            base = self.service_s if self.fixed else self._rng.expovariate(1 / self.service_s)
            try:
                await asyncio.sleep(base * usl_factor(self.busy, self.sigma, self.kappa))
            finally:
                self.busy -= 1
                self.served += 1


async def _handle(model: Slots, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            if head.startswith(b"GET /stats"):
                stats = {"served": model.served, "peak_busy": model.peak_busy, "busy": model.busy}
                body = json.dumps(stats).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            else:
                await model.serve()
                writer.write(_OK)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def _main(model: Slots, host: str, port: int, name: str, ready_file: str) -> None:
    server = await asyncio.start_server(
        lambda r, w: _handle(model, r, w), host, port, reuse_address=True, backlog=4096
    )
    bound = server.sockets[0].getsockname()[1]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    info = {
        "name": name,
        "pid": os.getpid(),
        "url": f"http://{host}:{bound}",
        "started": time.time(),
    }
    from pathlib import Path

    write_ready_file(Path(ready_file), info)
    async with server:
        await stop.wait()


def main() -> None:
    parser = base_parser("capacity")
    parser.add_argument("--slots", type=int, default=16)
    parser.add_argument("--service-ms", type=float, default=40.0, help="mean service time")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sigma", type=float, default=0.0, help="USL contention")
    parser.add_argument("--kappa", type=float, default=0.0, help="USL coherency")
    parser.add_argument("--fixed", action="store_true", help="fixed, not exponential, service")
    args = parser.parse_args()
    model_args = (args.slots, args.service_ms / 1000, args.seed, args.sigma, args.kappa, args.fixed)

    async def run() -> None:
        await _main(Slots(*model_args), args.host, args.port, args.name, str(args.ready_file))

    asyncio.run(run())


if __name__ == "__main__":
    main()
