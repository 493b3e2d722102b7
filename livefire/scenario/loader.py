"""Read a scenario file into a `Scenario`, collecting every problem with its line first."""

from __future__ import annotations

import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from chaos.catalog import FAULTS
from chaos.plugins import load_plugins
from livefire.base.errors import Problem, ScenarioError
from livefire.base.registry import suggest
from livefire.scenario import probe_checks
from livefire.scenario.cost import DOCUMENTED_SEVERITIES, severity_of
from livefire.scenario.probes import ProbeGuard
from livefire.scenario.schema import Scenario
from livefire.scenario.slos import Guard, unjudgeable
from livefire.scenario.source import SourceMap, format_path
from livefire.scenario.staging_checks import staging_problems, with_absolute_paths
from livefire.scenario.user_kinds import user_kind_problems

_EXPECTED = {
    "int_parsing": "expected an integer",
    "int_type": "expected an integer",
    "int_from_float": "expected an integer",
    "float_parsing": "expected a number",
    "float_type": "expected a number",
    "string_type": "expected a string",
    "bool_parsing": "expected true or false",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
}
_BOUNDS = {
    "greater_than_equal": ">=",
    "greater_than": ">",
    "less_than_equal": "<=",
    "less_than": "<",
}


_M = typing.TypeVar("_M", bound=BaseModel)


@dataclass(frozen=True)
class LoadedScenario:
    scenario: Scenario
    source: SourceMap

    def problem(self, path: tuple[str | int, ...], message: str) -> Problem:
        """A problem found after loading (e.g. an undeclared target), placed on its line."""
        return _problem(self.source, path, message)


def load_scenario(path: str | Path) -> LoadedScenario:
    """Parse and validate; raise ScenarioError listing every problem, each with file:line."""
    load_plugins()  # third-party faults are part of the catalog scenarios are checked against
    file = str(path)
    data, source, problems = _read_mapping(path, "expected a mapping with name, duration, ...")
    problems.extend(_check_faults(data, source))
    problems.extend(_check_cost(data, source))
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems.extend(_problems(exc, source))
    else:
        problems.extend(_check_timeline(scenario, source))
        problems.extend(
            _problem(source, ("slos", *path), why) for path, why in unjudgeable(scenario.slos)
        )
        plugin_kinds = list(scenario.load.users.plugin_kinds)
        problems.extend(
            _problem(source, ("load", "users", kind), why)
            for kind, why in user_kind_problems(plugin_kinds)
        )
        base = Path(file).resolve().parent
        found_in_probes = probe_checks.probe_problems(
            scenario.probes, scenario.steady_state, scenario.guards, scenario.slos, base
        )
        problems.extend(_problem(source, path, why) for path, why in found_in_probes)
        probes = probe_checks.with_absolute_paths(scenario.probes, base)
        scenario = scenario.model_copy(update={"probes": probes})
        staging = scenario.target.staging
        if staging is not None:
            found = staging_problems(staging, base)
            problems.extend(_problem(source, path, why) for path, why in found)
            staged = with_absolute_paths(staging, base)
            target = scenario.target.model_copy(update={"staging": staged})
            scenario = scenario.model_copy(update={"target": target})
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: p.line))
    return LoadedScenario(scenario, source)


def _read_mapping(
    path: str | Path, expected: str
) -> tuple[dict[Any, Any], SourceMap, list[Problem]]:
    """Read and parse a YAML mapping, keeping the problems found on the way (duplicate keys,
    say); raise ScenarioError at once when there is no mapping to validate at all."""
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ScenarioError([Problem(file, 0, "", f"cannot read: {exc.strerror}")]) from None
    source = SourceMap(file)
    data = _parse(raw, source)
    problems = list(source.problems)
    if not isinstance(data, dict):
        problems.append(Problem(file, 1, "", expected))
        raise ScenarioError(problems)
    return data, source, problems


