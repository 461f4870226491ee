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
"""

from __future__ import annotations

import math
import re
import sysconfig
import textwrap
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import torch
from torch import nn

from seqlib import metrics
from seqlib.models import LSTM
from seqlib.tasks import Batch, get_task, positional_rule

# --- the catalogue of mistakes --------------------------------------------------------

MISTAKES: dict[str, str] = {
    # drawing data
    "float_labels": "Class labels must be integer indices of dtype int64 "
    "(torch.long): CrossEntropyLoss reads a float target as class probabilities "
    "and refuses bools and int32. Use dtype=np.int64 or labels.long().",
    "float64_inputs": "The inputs should be float32, torch's default: a float64 "
    "input meets float32 weights and the model stops with a dtype error. Use "
    "dtype=np.float32 or .float().",
    "axes_swapped": "The axes are in the wrong order: sequences are "
    "(batch, time, features), so n sequences of 5 steps with one value each are "
    "(n, 5, 1).",
    "no_feature_axis": "The inputs need a feature axis: (batch, time, features), "
    "even with one value per step. Add it with values[:, :, None] or "
    ".unsqueeze(-1).",
    "imbalanced": "The classes are not balanced. Decide the labels first (half 1, "
    "half 0, for example np.arange(n) % 2 in a random order), then draw each "
    "sequence to fit its label.",
    "not_seeded": "The same seed gave different data, or different seeds the same "
    "data. Take every random number from the generator made from the seed "
    "(rng = np.random.default_rng(seed)), never from np.random.rand, "
    "torch.rand or another global random state.",
    "rule_broken": "Some labels disagree with the rule: label 1 exactly when "
    "x0 > 0.8 and x3 + x4 < 0.5, where x0..x4 are the five steps.",
    "sorted_labels": "All sequences of one class come first. Shuffle the order "
    "(rng.permutation), or any slice of the data holds one class only.",
    "shortcut": "The two classes differ in more than the rule, so a model could "
    "learn that difference instead of the rule. Draw positives uniformly where the "
    "rule holds, and negatives uniformly from the whole cube, drawing again "
    "those that happen to obey the rule.",
    # scoring
    "plain_accuracy": "That is plain accuracy, the share of right answers: on an "
    "imbalanced set a model that always answers the majority class scores high. "
    "Balanced accuracy is the mean over classes of the recall: for each class c, "
    "the share of the sequences truly of class c that were predicted c.",
    "precision": "That looks like the mean precision (of the sequences predicted "
    "c, the share truly c). Balanced accuracy averages the recall: of the "
    "sequences truly of class c, the share predicted c.",
    "binary_only": "Your answer is right for two classes but not for four. "
    "Average the recall over every class present in y_true "
    "(for c in np.unique(y_true)), not just over 0 and 1.",
    "classes_from_predictions": "Average over the classes present in y_true only: "
    "a class that appears only among the predictions has no true members, so its "
    "recall is 0 / 0.",
    "percent": "Scores here are fractions between 0 and 1, not percentages.",
    "majority_label": "You returned the most frequent class itself. The baseline "
    "is the accuracy of always predicting it: its share of the labels.",
    "majority_count": "You returned a count. Divide by the number of labels to get "
    "a share between 0 and 1.",
    "minority_rate": "That is the share of the rarest class; the baseline predicts "
    "the most frequent one (max, not min).",
    "positive_rate": "That is the share of label 1 (the mean of the labels). The "
    "majority class is not always 0: the sum task is 78 % positive, and a task "
    "may have more than two classes. Count every class (np.bincount) and take "
    "the largest share.",
    # reading an LSTM
    "last_padded": "You took each sequence's output at the last padded step "
    "(outputs[:, -1], or h_n of a run over the padding). For a shorter sequence "
    "that is its state after reading zeros. Take the output at its last real "
    "step: index lengths - 1.",
    "off_by_one": "Lengths count steps from 1, indices from 0: the last real step "
    "of a sequence of length L is at index L - 1.",
    "no_arange": "outputs[:, lengths - 1] gives every sequence every length "
    "(shape (B, B, H)). Pair each row with its own length: "
    "outputs[torch.arange(B), lengths - 1].",
    "time_batch_swapped": "The time and batch axes are swapped. With "
    "batch_first=True the LSTM reads (batch, time, features) and returns "
    "outputs of shape (batch, time, hidden): the batch axis comes first.",
    "first_layer": "h_n holds one final state per layer, bottom layer first: "
    "h_n[0] is the first layer's. The head should read the top layer: h_n[-1], "
    "or the outputs, which come from the top layer (and with padding, take them "
    "at the last real step).",
    "no_head": "Return the head's scores, one per class (B, C), not the hidden "
    "state (B, H): finish with self.head(...).",
    "softmax": "Return raw scores (logits), not probabilities: CrossEntropyLoss "
    "applies log-softmax itself, and a softmax before it squashes the gradients.",
    "detached": "The scores carry no gradient, so training cannot change the "
    "weights. Do not use torch.no_grad(), .detach(), .item() or .numpy() inside "
    "forward.",
    # training
    "no_zero_grad": "Gradients add up from step to step: torch accumulates them "
    "until you reset them. Call optimiser.zero_grad() every step, before "
    "loss.backward().",
    "step_before_backward": "The first step changed nothing and later steps used "
    "the previous batch's gradients: optimiser.step() ran before loss.backward(). "
    "The order is forward, loss, zero_grad, backward, step.",
    "no_update": "The weights never changed. The step needs loss.backward() (to "
    "compute the gradients) and then optimiser.step() (to use them), with "
    "optimiser.zero_grad() before the backward pass, not between the two.",
    "loss_tensor": "Return loss.item(), a Python float: keeping the loss tensor "
    "keeps its whole computation graph alive in memory, one per step.",
    "no_lengths": "The model was called without the lengths, so the LSTM read "
    "each sequence up to the last padded step. Call model(batch.inputs, "
    "batch.lengths).",
    "wrong_loss": "The returned loss is not the loss of this batch before the "
    "step: compute loss_fn(logits, batch.labels) on the batch you were given, "
    "and return that.",
    # evaluating
    "no_eval": "The model was still in training mode while scoring, so dropout "
    "(and any other training-only behaviour) was on. Call model.eval() before "
    "predicting.",
    "no_no_grad": "The forward pass ran with gradients enabled: scoring then "
    "builds a computation graph it never uses, which costs memory and time. Wrap "
    "it in torch.no_grad().",
    "mode_not_restored": "The model was left in eval() mode. The next training "
    "step would then run with dropout off: put it back with model.train() (or "
    "restore the mode it had) when you are done.",
    "argmax_axis": "The predictions have the wrong length: take the argmax over "
    "the class axis, logits.argmax(dim=1), one prediction per sequence.",
    # designing a task
    "bag_solvable": "An order-blind summary already tells the classes apart: "
    "each sequence's mean and spread over time predict the label. Then the label "
    "depends on what occurs, not on its order. Make both classes hold the same "
    "steps, in different orders.",
    "length_ignored": "Your draw ignores the length it is asked for: the steps "
    "axis must have exactly `length` steps.",
    # permutation test
    "padding_shuffled": "Padding was moved into the sequences. Shuffle only each "
    "sequence's real steps, the first lengths[i] of row i, and leave the zero "
    "padding at the end.",
    "batch_shuffled": "You shuffled the sequences (the batch axis), not the steps "
    "inside each sequence: the labels then belong to other sequences. Shuffle "
    "along the time axis, row by row.",
    "same_order_for_all": "Every sequence was shuffled with the same order. Draw "
    "a new order for each sequence, or a model could still rely on where things "
    "end up.",
    "not_shuffled": "The shuffled inputs are the original ones: the new order was "
    "drawn but never applied, or applied to a copy you did not use.",
    "steps_changed": "The shuffled sequences do not hold the same steps as the "
    "original ones. A permutation may move whole steps (all their features "
    "together) but must not change or mix them.",
    "in_place": "Your function changed the batch it was given. Shuffle a copy "
    "(batch.inputs.clone()) and leave the caller's data as it was.",
}


# --- results and reports --------------------------------------------------------------


@dataclass
class CheckResult:
    """What a check found: passed or not, the report's lines, the mistakes named."""

    name: str
    passed: bool
    messages: list[str] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)  # keys of MISTAKES
    not_written: bool = False  # the answer still raises NotImplementedError
    error: str | None = None  # the exception the learner's code raised, if any

    @property
    def report(self) -> str:
        return "\n".join(self.messages)

    def __repr__(self) -> str:
        state = (
            "not written yet"
            if self.not_written
            else ("passed" if self.passed else "failed")
        )
        mistakes = f", mistakes={self.mistakes}" if self.mistakes else ""
        return f"CheckResult({self.name!r}, {state}{mistakes})"

    def _ipython_display_(self) -> None:
        """Show nothing: the check printed its report when it ran."""


