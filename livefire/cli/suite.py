"""`livefire suite DIR|FILES... --junit out.xml`: several game days in sequence, e.g. nightly.

Every scenario is validated before the first one starts. A negative control (a scenario with
`expect: {result: fail, broken: [...]}`) is green only when it fails naming those promises.
With `--baseline DIR` (a previous suite's --run-dir), each run is also compared with the
same-named scenario's run there (`livefire compare`): a regression makes that scenario not as
expected; a scenario the baseline lacks, or whose baseline cannot be read, is said and skipped.
"""

from __future__ import annotations

import argparse
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from livefire import report as reports
from livefire.base.errors import RunDirError, ScenarioError
from livefire.cli import live
from livefire.cli.run import _printer, add_load_options, conduct, options
from livefire.history import compare_dirs, write
from livefire.history.runs import report_path
from livefire.reports import write_all
from livefire.scenario import LoadedScenario, load_scenario
from livefire.verdict.expectation import meets


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "suite",
        help="run several scenarios in sequence (nightly resilience checks)",
        description="Run every scenario given (files, or every *.yaml in a directory) one "
        "after another. Exit 0 when each came out as expected (negative controls must fail "
        "naming their promise), 1 if one did not, 4 if none did not but one was "
        "inconclusive (the load generator fell behind or telemetry has gaps), 3 if one was "
        "aborted.",
        epilog="example: livefire suite scenarios/ --junit runs/nightly.xml "
        "--metrics-address 0.0.0.0:9464",
    )
    parser.add_argument("paths", nargs="+", type=Path, help="scenario files or directories")
    parser.add_argument("--junit", type=Path, help="write one JUnit testcase per scenario here")
    parser.add_argument("--run-dir", type=Path, help="parent of each scenario's run directory")
    parser.add_argument("--workers", type=int, help="local Locust workers per run")
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help="a previous suite's --run-dir: compare each run with the same scenario's run "
        "there (compare.json and compare.html beside each report); a regression fails it",
    )
    add_load_options(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    live.add_options(parser)
    parser.set_defaults(handler=run)


def scenario_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    return files


def run(args: argparse.Namespace) -> int:
    loaded, problems = [], []
    for path in scenario_files(args.paths):
        try:
            loaded.append(load_scenario(path))
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    parent = args.run_dir or Path("runs") / f"suite-{time.strftime('%Y%m%d-%H%M%S')}"
    outcomes: list[tuple[LoadedScenario, dict, bool, str]] = []  # type: ignore[type-arg]
    metrics = live.serve(args)
    progress = live.feeding(metrics, _printer(args.quiet))
    for number, item in enumerate(loaded, 1):
        print(f"== {item.scenario.name} ({item.source.file})", flush=True)
        if metrics is not None:  # the scenario in play, and only it
            promises = live.promises(item.scenario.slos)
            metrics.begin(item.scenario.name, number, len(loaded), promises)
        run_dir = parent / item.scenario.name
        judgement = conduct(item, options(args, run_dir), progress)
        write_all(judgement.report, run_dir)
        for line in reports.summary(judgement.report):
            print(line)
        ok, why = meets(item.scenario.expect, judgement.report)
        if args.baseline is not None:
            regressed = against_baseline(args.baseline, item.scenario.name, run_dir)
            if regressed:
                ok, why = False, "; ".join(filter(None, (why, regressed)))
        print(f"== {item.scenario.name}: {'as expected' if ok else 'NOT as expected: ' + why}")
        outcomes.append((item, judgement.report, ok, why))
        if judgement.report["status"] == "interrupted":  # Ctrl-C stops the suite, not one run
            print("== interrupted: the remaining scenarios were not run")
            break
    if args.junit:
        _write_junit(args.junit, outcomes)
    return exit_code([(r["result"], ok) for _, r, ok, _ in outcomes])


def against_baseline(baseline: Path, name: str, run_dir: Path) -> str:
    """Compare tonight's run of `name` with the baseline's, print what changed and write the
    comparison beside the run's report. Returns why it regressed ("" if it did not). A
    scenario missing from the baseline, or whose baseline cannot be read, is said, not fatal."""
    before = baseline / name
    if not report_path(before).exists():
        print(f"== {name}: no baseline run under {baseline} (new scenario, or a first night)")
        return ""
    try:
        compared = compare_dirs(before, run_dir)
    except RunDirError as exc:
        print(f"== {name}: not compared with the baseline: {exc}")
        return ""
    write(compared, run_dir)
    for line in compared.summary():
        print(line)
    regressions = compared.comparison.regressions
    if not regressions:
        print(f"== {name}: against the baseline: {compared.comparison.result}")
        return ""
    named = ", ".join(f"{r.promise} ({r.phase})" for r in regressions)
    print(f"== {name}: REGRESSED against the baseline: {named}")
    return f"regressed against the baseline {before}: {named}"


def exit_code(results: list[tuple[str, bool]]) -> int:
    """From each run's (result, as expected?): 3 if one was aborted, else 1 if one came out
    otherwise than expected, else 4 if one was inconclusive (no verdict to compare), else 0."""
    if any(result == "aborted" for result, _ in results):
        return 3
    if any(not ok and result != "inconclusive" for result, ok in results):
        return 1
    return 4 if any(result == "inconclusive" for result, _ in results) else 0


def _write_junit(path: Path, outcomes: list) -> None:  # type: ignore[type-arg]
    suite = ET.Element(
        "testsuite",
        name="livefire-suite",
        tests=str(len(outcomes)),
        failures=str(sum(not ok and r["result"] != "inconclusive" for _, r, ok, _ in outcomes)),
        errors=str(sum(r["result"] == "inconclusive" for _, r, _, _ in outcomes)),
    )
    for item, report, ok, why in outcomes:
        case = ET.SubElement(
            suite,
            "testcase",
            classname="livefire.suite",
            name=item.scenario.name,
            file=item.source.file,
        )
        text = "\n".join(reports.summary(report))
        if report["result"] == "inconclusive":
            why = "; ".join(report.get("inconclusive") or []) or "inconclusive"
            ET.SubElement(case, "error", message=why, type="Inconclusive").text = text
        elif not ok:
            ET.SubElement(case, "failure", message=why).text = text
    root = ET.Element("testsuites", name="livefire")
    root.append(suite)
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n")
