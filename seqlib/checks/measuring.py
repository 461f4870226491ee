"""Checks of the measuring exercises (ex02).

The balanced positional draw, balanced accuracy by hand and the majority baseline.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from seqlib import metrics
from seqlib.checks._core import (
    CheckResult,
    _check_labels_dtype,
    _close,
    _explain,
    _matches,
    _need_number,
    _pair,
    _Report,
    _run,
    _Stop,
)
from seqlib.tasks import positional_rule

# --- exercise: a balanced positional task ---------------------------------------------


def check_balanced_positional(draw) -> CheckResult:
    """Check ``draw(n, seed) -> (inputs, labels)`` for the balanced positional task.

    Hidden cases: shapes and dtypes, the rule, exact balance (odd n too), seeding,
    shuffled order, and each class's distribution against its true conditional
    distribution (a skewed class is a shortcut a model could learn).
    """

    def body(report: _Report, draw):
        inputs, labels = _pair(report, report.call(draw, 1000, 0), "draw(1000, 0)")
        if tuple(labels.shape) != (1000,):
            report.fail(f"labels should have shape (1000,), got {tuple(labels.shape)}")
            raise _Stop
        shape = tuple(inputs.shape)
        if shape == (1000, 5, 1):
            report.ok("inputs have shape (n, 5, 1): (batch, time, features)")
        elif shape == (1000, 1, 5):
            report.fail(
                f"inputs have shape {shape}, expected (1000, 5, 1)", "axes_swapped"
            )
            raise _Stop
        elif shape == (1000, 5):
            report.fail(
                f"inputs have shape {shape}, expected (1000, 5, 1)", "no_feature_axis"
            )
            raise _Stop
        else:
            report.fail(f"inputs have shape {shape}, expected (1000, 5, 1)")
            raise _Stop
        labels = _check_labels_dtype(report, labels)
        if inputs.dtype == torch.float32:
            report.ok("inputs are float32")
        else:
            report.fail(f"inputs have dtype {inputs.dtype}", "float64_inputs")
        values = inputs[:, :, 0].double().numpy()  # (n, 5)
        if values.min() < 0 or values.max() > 1:
            report.fail(
                f"values should lie in [0, 1], found {values.min():.3g} to "
                f"{values.max():.3g}"
            )
        wrong = int((labels.numpy() != positional_rule(values)).sum())
        if wrong:
            report.fail(f"{wrong} of 1000 labels disagree with the rule", "rule_broken")
        else:
            report.ok("every label agrees with the rule")

        positives = int(labels.sum())
        _, odd = _pair(report, report.call(draw, 7, 5), "draw(7, 5)")
        odd_positives = int(odd.long().sum())
        if positives == 500 and odd_positives in (3, 4):
            report.ok("exactly half positives (3 or 4 of 7 when n is odd)")
        else:
            report.fail(
                f"{positives} of 1000 positives (and {odd_positives} of 7); "
                "expected 500 (and 3 or 4)",
                "imbalanced",
            )

        first = _pair(report, report.call(draw, 200, 3), "draw(200, 3)")
        again = _pair(report, report.call(draw, 200, 3), "draw(200, 3)")
        other = _pair(report, report.call(draw, 200, 4), "draw(200, 4)")
        same = all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
        differs = not torch.equal(first[0], other[0])
        if same and differs:
            report.ok("the same seed gives the same draw, another seed another")
        else:
            report.fail(
                "the same seed gave different draws"
                if not same
                else "seeds 3 and 4 gave the same draw",
                "not_seeded",
            )

        changes = int((labels[1:] != labels[:-1]).sum())
        if positives and changes < 100:
            report.fail(
                f"the labels change only {changes} times along the batch "
                "(about 500 in a random order)",
                "sorted_labels",
            )
        elif positives:
            report.ok("the classes come in a random order")

        _check_positional_distribution(report, draw)

    return _run("balanced_positional", draw, body)


def _check_positional_distribution(report: _Report, draw) -> None:
    inputs, labels = _pair(report, report.call(draw, 8000, 11), "draw(8000, 11)")
    values = inputs.reshape(8000, -1)[:, :5].double().numpy()
    labels = labels.long().numpy()
    pos, neg = values[labels == 1], values[labels == 0]
    if len(pos) < 100 or len(neg) < 100:
        return  # the balance check has said what is wrong
    # Expected under the true conditional distributions (standard errors < 0.01):
    # positives x0 uniform on (0.8, 1), x3 + x4 uniform on its triangle (mean 1/3),
    # x1 uniform on [0, 1); negatives have x0 > 0.8 with probability 0.175 / 0.975.
    tests = [
        ("positives' mean x0", pos[:, 0].mean(), 0.88, 0.92),
        ("positives' mean x1", pos[:, 1].mean(), 0.45, 0.55),
        ("positives' mean x3 + x4", (pos[:, 3] + pos[:, 4]).mean(), 0.30, 0.37),
        ("negatives' share with x0 > 0.8", (neg[:, 0] > 0.8).mean(), 0.14, 0.22),
        ("negatives' mean x1", neg[:, 1].mean(), 0.45, 0.55),
        ("negatives' mean x3 + x4", (neg[:, 3] + neg[:, 4]).mean(), 0.97, 1.06),
    ]
    skewed = [
        f"{what} is {value:.3f} (expected {low:.2f} to {high:.2f})"
        for what, value, low, high in tests
        if not low <= value <= high
    ]
    if skewed:
        report.fail("; ".join(skewed), "shortcut")
    else:
        report.ok("each class is spread over its whole region, with no shortcut")


# --- exercise: balanced accuracy and the majority baseline by hand --------------------


def _recalls(y_true, y_pred, classes) -> list[float]:
    return [
        float(np.mean(y_pred[y_true == c] == c)) if np.any(y_true == c) else math.nan
        for c in classes
    ]


def _precisions(y_true, y_pred, classes) -> list[float]:
    return [
        float(np.mean(y_true[y_pred == c] == c)) if np.any(y_pred == c) else 0.0
        for c in classes
    ]


def _metric_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(2024)
    cases = []

    y_true = rng.permutation(np.arange(200) % 2)
    y_pred = y_true.copy()
    y_pred[rng.choice(200, 30, replace=False)] ^= 1
    cases.append(("two balanced classes, 30 errors", y_true, y_pred))

    y_true = rng.permutation(np.r_[np.zeros(975), np.ones(25)].astype(np.int64))
    cases.append(
        ("97.5 % negatives, a model that always answers 0", y_true, 0 * y_true)
    )

    y_true = rng.permutation(np.r_[np.zeros(400), np.ones(100)].astype(np.int64))
    y_pred = y_true.copy()
    positives, negatives = np.flatnonzero(y_true == 1), np.flatnonzero(y_true == 0)
    y_pred[rng.choice(positives, 20, replace=False)] = 0  # recall 0.8
    y_pred[rng.choice(negatives, 40, replace=False)] = 1  # 40 false alarms
    cases.append(
        ("20 % positives, a model with misses and false alarms", y_true, y_pred)
    )

    y_true = rng.permutation(np.repeat(np.arange(4), [400, 300, 200, 100]))
    y_pred = y_true.copy()
    for c, errors in enumerate([40, 90, 100, 70]):
        members = rng.choice(np.flatnonzero(y_true == c), errors, replace=False)
        y_pred[members] = (c + 1 + rng.integers(0, 3, errors)) % 4
    cases.append(("four classes of unequal sizes", y_true, y_pred))

    y_true = rng.permutation(np.arange(100) % 2)
    y_pred = y_true.copy()
    y_pred[rng.choice(100, 15, replace=False)] = 2
    cases.append(("classes 0 and 1, some predictions of class 2", y_true, y_pred))
    return cases


def check_balanced_accuracy(balanced_accuracy) -> CheckResult:
    """Check ``balanced_accuracy(y_true, y_pred) -> float`` on hidden cases.

    Catalogued mistakes: plain accuracy, mean precision, two classes only, classes
    taken from the predictions, percentages.
    """

    def body(report: _Report, function):
        matched = []
        for what, y_true, y_pred in _metric_cases():
            expected = metrics.balanced_accuracy(y_true, y_pred)
            value = _need_number(
                report,
                report.call(function, y_true.copy(), y_pred.copy()),
                "balanced_accuracy(y_true, y_pred)",
            )
            if _close(value, expected, 1e-6):
                report.ok(f"{what}: {expected:.4f}")
                continue
            report.fail(f"{what}: expected {expected:.4f}, got {value:.4f}")
            present = np.unique(y_true)
            union = np.union1d(present, np.unique(y_pred))
            recalls_union = _recalls(y_true, y_pred, union)
            matched.append(
                _matches(
                    value,
                    {
                        "plain_accuracy": metrics.accuracy(y_true, y_pred),
                        "precision": float(
                            np.mean(_precisions(y_true, y_pred, present))
                        ),
                        "binary_only": float(np.mean(_recalls(y_true, y_pred, [0, 1]))),
                        "classes_from_predictions": float(np.mean(recalls_union)),
                        "percent": 100 * expected,
                    },
                )
                | _matches(
                    value,
                    {
                        "classes_from_predictions": float(
                            np.mean(np.nan_to_num(recalls_union))
                        )
                    }
                    if len(union) > len(present)
                    else {},
                )
            )
        _explain(report, matched)

    return _run("balanced_accuracy", balanced_accuracy, body)


def _baseline_cases() -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(7)
    return [
        ("97.5 % negatives", rng.permutation(np.repeat([0, 1], [975, 25]))),
        (
            "78 % positives (the sum task)",
            rng.permutation(np.repeat([0, 1], [110, 390])),
        ),
        (
            "four classes, class 2 the most common",
            rng.permutation(np.repeat(np.arange(4), [100, 250, 400, 250])),
        ),
        ("a single class", np.zeros(50, dtype=np.int64)),
    ]


def check_majority_baseline(majority_baseline) -> CheckResult:
    """Check ``majority_baseline(y_true) -> float`` on hidden cases.

    Catalogued mistakes: the majority label, a count, the minority's share, the
    share of label 1, percentages.
    """

    def body(report: _Report, function):
        matched = []
        for what, y_true in _baseline_cases():
            y_true = y_true.astype(np.int64)
            expected = metrics.majority_baseline(y_true)
            value = _need_number(
                report,
                report.call(function, y_true.copy()),
                "majority_baseline(y_true)",
            )
            if _close(value, expected, 1e-6):
                report.ok(f"{what}: {expected:.4f}")
                continue
            report.fail(f"{what}: expected {expected:.4f}, got {value:.4g}")
            counts = np.bincount(y_true)
            present = counts[counts > 0]
            matched.append(
                _matches(
                    value,
                    {
                        "majority_label": float(np.argmax(counts)),
                        "majority_count": float(counts.max()),
                        "minority_rate": float(present.min() / y_true.size),
                        "positive_rate": float(np.mean(y_true)),
                        "percent": 100 * expected,
                    },
                )
            )
        _explain(report, matched)

    return _run("majority_baseline", majority_baseline, body)
