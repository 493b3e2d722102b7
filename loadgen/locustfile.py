"""The locustfile livefire hands to Locust (`locust -f loadgen/locustfile.py`).

The conductor passes the whole load configuration as `--livefire-config JSON`; Locust forwards
custom options from the master to every worker, so remote workers need nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from locust import LoadTestShape, events
from locust.env import Environment
from locust.runners import WorkerRunner

from loadgen import shipping, user_plugins, users, webui
from loadgen.config import LoadConfig
from loadgen.kinds import USER_KINDS
from loadgen.shape import fraction_at
from loadgen.users import Chatter, Creator, Gifter, Searcher, Viewer

USER_CLASSES: dict[str, type[users.LivefireUser]] = {
    kind: getattr(users, name) for kind, name in USER_KINDS.items()
}
PLUGIN_CLASSES: dict[str, type] = user_plugins.load_all()
"""Kinds from `livefire.users` plugins, in this module's namespace so Locust finds them."""
globals().update({cls.__name__: cls for cls in PLUGIN_CLASSES.values()})

__all__ = ["Chatter", "Creator", "Gifter", "ScenarioShape", "Searcher", "Viewer"]


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument(
        "--livefire-config",
        default="",
        include_in_web_ui=False,
        help="livefire load configuration (JSON), set by `livefire run`",
    )


@events.init.add_listener
def _install(environment: Environment, web_ui: Any = None, **_: Any) -> None:
    if web_ui is not None:  # `livefire run --web`: watch, never steer
        webui.read_only(web_ui)
    options = environment.parsed_options
    text = getattr(options, "livefire_config", "") if options else ""
    if isinstance(environment.runner, WorkerRunner) or not text:
        shipping.SHIPPER = shipping.Shipper(environment, None)
        return
    config = LoadConfig.from_json(text)
    shipping.SHIPPER = shipping.Shipper(environment, Path(config.run_dir))
    for kind, cls in (USER_CLASSES | PLUGIN_CLASSES).items():
        cls.weight = max(1, config.users.get(kind, 0))


class ScenarioShape(LoadTestShape):
    """The scenario's `load.shape`, ending the test after `duration`."""

    def tick(self) -> tuple[int, float] | None:
        options = self.runner.environment.parsed_options if self.runner else None
        if options is None:  # the shape ticks only on a runner given the scenario's options
            return None
        config = LoadConfig.from_json(options.livefire_config)
        run_time = self.get_run_time()
        if run_time >= config.duration:
            if shipping.SHIPPER is not None:
                shipping.SHIPPER.flush()
            return None
        total = sum(config.users.values())
        return round(total * fraction_at(config.shape, run_time)), float(max(total, 1))
