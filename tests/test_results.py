"""The committed results/*.json agree with the code that made them.

``tools/make_results.py`` runs the experiments too slow for a notebook, and
notebooks 06-09 read its files. The fast tests check that every file holds the
fields the notebooks read and that its summaries match its own per-seed numbers.
The slow tests rerun a reduced version of each experiment (one seed, one or two
values, the same settings and held-out sets) and require every per-seed record
(scores, test-length scores, the step training stopped at) to equal the
committed one exactly: training is deterministic here (one torch thread, every
draw seeded), so any difference means the code or the environment changed, and
``make results`` must be rerun.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from tool_loader import load_tool

from seqlib.metrics import seed_interval

ROOT = Path(__file__).resolve().parents[1]  # the repository root
# Tolerances: a rerun seed must reproduce its committed record exactly (every
# score, to the 4 decimals it is written with); summaries over seeds must match
# their own per-seed numbers to within the rounding of the written values.
SUMMARY_TOLERANCE = 1e-4


make_results = load_tool("make_results")
NAMES = list(make_results.EXPERIMENTS)
SWEEPS = ["motif_train_size", "latch_lag", "motif_length"]


def committed(name: str) -> dict:
    return json.loads((ROOT / "results" / f"{name}.json").read_text())


def comparisons_of(record: dict) -> dict[str, dict]:
    """Every Comparison.as_dict() in a results file, by a readable key."""
    if "conditions" in record:
        return dict(record["conditions"])
    if "rows" in record:
        values, comparisons = record["values"], record["comparisons"]
        pairs = zip(values, comparisons, strict=True)
        return {f"{record['over']}={value}": c for value, c in pairs}
    return dict(record["comparisons"])


def per_seed(comparison: dict) -> dict[tuple[str, int], dict]:
    return {
        (result["model"], seed["seed"]): seed
        for result in comparison["results"]
        for seed in result["per_seed"]
    }


# --- what the notebooks read ------------------------------------------------------

COMMON = {"experiment", "question", "seeds", "held_out_size", "environment"}
FIELDS = {
    "temporal_order": COMMON | {"task", "models", "conditions"},
    "claims": COMMON | {"comparisons"},
    **{
        name: COMMON
        | {"task", "over", "rows", "values", "models", "settings", "comparisons"}
        for name in SWEEPS
    },
}
COMPARISON_FIELDS = {"task", "majority_baseline", "held_out_size", "seeds", "settings"}
RESULT_FIELDS = {"model", "parameters", "accuracy", "balanced_accuracy", "per_seed"}
SEED_FIELDS = {"seed", "accuracy", "balanced_accuracy", "steps"}


def test_every_experiment_has_a_committed_file():
    on_disk = sorted(path.stem for path in (ROOT / "results").glob("*.json"))
    assert on_disk == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_results_file_has_the_fields_the_notebooks_read(name):
    record = committed(name)
    assert FIELDS[name] <= set(record), FIELDS[name] - set(record)
    assert record["seeds"] == list(make_results.SEEDS)
    assert record["held_out_size"] == make_results.HELD_OUT
    for key, comparison in comparisons_of(record).items():
        assert COMPARISON_FIELDS <= set(comparison), key
        assert comparison["seeds"] == record["seeds"], key
        for result in comparison["results"]:
            assert RESULT_FIELDS <= set(result), (key, result["model"])
            assert {"mean", "low", "high"} <= set(result["balanced_accuracy"])
            for seed in result["per_seed"]:
                assert SEED_FIELDS <= set(seed), (key, result["model"])


def test_notebook_specific_fields():
    order = committed("temporal_order")["conditions"]
    assert set(order) == {"fixed_windows", "random_positions"}
    assert set(committed("claims")["comparisons"]) == set(make_results.CLAIMS)
    lags = committed("latch_lag")
    for value, comparison in zip(lags["values"], lags["comparisons"], strict=True):
        assert comparison["settings"]["options"]["lag"] == [value, value]
    parity = committed("claims")["comparisons"]["parity_short_to_long"]
    for result in parity["results"]:
        assert set(result["by_test_length"]) == {"20-20", "40-40"}


@pytest.mark.parametrize("name", NAMES)
def test_summaries_match_their_own_seeds(name):
    record = committed(name)
    for key, comparison in comparisons_of(record).items():
        for result in comparison["results"]:
            scores = [seed["balanced_accuracy"] for seed in result["per_seed"]]
            expected = seed_interval(scores)
            summary = result["balanced_accuracy"]
            for field in ("mean", "low", "high"):
                difference = abs(summary[field] - getattr(expected, field))
                assert difference <= SUMMARY_TOLERANCE, (key, result["model"], field)
    if "rows" in record:
        means = {
            (f"{record['over']}={row['value']}", row["model"]): row["balanced_accuracy"]
            for row in record["rows"]
        }
        for key, comparison in comparisons_of(record).items():
            for result in comparison["results"]:
                assert means[key, result["model"]] == result["balanced_accuracy"]


# --- reruns ----------------------------------------------------------------------

# name -> keywords that reduce the run; the seeds are chosen for speed (for
# temporal order, seed 2 converges soonest) and the values to include a success
# and a failure where the file has both.
REDUCED = {
    "temporal_order": {"seeds": [2]},
    "motif_train_size": {"values": [250, 4000], "seeds": [0]},
    "latch_lag": {"values": [20, 60], "seeds": [0]},
    "motif_length": {"values": [10, 100], "seeds": [0]},
    "claims": {
        "names": ["sum", "latch_longer_gaps", "motif_unseen_lengths"],
        "seeds": [0],
    },
}


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_a_reduced_rerun_reproduces_the_committed_numbers(name):
    record = committed(name)
    # Through JSON and back, so that tuples become lists as in the committed file.
    rerun = json.loads(json.dumps(make_results.EXPERIMENTS[name](**REDUCED[name])))
    was = comparisons_of(record)
    now = comparisons_of(rerun)
    assert set(now) <= set(was)
    hint = (
        f"committed with torch {record['environment']['torch']}, running "
        f"{torch.__version__}: rerun `make results` if the code or environment changed"
    )
    for key, comparison in now.items():
        assert comparison["settings"] == was[key]["settings"], key
        old_records = per_seed(was[key])
        for (model, seed), new in per_seed(comparison).items():
            assert new == old_records[model, seed], (key, model, seed, hint)
        parameters = {r["model"]: r["parameters"] for r in was[key]["results"]}
        for result in comparison["results"]:
            assert result["parameters"] == parameters[result["model"]]
