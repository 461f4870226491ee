"""How fast seqlib draws data and trains, measured in one run on this machine.

    python tools/bench.py        (or: make bench)

1. Data generation. The starting notebook drew every training batch one sample at
   a time in a Python loop. ``baseline_sum_batch`` and
   ``baseline_positional_batch`` below re-implement those two functions as they
   were; seqlib draws the same tasks in one vectorised call. Both are timed here,
   in the same process, for the batch of 32 the notebook trained on and for a
   held-out set of 10,000. Targets: seqlib at least 10x faster at batch 32 and
   at least 100x at 10,000. The script exits with status 1 when one is missed.
2. One training step (forward, loss, backward, Adam step) for each model at the
   starting notebook's sizes and batch 32.
3. One LSTM training step on motif sequences of lengths 40 and 100, batch 64, at
   the symbolic tasks' sizes: seqlib's way (run over the padding, read each
   sequence at its last real step) against packed sequences, as a ratio.
4. Each notebook's run time, executed headless from its .py source (skip with
   --no-notebooks).

Absolute numbers depend on the machine; the ratios are what to compare.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
import torch

import seqlib
from seqlib.models import build_model
from seqlib.training import seeded_model

REPEATS = 5  # each timing is the best of this many repeats
MIN_REPEAT_SECONDS = 0.2  # each repeat calls the function for at least this long
TARGETS = {32: 10.0, 10_000: 100.0}  # batch size -> minimum speed-up
TRAIN_STEPS = 300  # timed training steps per model, after WARMUP_STEPS
WARMUP_STEPS = 20


# --- the baseline: the starting notebook's data functions, one sample at a time --


def baseline_sum_batch(batch_size=32):
    """Baseline: the starting notebook's generate_batch, as it was."""
    data = []
    labels = []
    for _ in range(batch_size):
        seq = torch.rand(5)
        label = 1 if seq.sum() > 2 else 0
        data.append(seq)
        labels.append(label)
    return torch.stack(data), torch.tensor(labels)


def baseline_positional_batch(batch_size=32):
    """Baseline: the starting notebook's generate_positional_batch, as it was."""
    data = []
    labels = []
    for _ in range(batch_size):
        seq = torch.rand(5)
        condition = (seq[0] > 0.8) and (seq[-1] + seq[-2] < 0.5)
        label = 1 if condition else 0
        data.append(seq)
        labels.append(label)
    return torch.stack(data), torch.tensor(labels)


BASELINES = {"sum": baseline_sum_batch, "positional": baseline_positional_batch}


# --- timing -----------------------------------------------------------------------


def best_seconds_per_call(call: Callable[[], object]) -> float:
    """The fastest time of one call: best of REPEATS, each over many calls."""
    calls, elapsed = 1, 0.0
    while True:  # find how many calls fill MIN_REPEAT_SECONDS
        start = time.perf_counter()
        for _ in range(calls):
            call()
        elapsed = time.perf_counter() - start
        if elapsed >= MIN_REPEAT_SECONDS:
            break
        calls *= 2
    best = elapsed / calls
    for _ in range(REPEATS - 1):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def bench_data() -> bool:
    """Print the data generation table; return True when every target is met."""
    print(f"Data generation, samples per second (best of {REPEATS} repeats)")
    header = (
        f"{'task':<11}{'batch':>7}{'per-sample loop':>17}{'seqlib':>13}"
        f"{'speed-up':>10}{'target':>8}  result"
    )
    print(header)
    print("-" * len(header))
    torch.manual_seed(0)  # the baseline draws from torch's global generator
    all_met = True
    for name, baseline in BASELINES.items():
        task = seqlib.get_task(name)
        # One generator for every draw, as the training loop uses.
        rng = np.random.default_rng(0)
        for batch in TARGETS:
            loop = best_seconds_per_call(lambda b=batch, f=baseline: f(b))
            fast = best_seconds_per_call(lambda b=batch, t=task, g=rng: t.draw(b, g))
            ratio = loop / fast
            met = ratio >= TARGETS[batch]
            all_met &= met
            print(
                f"{name:<11}{batch:>7,}{batch / loop:>17,.0f}{batch / fast:>13,.0f}"
                f"{ratio:>9.0f}x{TARGETS[batch]:>7.0f}x  {'pass' if met else 'FAIL'}"
            )
    return all_met


