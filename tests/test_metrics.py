"""Tests of seqlib.metrics: worked examples, known answers and reference formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

from seqlib import metrics
from seqlib.metrics import Interval

# --- worked examples ------------------------------------------------------------

# Two classes: class 0 recalled 1 of 2, class 1 recalled 2 of 3.
BINARY_TRUE = [0, 0, 1, 1, 1]
BINARY_PRED = [0, 1, 1, 1, 0]

# Three classes: recalls 1/2, 1/1 and 2/3.
THREE_TRUE = [0, 0, 1, 2, 2, 2]
THREE_PRED = [0, 2, 1, 2, 2, 0]


def test_accuracy_worked_example():
    assert metrics.accuracy(BINARY_TRUE, BINARY_PRED) == pytest.approx(3 / 5)
    assert metrics.accuracy(THREE_TRUE, THREE_PRED) == pytest.approx(4 / 6)


def test_balanced_accuracy_worked_example():
    expected = (1 / 2 + 2 / 3) / 2
    assert metrics.balanced_accuracy(BINARY_TRUE, BINARY_PRED) == pytest.approx(
        expected
    )
    expected = (1 / 2 + 1 + 2 / 3) / 3
    assert metrics.balanced_accuracy(THREE_TRUE, THREE_PRED) == pytest.approx(expected)


def test_confusion_matrix_worked_example():
    # Rows are true classes, columns predicted classes.
    assert metrics.confusion_matrix(BINARY_TRUE, BINARY_PRED).tolist() == [
        [1, 1],
        [1, 2],
    ]
    assert metrics.confusion_matrix(THREE_TRUE, THREE_PRED).tolist() == [
        [1, 0, 1],
        [0, 1, 0],
        [1, 0, 2],
    ]


def test_confusion_matrix_with_more_classes_than_seen():
    matrix = metrics.confusion_matrix([0, 1], [1, 1], n_classes=4)
    assert matrix.shape == (4, 4)
    assert matrix.sum() == 2
    assert matrix[0, 1] == 1 and matrix[1, 1] == 1


def test_confusion_matrix_agrees_with_the_scores():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 3, size=500)
    y_pred = np.where(rng.random(500) < 0.7, y_true, rng.integers(0, 3, size=500))
    matrix = metrics.confusion_matrix(y_true, y_pred)
    assert np.trace(matrix) / matrix.sum() == pytest.approx(
        metrics.accuracy(y_true, y_pred)
    )
    recalls = np.diag(matrix) / matrix.sum(axis=1)
    assert recalls.mean() == pytest.approx(metrics.balanced_accuracy(y_true, y_pred))


def test_perfect_predictions():
    labels = [0, 1, 1, 0, 2]
    assert metrics.accuracy(labels, labels) == 1.0
    assert metrics.balanced_accuracy(labels, labels) == 1.0


@pytest.mark.parametrize(
    "convert",
    [np.array, torch.tensor, lambda v: np.array(v, dtype=bool)],
    ids=["numpy", "torch", "bool"],
)
def test_labels_as_arrays_tensors_or_booleans(convert):
    y_true, y_pred = convert([0, 0, 1, 1, 1]), convert([0, 1, 1, 1, 0])
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(3 / 5)


def test_majority_baseline():
    assert metrics.majority_baseline([0, 0, 1]) == pytest.approx(2 / 3)
    assert metrics.majority_baseline([2, 2, 2, 0]) == pytest.approx(3 / 4)
    assert metrics.majority_baseline([1]) == 1.0


# --- a constant predictor -------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("rate", [0.025, 0.3, 0.5, 0.78])
def test_constant_predictor_binary(seed, rate):
    rng = np.random.default_rng(seed)
    y_true = (rng.random(1000) < rate).astype(np.int64)
    y_true[:2] = [0, 1]  # both classes present
    for constant in (0, 1):
        y_pred = np.full_like(y_true, constant)
        assert metrics.balanced_accuracy(y_true, y_pred) == 0.5
        assert metrics.accuracy(y_true, y_pred) == pytest.approx(
            np.mean(y_true == constant)
        )
    majority = np.bincount(y_true).argmax()
    always_majority = np.full_like(y_true, majority)
    assert metrics.accuracy(y_true, always_majority) == metrics.majority_baseline(
        y_true
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n_classes", [3, 4, 5])
def test_constant_predictor_many_classes(seed, n_classes):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, n_classes, size=600)
    y_true[:n_classes] = np.arange(n_classes)  # every class present
    for constant in range(n_classes):
        y_pred = np.full_like(y_true, constant)
        assert metrics.balanced_accuracy(y_true, y_pred) == pytest.approx(
            1 / n_classes, abs=1e-12
        )
    majority = np.bincount(y_true).argmax()
    assert metrics.accuracy(
        y_true, np.full_like(y_true, majority)
    ) == metrics.majority_baseline(y_true)


# --- intervals ------------------------------------------------------------------


def textbook_wilson(successes: int, n: int, confidence: float = 0.95):
    """Wilson (1927): the score interval, written out."""
    z = stats.norm.ppf(0.5 + confidence / 2)
    p = successes / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def test_wilson_for_31_of_32():
    interval = metrics.wilson_interval(31, 32)
    low, high = textbook_wilson(31, 32)
    assert interval.mean == pytest.approx(31 / 32)
    assert interval.low == pytest.approx(low, abs=1e-9)
    assert interval.high == pytest.approx(high, abs=1e-9)
    # The starting notebook's one batch of 32: "97 %" means anything from 84 to 99.
    assert interval.low == pytest.approx(0.84, abs=0.005)
    assert interval.high == pytest.approx(0.99, abs=0.005)


@pytest.mark.parametrize(
    ("successes", "n", "confidence"),
    [(0, 10, 0.95), (5, 10, 0.95), (975, 1000, 0.95), (9750, 10000, 0.9), (1, 3, 0.99)],
)
def test_wilson_against_textbook_formula(successes, n, confidence):
    interval = metrics.wilson_interval(successes, n, confidence)
    low, high = textbook_wilson(successes, n, confidence)
    assert (interval.low, interval.high) == pytest.approx((low, high), abs=1e-9)
    assert interval.low <= interval.mean <= interval.high


def test_wilson_narrows_with_more_samples():
    small = metrics.wilson_interval(31, 32)
    large = metrics.wilson_interval(9750, 10000)
    assert large.high - large.low < (small.high - small.low) / 10


@pytest.mark.parametrize(("successes", "n"), [(5, 4), (-1, 4), (0, 0)])
def test_wilson_refuses_impossible_counts(successes, n):
    with pytest.raises(ValueError, match="0 <= successes <= n"):
        metrics.wilson_interval(successes, n)


@pytest.mark.parametrize(
    "values",
    [[0.9, 0.85, 0.95, 0.88, 0.92], [0.5, 0.51], [0.1, 0.9, 0.5, 0.7, 0.3, 0.6]],
)
@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_seed_interval_against_student_t(values, confidence):
    interval = metrics.seed_interval(values, confidence)
    n = len(values)
    mean = float(np.mean(values))
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * np.std(values, ddof=1)
    half /= math.sqrt(n)
    assert interval.mean == pytest.approx(mean)
    assert interval.low == pytest.approx(mean - half)
    assert interval.high == pytest.approx(mean + half)


@pytest.mark.parametrize("values", [[0.7], [0.5, 0.5, 0.5], [1.0] * 5])
def test_seed_interval_collapses_without_spread(values):
    interval = metrics.seed_interval(values)
    assert interval == Interval(values[0], values[0], values[0])


@pytest.mark.parametrize("values", [[], [[0.5, 0.6], [0.7, 0.8]]])
def test_seed_interval_refuses_empty_or_nested(values):
    with pytest.raises(ValueError, match="non-empty list of per-seed values"):
        metrics.seed_interval(values)


def test_interval_display_and_record():
    interval = Interval(0.97512, 0.84123, 0.99456)
    assert str(interval) == "0.975 [0.841, 0.995]"
    assert interval.as_dict(digits=2) == {"mean": 0.98, "low": 0.84, "high": 0.99}


# --- comparing two models -------------------------------------------------------


def test_mcnemar_worked_example():
    # 10 sequences only model a gets right, 2 only model b, 20 both, 5 neither.
    a = [True] * 10 + [False] * 2 + [True] * 20 + [False] * 5
    b = [False] * 10 + [True] * 2 + [True] * 20 + [False] * 5
    # Two-sided exact binomial test of 10 out of 12 at one half, by hand.
    tail = sum(math.comb(12, k) for k in range(10, 13)) / 2**12
    assert metrics.mcnemar_exact(a, b) == pytest.approx(2 * tail)


def test_mcnemar_identical_models():
    correct = [True, False, True]
    assert metrics.mcnemar_exact(correct, correct) == 1.0


def test_mcnemar_refuses_unpaired_vectors():
    with pytest.raises(ValueError, match="equal-length"):
        metrics.mcnemar_exact([True, False], [True])


def test_bootstrap_difference_is_seeded_and_contains_the_mean():
    a, b = [0.9, 0.85, 0.95, 0.88, 0.92], [0.6, 0.7, 0.65, 0.5, 0.72]
    first = metrics.bootstrap_difference(a, b, seed=3)
    assert first == metrics.bootstrap_difference(a, b, seed=3)
    assert first.mean == pytest.approx(np.mean(a) - np.mean(b))
    assert first.low <= first.mean <= first.high
    same = metrics.bootstrap_difference([0.9, 0.8], [0.8, 0.7])
    assert (same.low, same.high) == pytest.approx((0.1, 0.1))


# --- errors a learner can cause -------------------------------------------------

SCORES = [metrics.accuracy, metrics.balanced_accuracy, metrics.confusion_matrix]


@pytest.mark.parametrize("score", SCORES)
def test_float_labels_are_refused(score):
    with pytest.raises(TypeError, match="integer class labels") as error:
        score([0, 1, 1], [0.2, 0.9, 0.6])
    assert "argmax" in str(error.value)


@pytest.mark.parametrize("score", SCORES)
def test_two_dimensional_labels_are_refused(score):
    logits = np.zeros((3, 2), dtype=np.int64)
    with pytest.raises(ValueError, match=r"shape \(n,\)"):
        score([0, 1, 1], logits)


@pytest.mark.parametrize("score", SCORES)
def test_mismatched_lengths_are_refused(score):
    with pytest.raises(ValueError, match="differ in length: 3 and 2"):
        score([0, 1, 1], [0, 1])


@pytest.mark.parametrize("score", SCORES)
def test_empty_labels_are_refused(score):
    with pytest.raises(ValueError, match="empty"):
        score([], [])


def test_majority_baseline_refuses_empty_labels():
    with pytest.raises(ValueError, match="no labels"):
        metrics.majority_baseline([])


@pytest.mark.parametrize(
    "call",
    [
        lambda: metrics.confusion_matrix([-1, 0, 1], [0, 0, 1]),
        lambda: metrics.majority_baseline([-1, 0, 0]),
    ],
    ids=["confusion_matrix", "majority_baseline"],
)
def test_negative_labels_are_refused_clearly(call):
    """Class labels count from 0; a negative one must not be wrapped silently."""
    with pytest.raises(ValueError, match="label"):
        call()


def test_labels_beyond_n_classes_are_refused_clearly():
    with pytest.raises(ValueError, match="n_classes"):
        metrics.confusion_matrix([0, 2], [0, 1], n_classes=2)
