"""Checks of the order experiments (ex06): the order task and the permutation test."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from seqlib import metrics
from seqlib.checks._core import (
    CheckResult,
    _check_labels_dtype,
    _close,
    _need_number,
    _pair,
    _Report,
    _run,
    _show,
    _Stop,
)
from seqlib.tasks import Batch

# --- exercise: design a task where order matters --------------------------------------


def _bag_probe(inputs_train, labels_train, inputs_test, labels_test) -> float:
    """Balanced accuracy of a least-squares classifier on order-blind features."""

    def features(inputs):
        summary = [inputs.mean(axis=1), inputs.std(axis=1), np.ones((len(inputs), 1))]
        return np.concatenate(summary, axis=1)  # (n, 2F + 1)

    classes = np.unique(labels_train)
    targets = (labels_train[:, None] == classes[None, :]).astype(float)  # (n, K)
    weights, *_ = np.linalg.lstsq(features(inputs_train), targets, rcond=None)
    predicted = classes[np.argmax(features(inputs_test) @ weights, axis=1)]
    return metrics.balanced_accuracy(labels_test, predicted)


def check_order_task(draw) -> CheckResult:
    """Check ``draw(n, rng, length) -> (inputs, labels)``: a task where order matters.

    Hidden cases: shapes (n, length, features) and dtypes, at least two balanced
    classes, seeding through ``rng`` only, and an order-blind probe (a linear
    classifier on each sequence's mean and spread over time) that must stay near
    chance. Catalogued mistakes: float labels, a missing feature axis, imbalance,
    a global random state, a label that an order-blind summary predicts.
    """

    def body(report: _Report, function):
        what = "draw(2000, rng, 20)"
        inputs, labels = _pair(
            report, report.call(function, 2000, np.random.default_rng(0), 20), what
        )
        shape = tuple(inputs.shape)
        if len(shape) == 2 and shape == (2000, 20):
            report.fail(f"inputs have shape {shape}", "no_feature_axis")
            raise _Stop
        if len(shape) != 3 or shape[0] != 2000:
            report.fail(f"inputs should have shape (2000, 20, features), got {shape}")
            raise _Stop
        if shape[1] != 20:
            swapped = shape[2] == 20
            report.fail(
                f"inputs have shape {shape}, expected 20 steps on axis 1",
                "axes_swapped" if swapped else "length_ignored",
            )
            raise _Stop
        report.ok(f"inputs have shape {shape}: (batch, time, features)")
        if tuple(labels.shape) != (2000,):
            report.fail(f"labels should have shape (2000,), got {tuple(labels.shape)}")
            raise _Stop
        labels = _check_labels_dtype(report, labels, exact=False)
        if not inputs.is_floating_point():
            report.fail(f"inputs should be floating point, got {inputs.dtype}")
        counts = np.bincount(labels.numpy())
        k = int((counts > 0).sum())
        if k < 2:
            report.fail("every label is the same: a task needs two classes or more")
            raise _Stop
        shares = counts[counts > 0] / counts.sum()
        if shares.min() < 0.8 / k or shares.max() > 1.2 / k:
            shown = ", ".join(f"{s:.1%}" for s in shares)
            report.fail(f"class shares {shown}", "imbalanced")
        else:
            report.ok(f"{k} classes, balanced")

        longer, _ = _pair(
            report,
            report.call(function, 50, np.random.default_rng(1), 30),
            "draw(50, rng, 30)",
        )
        if longer.shape[1] == 30:
            report.ok("it draws the length it is asked for")
        else:
            report.fail(
                f"draw(50, rng, 30) has {longer.shape[1]} steps", "length_ignored"
            )

        first = _pair(
            report, report.call(function, 100, np.random.default_rng(3), 20), what
        )
        again = _pair(
            report, report.call(function, 100, np.random.default_rng(3), 20), what
        )
        other = _pair(
            report, report.call(function, 100, np.random.default_rng(4), 20), what
        )
        same = all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
        if same and not torch.equal(first[0], other[0]):
            report.ok("every random number comes from rng")
        else:
            report.fail(
                "two generators with the same seed gave different draws"
                if not same
                else "two different generators gave the same draw",
                "not_seeded",
            )

        train = _pair(
            report, report.call(function, 4000, np.random.default_rng(5), 20), what
        )
        test = _pair(
            report, report.call(function, 4000, np.random.default_rng(6), 20), what
        )
        score = _bag_probe(
            train[0].double().numpy(),
            train[1].long().numpy(),
            test[0].double().numpy(),
            test[1].long().numpy(),
        )
        if score > 1 / k + 0.1:
            report.fail(
                f"an order-blind probe scores {score:.2f} balanced accuracy "
                f"(chance is {1 / k:.2f})",
                "bag_solvable",
            )
        else:
            report.ok(
                f"an order-blind probe stays near chance ({score:.2f}; chance "
                f"{1 / k:.2f})"
            )
        report.note(
            "This check cannot see whether order decides your label; the "
            "comparison and the permutation test below will."
        )

    return _run("order_task", draw, body)


# --- exercise: a permutation test -----------------------------------------------------


class _OrderSpy(nn.Module):
    """Predicts 1 when a sequence's first value is below its last; records calls."""

    def __init__(self):
        super().__init__()
        self.unused = nn.Parameter(torch.zeros(1))
        self.calls: list[dict] = []

    def forward(self, inputs, lengths=None):
        self.calls.append(
            {
                "inputs": inputs.detach().clone(),
                "training": self.training,
                "lengths": lengths is not None,
            }
        )
        if lengths is None:
            lengths = torch.full((inputs.shape[0],), inputs.shape[1])
        rows = torch.arange(inputs.shape[0])
        first, last = inputs[:, 0, 0], inputs[rows, lengths - 1, 0]  # (B,), (B,)
        score = (last - first) * 10 + self.unused
        return torch.stack([torch.zeros_like(score), score], dim=1)  # (B, 2)


def _order_batch(n: int, time: int, variable: bool, seed: int) -> Batch:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, time + 1, size=n) if variable else np.full(n, time)
    values = rng.uniform(0.1, 1.0, size=(n, time, 2))  # distinct values, never 0
    values[np.arange(time)[None, :] >= lengths[:, None]] = 0.0  # (B, T, 2) padded
    rows = np.arange(n)
    labels = (values[rows, lengths - 1, 0] > values[:, 0, 0]).astype(np.int64)
    flip = rng.random(n) < 0.2  # the spy model is right on about 80 %
    labels[flip] = 1 - labels[flip]
    return Batch(
        torch.tensor(values, dtype=torch.float32),
        torch.from_numpy(labels),
        torch.from_numpy(lengths.astype(np.int64)),
    )


