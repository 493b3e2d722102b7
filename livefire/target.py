"""What a scenario's target offers the run: the endpoints users need, the embedded topology,
and which kind of fault each declared target can take — checked before anything starts."""

from __future__ import annotations

from livefire_stubs.topology import TOPOLOGIES, Topology

from chaos.catalog import FAULTS
from livefire.base.errors import ScenarioError
from livefire.base.registry import suggest
from livefire.scenario import LoadedScenario


def topology_for(loaded: LoadedScenario) -> Topology:
    embedded = loaded.scenario.target.embedded
    assert embedded is not None
    if embedded.topology not in TOPOLOGIES:
        raise ScenarioError(
            [
                loaded.problem(
                    ("target", "embedded", "topology"), f"unknown topology '{embedded.topology}'"
                )
            ]
        )
    return TOPOLOGIES[embedded.topology].with_streams(embedded.streams)


def check_targets(loaded: LoadedScenario, kinds: dict[str, set[str]]) -> None:
    """Every fault must aim at a declared target of the kind it acts on: refused before
    anything starts."""
    problems = []
    for index, spec in enumerate(loaded.scenario.faults):
        where = ("faults", index, "target")
        if spec.target not in kinds:
            hint = suggest(spec.target, tuple(kinds))
            problems.append(loaded.problem(where, f"undeclared target '{spec.target}'{hint}"))
            continue
        needed = FAULTS.get(spec.fault).target_kind
        if needed not in kinds[spec.target]:
            offers = ", ".join(sorted(kinds[spec.target])) or "nothing"
            problems.append(
                loaded.problem(
                    where,
                    f"fault '{spec.fault}' needs a {needed} target, but '{spec.target}' "
                    f"offers: {offers}",
                )
            )
    if problems:
        raise ScenarioError(problems)
