from prometheus_client import generate_latest

from livefire.conductor import Tick
from livefire.livemetrics import LiveMetrics


def test_ticks_become_gauges() -> None:
    live = LiveMetrics("smoke")
    live.update(Tick(12.5, 60, ("f0",), "", 0.25, 0.01))
    text = generate_latest(live.registry).decode()
    assert 'livefire_run_elapsed_seconds{scenario="smoke"} 12.5' in text
    assert 'livefire_active_faults{scenario="smoke"} 1.0' in text
    assert 'livefire_stream_latency_p95_seconds{scenario="smoke"} 0.25' in text
