"""The whole default platform, started by the launcher as `livefire run` does: real
processes, real Redis, real PyAV segments, the fault proxy in front of every honest link."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import m3u8
import pytest
import requests
from livefire_stubs.ladder import LADDERS
from livefire_stubs.launcher import Platform, start_platform
from livefire_stubs.topology import TOPOLOGIES
from websockets.asyncio.client import connect

from livefire.base.processes import stragglers
from tests.integration.conftest import http, wait_for
from tests.integration.creator import camera, push
from tests.integration.platform_checks import (
    RENDITION,
    last_seq,
    media_url,
    owner,
    playlist,
    route,
    seqs_after,
    set_proxy,
)

pytestmark = pytest.mark.integration
LEASE_S = 3.0


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    run_dir = tmp_path_factory.mktemp("platform")
    started = time.monotonic()
    running = start_platform(run_dir, TOPOLOGIES["default"])
    assert time.monotonic() - started < 30
    try:
        yield running
    finally:
        running.stop()
        assert stragglers(run_dir.resolve()) == []


@pytest.fixture(scope="module")
def described(platform: Platform) -> dict[str, Any]:
    return platform.describe().to_json()  # as `livefire stubs status --json` prints it


def test_description_names_every_target_with_a_live_process(described: dict[str, Any]) -> None:
    topology = TOPOLOGIES["default"]
    assert set(topology.fault_targets()) <= set(described["fault_targets"])
    for name, target in described["fault_targets"].items():
        if "component" in target:
            component = described["components"][target["component"]]
            os.kill(component["pid"], 0)  # alive
            assert component["restart"], name
        if "proxy" in target:
            assert target["proxy"] in described["proxies"]
    assert described["redis"]["sentinels"] and len(described["chat"]) == 2
    assert json.loads(json.dumps(described)) == described


def test_ffmpeg_plays_a_stream_through_an_edge(described: dict[str, Any]) -> None:
    master = described["master_playlists"]["apac"][0]
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-of", "json", master],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert probe.returncode == 0, probe.stderr
    codecs = {s["codec_name"] for s in json.loads(probe.stdout)["streams"]}
    assert codecs == {"h264"}
    decode = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", media_url(described, "apac"), "-t", "2", "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert decode.returncode == 0, decode.stderr


def test_every_playlist_parses_through_every_edge(described: dict[str, Any]) -> None:
    for region, urls in described["master_playlists"].items():
        master = playlist(urls[0])
        assert master.is_variant and len(master.playlists) == 2, region
        for variant in master.playlists:
            media = playlist(variant.absolute_uri)
            assert media.segments and media.target_duration == 1, (region, variant.uri)
            assert all(s.program_date_time for s in media.segments)


def assert_delta(actual: float, expected: float, delta: float) -> None:
    """Toxiproxy's AssertDeltaTime: `actual` within `delta` of `expected`."""
    assert abs(actual - expected) <= delta, f"took {actual:.3f} s, expected {expected} ± {delta}"


@pytest.mark.parametrize("via", ["origin", "edge"])
def test_blocking_reload_holds_until_the_next_segment_is_published(
    described: dict[str, Any], via: str
) -> None:
    """LL-HLS: `_HLS_msn=<last+1>` answers once that segment exists, not before, not later."""
    direct = f"{described['origin']}/live/live1/{RENDITION}/index.m3u8"
    url = direct if via == "origin" else media_url(described, "eu")
    target = playlist(direct).target_duration
    before = last_seq(direct)
    # Right after a segment is published (polled at the origin, uncached), the next one is a
    # whole segment duration away: the blocked request must wait about that long.
    published = wait_for(lambda: (n := last_seq(direct)) > before and n, 5, "a new segment", 0.01)
    asked = time.monotonic()
    response = requests.get(url, params={"_HLS_msn": published + 1}, timeout=10)
    took = time.monotonic() - asked
    assert response.status_code == 200, response.text
    held = m3u8.loads(response.text)
    assert published + 1 in [held.media_sequence + i for i in range(len(held.segments))]
    assert_delta(took, target, 0.5)  # one segment duration, give or take the encoder's jitter


def test_discovery_lists_the_live_stream(described: dict[str, Any]) -> None:
    status, body = http("GET", described["discovery"] + "/search?q=live")
    assert status == 200 and [r["id"] for r in body["results"]] == ["live1"]


def test_chat_crosses_nodes(described: dict[str, Any]) -> None:
    async def chat() -> dict[str, Any]:
        first, second = described["chat"]
        async with connect(first) as alice, connect(second) as bob:
            for ws, user in ((alice, "alice"), (bob, "bob")):
                await ws.send(json.dumps({"type": "join", "room": "live1", "user": user}))
                assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "joined"
            msg = {
                "type": "msg",
                "id": "m1",
                "room": "live1",
                "sender": "alice",
                "sent_at": time.time(),
                "text": "hi",
            }
            await alice.send(json.dumps(msg))
            return dict(json.loads(await asyncio.wait_for(bob.recv(), 5)))

    received = asyncio.run(chat())
    assert received["id"] == "m1" and received["text"] == "hi"


