"""The machinery the checks share: the catalogue of mistakes, results and reports.

Every ``check_*`` function runs its hidden cases through :func:`_run` and a
:class:`_Report`, which calls the learner's code, turns an exception into a line of
the report, and names catalogued mistakes (:data:`MISTAKES`) as hints.
"""

from __future__ import annotations

import math
import sysconfig
import textwrap
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

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
# The seqlib package, not seqlib/checks/: frames from any of its modules are
# seqlib's own, never the learner's.
_SEQLIB_DIR = str(Path(__file__).resolve().parents[1])


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
