"""`livefire stubs up|status|down`: the reference platform on its own, for exploring it, for
pointing a staging scenario or a browser at it, and for scripts (`status --json`).

`up` starts the platform (the same launcher as `livefire run`), writes RUN_DIR/stubs.json
(`{"pid", "started_at", "description": Platform.describe()}`), prints every endpoint and runs
until Ctrl-C or SIGTERM. `up --detach` runs that same `up` as a background process, waits for
its state file, prints the endpoints and returns; `down` stops it through the state file and
checks that no process of the run is left.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from livefire.base.description import TargetDescription
from livefire.base.errors import SetupError
from livefire.base.processes import spawn_detached, stragglers

DEFAULT_RUN_DIR = Path("runs/stubs")
STATE = "stubs.json"
DETACH_TIMEOUT_S = 90.0
EXAMPLES = """examples:
  livefire stubs up                                   run until Ctrl-C
  livefire stubs up --detach --sabotage no-region-reroute
  livefire stubs status --json | jq .master_playlists
  livefire stubs down
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "stubs",
        help="start, inspect or stop the embedded reference platform",
        description="The embedded reference platform on its own (no load, no faults).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="stubs_command", metavar="ACTION", required=True)
    up = actions.add_parser("up", help="start the platform and print its endpoints")
    up.add_argument("--topology", default="default", help="a shipped name or a YAML file")
    up.add_argument(
        "--sabotage",
        action="append",
        default=[],
        metavar="NAME",
        help="negative control, repeatable (e.g. no-transcoder-failover)",
    )
    up.add_argument("--streams", type=int, help="live streams (default: the topology's)")
    up.add_argument("--detach", action="store_true", help="run in the background and return")
    status = actions.add_parser("status", help="print the endpoints of a running platform")
    status.add_argument("--json", action="store_true", help="the full description, as JSON")
    down = actions.add_parser("down", help="stop a detached platform")
    for action in (up, status, down):
        action.add_argument("--run-dir", type=Path, default=DEFAULT_RUN_DIR)
    up.set_defaults(handler=run_up)
    status.set_defaults(handler=run_status)
    down.set_defaults(handler=run_down)


def _topology(args: argparse.Namespace) -> Any:
    from livefire_stubs.sabotage import check_sabotages
    from livefire_stubs.topology import load_topology

    try:
        check_sabotages(args.sabotage)
    except ValueError as exc:
        raise SetupError(str(exc)) from None
    topology = load_topology(args.topology)
    if args.streams is not None:
        if not 1 <= args.streams <= 16:
            raise SetupError(f"--streams: expected 1..16, got {args.streams}")
        topology = topology.with_streams(args.streams)
    return topology


def run_up(args: argparse.Namespace) -> int:
    run_dir = args.run_dir.resolve()
    topology = _topology(args)
    _refuse_if_running(run_dir)
    if args.detach:
        return _detach(args, run_dir)
    from livefire_stubs.launcher import start_platform

    started = time.monotonic()
    platform = start_platform(run_dir, topology, tuple(args.sabotage))
    state = run_dir / STATE
    try:
        description = platform.describe()
        payload = {
            "pid": os.getpid(),
            "started_at": time.time(),
            "description": description.to_json(),
        }
        _write_state(state, payload)
        print(f"platform up in {time.monotonic() - started:.1f} s; run dir {run_dir}")
        _print_endpoints(description)
        print("Ctrl-C stops it", flush=True)
        _wait_for_stop()
    finally:
        platform.stop()
        state.unlink(missing_ok=True)
    print("platform stopped", flush=True)
    return 0


def _wait_for_stop() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(1.0):
        pass


