"""Friendly checks of the answers learners write in the exercise notebooks.

Each exercise ends with a call such as ``check_balanced_accuracy(balanced_accuracy)``.
The check runs the learner's function on hidden cases, drawn here from fixed seeds,
and prints a short report: what passed, what failed, and a hint that names the
likely mistake. It also returns a :class:`CheckResult`, so tests can assert on it.

A check never crashes on a wrong answer:

- a ``NotImplementedError`` (the placeholder of an unwritten exercise) is reported
  as "not written yet", with the placeholder's own hint;
- any other exception raised while running the learner's code is reported with its
  type, message and the line of the learner's code it came from;
- a wrong result is compared with the results of the catalogued mistakes
  (:data:`MISTAKES`), and the mistake that explains every failed case is named.

Checks draw their hidden cases from their own seeds and run the learner's code with
torch's random state forked, so they neither depend on nor disturb the notebook's
random state.

The checks live in one module per exercise area (``measuring``, ``lstm``,
``training``, ``experiments``); the machinery they share is in ``_core``.
"""

from __future__ import annotations

from seqlib.checks._core import MISTAKES, CheckResult
from seqlib.checks.experiments import check_order_task, check_permutation_test
from seqlib.checks.lstm import check_last_real_step, check_lstm_forward
from seqlib.checks.measuring import (
    check_balanced_accuracy,
    check_balanced_positional,
    check_majority_baseline,
)
from seqlib.checks.training import check_evaluate, check_train_step

__all__ = [
    "MISTAKES",
    "CheckResult",
    "check_balanced_accuracy",
    "check_balanced_positional",
    "check_evaluate",
    "check_last_real_step",
    "check_lstm_forward",
    "check_majority_baseline",
    "check_order_task",
    "check_permutation_test",
    "check_train_step",
]
