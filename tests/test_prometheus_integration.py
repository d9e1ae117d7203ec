"""A real Prometheus, with the project's scrape config and alert rules, scraping the real worker.

After a good and a malformed item went through the worker, every dashboard query and every
alert expression (its probe: the expression without its threshold comparisons, see
``scripts/promql_exprs.py``) must return data with a finite value, and every alert rule must
evaluate without error.
"""

from __future__ import annotations

import asyncio
import json
import math
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from scripts.promql_exprs import all_expressions
from stream.client import create_topics, produce_lines
from stream.settings import Settings
from tests.conftest import SHARED_EVAL, free_port
from tests.optional_tools import require_tool
from tests.worker_process import collect, running_worker, worker_env

REPO = Path(__file__).resolve().parents[1]
PROMETHEUS_CONFIG = REPO / "deploy" / "prometheus" / "prometheus.yml"
ALERT_RULES = REPO / "deploy" / "prometheus" / "alerts.yml"

PROMETHEUS_READY_TIMEOUT_S = 60.0
PROMETHEUS_STOP_TIMEOUT_S = 20.0
FIRST_SCRAPES_TIMEOUT_S = 60.0
RESULT_TIMEOUT_S = 120.0
ALL_PROBES_TIMEOUT_S = 90.0
SCRAPE_INTERVAL = "1s"
HTTP_TIMEOUT_S = 5.0
RAW_PARTITIONS = 2

pytestmark = pytest.mark.integration


def scrape_config_for(worker_target: str, rules: Path) -> dict[str, Any]:
    """The project's prometheus.yml with only the target, the rule path and the intervals changed."""
    config: dict[str, Any] = yaml.safe_load(PROMETHEUS_CONFIG.read_text(encoding="utf-8"))
    config["global"]["scrape_interval"] = SCRAPE_INTERVAL
    config["global"]["evaluation_interval"] = SCRAPE_INTERVAL
    assert config["rule_files"] == [rules.name], "the test loads the rules the config names"
    config["rule_files"] = [str(rules)]
    (job,) = [job for job in config["scrape_configs"] if job["job_name"] == "meetwire"]
    (static,) = job["static_configs"]
    static["targets"] = [worker_target]
    return config


class PrometheusHandle:
    def __init__(self, process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
        self.process = process
        self.url = url
        self.log_path = log_path

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def api(self, path: str, **params: str) -> Any:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.url}{path}{query}", timeout=HTTP_TIMEOUT_S) as response:  # noqa: S310 - loopback
            body = json.loads(response.read())
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        data = self.api("/api/v1/query", query=expr)
        if data["resultType"] == "scalar":
            return [{"metric": {}, "value": data["result"]}]
        result: list[dict[str, Any]] = data["result"]
        return result


