"""`--web`: the Locust master keeps its web UI on the address given (headless without it),
autostarted by the scenario's shape and quitting when it ends; every control is refused."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Flask

from livefire.loadrunner import master_argv
from loadgen import webui
from loadgen.config import LoadConfig


def config() -> LoadConfig:
    return LoadConfig(run_dir="/tmp/run", duration=20.0, users={"viewer": 10}, shape=[])


def test_headless_by_default() -> None:
    argv = master_argv(config(), 1, "127.0.0.1", 5557, ["Viewer"])
    assert "--headless" in argv and "--web-port" not in argv and "--autostart" not in argv


def test_web_keeps_the_ui_on_its_address_and_quits_with_the_shape() -> None:
    argv = master_argv(config(), 1, "127.0.0.1", 5557, ["Viewer"], ("127.0.0.1", 8089))
    assert "--headless" not in argv
    assert argv[argv.index("--web-host") + 1] == "127.0.0.1"
    assert argv[argv.index("--web-port") + 1] == "8089"
    assert "--autostart" in argv and argv[argv.index("--autoquit") + 1] == "0"


def test_every_control_of_the_ui_is_refused_and_every_page_served() -> None:
    app = Flask(__name__)
    app.add_url_rule("/stats/requests", "stats", lambda: {"state": "running"})
    app.add_url_rule("/stop", "stop", lambda: "stopped", methods=["POST"])
    app.add_url_rule("/swarm", "swarm", lambda: "swarmed", methods=["POST"])
    webui.read_only(SimpleNamespace(app=app))
    client = app.test_client()
    assert client.get("/stats/requests").json == {"state": "running"}
    for control in ("/stop", "/swarm", "/stats/reset", "/user"):
        refused = client.post(control)
        assert refused.status_code == 403, control
        assert refused.json is not None and "conductor owns this test" in refused.json["message"]
