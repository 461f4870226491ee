"""Run the experiments too slow for a notebook and write them to results/*.json.

    python tools/make_results.py                   # all of them, several minutes
    python tools/make_results.py temporal_order    # only the ones named
    python tools/make_results.py --list            # what each one measures

Every experiment trains each model from the same seeds with the task's recorded
settings (``seqlib.experiments.default_settings``), changing only what it says it
changes, and scores every model on one fixed held-out set. Each file holds the
numbers, per seed and summarised, with the settings and seeds that made them, so
a notebook can draw and assert them without training anything.
``tests/test_results.py`` reruns a reduced version of each experiment and checks
that it reproduces the committed numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch

from seqlib.experiments import compare, default_settings, sweep
from seqlib.tasks import get_task

ROOT = Path(__file__).resolve().parents[1]  # the repository root
RESULTS = ROOT / "results"
SEEDS = (0, 1, 2)  # the seeds of tests/test_science.py
HELD_OUT = 2000  # held-out sequences per set, as in tests/test_science.py
MODELS = ("dnn", "lstm")

# Training-set sizes for motif: from far less than the recorded 2,000 to eight
# times more. The smallest holds at least one batch of 64.
TRAIN_SIZES = (100, 250, 500, 1000, 2000, 4000, 8000, 16000)
# Gaps for latch, trained and tested at one gap each: from well inside the
# training range of notebook 06 (gaps up to 20) to five times beyond it.
LAGS = (10, 20, 40, 60, 80, 100)
# Sequence lengths for motif, trained and tested at one length each; 100 is the
# length of the published temporal-order task.
LENGTHS = (10, 20, 40, 100)


def settings_record(settings) -> dict:
    """The training settings as JSON-ready data, without the per-run seed."""
    return {k: v for k, v in asdict(settings).items() if k != "seed"}


def environment() -> dict:
    """Versions that can change the last digits of a run."""
    return {
        "torch": torch.__version__.split("+")[0],
        "numpy": np.__version__,
        "threads": torch.get_num_threads(),
    }


# With the events anywhere, sequences of 150-160 steps: at the published 100-110
# the DNN ends about 0.15 below the LSTM, too close to call a clear separation;
# each extra step is one more place it must learn the events at, separately.
RANDOM_POSITION_LENGTHS = (150, 160)


def temporal_order(seeds: Sequence[int] = SEEDS, held_out: int = HELD_OUT) -> dict:
    """The published temporal-order task, events in fixed windows or anywhere."""
    task = get_task("temporal-order")
    conditions = {}
    for name, random_positions in (
        ("fixed_windows", False),
        ("random_positions", True),
    ):
        settings = default_settings(
            task, options={"random_positions": random_positions}
        )
        if random_positions:
            settings = replace(settings, lengths=RANDOM_POSITION_LENGTHS)
        result = compare(task, MODELS, list(seeds), settings, held_out, progress=False)
        conditions[name] = result.as_dict()
    return {
        "experiment": "temporal_order",
        "question": "does the DNN keep up when the two events leave their windows?",
        "task": task.name,
        "models": list(MODELS),
        "seeds": list(seeds),
        "held_out_size": held_out,
        "conditions": conditions,
    }


def _sweep(experiment: str, question: str, models, seeds, held_out, **swept) -> dict:
    """Run ``seqlib.experiments.sweep`` (``swept``: task, over, values) as a record."""
    task = get_task(swept["task"])
    base = default_settings(task)
    result = sweep(
        task, swept["over"], list(swept["values"]), list(models), list(seeds), base,
        held_out, progress=False,
    )  # fmt: skip
    return {
        "experiment": experiment,
        "question": question,
        **result.as_dict(),  # task, over and rows: what plots.sweep_lines draws
        "values": list(swept["values"]),
        "models": list(models),
        "seeds": list(seeds),
        "held_out_size": held_out,
        "settings": settings_record(base),
        "comparisons": [comparison.as_dict() for comparison in result.comparisons],
    }


def motif_train_size(
    values: Sequence[int] = TRAIN_SIZES,
    seeds: Sequence[int] = SEEDS,
    held_out: int = HELD_OUT,
) -> dict:
    """Motif at length 40 with fixed training sets of several sizes."""
    return _sweep(
        "motif_train_size",
        "how many training sequences does each model need?",
        MODELS, seeds, held_out, task="motif", over="train-size", values=values,
    )  # fmt: skip


def latch_lag(
    values: Sequence[int] = LAGS,
    seeds: Sequence[int] = SEEDS,
    held_out: int = HELD_OUT,
) -> dict:
    """Latch trained and tested at one gap each: how far is a bit carried?"""
    return _sweep(
        "latch_lag",
        "across how long a gap does each model carry one symbol?",
        ("lstm", "dnn"), seeds, held_out, task="latch", over="lag", values=values,
    )  # fmt: skip


def motif_length(
    values: Sequence[int] = LENGTHS,
    seeds: Sequence[int] = SEEDS,
    held_out: int = HELD_OUT,
) -> dict:
    """Motif with 2,000 training sequences, trained and tested at one length each."""
    return _sweep(
        "motif_length",
        "how does each model fare as the pair has more places to hide?",
        MODELS, seeds, held_out, task="motif", over="length", values=values,
    )  # fmt: skip


def _claim(task_name: str, models, seeds, held_out, test_lengths=(), **overrides):
    task = get_task(task_name)
    settings = default_settings(task, **overrides)
    result = compare(
        task,
        models,
        list(seeds),
        settings,
        held_out,
        test_lengths=test_lengths,
        progress=False,
    )
    return result.as_dict()


# The comparisons of tests/test_science.py, at its settings, for the summary of
# notebook 09: name -> (task, models, test lengths, settings changed).
CLAIMS = {
    "motif": ("motif", ("dnn", "lstm"), (), {}),
    "motif_unseen_lengths": (
        "motif",
        ("lstm", "dnn"),
        ((81, 160),),
        {"lengths": (5, 40)},
    ),
    "parity_short_to_long": ("parity", ("lstm", "dnn"), ((20, 20), (40, 40)), {}),
    "parity_one_length": ("parity", ("lstm", "dnn"), (), {"length": 20}),
    "latch_longer_gaps": ("latch", ("lstm", "dnn"), ((26, 43),), {"lengths": (3, 23)}),
    "sum": ("sum", ("dnn", "lstm"), (), {}),
    "positional": ("positional", ("dnn", "lstm"), (), {}),
    "positional_balanced": ("positional-balanced", ("dnn", "lstm"), (), {}),
}


def claims(
    names: Sequence[str] = tuple(CLAIMS),
    seeds: Sequence[int] = SEEDS,
    held_out: int = HELD_OUT,
) -> dict:
    """Every comparison of the science tests, each a ``Comparison.as_dict()``."""
    comparisons = {}
    for name in names:
        task_name, models, test_lengths, overrides = CLAIMS[name]
        comparisons[name] = _claim(
            task_name, models, seeds, held_out, test_lengths, **overrides
        )
    return {
        "experiment": "claims",
        "question": "the comparisons behind the course's claims, in one place",
        "seeds": list(seeds),
        "held_out_size": held_out,
        "comparisons": comparisons,
    }


EXPERIMENTS = {
    "temporal_order": temporal_order,
    "motif_train_size": motif_train_size,
    "latch_lag": latch_lag,
    "motif_length": motif_length,
    "claims": claims,
}


def write(name: str, record: dict, folder: Path = RESULTS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    record = {**record, "environment": environment()}
    path.write_text(json.dumps(record, indent=1) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"any of {', '.join(EXPERIMENTS)}"
    )
    parser.add_argument("--list", action="store_true", help="describe each and stop")
    args = parser.parse_args(argv)
    if args.list:
        for name, run in EXPERIMENTS.items():
            print(f"{name:<17} {run.__doc__.splitlines()[0]}")
        return 0
    unknown = [name for name in args.names if name not in EXPERIMENTS]
    if unknown:
        print(
            f"unknown experiment {', '.join(unknown)}; known: {', '.join(EXPERIMENTS)}",
            file=sys.stderr,
        )
        return 2
    for name in args.names or EXPERIMENTS:
        start = time.perf_counter()
        path = write(name, EXPERIMENTS[name]())
        seconds = time.perf_counter() - start
        print(f"{seconds:6.0f} s  {path.relative_to(ROOT)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
