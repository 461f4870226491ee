"""The workshop schedule: every header readable, its minutes honest, the file current.

docs/schedule.md is made by ``make schedule`` (tools/schedule.py) from the header
cell of every notebook and exercise notebook, and committed.

The time check: a notebook's declared teaching minutes must cover running it.
The run time is measured from its executed reference .ipynb (nbclient's per-cell
timestamps, summed), rounded up to whole minutes, plus a margin of
``MARGIN_MINUTES``: starting the kernel and importing torch on a laptop, and a
laptop slower than the machine that made the reference.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from tool_loader import load_tool

ROOT = Path(__file__).resolve().parents[1]
MARGIN_MINUTES = 2  # kernel start and imports, and a slower laptop
SOLUTION_SECONDS = 30  # each solution notebook must run within this


TOOL = load_tool("schedule")
SOURCES = TOOL.sources(ROOT)
IDS = [f"{path.parent.name}/{path.stem}" for path in SOURCES]


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_every_notebook_has_a_readable_header(path):
    header = TOOL.parse_header(path)
    assert header.title
    assert header.questions and all(q.strip() for q in header.questions)
    assert header.objectives and all(o.strip() for o in header.objectives)
    assert header.teaching > 0


def test_the_schedule_is_up_to_date():
    expected = TOOL.render([TOOL.parse_header(path) for path in SOURCES])
    current = TOOL.OUTPUT.read_text(encoding="utf-8") if TOOL.OUTPUT.exists() else ""
    assert current == expected, "docs/schedule.md is stale: run make schedule"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_teaching_minutes_cover_the_run_time(path):
    reference = path.with_suffix(".ipynb")
    if not reference.exists():
        pytest.skip(f"{reference.name} is not executed yet (see test_notebooks)")
    seconds = TOOL.run_seconds(reference)
    assert seconds is not None, (
        f"{reference.name} has no execution timestamps: run make notebooks"
    )
    needed = math.ceil(seconds / 60) + MARGIN_MINUTES
    header = TOOL.parse_header(path)
    assert header.teaching >= needed, (
        f"{path.name} runs for {seconds:.0f} s: {needed} minutes of teaching at "
        f"least (a margin of {MARGIN_MINUTES} included), its header says "
        f"{header.teaching}"
    )


SOLUTIONS = [path for path in SOURCES if path.parent.name == "solutions"]


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_solutions_run_in_half_a_minute(path):
    seconds = TOOL.run_seconds(path.with_suffix(".ipynb"))
    assert seconds is not None and seconds < SOLUTION_SECONDS, (
        f"{path.name} took {seconds} s; keep it under {SOLUTION_SECONDS} s"
    )


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_exercise_minutes_add_up(path):
    """The header's exercise minutes are the sum of the exercises' own minutes."""
    text = path.read_text(encoding="utf-8")
    headings = re.findall(r"^# ## Exercise .*\((.*?)\)$", text, flags=re.M)
    minutes = [int(re.search(r"(\d+) minutes", h).group(1)) for h in headings]
    assert minutes, f"{path.name}: no '## Exercise ... (level, N minutes)' headings"
    assert sum(minutes) == TOOL.parse_header(path).exercises


def test_both_header_styles_are_read(tmp_path):
    short = tmp_path / "01_short.py"
    short.write_text(
        "# %% [markdown]\n# # 01 · Short\n#\n# **Questions:** Why? And how?\n#\n"
        "# **Objectives:** Learn it.\n#\n# **Minutes:** teaching 15, exercises 10\n"
    )
    listed = tmp_path / "02_listed.py"
    listed.write_text(
        "# %% [markdown]\n# # 02 · Listed\n#\n# **Questions**\n#\n# - Why?\n"
        "# - How, when the question\n#   runs on?\n#\n# **Learning objectives**\n#\n"
        "# - Learn it.\n#\n# **Time:** 20 minutes of teaching, 5 minutes of "
        "exercises.\n"
    )
    a, b = TOOL.parse_header(short), TOOL.parse_header(listed)
    assert (a.title, a.questions, a.objectives) == (
        "01 · Short",
        ["Why? And how?"],
        ["Learn it."],
    )
    assert (a.teaching, a.exercises) == (15, 10)
    assert b.questions == ["Why?", "How, when the question runs on?"]
    assert (b.teaching, b.exercises) == (20, 5)
    text = TOOL.render([a, b])
    assert "| 15 | 10 | 0:25 |" in text and "| 20 | 5 | 0:50 |" in text
    with pytest.raises(TOOL.HeaderError, match="has no objectives, minutes"):
        bad = tmp_path / "03_bad.py"
        bad.write_text("# %% [markdown]\n# # 03\n#\n# **Questions:** A?\n")
        TOOL.parse_header(bad)
