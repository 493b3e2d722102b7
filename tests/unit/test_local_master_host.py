"""This machine's workers must reach the master where it listens: on the one address it is
bound to (a non-loopback one for remote workers), on loopback only when it listens on all."""

from __future__ import annotations

import pytest

from livefire.loadrunner import local_master_host


@pytest.mark.parametrize(
    ("bind", "host"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("0.0.0.0", "127.0.0.1"),
        ("10.0.0.5", "10.0.0.5"),  # was 127.0.0.1: nothing answers there
        ("::", "::1"),
        ("[fd00::5]", "fd00::5"),
    ],
)
def test_local_workers_join_where_the_master_listens(bind: str, host: str) -> None:
    assert local_master_host(bind) == host
