"""Every PromQL expression meetwire's monitoring uses: the Grafana dashboard's panel queries and
the alert rules' expressions, each also as a *probe* that should return data on a live worker.

An alert expression is ``<query> <comparison> <threshold>`` (possibly several joined by
``and``); its probe is the expression with the ``<comparison> <threshold>`` parts removed, so
it returns data whenever the metrics behind the alert exist, firing or not. A dashboard query
is its own probe.

    .venv/bin/python scripts/promql_exprs.py          # one line per expression: source, probe
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
DASHBOARD = REPO / "deploy" / "grafana" / "dashboards" / "meetwire.json"
ALERTS = REPO / "deploy" / "prometheus" / "alerts.yml"

# A comparison against a number literal: `> 0.05`, `== 0`, `>= bool 1e3`. Label matchers use a
# single `=` followed by a quote, so they never match.
_THRESHOLD = re.compile(r"\s*(?:==|!=|>=|<=|>|<)\s*(?:bool\s+)?-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])")


@dataclass(frozen=True, slots=True)
class Expression:
    """One PromQL expression and where it comes from."""

    source: str
    """``dashboard: <panel title> [<refId>]`` or ``alert: <alertname>``."""
    expr: str
    """As written in the file."""
    probe: str
    """What to query to check the expression has data behind it."""


def strip_thresholds(expr: str) -> str:
    """``expr`` without its comparisons against number literals (see the module docs)."""
    return " ".join(_THRESHOLD.sub("", expr).split())


def dashboard_expressions(path: Path = DASHBOARD) -> list[Expression]:
    """Every target ``expr`` of every panel (rows' nested panels included)."""
    dashboard: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    out: list[Expression] = []
    stack: list[dict[str, Any]] = list(dashboard.get("panels", []))
    while stack:
        panel = stack.pop(0)
        stack.extend(panel.get("panels", []))
        for target in panel.get("targets", []):
            expr = " ".join(str(target["expr"]).split())
            out.append(Expression(f"dashboard: {panel['title']} [{target['refId']}]", expr, expr))
    return out


def alert_expressions(path: Path = ALERTS) -> list[Expression]:
    """Every alerting rule's ``expr`` with its probe."""
    rules: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    out: list[Expression] = []
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            expr = " ".join(str(rule["expr"]).split())
            out.append(Expression(f"alert: {rule['alert']}", expr, strip_thresholds(expr)))
    return out


def all_expressions() -> list[Expression]:
    """Dashboard queries, then alert expressions."""
    return dashboard_expressions() + alert_expressions()


def main() -> int:
    for e in all_expressions():
        sys.stdout.write(f"{e.source}\t{e.probe}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
