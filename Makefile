# Ravand: the two commands are `make run` and `make test`; both set everything up from a fresh clone.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
export DATABASE_URL ?= sqlite:///$(CURDIR)/instance/ravand.db
# No package's install script runs (esbuild ships its binary as a package; @carbon's only phones home).
export IBM_TELEMETRY_DISABLED := true

.PHONY: run serve-prod test setup assets lint format bench clean fake-sms constraints

run: setup assets
	$(BIN)/ravand db upgrade
	$(BIN)/ravand seed-demo --history
	@if find processes -name '*.bpmn' | grep -q .; then $(BIN)/ravand deploy processes --user admin --comment "make run"; fi
	RAVAND_SCHEDULER=1 $(BIN)/flask --app web:create_app run --host 127.0.0.1 --port 5000

# Production on this machine: gunicorn (RAVAND_WEB_WORKERS, default 4) and WORKERS `ravand worker`s over
# DATABASE_URL; RAVAND_SECRET_KEY must be set. See README, "Production".
WORKERS ?= 2
serve-prod: setup assets
	$(BIN)/ravand db upgrade
	@trap 'kill 0' INT TERM EXIT; \
	for i in $$(seq $(WORKERS)); do $(BIN)/ravand worker & done; \
	RAVAND_ENV=production $(BIN)/gunicorn --config deploy/gunicorn.conf.py 'web:create_app()'

# The SMS of `make run` go to the server's log (RAVAND_SMS_SENDER=log, the default). To see them as a
# gateway receives them, run `make fake-sms` in another terminal and start `make run` with
# RAVAND_SMS_SENDER=kavenegar RAVAND_SMS_API_KEY=demo RAVAND_SMS_URL=http://127.0.0.1:5099.
fake-sms: setup
	$(BIN)/python -m engine.notify.fake_gateway --port 5099 --key demo --log instance/sms.jsonl

# The suite runs in two processes (pytest-xdist), a file per process at a time; PYTEST_ARGS= runs it in one.
PYTEST_ARGS ?= -n 2 --dist loadfile
# pytest exits 5 when it collected no test: that is a failure here, like any other non-zero code.
test: setup assets
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed

# The versions are pinned by constraints.txt (the set the tests passed with); setup.cfg holds the ranges.
$(VENV)/.installed: setup.cfg pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# After a change of setup.cfg's dependencies: resolve them afresh in a new venv and pin the result.
constraints:
	rm -rf $(VENV).constraints
	$(PYTHON) -m venv $(VENV).constraints
	$(VENV).constraints/bin/pip install --quiet --upgrade pip
	$(VENV).constraints/bin/pip install --quiet -e '.[dev]'
	{ sed -n '/^#/p' constraints.txt; $(VENV).constraints/bin/pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf $(VENV).constraints

assets: node_modules/.installed setup
	npm run --silent build
	$(BIN)/python tools/compile_translations.py

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python bench/engine_throughput.py
	$(BIN)/python bench/inbox_scale.py

clean:
	rm -rf $(VENV) node_modules web/static/dist instance
