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

.PHONY: lab test unit regression lint course bench notebooks results exercises \
	schedule help

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
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/01_the_question.ipynb $(ARGS)

test: $(STAMP) lint unit regression

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
