# xinfang-desk developer commands. See README.md.
#
#   make deps     install the system packages (Debian/Ubuntu, as root or with SUDO=sudo)
#   make venv     create .venv with the program, the GUI and the test tools (-e .[gui,test])
#   make run      start the program, e.g. `make run ARGS=--demo`
#   make test     ruff + import-linter + the whole test suite (offscreen Qt), then the core
#                 and CLI tests again in .venv-core, a venv WITHOUT PySide6
#   make build    PyInstaller one-folder build into dist/xinfang-desk/ and a smoke test
#   make clean    remove venvs, build output and caches

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
CORE_VENV ?= .venv-core
ARGS ?=
SUDO ?= $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_FLAGS ?=
PIP_FLAGS ?= --disable-pip-version-check --quiet

# System packages (Debian 12). Qt's offscreen platform plugin and PySide6 itself need:
#   libgl1 libegl1 (libGL/libEGL, linked by QtGui), libxkbcommon0, libfontconfig1 +
#   libfreetype6, libdbus-1-3, libglib2.0-0 (QtCore); found with ldd on the Qt libraries and
#   the offscreen plugin (everything else they link is pulled in by these or is essential).
# The real window (xcb platform) additionally needs the libxcb-* ones listed below.
# poppler-utils: pdftoppm, used by the tests to rasterise generated PDFs.
# fonts-wqy-microhei: the same CJK font as resources/fonts (for Qt text shaping in tests).
APT_PACKAGES := \
	python3 python3-venv make \
	libgl1 libegl1 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3 \
	libglib2.0-0 \
	libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \
	libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-randr0 \
	libx11-xcb1 \
	poppler-utils fonts-wqy-microhei

VENV_STAMP := $(VENV)/.stamp-venv
BUILD_STAMP := $(VENV)/.stamp-build
CORE_STAMP := $(CORE_VENV)/.stamp-core

.PHONY: help deps print-apt-packages venv core-venv run test lint test-gui test-core build clean

help:
	@sed -n '2,10p' Makefile | sed 's/^# \{0,1\}//'

deps:
	$(SUDO) apt-get install -y $(APT_FLAGS) --no-install-recommends $(APT_PACKAGES)

print-apt-packages:
	@echo $(APT_PACKAGES)

# --- virtual environments ----------------------------------------------------------------
venv: $(VENV_STAMP)

$(VENV_STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install $(PIP_FLAGS) --upgrade pip
	$(VENV)/bin/python -m pip install $(PIP_FLAGS) -e '.[gui,test]'
	touch $@

$(BUILD_STAMP): $(VENV_STAMP)
	$(VENV)/bin/python -m pip install $(PIP_FLAGS) -e '.[gui,test,build]'
	touch $@

core-venv: $(CORE_STAMP)

# The core venv deliberately has no PySide6 and no pytest-qt: the core must work without Qt.
$(CORE_STAMP): pyproject.toml
	test -x $(CORE_VENV)/bin/python || $(PYTHON) -m venv $(CORE_VENV)
	$(CORE_VENV)/bin/python -m pip install $(PIP_FLAGS) --upgrade pip
	$(CORE_VENV)/bin/python -m pip install $(PIP_FLAGS) -e . 'pytest>=8,<10' 'hypothesis>=6.100,<7' 'pypdf>=4,<8' 'xlwt>=1.3,<2'
	touch $@

# --- running ------------------------------------------------------------------------------
run: $(VENV_STAMP)
	$(VENV)/bin/xinfang-desk $(ARGS)

# --- tests --------------------------------------------------------------------------------
test: lint test-gui test-core

lint: $(VENV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

test-gui: $(VENV_STAMP)
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/python -m pytest

# pytest exits 5 when it collected no tests: that is a failure here too, with a clear message.
test-core: $(CORE_STAMP)
	@if $(CORE_VENV)/bin/python -c 'import PySide6' 2>/dev/null; then \
		echo "ERROR: PySide6 is importable in $(CORE_VENV); the Qt-free check is void" >&2; \
		exit 1; \
	fi
	@echo "OK: PySide6 is not importable in $(CORE_VENV)"
	rc=0; $(CORE_VENV)/bin/python -m pytest tests/core tests/cli -p no:pytestqt || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "ERROR: no core tests were collected in tests/core, tests/cli" >&2; fi; \
	exit $$rc

# --- packaging ----------------------------------------------------------------------------
build: $(BUILD_STAMP)
	rm -rf build/xinfang-desk dist/xinfang-desk
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN build.spec
	dist/xinfang-desk/xinfang-desk --version
	XINFANG_FROZEN_DIR=dist/xinfang-desk $(VENV)/bin/python -m pytest -q -p no:cacheprovider \
		tests/test_packaging.py -k frozen
	@du -sh dist/xinfang-desk

clean:
	rm -rf $(VENV) $(CORE_VENV) build dist .pytest_cache .ruff_cache .import_linter_cache \
		.hypothesis *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
