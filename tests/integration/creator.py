"""A creator as the push-ingest protocol expects one: ffmpeg encodes a test picture to
MPEG-TS in real time, and the creator pushes it through `GET /ingest-route`, reconnecting
(asking the route again) whenever the connection breaks."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from typing import Any

import requests


def camera(seconds: float) -> subprocess.Popen[bytes]:
    argv = ["ffmpeg", "-v", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30"]
    argv += ["-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "15"]
    return subprocess.Popen([*argv, "-f", "mpegts", "-"], stdout=subprocess.PIPE)


def chunks(source: subprocess.Popen[bytes]) -> Iterator[bytes]:
    assert source.stdout is not None
    while chunk := source.stdout.read1(16384):
        yield chunk


def push(origin: str, stream: str, source: subprocess.Popen[bytes], deadline_s: float) -> list[Any]:
    """Push until the camera ends; returns every answer or error, one per connection."""
    answers: list[Any] = []
    body = chunks(source)
    deadline = time.monotonic() + deadline_s
    while source.poll() is None or answers == []:
        if time.monotonic() > deadline:
            raise AssertionError(f"push not done in {deadline_s} s: {answers}")
        try:
            route = requests.get(f"{origin}/ingest-route?stream={stream}", timeout=5)
            if route.status_code != 200:
                answers.append(route.json())
                time.sleep(0.3)
                continue
            answer = requests.put(route.json()["push"], data=body, timeout=60)
            answers.append(answer.json() | {"http": answer.status_code})
            if answer.status_code == 409:
                time.sleep(0.3)
        except requests.RequestException as exc:
            answers.append(repr(exc))
    return answers
