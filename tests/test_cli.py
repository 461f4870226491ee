"""Tests of the command line, ``python -m seqlib compare``, run as a learner runs it.

The 30-step runs reproduce the starting notebook's budget: both models learn to
answer "always 0", so their accuracy equals the majority baseline and their
balanced accuracy is one half. The slow test runs the documented 2000-step
command, after which the DNN has learned the rule.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from seqlib.models import model_names
from seqlib.tasks import task_names

# The command the documentation shows for the starting notebook's budget.
DOCUMENTED = (
    "--task positional --models dnn lstm --steps 30 --batch-size 32 --lr 0.01 "
    "--seeds 5 --json"
).split()
# The same budget on fewer seeds and a smaller held-out set, for speed.
QUICK = (
    "--task positional --models dnn lstm --steps 30 --batch-size 32 --lr 0.01 "
    "--seeds 3 --held-out 5000 --json"
).split()
TABLE = (
    "--task positional --models dnn lstm bag --steps 30 --seeds 3 --held-out 5000"
).split()
LONG = (
    "--task positional --models dnn lstm --steps 2000 --batch-size 32 --lr 0.01 "
    "--seeds 5 --json"
).split()


def seqlib_cli(*args: str, root) -> subprocess.CompletedProcess:
    env = {**os.environ, "SEQLIB_PROGRESS": "0"}
    return subprocess.run(
        [sys.executable, "-m", "seqlib", *args],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=300,
    )


def compare_json(args: list[str], root) -> dict:
    result = seqlib_cli("compare", *args, root=root)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def documented(root) -> dict:
    return compare_json(DOCUMENTED, root)


@pytest.fixture(scope="module")
def quick(root) -> dict:
    return compare_json(QUICK, root)


# --- the table ------------------------------------------------------------------


def test_table_lists_every_model_and_the_baseline(root):
    result = seqlib_cli("compare", *TABLE, root=root)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert "majority baseline 0.9" in lines[0]
    assert "3 seed(s)" in lines[0]
    assert "5,000 held-out" in lines[0]
    for name in ("dnn", "lstm", "bag"):
        # A row: the model, its parameter count, then "mean [low, high]" twice.
        row = re.compile(rf"{name}\s+[\d,]+\s+\d\.\d+ \[\d\.\d+, \d\.\d+\]")
        assert any(row.match(line) for line in lines), f"no row for {name}"


# --- the JSON record ------------------------------------------------------------


def test_json_record_has_the_documented_keys(quick):
    assert quick["task"] == "positional"
    assert 0.96 < quick["majority_baseline"] < 0.99
    assert [r["model"] for r in quick["results"]] == ["dnn", "lstm"]
    for result in quick["results"]:
        for score in ("accuracy", "balanced_accuracy"):
            interval = result[score]
            assert set(interval) >= {"mean", "low", "high"}
            assert interval["low"] <= interval["mean"] <= interval["high"]
        assert len(result["per_seed"]) == 3
        assert [s["seed"] for s in result["per_seed"]] == [0, 1, 2]


@pytest.mark.parametrize("run", ["quick", "documented"])
def test_thirty_steps_learn_only_the_majority_class(run, request):
    record = request.getfixturevalue(run)
    baseline = record["majority_baseline"]
    for result in record["results"]:
        assert result["balanced_accuracy"]["mean"] <= 0.55, result["model"]
        assert abs(result["accuracy"]["mean"] - baseline) <= 0.01, result["model"]


def test_documented_command_uses_five_seeds(documented):
    assert documented["seeds"] == [0, 1, 2, 3, 4]
    assert documented["held_out_size"] == 10_000
    assert documented["settings"]["steps"] == 30


@pytest.mark.slow
def test_documented_long_run_learns_the_rule(root):
    record = compare_json(LONG, root)
    dnn = next(r for r in record["results"] if r["model"] == "dnn")
    assert dnn["balanced_accuracy"]["mean"] >= 0.85


# --- bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["compare", "--task", "nope"], task_names()),
        (["compare", "--task", "positional", "--models", "cnn"], model_names()),
        (["compare", "--task", "positional", "--steps", "0"], ["positive integer"]),
        (["compare", "--task", "positional", "--steps", "-3"], ["positive integer"]),
        (["compare", "--task", "positional", "--seeds", "abc"], ["positive integer"]),
        (["compare", "--task", "positional", "--lr", "0"], ["positive number"]),
        (["compare"], ["--task"]),
        ([], ["compare"]),
    ],
    ids=[
        "unknown-task",
        "unknown-model",
        "zero-steps",
        "negative-steps",
        "text-seeds",
        "zero-lr",
        "no-task",
        "no-command",
    ],
)
def test_bad_input_gives_one_line_and_status_2(args, allowed, root):
    result = seqlib_cli(*args, root=root)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in allowed:
        assert word in lines[0]
