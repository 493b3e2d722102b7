"""The nightly CI templates (ci/github, ci/gitlab, ci/k8s) keep the last green night's reports
and compare against them. Their shell is run here for real, with a stand-in `livefire` on
PATH that records its arguments, so a template that stops passing `--baseline`, or that lets
a red night become the baseline, fails a test rather than a user's night."""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from livefire.cli.suite import _write_junit

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "ci"

# the stand-in: records its arguments, leaves a report per scenario in --run-dir, exits $CODE
FAKE = """#!/bin/sh
echo "$@" >> "$ARGS"
dir=""; prev=""
for arg in "$@"; do [ "$prev" = "--run-dir" ] && dir="$arg"; prev="$arg"; done
mkdir -p "$dir/smoke" && echo "{\\"night\\": \\"$NIGHT\\"}" > "$dir/smoke/report.json"
exit "${CODE:-0}"
"""


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    path = tmp_path / "bin"
    path.mkdir()
    for name in ("livefire", "pip"):
        (path / name).write_text(FAKE if name == "livefire" else "#!/bin/sh\nexit 0\n")
        (path / name).chmod(0o755)
    return path


def shell(script: str, cwd: Path, bin_dir: Path, night: str, code: int = 0) -> tuple[int, str]:
    """Run `script` as the CI system would (bash, stop at the first failure); returns the
    exit code and the arguments livefire was given."""
    args = cwd / "args.txt"
    args.unlink(missing_ok=True)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "ARGS": str(args)}
    env |= {"NIGHT": night, "CODE": str(code)}
    proc = subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True)
    return proc.returncode, args.read_text().strip() if args.exists() else ""


def github() -> dict[str, Any]:
    return dict(yaml.safe_load((CI / "github" / "livefire-nightly.yml").read_text()))


def step(workflow: dict[str, Any], name: str) -> dict[str, Any]:
    [found] = [s for s in workflow["jobs"]["gameday"]["steps"] if s.get("name") == name]
    return dict(found)


def test_github_downloads_the_last_successful_nights_reports_as_the_baseline() -> None:
    workflow = github()
    assert workflow["permissions"]["actions"] == "read"
    find = step(workflow, "Find the last successful night")
    assert "--status success" in find["run"] and "--workflow" in find["run"]
    assert '"$GITHUB_WORKFLOW"' in find["run"] and "GITHUB_OUTPUT" in find["run"]
    download = step(workflow, "Download its reports (the baseline)")
    upload = step(workflow, "Keep the reports")
    assert download["uses"].startswith("actions/download-artifact@v4")
    assert download["with"]["run-id"] == f"${{{{ steps.{find['id']}.outputs.run-id }}}}"
    assert download["with"]["name"] == upload["with"]["name"]  # the artifact a night keeps
    assert download["with"]["github-token"] and download["continue-on-error"] is True
    assert upload["with"]["path"] == "runs/" and upload["if"] == "always()"
    steps = [s.get("name") for s in workflow["jobs"]["gameday"]["steps"]]
    assert steps.index(download["name"]) < steps.index("Run the suite")


def test_github_passes_the_baseline_only_when_there_is_one(tmp_path: Path, bin_dir: Path) -> None:
    script = step(github(), "Run the suite")["run"]
    code, args = shell(script, tmp_path, bin_dir, "1")
    assert code == 0 and "--baseline" not in args and "--run-dir runs" in args
    (tmp_path / "baseline" / "smoke").mkdir(parents=True)  # as download-artifact lays it out
    code, args = shell(script, tmp_path, bin_dir, "2", code=1)
    assert code == 1, "a regression must fail the step"
    assert args.endswith("--baseline baseline")


def gitlab() -> dict[str, Any]:
    jobs = yaml.safe_load((CI / "gitlab" / "livefire-nightly.gitlab-ci.yml").read_text())
    return dict(jobs["livefire-nightly"])


def test_gitlab_caches_the_last_green_nights_reports(tmp_path: Path, bin_dir: Path) -> None:
    job = gitlab()
    assert job["cache"]["paths"] == ["baseline/"] and job["cache"]["when"] == "on_success"
    script = "\n".join(job["script"])
    baseline = tmp_path / "baseline" / "smoke" / "report.json"
    code, args = shell(script, tmp_path, bin_dir, "1")  # first night: no cache yet
    assert code == 0 and "--baseline" not in args
    assert baseline.read_text().strip() == '{"night": "1"}'  # the cache to be saved
    assert not (tmp_path / "baseline" / "smoke" / "telemetry").exists()
    code, args = shell(script, tmp_path, bin_dir, "2", code=1)  # a red night
    assert code == 1 and args.endswith("--baseline baseline")
    assert baseline.read_text().strip() == '{"night": "1"}', "a red night is no baseline"
    code, args = shell(script, tmp_path, bin_dir, "3")
    assert code == 0 and args.endswith("--baseline baseline")
    assert baseline.read_text().strip() == '{"night": "3"}'
    assert "runs/" in job["artifacts"]["paths"] and job["artifacts"]["when"] == "always"


def suite_xml(night: Path, green: bool) -> None:
    """suite.xml as `livefire suite --junit` writes it, green or with one failure."""
    item = SimpleNamespace(scenario=SimpleNamespace(name="smoke"), source=SimpleNamespace(file="s"))
    report = {
        "scenario": "smoke", "status": "completed", "result": "pass" if green else "fail",
        "faults": [], "checks": [], "revert_failures": [], "inconclusive": [],
    }  # fmt: skip
    night.mkdir(parents=True)
    _write_junit(night / "suite.xml", [(item, report, green, "" if green else "regressed")])
    suite = ET.parse(night / "suite.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == ("0" if green else "1")


def k8s_command(runs: Path) -> str:
    docs = list(yaml.safe_load_all((CI / "k8s" / "livefire-nightly-job.yaml").read_text()))
    [job] = [d for d in docs if d["kind"] == "Job"]
    [container] = job["spec"]["template"]["spec"]["containers"]
    command = container["command"]
    assert command[:2] == ["sh", "-c"]
    assert "exec livefire suite" in command[2], "livefire must be PID 1 to get the SIGTERM"
    return str(command[2]).replace("/runs", str(runs)).replace("/scenarios", str(runs / "s"))


def test_k8s_compares_with_the_newest_green_night(tmp_path: Path, bin_dir: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    code, args = shell(k8s_command(runs), tmp_path, bin_dir, "1")
    assert code == 0 and "--baseline" not in args  # the first night
    for name in list(runs.iterdir()):
        name.rename(runs / "nightly-20260101T031700Z")
    suite_xml(runs / "nightly-20260102T031700Z", green=True)
    suite_xml(runs / "nightly-20260103T031700Z", green=False)  # newest, but red
    code, args = shell(k8s_command(runs), tmp_path, bin_dir, "4", code=1)
    assert code == 1
    assert args.endswith(f"--baseline {runs / 'nightly-20260102T031700Z'}")
