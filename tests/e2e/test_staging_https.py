"""`livefire run` on a staging stream served over HTTPS by software nobody here wrote (nginx,
ffmpeg's HLS muxer): with `tls.verify: false` the run passes and says, before it starts and in
its report, that certificates were not checked; with the test CA it passes with no warning; a
CA file that is not PEM is refused before anything starts (exit 2), naming the endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import livefire, report_of
from tests.integration.tls_origin import TlsStream, tls_hls_origin

pytestmark = pytest.mark.e2e
WARNING = (
    "TLS certificates are NOT verified for hls (tls.verify: false): "
    "a man in the middle would go unnoticed"
)


@pytest.fixture(scope="module")
def tls_hls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsStream]:
    with tls_hls_origin(tmp_path_factory.mktemp("https-origin")) as stream:
        yield stream


def run(tmp_path: Path, stream: TlsStream, tls: dict[str, Any]) -> tuple[int, str, Path]:
    scenario = {
        "name": "staging-https",
        "duration": "15s",
        "target": {"staging": {"hls": stream.url, "connect": {"hls": {"tls": tls}}}},
        "load": {"users": {"viewer": 4}, "shape": [{"ramp": "2s", "to": 1.0}], "workers": 1},
        "slos": {"viewer_error_rate": "1%"},
    }
    path = tmp_path / "staging.yaml"
    path.write_text(yaml.safe_dump(scenario))
    run_dir = tmp_path / "run"
    proc = livefire("run", str(path), "--run-dir", str(run_dir))
    out, _ = proc.communicate(timeout=120)
    return proc.returncode, out, run_dir


def test_verify_false_passes_and_says_so(tls_hls: TlsStream, tmp_path: Path) -> None:
    code, out, run_dir = run(tmp_path, tls_hls, {"verify": False})
    assert code == 0, out
    assert f"WARNING: {WARNING}" in out
    assert report_of(run_dir)["setup_warnings"] == [WARNING]


def test_the_ca_passes_without_a_warning(tls_hls: TlsStream, tmp_path: Path) -> None:
    code, out, run_dir = run(tmp_path, tls_hls, {"ca": tls_hls.certs.ca})
    assert code == 0, out
    assert "NOT verified" not in out and report_of(run_dir)["setup_warnings"] == []


def test_a_ca_that_is_not_pem_is_refused_before_the_run(tls_hls: TlsStream, tmp_path: Path) -> None:
    junk = tmp_path / "junk-ca.pem"
    junk.write_text("not a certificate\n")
    code, out, run_dir = run(tmp_path, tls_hls, {"ca": str(junk)})
    assert code == 2, out
    assert (
        f"target.staging.connect.hls.tls: CA bundle {junk}: not usable "
        "(NO_CERTIFICATE_OR_CRL_FOUND)"
    ) in out
    assert "Traceback" not in out and not (run_dir / "report.json").exists()
