"""Scores for classifiers, their baselines and their uncertainty.

Accuracy alone misleads on imbalanced classes: on a task that is 97.5 % negative,
"always 0" scores 0.975. Balanced accuracy (the mean recall over classes) gives any
constant predictor exactly 1 / n_classes, so it is the headline score here, always
printed beside the majority baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real

import numpy as np
from scipy import stats


def _as_labels(name: str, values) -> np.ndarray:
    if hasattr(values, "detach"):  # a torch tensor, perhaps still tracking gradients
        values = values.detach().cpu()
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be one label per sample, shape (n,), got shape {array.shape}"
        )
    if array.size and not np.issubdtype(array.dtype, np.integer):
        if np.issubdtype(array.dtype, np.bool_):
            return array.astype(np.int64)
        raise TypeError(
            f"{name} must hold integer class labels, got {array.dtype}; "
            "use predictions.argmax(dim=1) for model outputs"
        )
    if array.size and array.min() < 0:
        raise ValueError(
            f"{name} must hold class labels 0, 1, ..., got {int(array.min())}"
        )
    return array.astype(np.int64)


def _pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_true = _as_labels("y_true", y_true)
    y_pred = _as_labels("y_pred", y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred differ in length: {y_true.size} and {y_pred.size}"
        )
    if y_true.size == 0:
        raise ValueError("cannot score an empty set of predictions")
    return y_true, y_pred


def accuracy(y_true, y_pred) -> float:
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """Counts with true classes as rows and predicted classes as columns."""
    y_true, y_pred = _pair(y_true, y_pred)
    largest = int(max(y_true.max(), y_pred.max()))
    if n_classes is not None and (
        isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer))
    ):
        raise TypeError(f"n_classes must be a positive integer, got {n_classes!r}")
    if n_classes is None:
        n_classes = largest + 1
    elif largest >= n_classes:
        raise ValueError(
            f"n_classes={n_classes} allows labels 0..{n_classes - 1}, got {largest}"
        )
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def balanced_accuracy(y_true, y_pred) -> float:
    """Mean recall over the classes present in ``y_true``."""
    y_true, y_pred = _pair(y_true, y_pred)
    recalls = [np.mean(y_pred[y_true == c] == c) for c in np.unique(y_true)]
    return float(np.mean(recalls))


def majority_baseline(y_true) -> float:
    """The accuracy of always predicting the most frequent class."""
    y_true = _as_labels("y_true", y_true)
    if y_true.size == 0:
        raise ValueError("cannot compute a baseline on no labels")
    return float(np.bincount(y_true).max() / y_true.size)


@dataclass(frozen=True)
class Interval:
    """A point estimate with a 95 % (by default) interval around it."""

    mean: float
    low: float
    high: float

    def as_dict(self, digits: int = 4) -> dict:
        return {k: round(v, digits) for k, v in vars(self).items()}

    def __str__(self) -> str:
        return f"{self.mean:.3f} [{self.low:.3f}, {self.high:.3f}]"


def _check_confidence(confidence) -> None:
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, Real)
        or not 0 < confidence < 1
    ):
        raise ValueError(
            f"confidence must lie between 0 and 1 (both excluded), got {confidence!r};"
            " write 0.95 for a 95 % interval"
        )


def _check_scores(values: np.ndarray, bounds=None) -> None:
    """Refuse NaN, infinities and, when ``bounds`` are given, values outside them."""
    bad = ~np.isfinite(values)
    if bounds is None and bad.any():
        raise ValueError(
            f"values must be finite numbers, one per seed, got {values[bad][0]}"
        )
    if bounds is not None:
        bad |= (values < bounds[0]) | (values > bounds[1])
        if bad.any():
            raise ValueError(
                f"values must be finite and lie in [{bounds[0]}, {bounds[1]}], one "
                f"per seed, got {values[bad][0]}; a percentage must be divided by 100"
            )


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval:
    """The Wilson score interval for a proportion measured once on ``n`` samples."""
    for name, value in (("successes", successes), ("n", n)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(
                f"{name} must be a count (an integer), got {value!r}; pass the number "
                "of correct predictions and of predictions, not an accuracy"
            )
    _check_confidence(confidence)
    if n < 1 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n >= 1, got {successes}/{n}")
    ci = stats.binomtest(int(successes), int(n)).proportion_ci(
        confidence_level=confidence, method="wilson"
    )
    return Interval(successes / n, float(ci.low), float(ci.high))


def seed_interval(
    values, confidence: float = 0.95, bounds: tuple[float, float] = (0.0, 1.0)
) -> Interval:
    """Mean over seeds with a Student t interval (how reliably, not best case).

    With one seed, or seeds that all agree, the interval collapses to the mean.
    With few seeds a t interval can reach past what a score can be, so it is
    clipped to ``bounds`` (a proportion's 0 to 1 by default).
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"need a non-empty list of per-seed values, got {values!r}")
    _check_confidence(confidence)
    _check_scores(values, bounds)
    mean = float(values.mean())
    if values.size == 1 or np.all(values == values[0]):
        return Interval(mean, mean, mean)
    low, high = stats.t.interval(
        confidence, df=values.size - 1, loc=mean, scale=stats.sem(values)
    )
    return Interval(mean, max(float(low), bounds[0]), min(float(high), bounds[1]))


