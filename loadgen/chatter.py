"""The chatter: joins its stream's chat room over WebSocket, sends at a configured rate, and
records every receipt, so delivery can be judged against membership at send time.

Accounting (see DESIGN.md, chat delivery; `ChatAccount`, pure): a chatter counts itself a
member of its room for second t only once it is still joined at the end of t, and counts a
receipt only for messages sent in a second it was a member of. Receipts of a second not yet
over are held, and counted when the second is confirmed (a late receipt of a confirmed second
counts at once); a chatter that leaves during t — a dropped connection, or Locust stopping it
mid-second — is no member for t, and its receipts of t are discarded with it. So a message sent
in second t is expected by `chat_members@room` members, each of which was there all of t, and
any it does not reach — a drop, a dead node — is loss. A receipt is counted once per message
id: a repeat is a `chat_duplicates`, a frame of another room a `chat_misrouted`, and neither can
stand in for a message that never arrived.

The ids are remembered for `SEEN_FOR_S` after their send time, so an hours-long run holds only
the last few minutes' ids. A frame sent longer ago than that is `chat_expired`: not a receipt
(it counts as lost, being far outside any delivery promise) and never a duplicate, so a repeat
arriving after its id was forgotten cannot be counted twice.
"""

from __future__ import annotations

import math
import random
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

import gevent
from websockets.exceptions import WebSocketException

from livefire.base import telemetry as tm
from loadgen.chat_marker import ChatMessage
from loadgen.chat_wire import ChatDial, ChatWire, ReferenceWire
from loadgen.recorder import Recorder

RECONNECT_S = 1.0
WITHIN_S = 0.100  # the documented promise: delivered within 100 ms
SEEN_FOR_S = 300.0  # message ids kept this long after their send time (see above)


class ChatAccount:
    """One chatter's membership and receipts, fed frames and times (no I/O, no clock).

    Call `joined(now)` once the node confirms the join, `tick(now)` whenever convenient (each
    second, say), `left(now)` when the connection ends or the chatter is stopped, and
    `received(frame, now)` for every "msg" frame. Each whole second between join and leave is
    counted once, however late a tick comes, so a stalled event loop cannot make receipts
    outnumber deliveries owed.
    """

    def __init__(self, room: str, recorder: Recorder) -> None:
        self.room, self.recorder = room, recorder
        self.member_from: int | None = None  # first whole second of the current membership
        self.counted_through: int | None = None  # last second confirmed a member for
        self.seen: set[str] = set()  # ids counted (or ignored) this session, sent lately
        self._seen_order: deque[tuple[float, str]] = deque()  # (sent, id), in arrival order
        self.pending: dict[int, list[float]] = {}  # second → latencies of its held receipts

    def joined(self, now: float) -> None:
        self.member_from = math.ceil(now)
        self.pending.clear()

    def tick(self, now: float) -> None:
        """Confirm each whole second that ended while joined, up to `now`, once each: count a
        member for it and the receipts held for it."""
        if self.member_from is None:
            return
        first = self._first_unconfirmed()
        for t in range(first, math.floor(now)):  # t is over: t + 1 <= now
            self.recorder.count(tm.CHAT_MEMBERS + self.room, at=t)
            self.counted_through = t
            for latency in self.pending.pop(t, ()):
                self._receipt(t, latency)

    def left(self, now: float) -> None:
        """Confirm the seconds that ended before `now`; the one it leaves in does not count,
        nor do its held receipts."""
        self.tick(now)
        self.member_from = None
        self.pending.clear()

    def received(self, frame: dict[str, Any], now: float) -> None:
        if frame.get("room") != self.room:
            self.recorder.count(tm.CHAT_MISROUTED, at=now)
            return
        msg_id = frame.get("id")
        if not isinstance(msg_id, str):
            self.recorder.count(tm.CHAT_ERRORS, at=now)
            return
        sent = float(frame["sent_at"])  # receipts count in the second of sending,
        self._forget(now)  # so a window's ratio compares like with like
        if sent < now - SEEN_FOR_S:
            self.recorder.count(tm.CHAT_EXPIRED, at=sent)
            return
        if msg_id in self.seen:
            self.recorder.count(tm.CHAT_DUPLICATES, at=sent)
            return
        self.seen.add(msg_id)
        self._seen_order.append((sent, msg_id))
        if self.member_from is None or sent < self.member_from:
            return  # sent before this membership began: nobody owed it to us
        second, latency = math.floor(sent), now - sent
        if second < self._first_unconfirmed():
            self._receipt(sent, latency)  # late, but its second is confirmed: it counts
        else:
            self.pending.setdefault(second, []).append(latency)

    def _forget(self, now: float) -> None:
        """Drop the ids sent more than SEEN_FOR_S ago (arrival order is about send order; an
        id behind a younger one waits for it, at most another SEEN_FOR_S)."""
        order = self._seen_order
        while order and order[0][0] < now - SEEN_FOR_S:
            self.seen.discard(order.popleft()[1])

    def _first_unconfirmed(self) -> int:
        assert self.member_from is not None
        if self.counted_through is None:
            return self.member_from
        return max(self.member_from, self.counted_through + 1)

    def _receipt(self, sent: float, latency: float) -> None:
        self.recorder.observe(tm.CHAT_LATENCY, max(latency, 0.0), at=sent)
        self.recorder.count(tm.CHAT_RECEIVED, at=sent)
        if latency <= WITHIN_S:
            self.recorder.count(tm.CHAT_RECEIVED_100MS, at=sent)


