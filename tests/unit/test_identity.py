"""Credential pool rows are dealt across workers without overlap until the pool runs out."""

from __future__ import annotations

from pathlib import Path

from livefire.base.connect import EndpointSettings
from loadgen.identity import Identity, next_row


def test_two_workers_deal_disjoint_rows_then_reuse(tmp_path: Path) -> None:
    rows = "".join(f"u{i},p{i}\n" for i in range(6))
    names = {}
    for worker in (0, 1):
        pool = tmp_path / f"pool-{worker}.csv"  # one file per simulated worker process
        pool.write_text("username,password\n" + rows)
        names[worker] = [next_row(str(pool), worker, 2)["username"] for _ in range(4)]  # type: ignore[index]
    assert names[0][:3] == ["u0", "u2", "u4"] and names[1][:3] == ["u1", "u3", "u5"]
    assert names[0][3] == "u0" and names[1][3] == "u1"  # the pool ran out: reused


def test_headers_render_pool_columns_and_secret_references(tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("k-123\n")
    identity = Identity("viewer-1", {"username": "alice"})
    settings = EndpointSettings(
        headers={"X-User": "${username}/${user}", "X-Key": f"file:{secret}"}
    )
    assert identity.headers(settings) == {"X-User": "alice/viewer-1", "X-Key": "k-123"}
