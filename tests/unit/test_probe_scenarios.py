"""Probes in the scenario: the schema, the checks at validation, each refusal on its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from livefire.base.errors import ScenarioError
from livefire.scenario import load_scenario
from livefire.scenario.probes import ProbeCondition, ProbeGuard, parse_bound

BAD = Path(__file__).parent.parent / "fixtures" / "bad_scenarios"

GALLERY = {
    "probe_settings.yaml": [
        ":7: probes.errors.prometheus.headers.Authorization: environment variable "
        "LIVEFIRE_TEST_UNSET_TOKEN is not set",
        ":9: probes.health.http.url: 'ftp://origin/healthz': ftp:// is not supported here",
        ":9: probes.health.http.json: '$..[[' is not a JSON path",
        ":11: probes.replicas.command.argv[0]: no-such-command-for-livefire: not found on PATH",
        ":13: probes.who.http.headers.X-User: ${user}: a probe has no simulated user behind it",
        ":13: probes.who.http.tls.ca: no-such-ca.pem: no such file",
        ":13: probes.who.http.tls.server_name: not supported for probes",
    ],
    "probe_conditions.yaml": [
        ":8: probes.errors.every: expected a number >= 0.5",
        ":9: probes.both: expected exactly one of prometheus, http, command; got http, command",
        ":14: steady_state[1]: expected max, min or both",
        ":16: guards[0].maxx: unknown key 'maxx'; did you mean 'max'?",
        ":17: guards[1].max: expected a number, a duration (500ms) or a percentage (1%), "
        "got 'fast'",
        ":19: slos.probes[0]: min 5 is above max 1",
    ],
    "probe_unknown_names.yaml": [
        ":9: steady_state[0].probe: unknown probe 'errros'; did you mean 'errors'?",
        ":11: guards[0].probe: unknown probe 'erors'; did you mean 'errors'?",
        ":14: slos.during_faults.probes[0].probe: unknown probe 'latency'; known: errors",
    ],
    "probe_only_slos.yaml": [
        ":6: slos.probes[0].probe: unknown probe 'nothing'; no probe is declared under probes:"
    ],
}


@pytest.mark.parametrize("name", sorted(GALLERY))
def test_every_probe_problem_is_reported_with_its_line(name: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BAD / name)
    text = str(caught.value)
    for expected in GALLERY[name]:
        assert f"{name}{expected}" in text, text
    assert len(caught.value.problems) == len(GALLERY[name]), text


GOOD = """
name: probed
duration: 30s
target: {embedded: {}}
load: {users: {viewer: 1}}
faults: [{at: 10s, fault: edge-latency, target: edge-apac, for: 5s}]
probes:
  errors:
    prometheus:
      url: http://127.0.0.1:9090
      query: sum(rate(http_requests_total{code=~"5.."}[30s])) or vector(0)
      headers: {Authorization: "file:token.txt"}
      tls: {ca: ca.pem}
    every: 2s
  health: {http: {url: "http://127.0.0.1:1/healthz"}}
  lag: {http: {url: "http://127.0.0.1:1/status", json: $.lag_ms}, unit: number}
  replicas: {command: {argv: [echo, "3"], value: stdout}}
steady_state:
  - {probe: errors, max: 0.5}
  - {probe: replicas, min: 3}
guards:
  - {probe: errors, max: 5, for: 4s}
  - {sli: viewer_error_rate, limit: 90%}
slos:
  probes: [{probe: health, max: 300ms}]
  during_faults: {probes: [{probe: lag, min: 0, max: 250}]}
  recovery: {edge-latency: 20s}
"""


def test_a_probed_scenario_parses_into_typed_models(tmp_path: Path) -> None:
    (tmp_path / "token.txt").write_text("s3cret\n")
    (tmp_path / "ca.pem").write_text("not read at validation\n")
    path = tmp_path / "probed.yaml"
    path.write_text(GOOD)
    scenario = load_scenario(path).scenario
    assert scenario.probes["errors"].kind == "prometheus"
    assert scenario.probes["errors"].every == 2.0
    assert scenario.probes["health"].every == 5.0  # the default interval
    assert scenario.probes["health"].shown_as == "s"  # an HTTP check without json: latency
    assert scenario.probes["lag"].http is not None
    assert scenario.probes["lag"].http.json_path == "$.lag_ms"
    prometheus = scenario.probes["errors"].prometheus
    assert prometheus is not None and prometheus.tls is not None
    assert prometheus.tls.ca == str(tmp_path / "ca.pem")  # made absolute, like staging's
    assert prometheus.headers["Authorization"] == f"file:{tmp_path / 'token.txt'}"
    assert isinstance(scenario.guards[0], ProbeGuard) and scenario.guards[0].for_ == 4.0
    assert not isinstance(scenario.guards[1], ProbeGuard)
    assert scenario.slos.probes[0].max == pytest.approx(0.3)
    assert scenario.slos.during_faults is not None
    assert scenario.slos.during_faults.probes[0].min == 0.0


def test_probe_slos_alone_are_something_to_judge_and_to_time_a_recovery_by(
    tmp_path: Path,
) -> None:
    text = GOOD.replace("  - {sli: viewer_error_rate, limit: 90%}\n", "")
    path = tmp_path / "probed.yaml"
    (tmp_path / "token.txt").write_text("x")
    (tmp_path / "ca.pem").write_text("x")
    path.write_text(text)
    assert load_scenario(path).scenario.slos.recovery == {"edge-latency": 20.0}


@pytest.mark.parametrize(
    ("written", "value"),
    [(3, 3.0), ("0.5", 0.5), ("250ms", 0.25), ("2s", 2.0), ("1%", 0.01), (-2, -2.0)],
)
def test_bounds_are_numbers_durations_or_percentages(written: object, value: float) -> None:
    assert parse_bound(written) == pytest.approx(value)


@pytest.mark.parametrize("written", [True, "fast", None, "-5ms"])
def test_a_bound_that_is_none_of_those_is_refused(written: object) -> None:
    with pytest.raises(ValueError):
        parse_bound(written)


def test_no_data_never_holds_a_condition() -> None:
    condition = ProbeCondition(probe="p", max=1.0)
    assert condition.holds(0.5) and condition.holds(1.0)
    assert not condition.holds(1.5)
    assert not condition.holds(None)
    assert not condition.holds(float("nan"))
    ranged = ProbeCondition(probe="p", min=1.0, max=2.0)
    assert ranged.holds(1.5) and not ranged.holds(0.5) and not ranged.holds(2.5)


def test_the_readmes_worked_example_is_a_valid_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("### Probes: the platform's own signals", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "kubectl").write_text("#!/bin/sh\n")
    (bin_dir / "kubectl").chmod(0o755)
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "ready-replicas.sh").write_text("#!/bin/sh\necho 3\n")
    (tmp_path / "scripts" / "ready-replicas.sh").chmod(0o755)
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "staging-ca.pem").write_text("x")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PROM_TOKEN", "t")
    head = "name: readme\nduration: 120s\ntarget: {embedded: {}}\nload: {users: {viewer: 1}}\n"
    head += "faults: [{at: 30s, fault: cdn-region-blackhole, target: edge-apac, for: 30s}]\n"
    path = tmp_path / "readme.yaml"
    path.write_text(head + example)
    scenario = load_scenario(path).scenario
    assert set(scenario.probes) == {
        "regions_healthy",
        "origin_lag",
        "origin_health",
        "transcoders",
        "ready_replicas",
    }
    assert len(scenario.steady_state) == 2 and isinstance(scenario.guards[0], ProbeGuard)
