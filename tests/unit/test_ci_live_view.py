"""The Kubernetes nightly Job serves the live view where its pod annotations tell Prometheus
to scrape, and its Service exposes that port."""

from __future__ import annotations

from pathlib import Path

import yaml

from livefire.liveserver import parse_address

JOB = Path(__file__).resolve().parents[2] / "ci" / "k8s" / "livefire-nightly-job.yaml"


def test_the_job_serves_live_metrics_where_prometheus_is_told_to_scrape() -> None:
    docs = {d["kind"]: d for d in yaml.safe_load_all(JOB.read_text())}
    pod = docs["Job"]["spec"]["template"]
    [container] = pod["spec"]["containers"]
    script = container["command"][-1].split()
    host, port = parse_address(script[script.index("--metrics-address") + 1])
    assert host == "0.0.0.0"  # reachable from the scraper, not only from the pod
    annotations = pod["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert int(annotations["prometheus.io/port"]) == port
    assert {"containerPort": port, "name": "metrics"} in container["ports"]
    assert port in [p["targetPort"] for p in docs["Service"]["spec"]["ports"]]
