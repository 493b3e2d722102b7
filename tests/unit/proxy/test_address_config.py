"""Listen addresses, the loopback rule, and the --config file's errors (no sockets)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chaos.proxy.address import check_listen, is_loopback, join_address, split_address
from chaos.proxy.config import load_config
from chaos.proxy.errors import ApiError, Err, ProxyError
from chaos.proxy.spec import ProxySpec


@pytest.mark.parametrize(
    ("address", "expected"),
    [("127.0.0.1:80", ("127.0.0.1", 80)), ("[::1]:9", ("::1", 9)), (":0", ("", 0))],
)
def test_split_address(address: str, expected: tuple[str, int]) -> None:
    assert split_address(address) == expected


@pytest.mark.parametrize("address", ["nowhere", "host:", "host:99999", "host:http"])
def test_bad_addresses(address: str) -> None:
    with pytest.raises(ApiError, match="expected host:port"):
        split_address(address)


def test_join_address_brackets_ipv6() -> None:
    assert join_address("::1", 5) == "[::1]:5" and join_address("127.0.0.1", 5) == "127.0.0.1:5"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("localhost", True), ("127.0.0.9", True), ("::1", True), ("", False), ("0.0.0.0", False)],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_remote_listen_needs_allow_remote() -> None:
    with pytest.raises(ApiError) as caught:
        check_listen(":8080", allow_remote=False)
    assert caught.value.kind is Err.REMOTE_REFUSED and "--allow-remote" in caught.value.message
    assert check_listen(":8080", allow_remote=True) == ("0.0.0.0", 8080)


def test_config_file(tmp_path: Path) -> None:
    path = tmp_path / "proxies.json"
    path.write_text(json.dumps([{"name": "a", "upstream": "h:1", "enabled": False}]))
    assert load_config(path) == [ProxySpec("a", "127.0.0.1:0", "h:1", False)]


@pytest.mark.parametrize(
    ("content", "text"),
    [
        ("[", "invalid JSON"),
        ("{}", "expected a JSON list of proxies, got dict"),
        ('[{"name": "a"}]', "missing required field: [0].upstream"),
        ('[{"name": "a", "upstream": 5}]', "[0].upstream: expected str, got 5"),
        ('[{"name": "a", "upstream": "h:1"}, {"name": "a", "upstream": "h:2"}]', "duplicate"),
    ],
)
def test_config_errors_name_file_and_problem(tmp_path: Path, content: str, text: str) -> None:
    path = tmp_path / "proxies.json"
    path.write_text(content)
    with pytest.raises(ProxyError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: ") and text in str(caught.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ProxyError, match="cannot read"):
        load_config(tmp_path / "absent.json")
