"""Checks of the committed notebooks that need no kernel.

Each notebook is a jupytext py:percent source paired with an executed .ipynb, the
reference that nbval compares against (``make regression``). These tests check the
pairs are complete and in sync, and that every reference was executed top to
bottom on a fresh kernel, without errors, into outputs that do not change from one
run to the next.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ["notebooks", "solutions"]
# The course's first two notebooks; the list of pairs is never empty.
REQUIRED = ["notebooks/01_the_question", "notebooks/02_what_went_wrong"]

# Output keys nbval does not compare (see nbval's skip_compare).
NOT_COMPARED = {"application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg"}

# Text that differs between two runs of the same notebook.
VARYING = {
    "progress rate": re.compile(r"it/s|s/it"),
    "progress bar timing": re.compile(r"\d+:\d\d<[\d?]+:\d\d"),
    "object address": re.compile(r" at 0x[0-9a-fA-F]+"),
    "%time output": re.compile(r"Wall time|CPU times"),
    "elapsed time": re.compile(r"elapsed|\b\d+(\.\d+)?\s?(ms|µs|us|ns)\b", re.I),
    "seconds with decimals": re.compile(r"\b\d+\.\d+\s?(s|sec|seconds)\b"),
    "random identifier": re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"),
    "machine path": re.compile(
        re.escape(str(ROOT)) + "|" + re.escape(str(Path.home()))
    ),
}


def sources(folder: str) -> set[str]:
    """Stems of the notebook files in a folder, as 'folder/name'."""
    found = set()
    for path in (ROOT / folder).glob("*"):
        if path.suffix in (".py", ".ipynb") and not path.name.startswith("_"):
            found.add(f"{folder}/{path.stem}")
    return found


PAIRS = sorted(set(REQUIRED).union(*(sources(folder) for folder in FOLDERS)))


def read_reference(stem: str) -> nbformat.NotebookNode:
    path = ROOT / f"{stem}.ipynb"
    assert path.exists(), f"{stem}.ipynb is missing"
    return nbformat.read(path, as_version=4)


def compared_text(output: dict) -> list[str]:
    """The text of one output that nbval compares with the reference."""
    if output["output_type"] == "stream":
        return [output["text"]]
    data = output.get("data", {})
    return [
        value if isinstance(value, str) else "".join(value)
        for key, value in data.items()
        if key not in NOT_COMPARED and isinstance(value, str | list)
    ]


def test_required_notebooks_exist():
    for stem in REQUIRED:
        for suffix in (".py", ".ipynb"):
            assert (ROOT / f"{stem}{suffix}").exists(), f"{stem}{suffix} is missing"


@pytest.mark.parametrize("stem", PAIRS)
def test_each_source_has_its_reference_and_back(stem):
    source, reference = ROOT / f"{stem}.py", ROOT / f"{stem}.ipynb"
    assert source.exists(), f"{reference.name} has no jupytext source {source.name}"
    assert reference.exists(), f"{source.name} has no executed {reference.name}"


@pytest.mark.parametrize("stem", PAIRS)
def test_source_and_reference_are_in_sync(stem):
    source = jupytext.read(ROOT / f"{stem}.py")
    reference = jupytext.read(ROOT / f"{stem}.ipynb")
    source_cells = [(cell.cell_type, cell.source) for cell in source.cells]
    reference_cells = [(cell.cell_type, cell.source) for cell in reference.cells]
    assert len(source_cells) == len(reference_cells), (
        f"{stem}: {len(source_cells)} cells in .py, {len(reference_cells)} in "
        ".ipynb; run make notebooks"
    )
    for number, (a, b) in enumerate(zip(source_cells, reference_cells, strict=True)):
        assert a == b, f"{stem}: cell {number + 1} differs; run make notebooks"


@pytest.mark.parametrize("stem", PAIRS)
def test_reference_was_executed_in_order_on_a_fresh_kernel(stem):
    notebook = read_reference(stem)
    counts = [c.execution_count for c in notebook.cells if c.cell_type == "code"]
    assert counts, f"{stem} has no code cells"
    assert counts == list(range(1, len(counts) + 1)), (
        f"{stem}: execution counts {counts}; re-run it top to bottom with "
        "make notebooks"
    )
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output["output_type"] == "execute_result":
                assert output["execution_count"] == cell.execution_count


@pytest.mark.parametrize("stem", PAIRS)
def test_reference_has_no_errors(stem):
    notebook = read_reference(stem)
    for number, cell in enumerate(notebook.cells, start=1):
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", (
                f"{stem}, cell {number}: {output.get('ename')}: {output.get('evalue')}"
            )
            if output["output_type"] == "stream":
                assert "Traceback" not in output["text"], f"{stem}, cell {number}"


@pytest.mark.parametrize("stem", PAIRS)
def test_reference_outputs_do_not_vary_between_runs(stem):
    notebook = read_reference(stem)
    for number, cell in enumerate(notebook.cells, start=1):
        for output in cell.get("outputs", []):
            for text in compared_text(output):
                for what, pattern in VARYING.items():
                    match = pattern.search(text)
                    assert not match, (
                        f"{stem}, cell {number}: {what} {match.group(0)!r} in an "
                        "output that nbval compares"
                    )
