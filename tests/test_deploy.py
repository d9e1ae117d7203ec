"""deploy/ and docker-compose.yml, checked without a Docker engine (none on our machines).

What can be checked here is: ``docker-compose config`` (v1, validates against the Compose
schema offline) and ``promtool`` accept the files; images are pinned; ports, mounts and the
worker's settings agree with each other, with the Dockerfile and with Prometheus's scrape
target; the Grafana dashboard and its provisioning fit together; and the alert rules' unit
tests pass.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.promql_exprs import alert_expressions, dashboard_expressions, strip_thresholds
from stream.settings import Settings
from tests.optional_tools import require_tool

REPO = Path(__file__).resolve().parents[1]
COMPOSE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "deploy" / "Dockerfile"
PROMETHEUS_DIR = REPO / "deploy" / "prometheus"
GRAFANA_DIR = REPO / "deploy" / "grafana"
DASHBOARD = GRAFANA_DIR / "dashboards" / "meetwire.json"
TOOL_TIMEOUT_S = 60.0

SERVICES = ("kafka", "worker", "prometheus", "grafana")
SETTINGS_ENV = {f.metadata["env"] for f in fields(Settings)}
# A tag with a version number: `4.0.0`, `v2.53.4`, `3.11.11-slim-bookworm`; never `latest`.
PINNED_TAG = re.compile(r"^[\w.\-/]+:v?\d+\.\d+(\.\d+)?[\w.\-]*(@sha256:[0-9a-f]{64})?$")


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data


def _service(name: str) -> dict[str, Any]:
    service: dict[str, Any] = _compose()["services"][name]
    return service


def _worker_settings() -> Settings:
    env = {key: str(value) for key, value in _service("worker")["environment"].items()}
    return Settings.from_env(env)


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            instruction, _, args = stripped.partition(" ")
            out.append((instruction.upper(), args.strip()))
    return out


def _run(*argv: str, cwd: Path = REPO, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **env} if env is not None else None
    return subprocess.run(
        argv, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S, check=False
    )


# -- docker-compose.yml ------------------------------------------------------------------------


@pytest.mark.parametrize("tool", ["docker-compose"])
def test_deploy_compose_file_passes_docker_compose_config(tool: str) -> None:
    result = _run(require_tool(tool), "-f", str(COMPOSE), "config", "--quiet", env={"GRAFANA_ADMIN_PASSWORD": "x"})
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("tool", ["docker-compose"])
def test_deploy_compose_needs_the_grafana_admin_password(tool: str) -> None:
    result = _run(require_tool(tool), "-f", str(COMPOSE), "config", "--quiet", env={"GRAFANA_ADMIN_PASSWORD": ""})
    assert result.returncode != 0
    assert "GRAFANA_ADMIN_PASSWORD" in result.stderr


@pytest.mark.parametrize("service", SERVICES)
def test_deploy_compose_publishes_on_loopback_only(service: str) -> None:
    for port in _service(service).get("ports", []):
        assert port.startswith("127.0.0.1:"), f"{service} publishes {port} on every host interface"


@pytest.mark.parametrize("service", SERVICES)
def test_deploy_compose_service_images_are_pinned(service: str) -> None:
    image = _service(service)["image"]
    assert PINNED_TAG.match(image), f"{service}: {image} is not pinned to a version"
    assert not image.endswith(":latest")


@pytest.mark.parametrize(
    ("service", "container_port"), [("kafka", 29092), ("worker", 6066), ("prometheus", 9090), ("grafana", 3000)]
)
def test_deploy_compose_publishes_ports(service: str, container_port: int) -> None:
    published = {int(p.split(":")[-1]) for p in _service(service)["ports"]}
    assert container_port in published
    all_host_ports = [p.rsplit(":", 1)[0] for s in SERVICES for p in _service(s).get("ports", [])]
    assert len(all_host_ports) == len(set(all_host_ports)), "two services publish the same host port"


@pytest.mark.parametrize("service", SERVICES)
def test_deploy_compose_mounts_exist(service: str) -> None:
    named = set(_compose().get("volumes", {}))
    for volume in _service(service).get("volumes", []):
        source = volume.split(":")[0]
        if source.startswith("."):
            assert (REPO / source).exists(), f"{service}: {source} does not exist"
        else:
            assert source in named, f"{service}: volume {source} is not declared"


@pytest.mark.parametrize("variable", ["MEETWIRE_BROKER", "MEETWIRE_WEB_HOST", "MEETWIRE_WEB_PORT"])
def test_deploy_compose_worker_env_are_settings(variable: str) -> None:
    env = _service("worker")["environment"]
    assert set(env) <= SETTINGS_ENV, f"unknown settings: {set(env) - SETTINGS_ENV}"
    assert variable in env


@pytest.mark.parametrize("expected_command", [["meetwire", "worker"]])
def test_deploy_compose_worker_runs_the_worker_against_the_compose_kafka(expected_command: list[str]) -> None:
    worker = _service("worker")
    settings = _worker_settings()
    assert worker["command"] == expected_command
    assert worker["build"] == {"context": ".", "dockerfile": "deploy/Dockerfile"}
    assert settings.bootstrap_servers == ["kafka:9092"]
    kafka_env = _service("kafka")["environment"]
    assert "INTERNAL://kafka:9092" in kafka_env["KAFKA_ADVERTISED_LISTENERS"]
    assert settings.web_host == "0.0.0.0"  # noqa: S104 - inside the container, published by compose
    assert f"127.0.0.1:{settings.web_port}:{settings.web_port}" in worker["ports"]
    assert worker["depends_on"]["kafka"]["condition"] == "service_healthy"


@pytest.mark.parametrize("job", ["meetwire"])
def test_deploy_prometheus_scrapes_the_compose_worker(job: str) -> None:
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text(encoding="utf-8"))
    (scrape,) = [s for s in config["scrape_configs"] if s["job_name"] == job]
    settings = _worker_settings()
    assert scrape["static_configs"][0]["targets"] == [f"worker:{settings.web_port}"]
    assert scrape.get("metrics_path", "/metrics") == "/metrics"
    mounts = _service("prometheus")["volumes"]
    assert "./deploy/prometheus:/etc/prometheus:ro" in mounts
    assert "--config.file=/etc/prometheus/prometheus.yml" in _service("prometheus")["command"]
    for rule_file in config["rule_files"]:
        assert (PROMETHEUS_DIR / rule_file).is_file()


@pytest.mark.parametrize("kraft_key", ["KAFKA_PROCESS_ROLES", "KAFKA_CONTROLLER_QUORUM_VOTERS", "CLUSTER_ID"])
def test_deploy_compose_kafka_is_single_node_kraft(kraft_key: str) -> None:
    env = _service("kafka")["environment"]
    assert kraft_key in env
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == 1
    assert _service("kafka")["image"].startswith("apache/kafka:4.0.")
    assert len(env["CLUSTER_ID"]) == 22, "a KRaft cluster id is 16 bytes in base64url"


# -- deploy/Dockerfile ---------------------------------------------------------------------------


@pytest.mark.parametrize("instruction", ["FROM", "EXPOSE", "CMD", "USER"])
def test_deploy_dockerfile_has(instruction: str) -> None:
    assert instruction in {name for name, _ in _dockerfile_instructions()}


@pytest.mark.parametrize("base_prefix", ["python:3.11."])
def test_deploy_dockerfile_base_image_is_pinned(base_prefix: str) -> None:
    (base,) = [args for name, args in _dockerfile_instructions() if name == "FROM"]
    assert base.startswith(base_prefix)
    assert PINNED_TAG.match(base), base


@pytest.mark.parametrize("service", ["worker"])
def test_deploy_dockerfile_agrees_with_compose(service: str) -> None:
    instructions = _dockerfile_instructions()
    settings = _worker_settings()
    exposed = [int(p) for name, args in instructions if name == "EXPOSE" for p in args.split()]
    assert exposed == [settings.web_port]
    (cmd,) = [json.loads(args) for name, args in instructions if name == "CMD"]
    assert cmd == _service(service)["command"]
    env_lines = " ".join(args for name, args in instructions if name == "ENV")
    assert f"MEETWIRE_WEB_PORT={settings.web_port}" in env_lines
    assert "MEETWIRE_WEB_HOST=0.0.0.0" in env_lines


@pytest.mark.parametrize("needed", ["pyproject.toml", "README.md", "stream", "agents"])
def test_deploy_dockerfile_copies_what_the_package_needs(needed: str) -> None:
    sources = {s for name, args in _dockerfile_instructions() if name == "COPY" for s in args.split()[:-1]}
    assert needed in sources
    assert (REPO / needed).exists()
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    assert needed not in ignored


# -- Prometheus rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "config", "prometheus.yml"],
        ["check", "rules", "alerts.yml"],
        ["test", "rules", "alerts_test.yml"],
    ],
)
def test_deploy_promtool_accepts(argv: list[str]) -> None:
    result = _run(require_tool("promtool"), *argv, cwd=PROMETHEUS_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("expr", "probe"),
    [
        ('up{job="meetwire"} == 0', 'up{job="meetwire"}'),
        ("a > 1000 and deriv(a[10m]) > 0", "a and deriv(a[10m])"),
        ("time() - max(x) > 1.8e3", "time() - max(x)"),
        (
            'histogram_quantile(0.95, sum by (le) (rate(h_bucket{le!="0.5"}[5m]))) >= 0.25',
            'histogram_quantile(0.95, sum by (le) (rate(h_bucket{le!="0.5"}[5m])))',
        ),
        ("a / b > bool 0.05", "a / b"),
    ],
)
def test_deploy_strip_thresholds_keeps_the_query(expr: str, probe: str) -> None:
    assert strip_thresholds(expr) == probe


@pytest.mark.parametrize(
    "alert",
    [
        "MeetwireWorkerDown",
        "MeetwireConsumerLagGrowing",
        "MeetwireDeadLetterRateHigh",
        "MeetwireNoEvents",
        "MeetwireExtractionSlow",
    ],
)
def test_deploy_alert_is_defined_and_unit_tested(alert: str) -> None:
    assert alert in {e.source.removeprefix("alert: ") for e in alert_expressions()}
    tests = yaml.safe_load((PROMETHEUS_DIR / "alerts_test.yml").read_text(encoding="utf-8"))
    cases = [case for test in tests["tests"] for case in test["alert_rule_test"] if case["alertname"] == alert]
    assert any(case["exp_alerts"] for case in cases), f"{alert} is never shown firing"
    assert any(not case["exp_alerts"] for case in cases), f"{alert} is never shown silent"


# -- Grafana ------------------------------------------------------------------------------------


def _dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize(
    "title",
    [
        "Throughput: items consumed by outcome",
        "Dead letters by reason",
        "Events by topic category",
        "Events by language and status",
        "End-to-end latency p50 / p95 / p99",
        "Extraction time per item p50 / p95 / p99",
        "Consumer lag by partition",
    ],
)
def test_deploy_dashboard_has_panel(title: str) -> None:
    panels = {p["title"]: p for p in _dashboard()["panels"]}
    assert title in panels
    assert panels[title]["targets"], title


@pytest.mark.parametrize("quantile", ["0.5", "0.95", "0.99"])
def test_deploy_dashboard_latency_panels_show_quantile(quantile: str) -> None:
    for title in ("End-to-end latency p50 / p95 / p99", "Extraction time per item p50 / p95 / p99"):
        exprs = [e.expr for e in dashboard_expressions() if e.source.startswith(f"dashboard: {title} ")]
        assert any(e.startswith(f"histogram_quantile({quantile},") for e in exprs), (title, quantile)


@pytest.mark.parametrize("key", ["id", "gridPos", "datasource", "targets", "type"])
def test_deploy_dashboard_panels_are_complete(key: str) -> None:
    panels = _dashboard()["panels"]
    assert all(key in panel for panel in panels), key
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    refs = [(panel["id"], t["refId"]) for panel in panels for t in panel["targets"]]
    assert len(refs) == len(set(refs)), "refIds must be unique within a panel"


@pytest.mark.parametrize("width", [24])
def test_deploy_dashboard_panels_do_not_overlap(width: int) -> None:
    cells: set[tuple[int, int]] = set()
    for panel in _dashboard()["panels"]:
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= width, panel["title"]
        mine = {(x, y) for x in range(pos["x"], pos["x"] + pos["w"]) for y in range(pos["y"], pos["y"] + pos["h"])}
        assert not cells & mine, f"{panel['title']} overlaps another panel"
        cells |= mine


@pytest.mark.parametrize("datasource_file", ["prometheus.yml"])
def test_deploy_dashboard_uses_the_provisioned_datasource(datasource_file: str) -> None:
    provisioned = yaml.safe_load((GRAFANA_DIR / "provisioning" / "datasources" / datasource_file).read_text())
    (source,) = provisioned["datasources"]
    assert source["url"] == "http://prometheus:9090"
    uses = {p["datasource"]["uid"] for p in _dashboard()["panels"]}
    uses |= {t["datasource"]["uid"] for p in _dashboard()["panels"] for t in p["targets"]}
    assert uses == {source["uid"]}


@pytest.mark.parametrize("provider_file", ["meetwire.yml"])
def test_deploy_dashboard_provider_reads_the_mounted_folder(provider_file: str) -> None:
    provider = yaml.safe_load((GRAFANA_DIR / "provisioning" / "dashboards" / provider_file).read_text())
    (entry,) = provider["providers"]
    path = entry["options"]["path"]
    assert f"./deploy/grafana/dashboards:{path}:ro" in _service("grafana")["volumes"]
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in _service("grafana")["volumes"]
    home = _service("grafana")["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home == f"{path}/{DASHBOARD.name}"
