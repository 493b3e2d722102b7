"""The Chatter and Gifter Locust users against real chat nodes and a real gift pipeline, run
by the real Locust (headless, one process), judged from the telemetry they shipped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from livefire_stubs.redis_cluster import RedisCluster

from livefire.base import telemetry as tm
from livefire.ledger import settled_ledger
from livefire.verdict.reconcile import reconcile
from livefire.verdict.slis import SLIS
from loadgen.config import LoadConfig
from tests.http_serving import serving
from tests.integration.conftest import Components
from tests.integration.gifts_platform import GiftsPlatform

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
DURATION = 12.0


def run_locust(
    run_dir: Path, config: LoadConfig, *classes: str, path: tuple[Path, ...] = ()
) -> list[tm.Batch]:
    """Locust headless with `classes`; `path`: more directories on its PYTHONPATH."""
    pythonpath = os.pathsep.join(map(str, (ROOT, ROOT / "target-stubs", *path)))
    env = {**os.environ, "PYTHONPATH": pythonpath}
    argv = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ROOT / "loadgen" / "locustfile.py"),
        "--headless",
        "--only-summary",
        "--livefire-config",
        config.to_json(),
        *classes,
    ]
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=90)
    # exit 1 would also be a user's task raising: every run here must end cleanly
    assert done.returncode == 0, done.stderr[-3000:]
    return list(tm.read_batches(run_dir / "telemetry" / "batches.jsonl"))


def config(run_dir: Path, **kwargs: object) -> LoadConfig:
    base = {
        "run_dir": str(run_dir),
        "duration": DURATION,
        "shape": [{"ramp": 1.0, "to": 1.0}],
        "spawn_jitter": 1.0,
        "streams": ["live1"],
    }
    return LoadConfig(**(base | kwargs))  # type: ignore[arg-type]


def judged(series: list[tm.Second]) -> list[tm.Second]:
    """The run without its last 2 seconds, as the verdict judges it."""
    end = max(s.t for s in series) - 2
    return [s for s in series if s.t < end]


def test_chatters_across_two_nodes_deliver_and_are_accounted(
    shared_cluster: RedisCluster, components: Components, tmp_path: Path
) -> None:
    nodes = [
        components.start("chat", "--sentinel", shared_cluster.sentinel_arg()) for _ in range(2)
    ]
    cfg = config(
        tmp_path, users={"chatter": 6}, chat_interval=0.5, chat_urls=[n["ws_url"] for n in nodes]
    )
    series = tm.merge_batches(run_locust(tmp_path, cfg, "Chatter"))
    window = judged(series)
    owed = SLIS.get("chat_loss")
    assert sum(s.counters.get(tm.CHAT_SENT + "live1", 0) for s in window) > 50
    assert owed.measure(window) is not None and owed.measure(window) <= 0.01
    delivered = SLIS.get("chat_delivered_within_100ms").measure(window)
    assert delivered is not None and delivered >= 0.95
    assert max(s.counters.get(tm.USERS, 0) for s in window) == 6  # the users gauge
    assert all(tm.EVENT_LOOP_STALL in s.histograms for s in window[1:])  # the stall probe
    lags = [s.histograms.get(tm.SCHEDULE_LAG) for s in window]
    assert sum(h.get_total_count() for h in lags if h is not None) > 50  # chatters' send lag


def test_chatters_stopped_mid_second_by_a_ramp_down_leave_no_false_loss(
    shared_cluster: RedisCluster, components: Components, tmp_path: Path
) -> None:
    """Locust kills ramped-down chatters (GreenletExit) wherever they are in a second; on a
    loss-free node on loopback every message owed is a message received."""
    node = components.start("chat", "--sentinel", shared_cluster.sentinel_arg())
    shape = [{"ramp": 0.5, "to": 1.0}, {"hold": 3.5}, {"ramp": 5.0, "to": 0.25}]
    cfg = config(
        tmp_path,
        users={"chatter": 8},
        shape=shape,
        spawn_jitter=0.3,
        chat_interval=0.25,
        chat_urls=[node["ws_url"]],
    )
    series = tm.merge_batches(run_locust(tmp_path, cfg, "Chatter"))
    window = judged(series)
    users = [s.counters.get(tm.USERS, 0) for s in window]
    assert max(users) == 8 and min(users[-3:]) == 2  # the ramp-down happened
    assert sum(s.counters.get(tm.CHAT_SENT + "live1", 0) for s in window) > 100
    assert SLIS.get("chat_loss").measure(window) == 0.0


def gifts_run(
    cluster: RedisCluster, components: Components, run_dir: Path, *worker_flags: str
) -> tuple[list[tm.Batch], str]:
    platform = GiftsPlatform(components, cluster)
    platform.start_payment()
    api = platform.start_api(*worker_flags)
    platform.start_worker(*worker_flags)
    cfg = config(run_dir, users={"gifter": 3}, gift_interval=0.2, gifts_url=api)
    return run_locust(run_dir, cfg, "Gifter"), api


def test_gifters_reconcile_cleanly(
    cluster: RedisCluster, components: Components, tmp_path: Path
) -> None:
    batches, api = gifts_run(cluster, components, tmp_path)
    records = tm.unique_records(batches)
    acked = [r["key"] for r in records if r["state"] == "acked"]
    assert len(acked) > 40
    result = reconcile(records, settled_ledger(api, acked, 20), deadline_s=20)
    assert result.lost == () and result.doubled == () and result.consistent_ratio == 1.0
    series = tm.merge_batches(batches)
    assert SLIS.get("gift_success").measure(judged(series)) == 1.0
    assert sum(s.histograms.get(tm.SCHEDULE_LAG) is not None for s in series) > 5


def test_lossy_ledger_is_caught_by_reconciliation(
    cluster: RedisCluster, components: Components, tmp_path: Path
) -> None:
    batches, api = gifts_run(cluster, components, tmp_path, "--sabotage", "lossy-ledger")
    records = tm.unique_records(batches)
    acked = [r["key"] for r in records if r["state"] == "acked"]
    result = reconcile(records, settled_ledger(api, acked, 5), deadline_s=20)
    # the sabotaged worker drops exactly every 20th gift it pays, and it pays every one
    assert len(acked) > 40 and result.indeterminate == 0
    assert len(result.lost) == len(acked) // 20
    assert result.consistent_ratio is not None and result.consistent_ratio < 0.9998


@pytest.fixture
def slow_gift_api() -> Iterator[str]:
    """A gift API that acknowledges every gift 4 s after it was posted."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            time.sleep(4.0)
            body = json.dumps({"id": uuid.uuid4().hex}).encode()
            self.send_response(202)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    with serving(Handler) as url:
        yield url


def test_acks_of_judged_gifts_arriving_after_the_run_ends_are_collected(
    slow_gift_api: str, tmp_path: Path
) -> None:
    """Gifts sent in the last judged seconds are acknowledged after the shape's end: they
    must be waited for and shipped, not read as failures."""
    cfg = config(
        tmp_path,
        duration=8.0,
        users={"gifter": 12},
        spawn_jitter=2.0,  # first gifts over [0, 3] s, the second ones over [4, 7] s
        gift_interval=0.1,
        gifts_url=slow_gift_api,
    )
    batches = run_locust(tmp_path, cfg, "Gifter")
    started = json.loads((tmp_path / "telemetry" / "started.json").read_text())["t"]
    end = started + cfg.duration - 2  # the judged run ends 2 s before the load does
    window = [s for s in tm.merge_batches(batches) if s.t + 1 <= end]
    attempted = sum(s.counters.get(tm.GIFTS_ATTEMPTED, 0) for s in window)
    assert attempted >= 12
    assert SLIS.get("gift_success").measure(window) == 1.0
    assert sum(r["state"] == "acked" for r in tm.unique_records(batches)) >= attempted