def _shuffle_findings(original: Batch, shuffled: torch.Tensor) -> list[str]:
    """Name what is wrong with a shuffled copy of ``original.inputs`` (or nothing)."""
    x, s = original.inputs, shuffled
    if s.shape != x.shape:
        return ["steps_changed"]
    lengths = original.lengths.tolist()
    time = x.shape[1]
    # Whole sequences moved to other rows: the batch axis was shuffled.
    rows = {x[j].numpy().tobytes(): j for j in range(len(x))}
    moved = [rows.get(s[i].numpy().tobytes(), -1) for i in range(len(s))]
    if all(j >= 0 for j in moved) and sum(j != i for i, j in enumerate(moved)) > 1:
        return ["batch_shuffled"]
    for i, length in enumerate(lengths):
        padding_moved = s[i, length:].abs().sum() > 0
        if padding_moved or (s[i, :length].abs().sum(dim=1) == 0).any():
            return ["padding_shuffled"]
    # Row i must hold the same steps as row i of the original, in any order.
    permutations = []
    for i, length in enumerate(lengths):
        a, b = x[i, :length], s[i, :length]  # (L, F)
        order_a, order_b = a[:, 0].argsort(), b[:, 0].argsort()
        if not torch.equal(a[order_a], b[order_b]):
            return ["steps_changed"]
        permutation = torch.empty(length, dtype=torch.long)
        permutation[order_b] = order_a  # s[i, t] = x[i, permutation[t]]
        permutations.append(permutation)
    movable = [p for p in permutations if len(p) >= 3]
    kept = sum(torch.equal(p, torch.arange(len(p))) for p in movable)
    if not movable or kept > len(movable) / 2:
        return ["not_shuffled"]
    full = [p for p in permutations if len(p) == time]
    if len(full) >= 5 and all(torch.equal(p, full[0]) for p in full):
        return ["same_order_for_all"]
    return []


