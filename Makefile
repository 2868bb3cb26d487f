# Two commands for a fresh machine with Python 3.11, make and network to the package registries:
#   make demo   set up .venv, generate a synthetic world, run the pipeline, write out/
#   make test   set up .venv with the dev tools, run the whole suite (notebooks included)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test install dev lint bench browser-deps clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv

$(STAMP): $(BIN)/uv pyproject.toml
	$(BIN)/uv pip install --quiet -p $(BIN)/python -e '.[dev,pdq]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install dev: $(STAMP)

demo: $(STAMP)
	$(BIN)/workbench demo --out out

browser-deps:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
		|| echo "browser-deps: could not install Debian chromium; browser tests will be skipped"; fi

test: $(STAMP) browser-deps
	$(BIN)/ruff check workbench tests benchmarks
	$(BIN)/ruff format --check workbench tests benchmarks
	$(BIN)/python -m pytest -q
	$(BIN)/python -m pytest -q --doctest-modules -p no:cacheprovider workbench
	$(BIN)/python -m pytest -q --nbval-lax -p no:cacheprovider notebooks/

lint: $(STAMP)
	$(BIN)/ruff check workbench tests benchmarks
	$(BIN)/ruff format --check workbench tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_link.py --sizes 5000,20000,100000 $(if $(wildcard ../shared/validation/us-20k/accounts.csv),--world ../shared/validation/us-20k)
	$(BIN)/python benchmarks/bench_trends_fresh.py --sizes 5000,20000,100000

clean:
	rm -rf $(VENV) out .pytest_cache