def median_step_seconds(model: torch.nn.Module, batch: seqlib.Batch) -> float:
    """The median time of one step: forward, loss, backward, Adam step."""
    optimiser = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        logits = model(batch.inputs, batch.lengths)  # (B, C)
        loss = loss_fn(logits, batch.labels)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()

    for _ in range(WARMUP_STEPS):
        step()
    times = []
    for _ in range(TRAIN_STEPS):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_training_step() -> None:
    """Print the median time of one training step for each model."""
    task = seqlib.get_task("positional")
    batch = task.draw(32, seed=0)
    print()
    print(
        f"One training step at the starting notebook's sizes, batch 32 "
        f"(median of {TRAIN_STEPS} steps)"
    )
    header = f"{'model':<7}{'params':>8}{'ms/step':>10}{'steps/s':>10}{'vs dnn':>9}"
    print(header)
    print("-" * len(header))
    reference = None
    for name in ("dnn", "lstm", "bag"):
        model = seeded_model(lambda n=name: build_model(n, task), 0)
        median = median_step_seconds(model, batch)
        reference = reference or median
        print(
            f"{name:<7}{seqlib.count_parameters(model):>8,}{median * 1e3:>10.3f}"
            f"{1 / median:>10,.0f}{median / reference:>8.1f}x"
        )


class PackedLSTM(torch.nn.Module):
    """The same network as seqlib's LSTM, reading packed sequences instead."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.lstm, self.head = model.lstm, model.head

    def forward(self, inputs, lengths):
        packed = torch.nn.utils.rnn.pack_padded_sequence(
            inputs, lengths, batch_first=True, enforce_sorted=False
        )
        _, (hidden, _) = self.lstm(packed)  # hidden: (layers, B, H)
        return self.head(hidden[-1])  # (B, C)


def bench_lstm_lengths() -> None:
    """One LSTM step at lengths 40 and 100: seqlib's masking against packing."""
    task = seqlib.get_task("motif")
    sizes = task.training.model_sizes["lstm"]
    print()
    print(f"One LSTM step on motif, batch 64 (median of {TRAIN_STEPS} steps)")
    header = f"{'lengths':<9}{'ms/step':>9}{'packed ms':>11}{'packed/ours':>13}"
    print(header)
    print("-" * len(header))
    for high in (40, 100):
        batch = task.draw(64, seed=0, lengths=(high // 2, high))
        model = seeded_model(lambda: build_model("lstm", task, **sizes), 0)
        ours = median_step_seconds(model, batch)
        packed = median_step_seconds(PackedLSTM(model), batch)
        print(
            f"{high // 2}-{high:<6}{ours * 1e3:>9.2f}{packed * 1e3:>11.2f}"
            f"{packed / ours:>12.1f}x"
        )


def bench_notebooks() -> None:
    """Execute every notebook once and print its run time."""
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from run_course import execute

    root = Path(__file__).resolve().parents[1]
    print("\nNotebook run times (executed headless from the .py sources)")
    total = 0.0
    for source in sorted((root / "notebooks").glob("[0-9]*.py")):
        _, seconds = execute(source, timeout=600)
        total += seconds
        print(f"{seconds:7.1f} s  {source.name}", flush=True)
    print(f"{total:7.1f} s  in all")


def main() -> int:
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)\n")
    met = bench_data()
    bench_training_step()
    bench_lstm_lengths()
    if "--no-notebooks" not in sys.argv[1:]:
        bench_notebooks()
    if not met:
        print("\nA data generation target was missed.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