class _Stop(Exception):
    """Ends a check early: its report says why."""


_WIDTH = 80
_FORKED = {"devices": []}  # fork only the CPU generator


class _Report:
    def __init__(self, name: str):
        self.name = name
        self.lines: list[str] = []
        self.mistakes: list[str] = []
        self.failures = 0
        self.passes = 0
        self.not_written = False
        self.error: str | None = None

    def ok(self, text: str) -> None:
        self.passes += 1
        self._add("  ✓ ", text)

    def fail(self, text: str, *mistakes: str) -> None:
        self.failures += 1
        self._add("  ✗ ", text)
        for mistake in mistakes:
            self.hint(mistake)

    def hint(self, mistake: str) -> None:
        if mistake not in self.mistakes:
            self.mistakes.append(mistake)
            self._add("    Hint: ", MISTAKES[mistake], indent="          ")

    def note(self, text: str) -> None:
        self._add("    ", text)

    def _add(self, first: str, text: str, indent: str | None = None) -> None:
        self.lines.extend(
            textwrap.wrap(
                text,
                _WIDTH,
                initial_indent=first,
                subsequent_indent=indent or " " * len(first),
                break_on_hyphens=False,
            )
        )

    def call(self, function: Callable, *args, diagnose=None):
        """Run the learner's code; turn an exception into a report and stop."""
        try:
            with warnings.catch_warnings(), torch.random.fork_rng(**_FORKED):
                warnings.simplefilter("ignore")
                torch.manual_seed(0)
                return function(*args)
        except NotImplementedError as error:
            self.not_written = True
            message = str(error) or "the placeholder is still there"
            self._add("  … not written yet: ", message, indent="      ")
            raise _Stop from None
        except Exception as error:  # the learner's code failed: say where
            self.error = f"{type(error).__name__}: {error}"
            headline, code, message = _describe_exception(error, function)
            self.fail(headline)
            if code:
                self.lines.append(f"      {code}")  # unwrapped: it is code
            self._add("    ", message)
            for mistake in (diagnose(error) if diagnose else []) or []:
                self.hint(mistake)
            raise _Stop from None

    def result(self) -> CheckResult:
        passed = not self.failures and not self.not_written and self.passes > 0
        if self.not_written:
            ending = (
                "Write your answer in place of the placeholder, run its cell, then "
                "run this check again."
            )
        elif passed:
            ending = f"Passed: all {self.passes} checks."
        else:
            ending = (
                f"Not yet: {self.failures} problem(s), {self.passes} check(s) passed."
            )
        lines = [f"Checking {self.name}", *self.lines, ending]
        return CheckResult(
            self.name,
            passed,
            lines,
            list(self.mistakes),
            self.not_written,
            self.error,
        )