def check_permutation_test(permutation_test) -> CheckResult:
    """Check ``permutation_test(model, batch, seed) -> (before, after)``.

    A hidden model that records its inputs shows what the learner's code shuffled;
    each sequence's real steps must be permuted, row by row, with the padding left
    at the end, the scores must be balanced accuracies of the model under eval(),
    and the seed must decide the shuffle. Catalogued mistakes: padding shuffled, the
    batch axis shuffled, one order for every sequence, no shuffle applied, the
    caller's batch changed in place, a global random state, plain accuracy.
    """

    def body(report: _Report, function):
        for what, batch in [
            ("200 sequences of lengths 2 to 10", _order_batch(200, 10, True, 31)),
            ("100 sequences of 6 steps", _order_batch(100, 6, False, 32)),
        ]:
            kept = batch.inputs.clone()
            model = _OrderSpy().train()
            value = report.call(function, model, batch, 0)
            if not isinstance(value, (tuple, list)) or len(value) != 2:
                report.fail(f"{what}: expected (before, after), got {_show(value)}")
                raise _Stop
            before = _need_number(report, value[0], "before")
            after = _need_number(report, value[1], "after")
            if not torch.equal(batch.inputs, kept):
                report.fail(f"{what}: the batch's inputs changed", "in_place")
                batch = Batch(kept, batch.labels, batch.lengths)
            seen = [c["inputs"] for c in model.calls]
            shuffled = [
                s for s in seen if s.shape != kept.shape or not torch.equal(s, kept)
            ]
            if any(c["training"] for c in model.calls):
                report.fail(f"{what}: the model was scored in train() mode", "no_eval")
            if not all(c["lengths"] for c in model.calls):
                report.fail(
                    f"{what}: the model was called without lengths", "no_lengths"
                )
            if not shuffled:
                report.fail(
                    f"{what}: the model never saw shuffled inputs", "not_shuffled"
                )
                continue
            problems = _shuffle_findings(batch, shuffled[-1])
            if problems:
                report.fail(f"{what}: the shuffled inputs are not right", *problems)
                continue
            report.ok(f"{what}: each sequence's real steps shuffled, padding kept")
            labels = batch.labels.numpy()
            rule = _OrderSpy().eval()
            with torch.no_grad():
                scores = [
                    rule(inputs, batch.lengths).argmax(dim=1).numpy()
                    for inputs in (kept, shuffled[-1])
                ]
            expected = [metrics.balanced_accuracy(labels, p) for p in scores]
            plain = [metrics.accuracy(labels, p) for p in scores]
            if _close(before, expected[0], 1e-6) and _close(after, expected[1], 1e-6):
                report.ok(
                    f"{what}: balanced accuracy {expected[0]:.3f} before, "
                    f"{expected[1]:.3f} after"
                )
            else:
                report.fail(
                    f"{what}: expected {expected[0]:.4f} and {expected[1]:.4f}, got "
                    f"{before:.4f} and {after:.4f}",
                    *(["plain_accuracy"] if _close(before, plain[0], 1e-6) else []),
                )

        batch = _order_batch(60, 8, True, 33)
        runs = []
        for seed in (5, 5, 6):
            model = _OrderSpy()
            report.call(function, model, batch, seed)
            runs.append(model.calls[-1]["inputs"] if model.calls else None)
        if any(r is None for r in runs):
            return
        if torch.equal(runs[0], runs[1]) and not torch.equal(runs[0], runs[2]):
            report.ok("the seed decides the shuffle")
        else:
            report.fail(
                "the same seed gave different shuffles"
                if not torch.equal(runs[0], runs[1])
                else "seeds 5 and 6 gave the same shuffle",
                "not_seeded",
            )

    return _run("permutation_test", permutation_test, body)
