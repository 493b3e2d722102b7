"""Chat accounting on frames of known truth: duplicates and misrouted frames never hide loss."""

from __future__ import annotations

import json
import random

from livefire.base import telemetry as tm
from livefire.verdict.slis import SLIS
from loadgen.chat_wire import reference_receipts
from loadgen.chatter import SEEN_FOR_S, ChatAccount, ChatSession
from loadgen.recorder import Recorder

T0 = 1_000
ROOM = "live1"


def frame(n: int, room: str = ROOM, sent_at: float | None = None) -> dict[str, object]:
    sent = T0 + 0.05 * n if sent_at is None else sent_at
    return {"type": "msg", "id": f"m{n}", "room": room, "sender": "alice", "sent_at": sent}


def member(recorder: Recorder) -> ChatAccount:
    account = ChatAccount(ROOM, recorder)
    account.joined(T0 - 0.5)  # a member for every second from T0 on
    return account


def series(recorder: Recorder) -> list[tm.Second]:
    return tm.merge_batches([recorder.drain(final=True, now=T0 + 3)])


def delivered_and_loss(recorder: Recorder) -> tuple[float | None, float | None]:
    run = series(recorder)
    return (
        SLIS.get("chat_delivered_within_100ms").measure(run),
        SLIS.get("chat_loss").measure(run),
    )


def test_duplicates_to_one_member_do_not_hide_the_other_members_loss() -> None:
    recorder = Recorder("w")
    alice, bob = member(recorder), member(recorder)
    for n in range(10):
        recorder.count(tm.CHAT_SENT + ROOM, at=T0 + 0.05 * n)
        for _ in range(2):  # alice gets every message twice, bob none
            alice.received(frame(n), now=T0 + 0.05 * n + 0.01)
    for account in (alice, bob):
        account.tick(T0 + 1.5)
    run = series(recorder)
    assert SLIS.get("chat_delivered_within_100ms").measure(run) == 0.5
    assert SLIS.get("chat_loss").measure(run) == 0.5
    assert run[0].counters[tm.CHAT_RECEIVED] == 10
    assert run[0].counters[tm.CHAT_DUPLICATES] == 10


def test_a_frame_of_another_room_is_misrouted_not_a_receipt() -> None:
    recorder = Recorder("w")
    bob = member(recorder)
    recorder.count(tm.CHAT_SENT + ROOM, at=T0 + 0.1)
    bob.received(frame(1, room="elsewhere", sent_at=T0 + 0.1), now=T0 + 0.12)
    bob.tick(T0 + 1.5)
    delivered, loss = delivered_and_loss(recorder)
    assert delivered == 0.0 and loss == 1.0


def test_membership_is_counted_once_per_second_however_late_or_early_the_ticks() -> None:
    recorder = Recorder("w")
    account = member(recorder)
    account.tick(T0 + 0.001)
    account.tick(T0 - 0.0001)  # a timer that fires a hair early
    account.tick(T0 + 3.2)  # a stalled loop: three seconds late
    account.left(T0 + 3.7)  # left during T0 + 3: no member for it
    account.tick(T0 + 5.0)  # no longer a member
    counts = {s.t: s.counters.get(tm.CHAT_MEMBERS + ROOM, 0) for s in series(recorder)}
    assert {t: n for t, n in counts.items() if n} == {T0: 1, T0 + 1: 1, T0 + 2: 1}


def test_messages_sent_before_the_membership_began_are_not_counted() -> None:
    recorder = Recorder("w")
    account = ChatAccount(ROOM, recorder)
    account.joined(T0 + 0.4)  # a member from T0 + 1
    account.received(frame(1, sent_at=T0 + 0.5), now=T0 + 0.6)
    account.received(frame(2, sent_at=T0 + 1.1), now=T0 + 1.15)
    account.tick(T0 + 2.001)
    assert sum(s.counters.get(tm.CHAT_RECEIVED, 0) for s in series(recorder)) == 1


def test_the_session_reader_feeds_every_frame_to_the_account() -> None:
    recorder = Recorder("w")
    session = ChatSession(["ws://unused"], ROOM, "bob", recorder, 1.0, random.Random(0))
    session.account.joined(T0 - 0.5)
    raws = [json.dumps(frame(1)), json.dumps(frame(1)), json.dumps(frame(2, room="x"))]
    raws.append(json.dumps({"type": "error", "error": "no", "status": 503}))
    session.heard([r for raw in raws for r in reference_receipts(raw)], T0)
    session.account.tick(T0 + 1.001)
    totals: dict[str, int] = {}
    for second in series(recorder):
        for name, n in second.counters.items():
            totals[name] = totals.get(name, 0) + n
    assert totals[tm.CHAT_RECEIVED] == 1 and totals[tm.CHAT_DUPLICATES] == 1
    assert totals[tm.CHAT_MISROUTED] == 1 and totals[tm.CHAT_ERRORS] == 1