def _run(name: str, answer, body: Callable[[_Report, object], None]) -> CheckResult:
    report = _Report(name)
    if not callable(answer):
        report.fail(
            f"expected your function (or class), got {type(answer).__name__}: pass "
            "it without calling it, as in check_x(my_function)"
        )
    else:
        try:
            body(report, answer)
        except _Stop:
            pass
        except Exception as error:  # the answer returned something unusable
            report.fail(
                "the check could not use what your code returned "
                f"({type(error).__name__}: {error})"
            )
    result = report.result()
    print(result.report)
    return result


_LIBRARY_DIRS = tuple(
    str(Path(p).resolve())
    for key in ("stdlib", "platstdlib", "purelib", "platlib")
    if (p := sysconfig.get_paths().get(key))
)
_SEQLIB_DIR = str(Path(__file__).resolve().parent)


def _is_learner_file(filename: str) -> bool:
    if filename.startswith("<") and not filename.startswith("<ipython"):
        return False
    try:
        resolved = str(Path(filename).resolve())
    except OSError:
        return True
    return not resolved.startswith((_SEQLIB_DIR, *_LIBRARY_DIRS))


def _describe_exception(error: Exception, function: Callable) -> list[str]:
    """Where the learner's code failed: a headline, its line of code, the message."""
    frames = [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if _is_learner_file(f.filename)
    ]
    kind = type(error).__name__
    message = f"{kind}: {error}"
    if not frames:
        name = getattr(function, "__name__", "your code")
        return [f"calling {name} raised {kind}", "", message]
    frame = frames[-1]
    where = f"line {frame.lineno}"
    if "ipykernel_" in frame.filename or frame.filename.startswith("<ipython"):
        where += " of its cell"
    else:
        where += f" of {Path(frame.filename).name}"
    headline = f"your code raised {kind} at {where}, in {frame.name}:"
    return [headline, (frame.line or "").strip(), message]


