# Every target sets itself up: a local virtualenv with the exact versions of requirements.lock.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LOCK := requirements.lock
# Release editions: every build below runs with these options, into dist/.
RELEASE_OPTIONS := --essays
# PDF profiles released besides the default edition, each built with --pdf-profile NAME:
# adding a profile means adding its name here.
RELEASE_PDF_PROFILES :=
# SKIP_TESTS=1 when the tests have just run in an earlier step (CI).
RELEASE_PREREQUISITES := $(if $(SKIP_TESTS),$(STAMP),test)

.PHONY: build test check lint lock release proof bench harfbuzz-subset auditors clean

# The lock pins every package, the build backend included, so the same lock gives the same
# PDF and EPUB bytes; qlabbook itself is installed from the working tree, editable.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --requirement $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --editable .
	$(BIN)/python -m pip check
	touch $(STAMP)

# Resolve pyproject.toml's ranges again (after changing them, or to take new releases) into
# requirements.lock, in a virtualenv of its own; review the diff, then run make test.
LOCK_VENV := .lock-venv
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet 'setuptools>=69' wheel '.[dev]'
	{ echo "# Written by make lock from pyproject.toml's ranges: every package at one version."; \
	  $(LOCK_VENV)/bin/python -m pip freeze --all --exclude pip --exclude qlabbook; } > $(LOCK)
	rm -rf $(LOCK_VENV)

# The system libraries and auditors are installed where this machine allows (as root); a
# failure there is not fatal: PDFs subset fonts more slowly, auditor tests say they skipped.
build: $(STAMP)
	-@$(MAKE) --no-print-directory harfbuzz-subset
	$(BIN)/qlabbook build .

# A contact sheet of every page of each PDF in dist/, for editors (PDFium, no poppler).
proof: build
	$(BIN)/qlabbook proof dist/*.pdf

# The whole suite: README's test command, and CI's; on every core (pytest-xdist). Tests that
# compare timings run with the benchmarks instead, on a machine doing nothing else.
test: $(STAMP)
	-@$(MAKE) --no-print-directory harfbuzz-subset auditors
	$(BIN)/python -m pytest -n auto -m "not timing"

# Before a commit: the linters and the fast tests (no whole-collection builds, no external
# validators), in well under a minute once set up.
check: lint
	$(BIN)/python -m pytest -m "not slow and not external and not timing" -q -n auto

# ruff, mypy, and import-linter's contract that the stages import one way (pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Tests first, then the collected and per-essay editions, manifest.json and SHA256SUMS in a
# fresh dist/. Timestamps come from the last commit, so the same commit gives the same bytes.
release: $(RELEASE_PREREQUISITES)
	rm -rf dist
	export SOURCE_DATE_EPOCH=$$(git log -1 --format=%ct) && \
	$(BIN)/qlabbook build . --out dist $(RELEASE_OPTIONS) && \
	for profile in $(RELEASE_PDF_PROFILES); do \
		$(BIN)/qlabbook build . --out dist $(RELEASE_OPTIONS) --format pdf \
			--pdf-profile $$profile || exit 1; \
	done
	cd dist && sha256sum --check --quiet SHA256SUMS

# WeasyPrint subsets fonts with HarfBuzz when libharfbuzz-subset is there, and with fontTools
# (about a second more per PDF, and a deprecation notice) when it is not.
harfbuzz-subset:
	@if ldconfig -p | grep -q 'libharfbuzz-subset\.so\.0'; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libharfbuzz-subset0; \
	else echo "make: libharfbuzz-subset0 is missing: install it as root for faster PDFs"; fi

# qlabbook against pandoc (pypandoc-binary, pinned in bench/requirements.txt, installed here
# only) on generated 20- and 100-essay collections: issue 14's targets table, every run, and a
# profile of one build; writes bench/results.md.
BENCH_STAMP := $(VENV)/.bench-stamp
$(BENCH_STAMP): $(STAMP) bench/requirements.txt
	$(BIN)/python -m pip install --quiet -r bench/requirements.txt
	touch $(BENCH_STAMP)

BENCH_ARGS ?=
bench: $(BENCH_STAMP) harfbuzz-subset
	$(BIN)/python bench/run.py --profile --results bench/results.md $(BENCH_ARGS)
	$(BIN)/python -m pytest -q -p no:xdist -m timing



# The auditors the EPUB tests run besides EPUBCheck: DAISY Ace (npm, driving Debian's
# Chromium instead of a downloaded browser) and Calibre's ebook-convert (Debian); and those
# of the web edition's tests: Chromium again (driven by Playwright, from the lock), axe-core
# and the Nu Html Checker. Installing
# the Debian packages needs root; the tests skip, saying why, where these tools are absent.
TOOLS := tools
ACE := $(TOOLS)/node_modules/.bin/ace-puppeteer
ACE_VERSION := 1.4.6
AXE := $(TOOLS)/node_modules/axe-core/axe.min.js
AXE_VERSION := 4.14.1
VNU := $(TOOLS)/node_modules/vnu-jar/build/dist/vnu.jar
VNU_VERSION := 26.9.27
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo -n)

auditors: $(ACE) $(AXE) $(VNU)
	@if ! command -v chromium >/dev/null || ! command -v ebook-convert >/dev/null; then \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends chromium calibre; fi

$(ACE):
	mkdir -p $(TOOLS)
	cd $(TOOLS) && PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 \
		ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install --no-audit --no-fund --silent \
		--prefix . @daisy/ace@$(ACE_VERSION)
	touch $(ACE)

# The web edition's browser tests: axe-core, injected into the pages, and the Nu Html
# Checker, run with Java; no install scripts (vnu-jar's would fetch nothing we need).
$(AXE) $(VNU) &:
	mkdir -p $(TOOLS)
	cd $(TOOLS) && npm install --no-audit --no-fund --silent --ignore-scripts --prefix . \
		axe-core@$(AXE_VERSION) vnu-jar@$(VNU_VERSION)
	touch $(AXE) $(VNU)

clean:
	rm -rf $(VENV) $(LOCK_VENV) dist build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .qlabbook-cache
