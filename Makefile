# ORION DSL — the two commands of the README's Quick start:
#   make compile   set up and compile specs/orion.orion into out/
#   make test      set up and run every check: ruff, mypy (strict), pytest
# Both work on a fresh machine; `make test` installs Debian's graphviz and chromium
# when run as root (as CI does), and the pinned npm and checkov tools into the project.

VENV       := .venv
BIN        := $(VENV)/bin
SPEC       ?= specs/orion.orion
OUT        ?= out
APT_PKGS   := graphviz chromium fonts-dejavu-core prometheus prometheus-alertmanager redis-server redis-sentinel
CHECKOV    := 3.3.30
export PUPPETEER_SKIP_DOWNLOAD := 1

.PHONY: compile test setup system-deps tools lint typecheck pytest bench clean

compile: setup
	$(BIN)/orion compile $(SPEC) -o $(OUT)

test: setup tools lint typecheck pytest

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

# Debian packages the renderer tests drive (root only; otherwise say what to run).
system-deps:
	@missing=$$(for p in $(APT_PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; \
	  else echo "missing Debian packages: $$missing (run: sudo apt-get install $$missing)"; exit 1; fi; \
	fi

tools: system-deps node_modules/.installed .venv-checkov/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

.venv-checkov/.installed:
	python3 -m venv .venv-checkov
	.venv-checkov/bin/pip install -q --disable-pip-version-check checkov==$(CHECKOV)
	touch $@

lint: setup
	$(BIN)/ruff check .

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/pytest

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .venv-checkov node_modules $(OUT)