class ChatSession:
    """One chatter's life in its room: connect through its wire, join, send at `interval`
    (±50%), feed every receipt to its account; reconnect after every drop."""

    def __init__(
        self,
        urls: list[str],
        room: str,
        user: str,
        recorder: Recorder,
        interval: float,
        rng: random.Random,
        wire: Callable[[], ChatWire] = ReferenceWire,
        dial: Callable[[str], ChatDial] | None = None,
    ) -> None:
        self.urls, self.room, self.user = urls, room, user
        self.recorder, self.interval, self.rng = recorder, interval, rng
        self.account = ChatAccount(room, recorder)
        self.new_wire = wire
        self.dial = dial or (lambda url: ChatDial(url, room, {"user": user}))
        self.wire: ChatWire | None = None

    def run_forever(self) -> None:
        """Chat until killed; every drop is counted and followed by a reconnect."""
        beat = gevent.spawn(self._membership)
        try:
            attempt = 0
            while True:
                url = self.urls[attempt % len(self.urls)]
                attempt += 1
                try:
                    self._session(url)
                except (OSError, WebSocketException, TimeoutError, ValueError):
                    self.recorder.count(tm.CHAT_ERRORS)
                self.account.left(time.time())
                gevent.sleep(RECONNECT_S)
        finally:  # also when Locust stops this user (GreenletExit): it left mid-second
            beat.kill(block=False)
            self.account.left(time.time())
            if self.wire is not None:
                self.wire.close()

    def _session(self, url: str) -> None:
        self.wire = wire = self.new_wire()
        try:
            wire.open(self.dial(url))
            self.account.joined(time.time())
            reader = gevent.spawn(self._read, wire)
            try:
                while not reader.dead:
                    delay = self.rng.uniform(0.5, 1.5) * self.interval
                    intended = time.time() + delay
                    gevent.sleep(delay)
                    sent_at = time.time()
                    wire.send(ChatMessage(uuid.uuid4().hex, self.room, self.user, sent_at))
                    self.recorder.count(tm.CHAT_SENT + self.room, at=sent_at)
                    lag = max(0.0, sent_at - intended)  # the timer's lateness: generator lag
                    self.recorder.observe(tm.SCHEDULE_LAG, lag, at=sent_at)
            finally:
                reader.kill(block=False)
            reader.get()  # re-raise what ended the reader
        finally:
            wire.close()

    def _read(self, wire: ChatWire) -> None:
        while (receipts := wire.receive()) is not None:
            self.heard(receipts, time.time())

    def heard(self, receipts: Iterable[dict[str, Any]], now: float) -> None:
        """Receipt frames from the wire: errors counted, messages judged by the account."""
        for frame in receipts:
            if frame.get("type") == "error":
                self.recorder.count(tm.CHAT_ERRORS, at=now)
            else:
                self.account.received(frame, now)

    def _membership(self) -> None:
        """Just after each whole second, count this chatter a member for the seconds begun."""
        while True:
            now = time.time()
            gevent.sleep(math.ceil(now) - now + 0.001)
            self.account.tick(time.time())
