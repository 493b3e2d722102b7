"""Scenarios: the YAML a user writes, parsed once into frozen, typed models."""

from livefire.scenario.loader import LoadedScenario, load_scenario
from livefire.scenario.schema import FaultSpec, Scenario, Slos

__all__ = ["FaultSpec", "LoadedScenario", "Scenario", "Slos", "load_scenario"]