def load_model(path: str | Path, model: type[_M]) -> _M:
    """Any YAML document into `model` (a capacity spec, say) with the scenario's checks:
    UTF-8, YAML, duplicate keys, every schema problem at its file:line; raise ScenarioError."""
    data, source, problems = _read_mapping(path, "expected a mapping")
    try:
        loaded = model.model_validate(data)
    except ValidationError as exc:
        problems.extend(_problems(exc, source, model))
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: p.line))
    return loaded


def _parse(raw: bytes, source: SourceMap) -> Any:
    """The document as Python data, its lines (and duplicate keys) recorded in `source`.

    Raise ScenarioError when there is no document to check: not UTF-8, not YAML, nested
    beyond the parser's stack, or holding a value that contains itself.
    """
    file = source.file
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded; save it as UTF-8"
        raise ScenarioError([Problem(file, line, "", message)]) from None
    try:
        node = yaml.compose(text)
        if node is not None:
            source.record(node)
        data = None if source.cyclic else yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line, reason = _yaml_problem(exc, text)
        raise ScenarioError([Problem(file, line, "", f"invalid YAML: {reason}")]) from None
    except RecursionError:
        message = "invalid YAML: nested too deeply to read"
        raise ScenarioError([Problem(file, 1, "", message)]) from None
    if source.cyclic:
        raise ScenarioError(source.problems)
    return data


def _yaml_problem(exc: yaml.YAMLError, text: str) -> tuple[int, str]:
    """The line and reason of a YAML error, whichever kind PyYAML raised."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        return (mark.line + 1 if mark else 1), str(exc.problem or exc.context)
    if isinstance(exc, yaml.reader.ReaderError):
        line = text[: exc.position].count("\n") + 1
        character = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return line, f"character U+{character:04X} is not allowed ({exc.reason})"
    return 1, str(exc).splitlines()[0]


def _problems(
    exc: ValidationError, source: SourceMap, model: type[BaseModel] = Scenario
) -> Iterable[Problem]:
    for error in exc.errors():
        loc = _without_union_tag(tuple(p for p in error["loc"] if p != "[key]"))  # a dict key
        message = _message(error, loc, model)
        yield Problem(source.file, source.line_of(loc), format_path(loc), message)


def _without_union_tag(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Drop the tag pydantic puts after a tagged-union item: shape[0].ramp.to → shape[0].to,
    guards[0].probe.max → guards[0].max."""
    tags = {"shape": ("ramp", "hold"), "guards": ("sli", "probe")}
    for index in range(1, len(loc) - 1):
        tagged = loc[index - 1] in tags and isinstance(loc[index], int)
        if tagged and loc[index + 1] in tags[str(loc[index - 1])]:
            return loc[: index + 1] + loc[index + 2 :]
    return loc


def _message(error: Any, loc: tuple[str | int, ...], model: type[BaseModel] = Scenario) -> str:
    kind, found = error["type"], error.get("input")
    if kind == "missing":
        return "missing required field"
    if kind == "extra_forbidden":
        known = _known_keys(model, loc[:-1])
        return f"unknown key '{loc[-1]}'{suggest(str(loc[-1]), known)}"
    if kind in _BOUNDS:
        bound = next(iter(error["ctx"].values()))
        return f"expected a number {_BOUNDS[kind]} {bound}, got {found!r}"
    if kind in _EXPECTED:
        return f"{_EXPECTED[kind]}, got {found!r}"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    return f"{error['msg'][0].lower()}{error['msg'][1:]}, got {found!r}"


def _known_keys(model: type[BaseModel], path: tuple[str | int, ...]) -> tuple[str, ...]:
    """The keys a mapping at `path` accepts, walking the schema's annotations."""
    if len(path) == 2 and path[0] == "guards":  # a guard on an SLI or on a probe
        fields = {**Guard.model_fields, **ProbeGuard.model_fields}
        return tuple(sorted({(f.alias or n) for n, f in fields.items()}))
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", {})
        by_alias = {(f.alias or n): f for n, f in fields.items()}
        if part not in by_alias:
            return ()
        current = _model_in(by_alias[part].annotation)
    fields = getattr(current, "model_fields", {})
    return tuple((f.alias or n) for n, f in fields.items())


