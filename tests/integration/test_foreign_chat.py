"""Chatters through the template adapter against a chat server nobody here wrote (nginx's
Nchan module: bare text frames, rooms by URL, no join, no ids), judged as on the reference
platform: every message owed is found by its marker, once, in its own room."""

from __future__ import annotations

from pathlib import Path

import pytest
from livefire_stubs.certs import make_certs

from livefire.base import telemetry as tm
from livefire.base.connect import EndpointSettings, Tls
from livefire.verdict.slis import SLIS
from tests.integration.nchan_chat import TEMPLATE, nchan_chat
from tests.integration.test_locust_users import config, judged, run_locust
from tests.protocol_plugin import install

pytestmark = pytest.mark.integration


def totals(window: list[tm.Second], prefix: str) -> int:
    return sum(n for s in window for name, n in s.counters.items() if name.startswith(prefix))


def test_chatters_through_a_template_against_nchan_deliver_in_their_rooms(
    tmp_path: Path,
) -> None:
    with nchan_chat(tmp_path / "nchan") as base:
        cfg = config(
            tmp_path,
            users={"chatter": 8},
            chat_interval=0.5,
            chat_urls=[base],
            streams=["live1", "live2"],
            protocols={"chat": TEMPLATE},
        )
        window = judged(tm.merge_batches(run_locust(tmp_path, cfg, "Chatter")))
    assert totals(window, tm.CHAT_SENT) > 80
    assert totals(window, tm.CHAT_MEMBERS) > 0
    loss = SLIS.get("chat_loss").measure(window)
    assert loss is not None and loss <= 0.01
    delivered = SLIS.get("chat_delivered_within_100ms").measure(window)
    assert delivered is not None and delivered >= 0.95
    # each room's messages stayed in it, each once, and nothing failed on the wire
    assert totals(window, tm.CHAT_MISROUTED) == 0
    assert totals(window, tm.CHAT_DUPLICATES) == 0
    assert totals(window, tm.CHAT_ERRORS) == 0


def test_a_template_without_the_room_in_its_path_is_found_out_as_misrouting(
    tmp_path: Path,
) -> None:
    """One channel for every room: the markers say which room each message was meant for."""
    with nchan_chat(tmp_path / "nchan") as base:
        cfg = config(
            tmp_path,
            users={"chatter": 10},  # both rooms taken but for a chance of 2 in 1024
            chat_interval=1.0,
            chat_urls=[base],
            streams=["live1", "live2"],
            protocols={"chat": {**TEMPLATE, "path": "/chat/everyone"}},
        )
        window = judged(tm.merge_batches(run_locust(tmp_path, cfg, "Chatter")))
    assert totals(window, tm.CHAT_MISROUTED) > 0


def test_a_chat_plugin_speaks_for_chatters_and_is_judged_the_same(tmp_path: Path) -> None:
    """The Python extension point: a `livefire.protocols` class of role "chat" (installed as
    pip would) replaces the template; its traffic reaches the same recorder and SLIs."""
    site = install(tmp_path / "site", {"nchan-py": "NchanChat"})
    with nchan_chat(tmp_path / "nchan") as base:
        cfg = config(
            tmp_path,
            users={"chatter": 4},
            chat_interval=0.5,
            chat_urls=[base],
            protocols={"chat": {"plugin": "nchan-py", "options": {"greeting": "hi"}}},
        )
        window = judged(tm.merge_batches(run_locust(tmp_path, cfg, "Chatter", path=(site,))))
    assert totals(window, tm.CHAT_SENT) > 40
    loss = SLIS.get("chat_loss").measure(window)
    assert loss is not None and loss <= 0.01
    assert totals(window, tm.CHAT_ERRORS) == 0


@pytest.mark.parametrize("right_ca", [True, False])
def test_chatters_over_wss_check_the_relays_certificate_with_the_endpoints_ca(
    tmp_path: Path, right_ca: bool
) -> None:
    """The chat endpoint's `tls` reaches the WebSocket handshake: with the test CA every
    message is delivered; with an unrelated one no chatter ever joins."""
    certs = make_certs(tmp_path / "ca")
    ca = certs.ca if right_ca else make_certs(tmp_path / "other").ca
    tls = EndpointSettings(tls=Tls(ca=ca)).to_json()
    with nchan_chat(tmp_path / "nchan", certs) as base:
        assert base.startswith("wss://")
        cfg = config(
            tmp_path,
            users={"chatter": 4},
            chat_interval=0.5,
            chat_urls=[base],
            protocols={"chat": TEMPLATE},
            endpoints={"chat": tls},
        )
        window = judged(tm.merge_batches(run_locust(tmp_path, cfg, "Chatter")))
    if right_ca:
        assert totals(window, tm.CHAT_SENT) > 40 and totals(window, tm.CHAT_ERRORS) == 0
        loss = SLIS.get("chat_loss").measure(window)
        assert loss is not None and loss <= 0.01
    else:
        assert totals(window, tm.CHAT_SENT) == 0 and totals(window, tm.CHAT_ERRORS) > 0
