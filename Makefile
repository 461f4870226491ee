# The course's commands. Each target creates .venv when it is missing.
#   make lab    set up and open the course in JupyterLab (ARGS="--no-browser ...")
#   make test   set up and run every test, the notebook regression included
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.course-installed
ARGS ?=
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.py))
SOLUTIONS := $(sort $(wildcard solutions/[a-z]*.py))
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg
# The course's JupyterLab settings (no news, no update check, no kernel dialogs),
# read by make lab and by tests/test_browser.py.
OTHER_CONFIG := $${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}
LAB_CONFIG := JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter-config$(OTHER_CONFIG)
# Debian's Chromium, which tests/test_browser.py drives through Playwright.
CHROMIUM ?= /usr/bin/chromium

.PHONY: lab test unit regression lint course bench notebooks results exercises \
	schedule browser help

help:
	@sed -n 's/^#   //p' Makefile

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[course]"
	$(BIN)/python -m ipykernel install --sys-prefix --name order-matters \
		--display-name "Python (Order matters)"
	touch $@

#   make course      execute every notebook headless from its .py source, timed
#   make notebooks   re-execute the .py sources into the reference .ipynb files
#   make exercises   regenerate exercises/ from solutions/ (never edit exercises/)
#   make schedule    regenerate docs/schedule.md from the notebooks' headers
#   make bench       data generation and training step speed, as ratios
#   make results     rerun the slow experiments the notebooks read, into results/
#   make browser     install Chromium for the browser test (as root, when missing)
# JupyterLab refuses to run as root unless told; containers and CI often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	$(LAB_CONFIG) $(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) \
		notebooks/01_the_question.ipynb $(ROOT_FLAG) $(ARGS)

test: $(STAMP) browser lint unit regression

# Installs Debian's chromium when it is missing and we are root (as on CI);
# otherwise says how. Without it the browser test skips, or fails when CI=true.
browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else \
		echo "No $(CHROMIUM): the browser test will skip. Install it with"; \
		echo "  sudo apt-get install chromium   (Debian, Ubuntu)"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check seqlib tests tools notebooks solutions exercises
	$(BIN)/ruff format --check seqlib tests tools

unit: $(STAMP)
	SEQLIB_PROGRESS=0 $(BIN)/python -m pytest -q tests

# Twice in a row: the second run proves the outputs do not drift between runs.
regression: $(STAMP)
	SEQLIB_PROGRESS=0 $(BIN)/python -m pytest -q $(NBVAL) notebooks solutions
	SEQLIB_PROGRESS=0 $(BIN)/python -m pytest -q $(NBVAL) notebooks solutions

course: $(STAMP)
	SEQLIB_PROGRESS=0 $(BIN)/python tools/run_course.py $(NOTEBOOKS)

notebooks: $(STAMP)
	SEQLIB_PROGRESS=0 $(BIN)/python tools/run_course.py --write $(NOTEBOOKS) $(SOLUTIONS)

bench: $(STAMP)
	$(BIN)/python tools/bench.py

results: $(STAMP)
	SEQLIB_PROGRESS=0 $(BIN)/python tools/make_results.py

exercises: $(STAMP)
	$(BIN)/python tools/make_exercises.py

schedule: $(STAMP)
	$(BIN)/python tools/schedule.py
