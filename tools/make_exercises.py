"""Derive the exercise notebooks from their solutions (make exercises).

    python tools/make_exercises.py              # solutions/*.py -> exercises/
    python tools/make_exercises.py --out DIR    # write somewhere else
    python tools/make_exercises.py --check      # exit 1 if exercises/ is stale

``solutions/NAME.py`` is the single source; this writes ``exercises/NAME.py`` and
an unexecuted ``exercises/NAME.ipynb``. Nobody edits ``exercises/`` by hand.

The rules, applied to the jupytext py:percent text:

- In a code cell, the lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION``
  become a placeholder, at the BEGIN line's indentation, that raises
  ``NotImplementedError`` with the region's hint. The hint is the ``# Hint:``
  comment that opens the region, with the comment lines that follow it up to the
  first blank or non-comment line; a region without one gets a default hint.
- In a markdown cell, the same markers (``# ### BEGIN SOLUTION``) enclose a written
  answer, which becomes "*Your answer here.*".
- Markdown cells that begin with ``**Instructor note:**`` are left out: they are
  written for whoever holds the solutions.
- Everything else is kept as it is. The .ipynb has no outputs, and its cell ids
  are numbered, so the same solutions always give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import textwrap
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HINT = "# Hint:"
DEFAULT_HINT = "write your answer here, in place of this line"
ANSWER = "*Your answer here.*"
INSTRUCTOR = "# **Instructor note:**"
WIDTH = 88


class SolutionError(ValueError):
    """A solution file whose markers do not pair up."""


def split_cells(text: str) -> tuple[list[str], list[list[str]]]:
    """The lines before the first cell marker, and each cell's lines."""
    header: list[str] = []
    cells: list[list[str]] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("# %%"):
            cells.append([line])
        elif cells:
            cells[-1].append(line)
        else:
            header.append(line)
    return header, cells


def is_markdown(cell: list[str]) -> bool:
    return cell[0].startswith("# %% [markdown]")


def is_instructor_note(cell: list[str]) -> bool:
    content = [line for line in cell[1:] if line.strip()]
    return is_markdown(cell) and bool(content) and content[0].startswith(INSTRUCTOR)


def region_hint(lines: list[str]) -> str:
    """The hint that opens a solution region, joined into one line of text."""
    if not lines or not lines[0].strip().startswith(HINT):
        return DEFAULT_HINT
    words = [lines[0].strip()[len(HINT) :].strip()]
    for line in lines[1:]:
        stripped = line.strip()
        if not stripped.startswith("#") or stripped == "#":
            break
        words.append(stripped.lstrip("#").strip())
    return " ".join(w for w in words if w) or DEFAULT_HINT


def placeholder(indent: str, hint: str) -> list[str]:
    """``raise NotImplementedError("hint")``, wrapped to fit the line width."""
    one_line = f"{indent}raise NotImplementedError({json.dumps(hint)})\n"
    if len(one_line) <= WIDTH + 1:
        return [one_line]
    inner = indent + " " * 4
    chunks = textwrap.wrap(hint, WIDTH - len(inner) - 3, break_long_words=False)
    literals = [json.dumps(chunk + " ") for chunk in chunks[:-1]]
    literals.append(json.dumps(chunks[-1]))
    return [
        f"{indent}raise NotImplementedError(\n",
        *(f"{inner}{literal}\n" for literal in literals),
        f"{indent})\n",
    ]


def replace_regions(cell: list[str], where: str) -> list[str]:
    """The cell with each solution region replaced by its placeholder."""
    markdown = is_markdown(cell)
    out: list[str] = []
    region: list[str] | None = None
    indent = ""
    for line in cell:
        marker = line.strip()
        if markdown and marker.startswith("# "):
            marker = marker[2:].strip()  # "# ### BEGIN SOLUTION" in markdown
        if marker == BEGIN:
            if region is not None:
                raise SolutionError(f"{where}: BEGIN SOLUTION inside another region")
            region, indent = [], line[: len(line) - len(line.lstrip())]
        elif marker == END:
            if region is None:
                raise SolutionError(f"{where}: END SOLUTION without a BEGIN")
            if markdown:
                out.append(f"# {ANSWER}\n")
            else:
                out.extend(placeholder(indent, region_hint(region)))
            region = None
        elif region is not None:
            region.append(line)
        else:
            out.append(line)
    if region is not None:
        raise SolutionError(f"{where}: BEGIN SOLUTION without an END")
    return out


def exercise_text(solution_text: str, name: str = "solution") -> str:
    """The exercise's jupytext source, derived from the solution's."""
    header, cells = split_cells(solution_text)
    kept: list[str] = list(header)
    for number, cell in enumerate(cells, start=1):
        if is_instructor_note(cell):
            continue
        kept.extend(replace_regions(cell, f"{name}, cell {number}"))
    text = "".join(kept)
    return text.rstrip("\n") + "\n"


def exercise_notebook(exercise_py: str) -> str:
    """The unexecuted .ipynb of an exercise source, with numbered cell ids."""
    notebook = jupytext.reads(exercise_py, fmt="py:percent")
    for number, cell in enumerate(notebook.cells, start=1):
        cell["id"] = f"cell-{number}"
        if cell.cell_type == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return jupytext.writes(notebook, fmt="ipynb")


def build(solutions: list[Path], out: Path) -> list[Path]:
    """Write each solution's exercise .py and .ipynb into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for solution in solutions:
        source = exercise_text(solution.read_text(encoding="utf-8"), solution.name)
        target = out / solution.name
        target.write_text(source, encoding="utf-8")
        notebook = target.with_suffix(".ipynb")
        notebook.write_text(exercise_notebook(source), encoding="utf-8")
        written += [target, notebook]
    return written


def solution_sources(folder: Path = ROOT / "solutions") -> list[Path]:
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))


def stale(solutions: list[Path], exercises: Path = ROOT / "exercises") -> list[str]:
    """What regenerating would change in ``exercises``: one line per file."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = {p.name: p.read_bytes() for p in build(solutions, Path(tmp))}
    present = {
        p.name: p.read_bytes()
        for p in exercises.glob("*")
        if p.suffix in (".py", ".ipynb") and not p.name.startswith("_")
    }
    problems = [f"exercises/{n} is missing" for n in sorted(set(fresh) - set(present))]
    problems += [
        f"exercises/{n} has no solution to come from"
        for n in sorted(set(present) - set(fresh))
    ]
    problems += [
        f"exercises/{n} differs from what its solution gives"
        for n in sorted(set(fresh) & set(present))
        if fresh[n] != present[n]
    ]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "exercises")
    parser.add_argument(
        "--check", action="store_true", help="only report whether exercises/ is stale"
    )
    args = parser.parse_args(argv)
    solutions = solution_sources()
    try:
        if args.check:
            problems = stale(solutions, args.out)
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                print("run make exercises", file=sys.stderr)
            return 1 if problems else 0
        for path in build(solutions, args.out):
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    except SolutionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