def mcnemar_exact(correct_a, correct_b) -> float:
    """Exact McNemar p-value: do two models on the same test set differ?

    Only the sequences that exactly one model gets right carry information; under
    the null hypothesis each of them is equally likely to favour either model.
    """
    correct_a = _as_correct("correct_a", correct_a)
    correct_b = _as_correct("correct_b", correct_b)
    if correct_a.shape != correct_b.shape or correct_a.ndim != 1:
        raise ValueError(
            "need two equal-length vectors of per-sequence correctness, got shapes "
            f"{correct_a.shape} and {correct_b.shape}"
        )
    only_a = int(np.sum(correct_a & ~correct_b))
    only_b = int(np.sum(~correct_a & correct_b))
    if only_a + only_b == 0:
        return 1.0
    return float(stats.binomtest(only_a, only_a + only_b, 0.5).pvalue)


def _as_correct(name: str, values) -> np.ndarray:
    """Per-sequence correctness as booleans; True/False or 0/1 only."""
    array = np.asarray(values)
    if array.dtype == bool:
        return array
    if not (np.issubdtype(array.dtype, np.integer) or array.dtype.kind == "f"):
        raise TypeError(
            f"{name} must say per sequence whether the model was right, True/False "
            f"or 0/1, got values of type {array.dtype}; pass predicted == labels"
        )
    if array.size and not np.isin(array, (0, 1)).all():
        wrong = array[~np.isin(array, (0, 1))].flat[0]
        raise ValueError(
            f"{name} must say per sequence whether the model was right, True/False "
            f"or 0/1, got {wrong}; pass predicted == labels"
        )
    return array.astype(bool)


def bootstrap_difference(
    values_a, values_b, confidence: float = 0.95, seed: int = 0
) -> Interval:
    """Mean of the seed-wise difference a - b, with a bootstrap interval.

    The two lists are paired by seed: both models were trained with the same seeds
    and scored on the same test set.
    """
    values_a = np.asarray(values_a, dtype=float)
    values_b = np.asarray(values_b, dtype=float)
    if values_a.shape != values_b.shape or values_a.ndim != 1 or values_a.size < 2:
        raise ValueError(
            "need two equal-length lists of at least 2 per-seed values, got shapes "
            f"{values_a.shape} and {values_b.shape}"
        )
    _check_confidence(confidence)
    _check_scores(values_a)
    _check_scores(values_b)
    difference = values_a - values_b
    mean = float(difference.mean())
    if np.all(difference == difference[0]):
        return Interval(mean, mean, mean)
    result = stats.bootstrap(
        (difference,),
        np.mean,
        confidence_level=confidence,
        n_resamples=2000,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    ci = result.confidence_interval
    return Interval(mean, float(ci.low), float(ci.high))
