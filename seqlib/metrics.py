"""Scores for classifiers, their baselines and their uncertainty.

Accuracy alone misleads on imbalanced classes: on a task that is 97.5 % negative,
"always 0" scores 0.975. Balanced accuracy (the mean recall over classes) gives any
constant predictor exactly 1 / n_classes, so it is the headline score here, always
printed beside the majority baseline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


def _as_labels(name: str, values) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one label per sample, shape (n,), "
                         f"got shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        if np.issubdtype(array.dtype, np.bool_):
            return array.astype(np.int64)
        raise TypeError(f"{name} must hold integer class labels, got {array.dtype}; "
                        "use predictions.argmax(dim=1) for model outputs")
    return array.astype(np.int64)


def _pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_true = _as_labels("y_true", y_true)
    y_pred = _as_labels("y_pred", y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred differ in length: {y_true.size} "
                         f"and {y_pred.size}")
    if y_true.size == 0:
        raise ValueError("cannot score an empty set of predictions")
    return y_true, y_pred


def accuracy(y_true, y_pred) -> float:
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """Counts with true classes as rows and predicted classes as columns."""
    y_true, y_pred = _pair(y_true, y_pred)
    if n_classes is None:
        n_classes = int(max(y_true.max(), y_pred.max())) + 1
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


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval:
    """The Wilson score interval for a proportion measured once on ``n`` samples."""
    if n < 1 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n >= 1, got {successes}/{n}")
    ci = stats.binomtest(int(successes), int(n)).proportion_ci(
        confidence_level=confidence, method="wilson"
    )
    return Interval(successes / n, float(ci.low), float(ci.high))


def seed_interval(values, confidence: float = 0.95) -> Interval:
    """Mean over seeds with a Student t interval (how reliably, not best case).

    With one seed, or seeds that all agree, the interval collapses to the mean.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"need a non-empty list of per-seed values, got {values!r}")
    mean = float(values.mean())
    if values.size == 1 or np.all(values == values[0]):
        return Interval(mean, mean, mean)
    low, high = stats.t.interval(
        confidence, df=values.size - 1, loc=mean, scale=stats.sem(values)
    )
    return Interval(mean, float(low), float(high))
