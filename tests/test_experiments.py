"""Comparisons, sweeps and the permutation test, through Python and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from seqlib.experiments import compare, default_settings, permutation_test, sweep
from seqlib.models import Bag
from seqlib.tasks import get_task
from seqlib.training import seeded_model


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "seqlib", *args], capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def short_parity():
    settings = default_settings(get_task("parity"), steps=40)
    return compare("parity", ["lstm", "dnn"], 2, settings, 500, test_lengths=[(30, 35)])


def test_unseen_lengths_are_reported_per_model(short_parity):
    record = short_parity.as_dict()
    lstm, dnn = record["results"]
    assert set(lstm["by_test_length"]) == {"30-35"}
    assert 0 <= lstm["by_test_length"]["30-35"]["balanced_accuracy"]["mean"] <= 1
    assert dnn["by_test_length"]["30-35"]["balanced_accuracy"] is None
    assert "at most 20 steps" in dnn["by_test_length"]["30-35"]["reason"]
    assert 0 <= record["mcnemar_p"] <= 1
    json.dumps(record)  # the whole record is plain JSON


def test_table_names_every_model_and_the_unseen_lengths(short_parity):
    table = short_parity.table()
    assert "test lengths 30-35" in table
    assert "not applicable" in table
    assert "McNemar" in table


def test_a_comparison_repeats_exactly(short_parity):
    settings = default_settings(get_task("parity"), steps=40)
    again = compare(
        "parity", ["lstm", "dnn"], 2, settings, 500, test_lengths=[(30, 35)]
    )
    assert again.as_dict() == short_parity.as_dict()


def test_sweep_over_train_size_and_lag():
    motif = sweep(
        "motif",
        "train-size",
        [64, 128],
        ["bag"],
        1,
        default_settings(get_task("motif"), steps=5),
        held_out_size=200,
    )
    assert [row["value"] for row in motif.rows()] == [64, 128]
    assert "sweep over train-size" in motif.table()
    latch = sweep(
        "latch",
        "lag",
        [2, 9],
        ["dnn"],
        1,
        default_settings(get_task("latch"), steps=5),
        held_out_size=200,
    )
    assert len(latch.as_dict()["rows"]) == 2


def test_sweep_over_lag_needs_a_task_with_a_lag():
    with pytest.raises(ValueError, match="tasks with a lag: latch"):
        sweep("motif", "lag", [3], ["bag"], 1)


def test_permutation_keeps_padding_and_leaves_the_bag_unchanged():
    task = get_task("motif")
    batch = task.draw(300, seed=0, lengths=(5, 30))
    bag = seeded_model(lambda: Bag(task.n_features, 8), seed=0)
    scores = permutation_test(bag, batch, seed=1)
    assert scores["shuffled_balanced_accuracy"] == scores["balanced_accuracy"]


def test_cli_issue_example_separates_the_models():
    result = run_cli(
        "compare",
        "--task",
        "motif",
        "--length",
        "40",
        "--train-size",
        "2000",
        "--seeds",
        "3",
        "--held-out",
        "2000",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    scores = {r["model"]: r["balanced_accuracy"]["mean"] for r in record["results"]}
    assert scores["lstm"] >= 0.95
    assert scores["dnn"] <= scores["lstm"] - 0.20
    assert record["mcnemar_p"] < 1e-6


def test_cli_sweep_prints_json_rows():
    result = run_cli(
        "sweep",
        "--task",
        "latch",
        "--over",
        "lag",
        "--values",
        "2",
        "4",
        "--models",
        "bag",
        "--seeds",
        "1",
        "--steps",
        "5",
        "--held-out",
        "100",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["rows"]
    assert [(r["value"], r["model"]) for r in rows] == [(2, "bag"), (4, "bag")]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["compare", "--task", "motif", "--train-lengths", "40-5"], "LOW <= HIGH"),
        (["compare", "--task", "motif", "--test-lengths", "ten"], "LOW-HIGH"),
        (["compare", "--task", "motif", "--random-positions"], "only temporal-order"),
        (
            ["sweep", "--task", "motif", "--over", "depth", "--values", "1"],
            "invalid choice",
        ),
        (
            ["sweep", "--task", "motif", "--over", "lag", "--values", "1"],
            "tasks with a lag",
        ),
        (
            ["compare", "--task", "parity", "--length", "30", "--train-lengths", "1-5"],
            "not both",
        ),
    ],
)
def test_cli_bad_options_exit_2_with_one_line(args, expected):
    result = run_cli(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
