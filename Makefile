# The course's commands. Each target creates .venv when it is missing.
#   make lab    set up and open the course in JupyterLab (ARGS="--no-browser ...")
#   make test   set up and run every test, the notebook regression included
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.course-installed
ARGS ?=
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.py))
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg

.PHONY: lab test unit regression lint course bench notebooks help

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
#   make bench       data generation and training step speed, as ratios
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/01_the_question.ipynb $(ARGS)

test: $(STAMP) lint unit regression

lint: $(STAMP)
	$(BIN)/ruff check seqlib tests tools notebooks
	$(BIN)/ruff format --check seqlib tests tools

unit: $(STAMP)
	SEQLIB_PROGRESS=0 $(BIN)/python -m pytest -q tests

# Twice in a row: the second run proves the outputs do not drift between runs.
regression: $(STAMP)
	SEQLIB_PROGRESS=0 $(BIN)/python -m pytest -q $(NBVAL) notebooks
	SEQLIB_PROGRESS=0 $(BIN)/python -m pytest -q $(NBVAL) notebooks

course: $(STAMP)
	SEQLIB_PROGRESS=0 $(BIN)/python tools/run_course.py $(NOTEBOOKS)

notebooks: $(STAMP)
	SEQLIB_PROGRESS=0 $(BIN)/python tools/run_course.py --write $(NOTEBOOKS)

bench: $(STAMP)
	$(BIN)/python tools/bench.py