def _detach(args: argparse.Namespace, run_dir: Path) -> int:
    argv = [sys.executable, "-m", "livefire", "stubs", "up", "--run-dir", str(run_dir)]
    argv += ["--topology", args.topology]
    argv += [flag for name in args.sabotage for flag in ("--sabotage", name)]
    argv += ["--streams", str(args.streams)] if args.streams is not None else []
    log = run_dir / "stubs.log"
    child = spawn_detached(argv, log)
    deadline = time.monotonic() + DETACH_TIMEOUT_S
    while time.monotonic() < deadline:
        state = _read_state(run_dir)
        if state and state.get("pid") == child.pid:
            print(f"platform up in the background (pid {child.pid}); log {log}")
            _print_endpoints(TargetDescription.from_json(state["description"]))
            print(f"stop it with: livefire stubs down --run-dir {args.run_dir}")
            return 0
        if child.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise SetupError(f"the platform exited with code {child.returncode}: {tail[0]}")
        time.sleep(0.2)
    child.terminate()
    child.wait(30)
    raise SetupError(f"the platform was not up within {DETACH_TIMEOUT_S:g} s; see {log}")


def run_status(args: argparse.Namespace) -> int:
    run_dir = args.run_dir.resolve()
    state = _running_state(run_dir)
    description = TargetDescription.from_json(state["description"])
    if args.json:
        print(json.dumps({"pid": state["pid"], **description.to_json()}, indent=2))
        return 0
    print(f"platform running (pid {state['pid']}); run dir {run_dir}")
    _print_endpoints(description)
    return 0


def run_down(args: argparse.Namespace) -> int:
    run_dir = args.run_dir.resolve()
    state = _running_state(run_dir)
    pid = int(state["pid"])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 60
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)  # its children die with it (PDEATHSIG)
    left = _wait_gone(run_dir, 10.0)
    for straggler in left:
        os.kill(straggler, signal.SIGKILL)
    (run_dir / STATE).unlink(missing_ok=True)
    if _wait_gone(run_dir, 5.0):
        raise SetupError(f"processes of {run_dir} still running: {stragglers(run_dir)}")
    note = f" ({len(left)} had to be killed)" if left else ""
    print(f"platform stopped (pid {pid}); no process of {run_dir} left{note}")
    return 0


def _wait_gone(run_dir: Path, timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := stragglers(run_dir)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _read_state(run_dir: Path) -> dict[str, Any] | None:
    try:
        return dict(json.loads((run_dir / STATE).read_text()))
    except (OSError, ValueError):
        return None


def _running_state(run_dir: Path) -> dict[str, Any]:
    state = _read_state(run_dir)
    if state is None or not _alive(int(state.get("pid", 0))):
        raise SetupError(f"no platform running in {run_dir} (start one: livefire stubs up)")
    return state


def _refuse_if_running(run_dir: Path) -> None:
    state = _read_state(run_dir)
    if state and _alive(int(state.get("pid", 0))):
        raise SetupError(
            f"a platform is already running in {run_dir} (pid {state['pid']}); "
            f"stop it with: livefire stubs down --run-dir {run_dir}"
        )


def _write_state(path: Path, payload: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=2))
    os.replace(tmp, path)


def _print_endpoints(d: TargetDescription) -> None:
    stream = (d.streams or ("live1",))[0]
    rows = [
        ("router", f"{d.router}/route?region={next(iter(d.edges), '')}&stream={stream}"),
        *((f"edge {region}", url) for region, url in d.edges.items()),
        *((f"chat {i + 1}", url) for i, url in enumerate(d.chat)),
        ("gifts", f"{d.gifts}/gifts"),
        ("ledger", d.ledger),
        ("discovery", f"{d.discovery}/search?q=live"),
        ("payments", d.payments),
        ("proxy API", f"{d.proxy_api}/proxies"),
        ("redis", "sentinels " + ",".join(d.redis.get("sentinels", []))),
        ("sabotage", ", ".join(d.sabotage) or "none"),
    ]
    for label, value in rows:
        print(f"  {label:<12} {value}")
    print("  streams (master playlist through each edge):")
    for region, urls in d.master_playlists.items():
        for url in urls:
            print(f"    {region:<6} {url}")
