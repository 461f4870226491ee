"""Write the workshop schedule, docs/schedule.md, from the notebooks' headers.

    python tools/schedule.py            # write docs/schedule.md (make schedule)
    python tools/schedule.py --check    # exit 1 if docs/schedule.md is stale

Every notebook (notebooks/*.py) and exercise notebook (solutions/*.py) opens with
a markdown cell that is its header: a title, the questions it answers, its
objectives and its minutes. Two spellings are read:

    **Questions:** one paragraph        **Questions**  followed by "- " items
    **Objectives:** one paragraph       **Learning objectives**  followed by items
    **Minutes:** teaching 15, exercises 10
    **Time:** 15 minutes of teaching, 10 minutes of exercises.

The schedule lists the notebooks in course order, each exercise notebook after the
course notebook of the same number, with a running total.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "schedule.md"
FOLDERS = ("notebooks", "solutions")

FIELD = re.compile(r"^\*\*(?P<name>[^*]+?):?\*\*:?\s*(?P<rest>.*)$")
NAMES = {
    "questions": "questions",
    "objectives": "objectives",
    "learning objectives": "objectives",
    "minutes": "minutes",
    "time": "minutes",
}
TEACHING = (
    re.compile(r"teaching\s+(\d+)"),
    re.compile(r"(\d+)\s+minutes?\s+of\s+teaching"),
)
EXERCISES = (
    re.compile(r"exercises?\s+(\d+)"),
    re.compile(r"(\d+)\s+minutes?\s+of\s+exercises?"),
)


class HeaderError(ValueError):
    """A notebook whose first cell is not a readable header."""


@dataclass(frozen=True)
class Header:
    path: Path
    title: str
    questions: list[str]
    objectives: list[str]
    teaching: int  # minutes
    exercises: int  # minutes

    @property
    def name(self) -> str:
        """What learners open: exercises are handed out from exercises/."""
        folder = "exercises" if self.path.parent.name == "solutions" else "notebooks"
        return f"{folder}/{self.path.stem}"


def _items(lines: list[str]) -> list[str]:
    """'- ' items (continuation lines joined), or the whole text as one item."""
    text = [line.strip() for line in lines if line.strip()]
    if not text:
        return []
    if not text[0].startswith("- "):
        return [" ".join(text)]
    items: list[str] = []
    for line in text:
        if line.startswith("- "):
            items.append(line[2:].strip())
        else:
            items[-1] += " " + line
    return items


def _minutes(text: str, patterns, what: str, path: Path, required: bool) -> int:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    if required:
        raise HeaderError(f"{path}: its minutes name no {what} time: {text!r}")
    return 0


def parse_header(path: Path) -> Header:
    """Read the header cell of a jupytext notebook source."""
    notebook = jupytext.read(path)
    if not notebook.cells or notebook.cells[0].cell_type != "markdown":
        raise HeaderError(f"{path}: the first cell should be the markdown header")
    lines = notebook.cells[0].source.splitlines()
    if not lines or not lines[0].startswith("# "):
        raise HeaderError(f"{path}: the header should open with a '# Title' line")
    fields: dict[str, list[str]] = {}
    current = None
    for line in lines[1:]:
        match = FIELD.match(line.strip())
        if match and match.group("name").strip().lower() in NAMES:
            current = NAMES[match.group("name").strip().lower()]
            fields[current] = [match.group("rest")]
        elif current is not None:
            fields[current].append(line)
    missing = [
        name for name in ("questions", "objectives", "minutes") if name not in fields
    ]
    if missing:
        raise HeaderError(f"{path}: the header has no {', '.join(missing)}")
    minutes = " ".join(fields["minutes"])
    header = Header(
        path=path,
        title=lines[0][2:].strip(),
        questions=_items(fields["questions"]),
        objectives=_items(fields["objectives"]),
        teaching=_minutes(minutes, TEACHING, "teaching", path, required=True),
        exercises=_minutes(minutes, EXERCISES, "exercise", path, required=False),
    )
    if not header.questions or not header.objectives:
        raise HeaderError(f"{path}: its questions or objectives are empty")
    return header


def sources(root: Path = ROOT) -> list[Path]:
    """Every notebook source, in course order: exercises after their notebook."""

    def order(path: Path):
        number = re.search(r"\d+", path.stem)
        return (
            int(number.group()) if number else math.inf,
            path.parent.name,
            path.stem,
        )

    found = [
        path
        for folder in FOLDERS
        for path in (root / folder).glob("*.py")
        if not path.name.startswith("_")
    ]
    return sorted(found, key=order)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def render(headers: list[Header]) -> str:
    lines = [
        "# Workshop schedule",
        "",
        "Made by `make schedule` from the header of every notebook (`notebooks/`) and",
        "exercise notebook (`exercises/`, made from `solutions/`): change the headers,",
        "not this file. Teaching minutes include running the notebook; exercise",
        "minutes are the learners' own time. Breaks are not included.",
        "",
        "| notebook | what it answers | teaching | exercises | running total |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    total = teaching = exercises = 0
    for header in headers:
        teaching += header.teaching
        exercises += header.exercises
        total += header.teaching + header.exercises
        lines.append(
            f"| `{header.name}` | {_cell(' '.join(header.questions))} | "
            f"{header.teaching} | {header.exercises} | {_clock(total)} |"
        )
    lines.append(
        f"| **total** | | **{teaching}** | **{exercises}** | **{_clock(total)}** |"
    )
    return "\n".join(lines) + "\n"


def run_seconds(reference: Path) -> float | None:
    """Seconds the kernel spent on the code cells of an executed .ipynb.

    nbclient records when each cell's input reached the kernel and when the reply
    came back; their differences, summed, leave out the kernel's start-up.
    """
    notebook = nbformat.read(reference, as_version=4)
    total, timed = 0.0, False
    for cell in notebook.cells:
        timing = cell.get("metadata", {}).get("execution", {})
        start, end = (
            timing.get("iopub.execute_input"),
            timing.get("shell.execute_reply"),
        )
        if cell.cell_type == "code" and start and end:
            total += (_time(end) - _time(start)).total_seconds()
            timed = True
    return total if timed else None


def _time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="only report whether the file is stale"
    )
    args = parser.parse_args(argv)
    try:
        text = render([parse_header(path) for path in sources()])
    except HeaderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(
                f"{OUTPUT.relative_to(ROOT)} is stale: run make schedule",
                file=sys.stderr,
            )
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(OUTPUT.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
