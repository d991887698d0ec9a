# The two commands every new user runs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint install browser-deps seed migrate clean serve-prod bench

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	@if $(BIN)/python manage.py help load_policies >/dev/null 2>&1; then $(BIN)/python manage.py load_policies; fi
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py seed_ledger

run: seed
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Debian's Chromium drives the browser tests (Playwright cannot download its own browser here),
# and the CJK font keeps Chinese readable in screenshots.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then \
		echo "Installing Chromium and fonts-noto-cjk with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings.test >/dev/null

# Two pytest-xdist workers, each with its own test database, browser and Redis databases (tests/workers.py);
# `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= 2
test: install browser-deps lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The production profile on this machine: local PostgreSQL (database created if missing) and Redis,
# collectstatic, migrate, policies and demo data, gunicorn. See deploy/serve-prod.sh.
serve-prod: install
	HOST=$(HOST) PORT=$(PORT) bash deploy/serve-prod.sh

# Benchmarks (not part of `make test`): seeds a separate database (hall_bench), serves it with gunicorn
# in the production profile, loads it with wrk on loopback and writes BENCHMARKS.md. See bench/README.md.
#   make bench SCALE=10000,100000,1000000   the scaling curve (registry people per run; 10k,100k,1m works too)
#   make bench QUICK=1                      a smoke run (2 s per page, small pools); BENCH_ARGS for the rest
SCALE ?= 100000
QUICK ?=
bench: install
	@command -v wrk >/dev/null 2>&1 || { echo "Installing wrk with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { echo "Installing nginx with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }
	$(BIN)/python bench/run.py --scale $(SCALE) $(if $(QUICK),--quick) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles .pytest_cache .ruff_cache
