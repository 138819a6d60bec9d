# credit_management: the two commands a newcomer needs are `make demo` and `make test`.
# Everything else is for developers. Override ODOO_SRC (Odoo 19.0 source, default /opt/odoo-19.0),
# PGHOST/PGPORT (PostgreSQL) or PORT (HTTP port of the demo) from the environment.
SHELL := /bin/bash
.DEFAULT_GOAL := help
BENCH_SIZE ?= s

.PHONY: help setup demo test test-odoo lint bench bench-data score-quality score-ceiling clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

setup:  ## virtualenv, Odoo 19, Python requirements, PostgreSQL running (idempotent)
	@bash tools/setup.sh

demo:  ## set up, create database credit_demo with demo data if missing, serve http://localhost:8069
	@bash tools/demo.sh

test:  ## set up, fresh test database, run the module's tests with pytest-odoo
	@bash tools/test.sh pytest

test-odoo:  ## the same tests with Odoo's own runner (--test-tags /credit_management)
	@bash tools/test.sh odoo

lint:  ## ruff and pylint-odoo (OCA mandatory checks)
	@bash tools/lint.sh

bench-data:  ## generate the benchmark base database (BENCH_SIZE=s|l)
	@bash tools/setup.sh && .venv/bin/python bench/generate.py --size $(BENCH_SIZE)

bench:  ## run the benchmark scenarios against plain Odoo (BENCH_SIZE=s|l)
	@bash tools/setup.sh && .venv/bin/python bench/generate.py --size $(BENCH_SIZE) \
		&& .venv/bin/python bench/run.py --size $(BENCH_SIZE)

score-quality:  ## the risk score's AUC and classes on a generated two-year history
	@bash tools/setup.sh && .venv/bin/python bench/score_history.py

score-ceiling:  ## the best AUC any score could reach on that history's generator
	@bash tools/setup.sh && .venv/bin/python bench/score_ceiling.py

clean:  ## drop the test databases and the virtualenv
	-@dropdb --if-exists credit_test 2>/dev/null; dropdb --if-exists credit_test_odoo 2>/dev/null; true
	rm -rf .venv .local
