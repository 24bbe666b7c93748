# newsflow: the two commands a new user needs are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SERVICES := deploy/local/services
SAMPLE := ../shared/samples/000_536e0786f38f2d02.txt
QUERY ?= كوريا الجنوبية

.PHONY: install deploy-tools demo check test test-unit test-deploy test-cluster up down status bench bench-scale-out clean

$(BIN)/newsflow: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev,train]'
	touch $@

install: $(BIN)/newsflow

# kustomize, compose-go's loader and the operators' CRDs that tests/deploy validates with (cached)
deploy-tools:
	deploy/validate/fetch >/dev/null

up:
	$(SERVICES) up

down:
	deploy/local/worker stop
	$(SERVICES) down

status:
	$(SERVICES) status; deploy/local/worker status

# Install, start Kafka + Elasticsearch, create topics and index, start a worker, push the sample
# article through the pipeline and search it. Services and worker keep running (`make down` stops them).
demo: install
	$(SERVICES) up >/dev/null
	eval "$$($(SERVICES) env)" && $(BIN)/newsflow setup \
	  && deploy/local/worker start \
	  && $(BIN)/newsflow produce $(SAMPLE) \
	  && $(BIN)/newsflow search --wait 120 "$(QUERY)"
	@echo
	@echo "Kafka, Elasticsearch and a worker are running. Next:"
	@echo "  eval \"\$$($(SERVICES) env)\"; $(BIN)/newsflow produce FILE...; $(BIN)/newsflow search QUERY"
	@echo "  ops page: http://127.0.0.1:6066/ops/   metrics: http://127.0.0.1:6066/metrics   search API: http://127.0.0.1:6066/search/?q=..."
	@echo "Stop them with: make down    (or: deploy/local/worker stop; $(SERVICES) down)"

# Lint, types, layer contracts and the unit tests: no services, no network, no Go build.
check: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy && $(BIN)/lint-imports && $(BIN)/pytest -m unit

# Unit, deploy-validation and integration tests, then the wheel check (pip install . in a fresh venv, process + worker);
# starts the services if they are not running and stops what it started.
test: install deploy-tools
	@started=0; \
	if ! $(SERVICES) status >/dev/null 2>&1; then $(SERVICES) up >/dev/null && started=1; fi; \
	eval "$$($(SERVICES) env)"; \
	$(BIN)/ruff check . && $(BIN)/mypy && $(BIN)/lint-imports && $(BIN)/pytest -m "unit or deploy or integration" \
	  && deploy/local/check-wheel; rc=$$?; \
	if [ $$started = 1 ]; then $(SERVICES) down; fi; \
	exit $$rc

# The cluster fault tests (tests/cluster) on deploy/local/cluster: three brokers, three Elasticsearch
# nodes, beside the single-node stack; starts the cluster if it is not running and stops what it started.
test-cluster: install
	@started=0; \
	if ! deploy/local/cluster status >/dev/null 2>&1; then deploy/local/cluster up >/dev/null && started=1; fi; \
	eval "$$(deploy/local/cluster env)"; \
	$(BIN)/pytest -m cluster tests/cluster; rc=$$?; \
	if [ $$started = 1 ]; then deploy/local/cluster down; fi; \
	exit $$rc

test-unit: install
	$(BIN)/pytest -m unit

test-deploy: install deploy-tools
	$(BIN)/pytest -m deploy

bench: install
	$(BIN)/python -m bench.parse_report
	$(BIN)/python -m bench.enrich_report
	$(BIN)/python -m bench.dedup_report
	eval "$$($(SERVICES) env)" && $(BIN)/python -m bench.end_to_end
	eval "$$($(SERVICES) env)" && $(BIN)/python -m bench.text_analysis

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