# --- small helpers --------------------------------------------------------------------


def _close(a: float, b: float, tol: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def _number(value) -> float | None:
    """A real number from a float, an int, numpy or a 0-d tensor; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return float(value.detach().reshape(()))
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray) and value.size == 1:
        return float(value.reshape(()))
    return None


def _need_number(report: _Report, value, what: str) -> float:
    number = _number(value)
    if number is None:
        report.fail(f"{what} should be one number, got {_show(value)}")
        raise _Stop
    return number


def _show(value) -> str:
    if isinstance(value, (torch.Tensor, np.ndarray)):
        return f"{type(value).__name__} of shape {tuple(value.shape)}"
    text = repr(value)
    return text if len(text) < 60 else f"a {type(value).__name__}"


def _as_tensor(value) -> torch.Tensor | None:
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value)
    return None


def _explain(report: _Report, matched: list[set[str]]) -> None:
    """Name the mistakes that explain every failed case (or, else, any of them)."""
    if not matched:
        return
    common = set.intersection(*matched)
    found = common or set.union(*matched)
    for mistake in MISTAKES:  # the catalogue's order: stable and readable
        if mistake in found:
            report.hint(mistake)


def _matches(value, candidates: dict[str, float]) -> set[str]:
    if value is None or math.isnan(value):
        return {k for k, v in candidates.items() if v is not None and math.isnan(v)}
    return {
        k
        for k, v in candidates.items()
        if v is not None and not math.isnan(v) and _close(value, v, 1e-6)
    }


# --- exercise: a balanced positional task ---------------------------------------------


def _pair(report: _Report, value, what: str):
    """(inputs, labels) from a pair or a Batch-like object."""
    if hasattr(value, "inputs") and hasattr(value, "labels"):
        value = (value.inputs, value.labels)
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        report.fail(
            f"{what} should return two things, (inputs, labels); got {_show(value)}"
        )
        raise _Stop
    inputs, labels = (_as_tensor(v) for v in value)
    if inputs is None or labels is None:
        report.fail(
            f"{what} should return a tensor or NumPy array for each of inputs and "
            f"labels; got {_show(value[0])} and {_show(value[1])}"
        )
        raise _Stop
    return inputs, labels


def _check_labels_dtype(
    report: _Report, labels: torch.Tensor, exact: bool = True
) -> torch.Tensor:
    """int64 labels (any integer type when not ``exact``), or a failure and a hint."""
    integer = not labels.is_floating_point() and labels.dtype != torch.bool
    if labels.dtype == torch.int64 or (integer and not exact):
        report.ok("labels are integer class indices")
    else:
        report.fail(f"labels have dtype {labels.dtype}, expected int64", "float_labels")
    return labels.long()


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


# --- exercise: the last real step -----------------------------------------------------

_INDEX_ERROR = re.compile(
    r"index (-?\d+) is out of bounds for dimension (\d+) with size (\d+)"
)


def _index_mistake(error: Exception) -> list[str]:
    match = _INDEX_ERROR.search(str(error))
    if not match:
        return []
    index, dim, size = (int(g) for g in match.groups())
    if dim == 0:
        return ["time_batch_swapped"]
    if dim == 1 and index == size:
        return ["off_by_one"]
    return []


def _step_cases() -> list[tuple[str, torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(5)
    return [
        (
            "4 sequences, all full length",
            torch.randn(4, 6, 3, generator=generator),
            torch.tensor([6, 6, 6, 6]),
        ),
        (
            "5 sequences of lengths 3, 1, 5, 2 and 7 (padded to 7)",
            torch.randn(5, 7, 3, generator=generator),
            torch.tensor([3, 1, 5, 2, 7]),
        ),
        (
            "6 sequences padded to 9, the longest 8",
            torch.randn(6, 9, 4, generator=generator),
            torch.tensor([2, 8, 5, 1, 3, 4]),
        ),
        (
            "3 sequences padded to 10, lengths 2, 3 and 1",
            torch.randn(3, 10, 2, generator=generator),
            torch.tensor([2, 3, 1]),
        ),
    ]


def _tensor_candidates(
    outputs: torch.Tensor, lengths: torch.Tensor
) -> dict[str, torch.Tensor]:
    batch, time, _ = outputs.shape
    rows = torch.arange(batch)
    candidates = {"last_padded": outputs[:, -1]}
    if lengths.max() < time:
        candidates["off_by_one"] = outputs[rows, lengths]
    if time >= batch and lengths.max() <= batch:
        candidates["time_batch_swapped"] = outputs[lengths - 1, rows]
    return candidates


def _tensor_matches(
    value: torch.Tensor, candidates: dict[str, torch.Tensor]
) -> set[str]:
    return {
        k
        for k, v in candidates.items()
        if v.shape == value.shape
        and torch.allclose(value.double(), v.double(), atol=1e-5)
    }


def check_last_real_step(last_real_step) -> CheckResult:
    """Check ``last_real_step(outputs, lengths) -> (B, H)`` on hidden cases.

    Catalogued mistakes: the last padded step, off by one, a missing arange (shape
    (B, B, H)), time and batch axes swapped.
    """

    def body(report: _Report, function):
        matched = []
        for what, outputs, lengths in _step_cases():
            batch, _, hidden = outputs.shape
            expected = outputs[torch.arange(batch), lengths - 1]
            value = report.call(
                function, outputs.clone(), lengths.clone(), diagnose=_index_mistake
            )
            value = _as_tensor(value)
            if value is None:
                report.fail(f"{what}: expected a tensor, got {_show(value)}")
                raise _Stop
            if tuple(value.shape) != (batch, hidden):
                mistakes = (
                    ["no_arange"]
                    if tuple(value.shape) == (batch, batch, hidden)
                    else []
                )
                report.fail(
                    f"{what}: expected shape ({batch}, {hidden}), got "
                    f"{tuple(value.shape)}",
                    *mistakes,
                )
                continue
            if torch.allclose(value.double(), expected.double(), atol=1e-6):
                report.ok(f"{what}")
                continue
            report.fail(f"{what}: the values are not each sequence's last real step")
            matched.append(_tensor_matches(value, _tensor_candidates(outputs, lengths)))
        _explain(report, [m for m in matched if m] or matched)

    return _run("last_real_step", last_real_step, body)


# --- exercise: an LSTM classifier's forward pass --------------------------------------


def _reference_logits(model: nn.Module, inputs, lengths) -> dict[str, torch.Tensor]:
    """The right logits (each sequence run alone, unpadded) and the wrong ones."""
    lstm, head = model.lstm, model.head
    with torch.no_grad():
        right, bottom = [], []
        for row, length in enumerate(lengths.tolist()):
            _, (h_n, _) = lstm(inputs[row : row + 1, :length])  # h_n (layers, 1, H)
            right.append(head(h_n[-1]))
            bottom.append(head(h_n[0]))
        outputs, (h_n, _) = lstm(inputs)  # over the padding
        rows = torch.arange(inputs.shape[0])
        candidates = {
            "last_padded": head(outputs[:, -1]),
            "first_layer": torch.cat(bottom),
        }
        if lstm.num_layers > 1:
            candidates["first_layer_padded"] = head(h_n[0])
        if lengths.max() < inputs.shape[1]:
            candidates["off_by_one"] = head(outputs[rows, lengths])
    return {"right": torch.cat(right), **candidates}


def _record_shape(seen: list, _module, args) -> None:
    first = args[0] if args else None
    seen.append(tuple(first.shape) if isinstance(first, torch.Tensor) else None)


def check_lstm_forward(classifier) -> CheckResult:
    """Check an LSTM classifier class: ``classifier(n_features, hidden, n_classes,
    layers)`` whose ``forward(inputs, lengths)`` returns logits (B, C).

    The hidden cases use one, two and three layers and padded batches; the right
    answer runs each sequence alone, unpadded, and reads the top layer's final state.
    Catalogued mistakes: the last padded step, the first layer's state, softmax
    output, no head, time and batch axes swapped, detached scores.
    """
    settings = [
        ("one layer, all sequences full length", 1, [8, 8, 8, 8, 8, 8]),
        ("two layers, lengths 3 to 9, padded to 9", 2, [9, 3, 5, 1, 7, 4]),
        ("three layers, lengths 2 to 6, padded to 8", 3, [2, 6, 4, 3, 5, 2]),
    ]

    def body(report: _Report, classifier):
        matched = []
        generator = torch.Generator().manual_seed(100)
        for number, (what, layers, lengths) in enumerate(settings):
            model = report.call(classifier, 3, 5, 4, layers)
            if not isinstance(model, nn.Module) or not hasattr(model, "lstm"):
                report.fail(
                    f"{_show(model)} is not a module with .lstm and .head: keep "
                    "the __init__ given in the exercise"
                )
                raise _Stop
            lengths = torch.tensor(lengths)
            time = 9 if number == 1 else 8
            real = torch.arange(time) < lengths[:, None]  # (B, T)
            inputs = torch.randn(len(lengths), time, 3, generator=generator)
            inputs = inputs * real[:, :, None]  # (B, T, F), zero-padded
            seen: list = []  # the shapes the learner's code gave the LSTM
            hook = model.lstm.register_forward_pre_hook(partial(_record_shape, seen))
            try:
                logits = report.call(
                    model, inputs.clone(), lengths.clone(), diagnose=_index_mistake
                )
            finally:
                hook.remove()
            answers = _reference_logits(model, inputs, lengths)
            right = answers.pop("right")
            if (len(lengths), time, 3) not in seen and (time, len(lengths), 3) in seen:
                report.fail(
                    f"{what}: the LSTM was given inputs of shape "
                    f"{(time, len(lengths), 3)}",
                    "time_batch_swapped",
                )
                continue
            tensor = _as_tensor(logits)
            if tensor is None:
                report.fail(
                    f"{what}: forward should return a tensor, got {_show(logits)}"
                )
                raise _Stop
            if tuple(tensor.shape) != tuple(right.shape):
                hidden_shape = (len(lengths), 5)
                report.fail(
                    f"{what}: expected logits of shape {tuple(right.shape)}, got "
                    f"{tuple(tensor.shape)}",
                    *(["no_head"] if tuple(tensor.shape) == hidden_shape else []),
                )
                continue
            if torch.allclose(tensor, right, atol=1e-5):
                if isinstance(logits, torch.Tensor) and not logits.requires_grad:
                    report.fail(f"{what}: right values, but no gradient", "detached")
                else:
                    report.ok(what)
                continue
            report.fail(f"{what}: the logits differ from the right ones")
            found = _tensor_matches(tensor, answers)
            if torch.allclose(tensor, torch.softmax(right, dim=1), atol=1e-5):
                found.add("softmax")
            elif torch.allclose(tensor.sum(dim=1), torch.ones(len(tensor)), atol=1e-4):
                found.add("softmax")
            matched.append({"first_layer" if "first_layer" in k else k for k in found})
        _explain(report, [m for m in matched if m] or matched)

    return _run("lstm_forward", classifier, body)


# --- exercise: one training step ------------------------------------------------------


class _SpyModel(nn.Module):
    """A small seqlib LSTM that records how it was called."""

    def __init__(self, seed: int):
        super().__init__()
        with torch.random.fork_rng(**_FORKED):
            torch.manual_seed(seed)
            self.inner = LSTM(n_features=6, hidden=8, n_classes=2)
        self.calls: list[dict] = []

    def forward(self, inputs, lengths=None):
        self.calls.append(
            {
                "lengths": lengths is not None,
                "training": self.training,
                "grad": torch.is_grad_enabled(),
            }
        )
        return self.inner(inputs, lengths)


class _SpyLoss(nn.Module):
    """CrossEntropyLoss that records what it was given."""

    def __init__(self):
        super().__init__()
        self.real = nn.CrossEntropyLoss()
        self.float_target = False
        self.probabilities = False

    def forward(self, logits, target):
        if isinstance(target, torch.Tensor) and not target.dtype == torch.int64:
            self.float_target = True
        if isinstance(logits, torch.Tensor) and logits.dim() == 2:
            rows = logits.detach().sum(dim=1)
            if logits.min() >= 0 and torch.allclose(rows, torch.ones_like(rows)):
                self.probabilities = True
        return self.real(logits, target)


def _parameters(model: nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()]).clone()


def _reference_step(model, batch, optimiser, zero_grad: bool = True) -> float:
    logits = model(batch.inputs, batch.lengths)
    loss = nn.functional.cross_entropy(logits, batch.labels)
    if zero_grad:
        optimiser.zero_grad()
    loss.backward()
    optimiser.step()
    return loss.item()


def check_train_step(train_step) -> CheckResult:
    """Check ``train_step(model, batch, optimiser, loss_fn) -> float`` over 3 steps.

    The learner's steps run on a small LSTM with plain SGD beside a reference copy
    stepped correctly, and a copy that never zeroes its gradients; the parameters
    are compared after every step. Catalogued mistakes: no zero_grad, step before
    backward, no update at all, float labels, softmax before the loss, the lengths
    left out, a loss tensor returned instead of a float.
    """

    def body(report: _Report, function):
        task = get_task("motif")
        batches = [
            task.draw(16, np.random.default_rng([77, i]), lengths=(4, 12))
            for i in range(3)
        ]
        model, reference, piling = _SpyModel(3), _SpyModel(3), _SpyModel(3)
        optimiser = torch.optim.SGD(model.parameters(), lr=0.5)
        reference_opt = torch.optim.SGD(reference.parameters(), lr=0.5)
        piling_opt = torch.optim.SGD(piling.parameters(), lr=0.5)
        loss_fn = _SpyLoss()
        start = _parameters(model)

        def diagnose(error):
            if loss_fn.float_target:
                return ["float_labels"]
            # optimiser.step() between forward and backward changes the weights
            # the graph still needs: autograd refuses with this message.
            if "modified by an inplace operation" in str(error):
                return ["step_before_backward"]
            return []

        same, piled, unchanged, returned, losses = [], [], [], [], []
        for batch in batches:
            value = report.call(
                function, model, batch, optimiser, loss_fn, diagnose=diagnose
            )
            losses.append(_reference_step(reference, batch, reference_opt))
            _reference_step(piling, batch, piling_opt, zero_grad=False)
            now = _parameters(model)
            same.append(torch.allclose(now, _parameters(reference), atol=1e-6))
            piled.append(torch.allclose(now, _parameters(piling), atol=1e-6))
            unchanged.append(torch.equal(now, start))
            returned.append(value)

        found = []
        if loss_fn.float_target:
            found.append("float_labels")
        if loss_fn.probabilities:
            found.append("softmax")
        if not all(call["lengths"] for call in model.calls):
            found.append("no_lengths")
        if all(same):
            report.ok("the parameters after each of 3 steps match a correct step")
        elif found:
            report.fail(
                "the parameters after the steps differ from a correct step", *found
            )
        elif all(unchanged):
            report.fail("the parameters never changed in 3 steps", "no_update")
        elif unchanged[0]:
            report.fail(
                "the first step left the parameters as they were",
                "step_before_backward",
            )
        elif same[0] and all(piled):
            report.fail(
                "step 1 was right, then steps 2 and 3 went wrong", "no_zero_grad"
            )
        else:
            report.fail("the parameters after the steps differ from a correct step")

        if any(isinstance(v, torch.Tensor) for v in returned):
            report.fail("train_step returned a tensor, not a float", "loss_tensor")
            returned = [_number(v) for v in returned]
        numbers = [_number(v) for v in returned]
        if any(n is None for n in numbers):
            report.fail(f"train_step should return the loss, got {_show(returned[0])}")
        elif all(same) and not all(
            _close(a, b, 1e-5) for a, b in zip(numbers, losses, strict=True)
        ):
            report.fail(
                f"returned losses {[round(n, 4) for n in numbers]}, expected "
                f"{[round(x, 4) for x in losses]}",
                "wrong_loss",
            )
        elif all(same):
            report.ok("it returns each batch's loss")

    return _run("train_step", train_step, body)


# --- exercise: scoring a model --------------------------------------------------------


class _DropoutRule(nn.Module):
    """Predicts class 1 when x0 > 0.8; dropout on its inputs changes that in train()."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(10.0))
        self.dropout = nn.Dropout(0.5)
        self.calls: list[dict] = []

    def forward(self, inputs, lengths=None):
        self.calls.append({"training": self.training, "grad": torch.is_grad_enabled()})
        x0 = self.dropout(inputs[:, :, 0])[:, 0]  # (B,)
        score = self.scale * (x0 - 0.8)  # (B,)
        return torch.stack([torch.zeros_like(score), score], dim=1)  # (B, 2)


def check_evaluate(evaluate) -> CheckResult:
    """Check ``evaluate(model, batch) -> balanced accuracy`` on imbalanced sets.

    The hidden model uses dropout and starts in train() mode, as it would in the
    middle of training. Catalogued mistakes: no eval(), no no_grad(), the mode not
    restored, plain accuracy, argmax over the wrong axis, percentages.
    """
    task = get_task("positional")

    def body(report: _Report, function):
        for what, n, seed in [
            ("4,000 sequences, 2.5 % positive", 4000, 8),
            ("1,500 sequences, 2.5 % positive", 1500, 9),
        ]:
            batch = task.draw(n, seed)
            model = _DropoutRule()
            model.train()

            def diagnose(error):
                return ["argmax_axis"] if "differ in length" in str(error) else []

            value = report.call(function, model, batch, diagnose=diagnose)
            value = _need_number(report, value, "evaluate(model, batch)")
            rule = _DropoutRule().eval()
            with torch.no_grad():
                predicted = rule(batch.inputs).argmax(dim=1).numpy()
            labels = batch.labels.numpy()
            expected = metrics.balanced_accuracy(labels, predicted)
            found = []
            if any(call["training"] for call in model.calls):
                found.append("no_eval")
            if any(call["grad"] for call in model.calls):
                found.append("no_no_grad")
            if not model.calls:
                report.fail(f"{what}: the model was never called")
                continue
            if _close(value, expected, 1e-6) and not found:
                report.ok(f"{what}: {expected:.4f}")
            elif _close(value, expected, 1e-6):
                report.fail(f"{what}: the right number, {expected:.4f}, but", *found)
            else:
                report.fail(f"{what}: expected {expected:.4f}, got {value:.4f}", *found)
                candidates = {
                    "plain_accuracy": metrics.accuracy(labels, predicted),
                    "percent": 100 * expected,
                }
                _explain(report, [_matches(value, candidates)] if not found else [])
            if not model.training:
                report.fail(
                    f"{what}: the model was left in eval() mode", "mode_not_restored"
                )
            else:
                report.ok(f"{what}: the model is back in train() mode")

    return _run("evaluate", evaluate, body)


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