@contextmanager
def running_prometheus(config: dict[str, Any], workdir: Path) -> Iterator[PrometheusHandle]:
    """Prometheus on a free loopback port with ``config``; always stopped afterwards."""
    config_path = workdir / "prometheus.yml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    check = subprocess.run(
        [require_tool("promtool"), "check", "config", str(config_path)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    port = free_port()
    log_path = workdir / "prometheus.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                require_tool("prometheus"),
                f"--config.file={config_path}",
                f"--storage.tsdb.path={workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    handle = PrometheusHandle(process, f"http://127.0.0.1:{port}", log_path)
    try:
        _wait_ready(handle)
        yield handle
    finally:
        process.terminate()
        try:
            process.wait(PROMETHEUS_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(PROMETHEUS_STOP_TIMEOUT_S)


def _wait_ready(handle: PrometheusHandle) -> None:
    deadline = time.monotonic() + PROMETHEUS_READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if handle.process.poll() is not None:
            raise RuntimeError(f"prometheus exited with {handle.process.returncode}:\n{handle.log_tail()}")
        try:
            with urllib.request.urlopen(f"{handle.url}/-/ready", timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise TimeoutError(f"prometheus not ready in {PROMETHEUS_READY_TIMEOUT_S}s:\n{handle.log_tail()}")


def _wait_for(handle: PrometheusHandle, expr: str, timeout_s: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = handle.query(expr)
        if result:
            return result
        time.sleep(0.5)
    raise TimeoutError(f"{expr!r} returned nothing within {timeout_s}s:\n{handle.log_tail()}")


def _finite(result: list[dict[str, Any]]) -> bool:
    return any(math.isfinite(float(sample["value"][1])) for sample in result)


def _seed_line() -> bytes:
    item = orjson.loads(SHARED_EVAL.read_bytes().splitlines()[0])
    return orjson.dumps({k: item[k] for k in ("id", "text", "source", "url", "language", "title", "published_at")})


@pytest.mark.parametrize("bad", [b'{"id": "broken", "text": "unterminated'])
def test_prometheus_every_dashboard_and_alert_expression_returns_data(
    kafka_bootstrap: str, unique: str, tmp_path: Path, bad: bytes
) -> None:
    require_tool("prometheus")  # before a worker starts: skip (or fail in CI) at once
    require_tool("promtool")
    expressions = all_expressions()
    assert len(expressions) >= 20, "the dashboard and the rules were found"
    env = worker_env(
        kafka_bootstrap, unique, free_port(), MEETWIRE_LOG_JSON="true", MEETWIRE_TOPIC_PARTITIONS=str(RAW_PARTITIONS)
    )
    settings = Settings.from_env(env)
    asyncio.run(create_topics(settings, [settings.topic_raw], partitions=RAW_PARTITIONS))
    with running_worker(env, tmp_path / "worker.log") as worker:
        target = f"{settings.web_host}:{settings.web_port}"
        config = scrape_config_for(target, ALERT_RULES)
        with running_prometheus(config, tmp_path) as prometheus:
            # Two scrapes before any traffic, so counters and histograms rise rather than appear.
            _wait_for(
                prometheus, 'count_over_time(meetwire_items_total{outcome="events"}[1m]) >= 2', FIRST_SCRAPES_TIMEOUT_S
            )
            asyncio.run(produce_lines(settings, settings.topic_raw, [_seed_line(), bad]))
            events = collect(settings, settings.topic_events, until=1, timeout_s=RESULT_TIMEOUT_S)
            letters = collect(settings, settings.topic_deadletter, until=1, timeout_s=RESULT_TIMEOUT_S)
            assert events, f"no event arrived:\n{worker.log_tail()}"
            assert letters, f"no dead letter arrived:\n{worker.log_tail()}"

            missing: dict[str, str] = {}
            deadline = time.monotonic() + ALL_PROBES_TIMEOUT_S
            while True:
                missing = {}
                for e in expressions:
                    result = prometheus.query(e.probe)
                    if not result or not _finite(result):
                        missing[e.source] = f"{e.probe} -> {result}"
                if not missing or time.monotonic() > deadline:
                    break
                time.sleep(1.0)
            rules = prometheus.api("/api/v1/rules")
            up = prometheus.query('up{job="meetwire"}')
            lag = prometheus.query("meetwire_consumer_lag_messages")

    assert not missing, "expressions without data:\n" + "\n".join(f"  {k}: {v}" for k, v in missing.items())
    assert [float(s["value"][1]) for s in up] == [1.0]
    alerting = [rule for group in rules["groups"] for rule in group["rules"] if rule["type"] == "alerting"]
    assert sorted(rule["name"] for rule in alerting) == sorted(
        e.source.removeprefix("alert: ") for e in expressions if e.source.startswith("alert: ")
    )
    assert all(rule["health"] == "ok" and not rule.get("lastError") for rule in alerting), alerting
    # Lag is reported for every partition the worker owns, the idle one included.
    assert sorted(s["metric"]["partition"] for s in lag) == [str(p) for p in range(RAW_PARTITIONS)]
    assert {s["metric"]["topic"] for s in lag} == {settings.topic_raw}
