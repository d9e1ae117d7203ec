# The commands the README shows. `make help` lists them.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.DEFAULT_GOAL := help
.PHONY: help setup demo down test lint unit kafka-up kafka-down eval bench lock
.PHONY: promtool compose-up compose-down

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

setup: $(VENV)/.installed ## create .venv and install meetwire with its dev tools

# Every package from the hashed lock (pip refuses any file whose hash differs), then meetwire
# itself, editable, with the lock's setuptools (no build isolation: nothing unpinned is fetched).
$(VENV)/.installed: pyproject.toml requirements-dev.lock
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

LOCK_VENV := .cache/lock-venv
PIP_COMPILE := $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-find-links
lock: ## refresh requirements.lock (runtime) and requirements-dev.lock (with dev tools), hashed, with pip-tools
	rm -rf $(LOCK_VENV)
	python3 -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet pip-tools
	$(PIP_COMPILE) -o requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra dev -o requirements-dev.lock pyproject.toml
	rm -rf $(LOCK_VENV)

demo: setup ## local Kafka + worker + sample wire; prints events and the broker to export, leaves /metrics served
	bash scripts/demo.sh

down: ## stop what `make demo` started
	bash scripts/demo.sh --down

test: setup lint ## the whole test suite (starts its own Kafka unless MEETWIRE_TEST_BROKER is set)
	$(PY) -m pytest

unit: setup ## only the tests that need no broker
	$(PY) -m pytest -m "not integration"

lint: setup ## ruff (lint and format) and mypy --strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

kafka-up: setup ## start a local Kafka in .cache/kafka-data
	$(BIN)/meetwire kafka up

kafka-down: setup ## stop it
	$(BIN)/meetwire kafka down

eval: setup ## score the extractor on ../shared/eval/dev.jsonl
	$(BIN)/meetwire eval ../shared/eval/dev.jsonl

bench: setup ## performance benchmark, own local Kafka, ~4 min (README: Performance)
	$(BIN)/meetwire bench

promtool: ## check the Prometheus config and alert rules, run the alert unit tests
	cd deploy/prometheus && promtool check config prometheus.yml && promtool check rules alerts.yml \
		&& promtool test rules alerts_test.yml

compose-up: ## where Docker exists: Kafka, worker, Prometheus and Grafana (docker-compose.yml)
	docker compose -p meetwire up -d --build

compose-down: ## stop the compose stack
	docker compose -p meetwire down