def _model_in(annotation: Any) -> Any:
    """The first pydantic model inside Optional[...], tuple[...] or Annotated[...]."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _check_faults(data: dict[str, Any], source: SourceMap) -> Iterable[Problem]:
    """Fault names and their parameters, checked on the raw document so they are reported
    together with schema problems."""
    faults = data.get("faults")
    for index, raw in enumerate(faults if isinstance(faults, list) else []):
        if not isinstance(raw, dict) or not isinstance(raw.get("fault"), str):
            continue
        where: tuple[str | int, ...] = ("faults", index)
        if raw["fault"] not in FAULTS:
            yield _problem(source, (*where, "fault"), FAULTS.unknown(raw["fault"]))
            continue
        params = raw.get("params") or {}
        try:
            FAULTS.get(raw["fault"]).params.model_validate(params)
        except ValidationError as exc:
            for error in exc.errors():
                loc = (*where, "params", *error["loc"])
                yield _problem(source, loc, _params_message(error, raw["fault"], loc))
    slos = data.get("slos")
    recovery = slos.get("recovery") if isinstance(slos, dict) else None
    for name in recovery if isinstance(recovery, dict) else []:
        if name not in FAULTS:
            yield _problem(source, ("slos", "recovery", name), FAULTS.unknown(str(name)))


def _check_timeline(scenario: Scenario, source: SourceMap) -> Iterable[Problem]:
    """Every fault must end inside the run."""
    for index, spec in enumerate(scenario.faults):
        end = spec.at + (spec.for_ or 0.0)
        if end > scenario.duration:
            yield _problem(
                source,
                ("faults", index, "at"),
                f"fault ends at {end:g}s, after the run's duration {scenario.duration:g}s",
            )


def _check_cost(data: dict[str, Any], source: SourceMap) -> Iterable[Problem]:
    """Every severity a fault is priced at must be in the severity table (the scenario's, else
    the documented one); checked on the raw document, beside the schema's problems."""
    found = data.get("cost")
    cost: dict[Any, Any] = found if isinstance(found, dict) else {}
    raw_table = cost.get("severities", DOCUMENTED_SEVERITIES)
    table = [str(name) for name in raw_table] if isinstance(raw_table, dict) else []
    declared = cost.get("faults")
    pairs = declared.items() if isinstance(declared, dict) else ()
    kinds = {str(k): v for k, v in pairs if isinstance(v, str)}
    for name, severity in kinds.items():
        if name not in FAULTS:
            yield _problem(source, ("cost", "faults", name), FAULTS.unknown(name))
        elif table and severity not in table:
            why = f"unknown severity '{severity}'{suggest(severity, table)}"
            yield _problem(source, ("cost", "faults", name), why)
    faults = data.get("faults")
    for index, raw in enumerate(faults if isinstance(faults, list) and table else []):
        if not isinstance(raw, dict) or not isinstance(raw.get("fault"), str):
            continue
        override = raw.get("severity") if isinstance(raw.get("severity"), str) else None
        target = str(raw.get("target", ""))
        severity, basis = severity_of(raw["fault"], target, override, kinds)
        if severity in table or basis.startswith("cost.faults"):  # that one is reported there
            continue
        if override is not None:
            why = f"unknown severity '{severity}'{suggest(severity, table)}"
            yield _problem(source, ("faults", index, "severity"), why)
        elif basis.startswith("default"):
            why = (
                f"priced at {severity} ({basis}), which cost.severities does not define; "
                f"add {severity} there or set faults[{index}].severity"
            )
            yield _problem(source, ("faults", index, "fault"), why)


def _problem(source: SourceMap, path: tuple[str | int, ...], message: str) -> Problem:
    return Problem(source.file, source.line_of(path), format_path(path), message)


def _params_message(error: Any, fault: str, loc: tuple[str | int, ...]) -> str:
    if error["type"] == "extra_forbidden":
        known = tuple(FAULTS.get(fault).params.model_fields)
        return f"unknown parameter '{loc[-1]}' for {fault}{suggest(str(loc[-1]), known)}"
    return _message(error, loc)