def test_a_gift_reaches_the_ledger_through_the_payments_proxy(described: dict[str, Any]) -> None:
    key = uuid.uuid4().hex
    body = {"stream": "live1", "sender": "alice", "amount": 5}
    status, gift = http("POST", described["gifts"] + "/gifts", body, {"Idempotency-Key": key})
    assert status == 202, gift

    def booked() -> bool:
        code, page = http("GET", described["ledger"] + "?limit=1000")
        return code == 200 and any(e["idempotency_key"] == key for e in page["entries"])

    wait_for(booked, 10, "the gift in the ledger")
    assert described["components"]["gifts-worker-1"]["payment_url"] == described["payments"]


@pytest.mark.parametrize(
    ("method", "where", "body", "status"),
    [
        ("PUT", "origin:/ingest/live1/240p/999999.ts", b"not a segment", 400),  # no headers
        ("PUT", "origin:/ingest/live1", b"{not json", 400),
        ("GET", "edge:/live/nope/master.m3u8", None, 404),
        ("GET", "edge:/live/live1/240p/index.m3u8?_HLS_msn=x", None, 400),
        ("POST", "gifts:/gifts", {"stream": "live1", "amount": -1}, 400),
        ("GET", "router:/route?region=mars&stream=live1", None, 400),
    ],
)
def test_bad_input_is_a_4xx_json(
    described: dict[str, Any], method: str, where: str, body: Any, status: int
) -> None:
    component, path = where.split(":", 1)
    base = described["edges"]["eu"] if component == "edge" else described[component]
    headers = {"Idempotency-Key": uuid.uuid4().hex} if component == "gifts" else {}
    code, answer = http(method, base + path, body, headers)
    assert code == status and answer["status"] == status and answer["error"], answer


def test_router_reroutes_a_blackholed_region(described: dict[str, Any]) -> None:
    assert route(described, "eu")["region"] == "eu"
    set_proxy(described, "edge-eu", False)
    try:
        # within 5 s (the wait's bound is the promise: the router's checks run every 0.5 s)
        moved = wait_for(lambda: (r := route(described, "eu"))["rerouted"] and r, 5, "reroute")
        assert moved["region"] == "other"  # the next region in fallback order
    finally:
        set_proxy(described, "edge-eu", True)
    wait_for(lambda: route(described, "eu")["region"] == "eu", 5, "eu back")


def test_a_creator_push_is_transcoded_into_the_ladder(described: dict[str, Any]) -> None:
    answers = push(described["origin"], "cam1", camera(3), deadline_s=30)
    assert answers[-1]["http"] == 200 and answers[-1]["segments"] >= 3, answers
    master = playlist(f"{described['edges']['apac']}/live/cam1/master.m3u8")
    ladder = {r.name for r in LADDERS[TOPOLOGIES["default"].ladder]}
    assert {v.uri.split("/")[0] for v in master.playlists} == ladder, master.dumps()
    for variant in master.playlists:  # every rung of the ladder, not only the first
        assert len(playlist(variant.absolute_uri).segments) >= 3, variant.uri
    url = f"{described['edges']['apac']}/live/cam1/240p/index.m3u8"
    decode = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", url, "-t", "2", "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert decode.returncode == 0 and not decode.stderr, decode.stderr
    status, route = http("GET", f"{described['origin']}/ingest-route?stream=cam2")
    assert status == 200
    for body, status in ((b"\x47" * 5000, 400), (b"", 400)):
        code, answer = http("PUT", route["push"], body)
        assert code == status and answer["status"] == status and "body" in answer["error"]
    code, answer = http("PUT", route["push"].replace("cam2", "live1"), b"x")
    assert code == 409 and "synthetic" in answer["error"]


def test_a_killed_component_restarts_at_its_address_from_its_restart_argv(
    described: dict[str, Any],
) -> None:
    edge = described["components"]["edge-other-node"]
    os.kill(edge["pid"], signal.SIGKILL)
    url = described["master_playlists"]["other"][0]
    wait_for(lambda: http_status(url) != 200, 5, "the edge to be gone")
    subprocess.Popen(edge["restart"], start_new_session=True, stdout=subprocess.DEVNULL)
    wait_for(lambda: http_status(url) == 200, 10, "the restarted edge")
    # the restarted process carries the run's marker: the fixture's stop() must end it too


def http_status(url: str) -> int:
    try:
        return requests.get(url, timeout=2).status_code
    except requests.RequestException:
        return 0


def test_a_killed_transcoders_stream_continues_on_a_survivor(described: dict[str, Any]) -> None:
    url = media_url(described, "na")
    victim = owner(described)
    before = last_seq(url)
    os.kill(described["components"][victim]["pid"], signal.SIGKILL)
    killed = time.monotonic()
    wait_for(lambda: last_seq(url) > before + 1, LEASE_S + 5, "segments after failover")
    recovered = time.monotonic() - killed
    assert recovered < LEASE_S + 5
    assert owner(described) != victim
    text = playlist(url).dumps()
    assert "#EXT-X-DISCONTINUITY" in text
    seqs = seqs_after(url, 2.5)
    assert seqs == list(range(seqs[0], seqs[-1] + 1)) and seqs[-1] > before + 1
