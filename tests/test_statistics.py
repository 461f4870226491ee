"""McNemar's exact test and the bootstrap interval of a paired difference."""

from __future__ import annotations

import math

import numpy as np
import pytest

from seqlib.metrics import bootstrap_difference, mcnemar_exact


def test_mcnemar_by_hand():
    # 8 sequences only A gets right, 2 only B: two-sided exact binomial p.
    a = np.array([1] * 8 + [0] * 2 + [1] * 5, dtype=bool)
    b = np.array([0] * 8 + [1] * 2 + [1] * 5, dtype=bool)
    tail = sum(math.comb(10, k) for k in range(0, 3)) / 2**10
    assert mcnemar_exact(a, b) == pytest.approx(2 * tail)


def test_mcnemar_is_one_when_the_models_agree_everywhere():
    same = np.array([True, False, True])
    assert mcnemar_exact(same, same) == 1.0


def test_mcnemar_rejects_unpaired_input():
    with pytest.raises(ValueError, match="equal-length"):
        mcnemar_exact([True, False], [True])


def test_bootstrap_difference_is_paired_and_seeded():
    a, b = [0.9, 0.95, 0.92, 0.97], [0.7, 0.72, 0.71, 0.69]
    first = bootstrap_difference(a, b)
    assert first.mean == pytest.approx(np.mean(np.subtract(a, b)))
    assert first.low <= first.mean <= first.high
    assert first.low > 0  # every seed favours a
    assert bootstrap_difference(a, b) == first  # same seed, same interval


def test_bootstrap_difference_of_identical_shifts_collapses():
    result = bootstrap_difference([1.0, 0.9], [0.5, 0.4])
    assert result.low == result.high == pytest.approx(0.5)


def test_bootstrap_difference_needs_two_paired_seeds():
    with pytest.raises(ValueError, match="at least 2"):
        bootstrap_difference([0.9], [0.8])