def test_receipts_beyond_what_is_owed_show_instead_of_reading_as_full_delivery() -> None:
    second = tm.Second(T0)
    second.count(tm.CHAT_SENT + ROOM, 10)
    second.count(tm.CHAT_MEMBERS + ROOM, 1)
    second.count(tm.CHAT_RECEIVED, 12)  # broken accounting somewhere: it must not hide
    loss = SLIS.get("chat_loss").measure([second])
    assert loss is not None and abs(loss + 0.2) < 1e-9


def test_a_chatter_that_leaves_mid_second_is_no_member_of_it_and_owes_nothing() -> None:
    """Stopped by Locust (ramp-down) at T0 + 1.5: the messages of T0 + 1 that it never saw
    are not loss, and those it saw before it left do not count either."""
    recorder = Recorder("w")
    leaver, stayer = member(recorder), member(recorder)
    for n in range(40):  # 20 a second for two seconds, T0 and T0 + 1
        sent = T0 + 0.05 * n
        recorder.count(tm.CHAT_SENT + ROOM, at=sent)
        stayer.received(frame(n), now=sent + 0.01)
        if sent + 0.01 < T0 + 1.5:
            leaver.received(frame(n), now=sent + 0.01)
        for account in (leaver, stayer):
            account.tick(sent + 0.01)
    leaver.left(T0 + 1.5)
    stayer.tick(T0 + 2.001)
    run = series(recorder)
    members = {s.t: s.counters.get(tm.CHAT_MEMBERS + ROOM, 0) for s in run}
    assert members[T0] == 2 and members[T0 + 1] == 1
    assert SLIS.get("chat_delivered_within_100ms").measure(run) == 1.0
    assert SLIS.get("chat_loss").measure(run) == 0.0


def test_receipts_wait_for_their_second_and_a_late_one_of_a_confirmed_second_counts() -> None:
    recorder = Recorder("w")
    account = member(recorder)
    recorder.count(tm.CHAT_SENT + ROOM, 2, at=T0 + 0.5)
    account.received(frame(1, sent_at=T0 + 0.5), now=T0 + 0.55)  # held until T0 is over
    assert sum(s.counters.get(tm.CHAT_RECEIVED, 0) for s in recorder._seconds.values()) == 0
    account.tick(T0 + 1.001)  # still joined at the end of T0: a member, its receipt counts
    account.received(frame(2, sent_at=T0 + 0.5), now=T0 + 1.3)  # late, but of a confirmed T0
    account.left(T0 + 1.4)
    run = series(recorder)
    assert run[0].t == T0 and run[0].counters[tm.CHAT_RECEIVED] == 2
    assert run[0].counters[tm.CHAT_RECEIVED_100MS] == 1
    assert SLIS.get("chat_loss").measure(run) == 0.0


def test_ids_are_forgotten_after_their_time_so_hours_of_chat_stay_bounded() -> None:
    recorder = Recorder("w")
    alice = ChatAccount(ROOM, recorder)
    alice.joined(T0 - 0.5)
    rate = 20  # messages a second in the room, for two simulated hours
    for n in range(rate * 7200):
        sent = T0 + n / rate
        alice.received(frame(n, sent_at=sent), now=sent + 0.02)
        if n % (rate * 60) == 0:
            alice.tick(sent)
            recorder.drain(final=False, now=sent)  # the shipper's drain, once a minute here
    kept = (SEEN_FOR_S + 1) * rate
    assert len(alice.seen) <= kept and len(alice._seen_order) <= kept  # not 144,000


def test_a_repeat_within_the_window_is_still_a_duplicate() -> None:
    recorder = Recorder("w")
    alice = member(recorder)
    alice.received(frame(1), now=T0 + 0.06)
    alice.received(frame(900), now=T0 + 45)  # ids of the last minutes are all remembered
    alice.received(frame(1), now=T0 + SEEN_FOR_S - 1)
    alice.tick(T0 + SEEN_FOR_S)
    run = tm.merge_batches([recorder.drain(final=True, now=T0 + SEEN_FOR_S + 1)])
    counted = {
        k: sum(s.counters.get(k, 0) for s in run) for k in (tm.CHAT_RECEIVED, tm.CHAT_DUPLICATES)
    }
    assert counted == {tm.CHAT_RECEIVED: 2, tm.CHAT_DUPLICATES: 1}


def test_a_frame_older_than_the_window_is_expired_never_a_receipt_or_duplicate() -> None:
    recorder = Recorder("w")
    alice = member(recorder)
    alice.received(frame(1), now=T0 + 0.06)
    late = T0 + SEEN_FOR_S + 5  # its id is forgotten by now: a repeat must not count again
    alice.received(frame(1), now=late)
    alice.received(frame(2), now=late)  # first arrival, five minutes late: lost, not received
    alice.tick(late)
    run = tm.merge_batches([recorder.drain(final=True, now=late + 1)])
    totals = {
        k: sum(s.counters.get(k, 0) for s in run)
        for k in (tm.CHAT_RECEIVED, tm.CHAT_DUPLICATES, tm.CHAT_EXPIRED)
    }
    assert totals == {tm.CHAT_RECEIVED: 1, tm.CHAT_DUPLICATES: 0, tm.CHAT_EXPIRED: 2}
