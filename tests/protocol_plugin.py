"""A protocol plugin as pip would leave it: a module and a dist-info directory declaring it in
the `livefire.protocols` entry-point group, in a directory put on sys.path (this process) or
PYTHONPATH (Locust's)."""

from __future__ import annotations

import itertools
import textwrap
import time
from pathlib import Path

_ids = itertools.count()

NCHAN_CHAT = '''
from typing import Any, ClassVar
from loadgen.chat_marker import find_markers

class NchanChat:
    """Nchan's pub/sub chat spoken in Python: the room in the path, the marker in the text."""

    role: ClassVar[str] = "chat"

    def __init__(self, options: dict[str, Any]) -> None:
        self.greeting = options["greeting"]
        self.ws = None

    def open(self, dial) -> None:
        self.ws = dial.connect(dial.url.rstrip("/") + "/chat/" + dial.room)

    def send(self, message) -> None:
        self.ws.send(self.greeting + " " + message.marker())

    def receive(self, timeout=None):
        return find_markers(self.ws.recv(timeout=timeout))

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()

class Mute(NchanChat):
    send = None  # lacks a method of the chat interface

class Gifts(NchanChat):
    role = "gifts"

def not_a_class() -> None:
    pass
'''


def install(
    directory: Path,
    entries: dict[str, str],
    source: str = NCHAN_CHAT,
    group: str = "livefire.protocols",
) -> Path:
    """Write a module of `source` and a dist-info naming `entries` (entry name → attribute of
    that module) in `group` into `directory`; returns `directory`, to put on the path."""
    n = f"{next(_ids)}_{time.time_ns()}"
    module = f"acme_plugin_{n}"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{module}.py").write_text(textwrap.dedent(source))
    info = directory / f"acme_plugin_{n}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: acme-plugin-{n}\nVersion: 1.0\n")
    lines = [f"{name} = {module}:{attr}" for name, attr in entries.items()]
    (info / "entry_points.txt").write_text(f"[{group}]\n" + "\n".join(lines) + "\n")
    return directory


POLLER = '''
import time

import gevent
import requests
from locust import task

from livefire.base import telemetry as tm
from loadgen.users import LivefireUser


class Poller(LivefireUser):
    """A user kind livefire does not have: polls the discovery endpoint's /health on the
    search schedule and records what it saw as searches."""

    @task
    def poll(self) -> None:
        url = self.config.discovery_url.rstrip("/") + "/health"
        intended = time.time()
        while True:
            intended += self.config.search_interval
            gevent.sleep(max(0.0, intended - time.time()))
            began = time.time()
            try:
                ok = requests.get(url, timeout=2).status_code == 200
            except requests.RequestException:
                ok = False
            self.recorder.count(tm.SEARCHES, at=intended)
            self.recorder.observe(tm.SEARCH_LATENCY, time.time() - began, at=intended)
            if not ok:
                self.recorder.count(tm.SEARCH_ERRORS, at=intended)
            self.recorder.observe(tm.SCHEDULE_LAG, max(0.0, began - intended), at=began)


class NotAUser:
    pass
'''


def install_users(directory: Path, entries: dict[str, str]) -> Path:
    """As `install`, for user kinds: entry-point group `livefire.users`."""
    return install(directory, entries, POLLER, "livefire.users")


TIPS = '''
from typing import Any, ClassVar

import requests

from livefire.base import secrets


class Tips:
    """The foreign tipping API (tests/integration/foreign_gifts_api.py) spoken in Python."""

    role: ClassVar[str] = "gifts"

    def __init__(self, options: dict[str, Any]) -> None:
        self.page = int(options.get("page_size", 5))

    def post(self, call):
        url = call.api.rstrip("/") + "/v1/tips"
        options = call.user.requests_options("gifts", url)
        options.pop("timeout", None)
        gift = call.gift
        body = {"channel": gift["stream"], "from": gift["sender"], "cents": gift["amount"]}
        options["headers"]["X-Request-Id"] = call.key
        answer = requests.put(url, data=body, timeout=call.timeout, **options)
        return {"id": answer.json()["tip"]["ref"]} if answer.status_code == 201 else None

    def read_ledger(self, gifts_url, settings):
        headers = {k: secrets.resolve(v) for k, v in settings.headers.items()}
        entries, cursor = [], ""
        while True:
            page = requests.get(
                gifts_url.rstrip("/") + "/v1/tips/applied",
                params={"cursor": cursor, "page_size": self.page},
                headers=headers,
                timeout=5,
            ).json()
            for row in page["data"]["rows"]:
                entries.append(
                    {"idempotency_key": row["request_id"], "applied_at": row["booked_ms"] / 1000}
                )
            cursor = page["cursor"]["next"]
            if not cursor:
                return entries


class Streams:
    role: ClassVar[str] = "search"

    def __init__(self, options: dict[str, Any]) -> None:
        self.query = options["query"]

    def search(self, discovery_url, user, timeout):
        url = discovery_url.rstrip("/") + "/api/v2/streams"
        options = user.requests_options("discovery", url)
        options.pop("timeout", None)
        answer = requests.get(url, params={"query": self.query}, timeout=timeout, **options)
        return answer.status_code == 200 and bool(answer.json()["results"])
'''


def install_tips(directory: Path) -> Path:
    """Install the foreign API's gift and search plugins as `tips-py` and `streams-py`."""
    return install(directory, {"tips-py": "Tips", "streams-py": "Streams"}, TIPS)
