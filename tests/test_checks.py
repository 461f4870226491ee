"""Tests of seqlib.checks: every solution passes, every catalogued mistake is named.

The right answers are the solutions themselves: the imports and the top-level
functions and classes of each ``solutions/*.py``, executed without the rest of the
notebook (no training). Each wrong answer is a small function below, written the
way a learner might get the exercise wrong, and must fail with the hint meant for
it (its key in ``MISTAKES``).
"""

from __future__ import annotations

import ast
import inspect
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from seqlib import Batch, evaluate, metrics
from seqlib.checks import (
    MISTAKES,
    CheckResult,
    check_balanced_accuracy,
    check_balanced_positional,
    check_evaluate,
    check_last_real_step,
    check_lstm_forward,
    check_majority_baseline,
    check_order_task,
    check_permutation_test,
    check_train_step,
)

ROOT = Path(__file__).resolve().parents[1]


@cache
def solution(notebook: str) -> dict:
    """The imports and definitions of solutions/NOTEBOOK.py, executed."""
    path = ROOT / "solutions" / f"{notebook}.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    kinds = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
    tree.body = [node for node in tree.body if isinstance(node, kinds)]
    namespace: dict = {}
    exec(compile(tree, str(path), "exec"), namespace)
    return namespace


def failed_with(result: CheckResult, mistake: str) -> bool:
    assert mistake in MISTAKES, f"{mistake} is not in the catalogue"
    return not result.passed and mistake in result.mistakes


# --- the solutions pass ------------------------------------------------------------

SOLVED = [
    (check_balanced_positional, "ex02_measuring", "draw_balanced_positional"),
    (check_balanced_accuracy, "ex02_measuring", "balanced_accuracy"),
    (check_majority_baseline, "ex02_measuring", "majority_baseline"),
    (check_last_real_step, "ex04_lstm_forward", "last_real_step"),
    (check_lstm_forward, "ex04_lstm_forward", "LSTMClassifier"),
    (check_train_step, "ex05_training_loop", "train_step"),
    (check_evaluate, "ex05_training_loop", "evaluate"),
    (check_order_task, "ex06_order_experiments", "draw_my_task"),
    (check_permutation_test, "ex06_order_experiments", "permutation_test"),
]


@pytest.mark.parametrize(
    "check, notebook, name", SOLVED, ids=[name for _, _, name in SOLVED]
)
def test_the_solution_passes(check, notebook, name, capsys):
    result = check(solution(notebook)[name])
    printed = capsys.readouterr().out
    assert result.passed, result.report
    assert result.mistakes == [] and not result.not_written and result.error is None
    assert printed.strip() == result.report.strip()
    assert printed.rstrip().splitlines()[-1].startswith("Passed")


# --- what every check does with an answer that is not there --------------------


@pytest.mark.parametrize("check", [c for c, _, _ in SOLVED])
def test_a_placeholder_is_reported_as_not_written(check, capsys):
    def placeholder(*args):
        raise NotImplementedError("the hint of this exercise")

    result = check(placeholder)
    printed = capsys.readouterr().out
    assert not result.passed and result.not_written
    assert "not written yet: the hint of this exercise" in printed


@pytest.mark.parametrize("check", [c for c, _, _ in SOLVED])
def test_a_value_instead_of_a_function_is_reported(check):
    result = check(0.5)
    assert not result.passed
    assert "expected your function" in result.report


def test_an_exception_is_reported_with_the_learners_line(capsys):
    def crashes(y_true, y_pred):
        total = len(y_true)
        return total / 0  # the learner's bug

    line = inspect.getsourcelines(crashes)[1] + 2
    result = check_balanced_accuracy(crashes)
    printed = capsys.readouterr().out
    assert not result.passed and result.error.startswith("ZeroDivisionError")
    words = " ".join(printed.split())
    assert f"ZeroDivisionError at line {line} of test_checks.py, in crashes:" in words
    assert "      return total / 0  # the learner's bug\n" in printed


def test_an_exception_inside_torch_points_at_the_learners_call():
    def wrong_matmul(outputs, lengths):
        weights = torch.ones(99, 2)
        return outputs[:, -1] @ weights  # shapes do not fit

    line = inspect.getsourcelines(wrong_matmul)[1] + 2
    result = check_last_real_step(wrong_matmul)
    assert not result.passed and result.error.startswith("RuntimeError")
    assert f"at line {line} of test_checks.py" in " ".join(result.report.split())


def test_checks_leave_the_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    check_lstm_forward(solution("ex04_lstm_forward")["LSTMClassifier"])
    assert torch.equal(torch.rand(3), expected)


# --- check_balanced_positional ---------------------------------------------------


def _fits_rule(values):
    return (values[:, 0] > 0.8) & (values[:, 3] + values[:, 4] < 0.5)


def draw_float_labels(n, seed):
    inputs, labels = solution("ex02_measuring")["draw_balanced_positional"](n, seed)
    return inputs, labels.float()


def draw_swapped_axes(n, seed):
    inputs, labels = solution("ex02_measuring")["draw_balanced_positional"](n, seed)
    return inputs.transpose(1, 2), labels  # (n, 1, 5)


def draw_without_feature_axis(n, seed):
    inputs, labels = solution("ex02_measuring")["draw_balanced_positional"](n, seed)
    return inputs[:, :, 0], labels  # (n, 5)


def draw_imbalanced(n, seed):
    values = np.random.default_rng(seed).random((n, 5))
    labels = _fits_rule(values).astype(np.int64)
    return torch.tensor(values[:, :, None], dtype=torch.float32), torch.tensor(labels)


def draw_from_global_state(n, seed):
    labels = np.random.permutation(np.arange(n) % 2)
    values = np.random.random((n, 5))
    wrong = _fits_rule(values) != labels
    while wrong.any():
        values[wrong] = np.random.random((wrong.sum(), 5))
        wrong = _fits_rule(values) != labels
    return torch.tensor(values[:, :, None], dtype=torch.float32), torch.tensor(labels)


def draw_with_shortcut(n, seed):
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 2)
    values = rng.random((n, 5))
    values[labels == 0, 0] *= 0.8  # negatives never have x0 > 0.8: a shortcut
    wrong = _fits_rule(values) != labels
    while wrong.any():
        values[wrong & (labels == 1)] = rng.random(((wrong & (labels == 1)).sum(), 5))
        wrong = _fits_rule(values) != labels
    return torch.tensor(values[:, :, None], dtype=torch.float32), torch.tensor(labels)


def draw_sorted(n, seed):
    inputs, labels = solution("ex02_measuring")["draw_balanced_positional"](n, seed)
    order = torch.argsort(labels, stable=True)
    return inputs[order], labels[order]


@pytest.mark.parametrize(
    "draw, mistake",
    [
        (draw_float_labels, "float_labels"),
        (draw_swapped_axes, "axes_swapped"),
        (draw_without_feature_axis, "no_feature_axis"),
        (draw_imbalanced, "imbalanced"),
        (draw_from_global_state, "not_seeded"),
        (draw_with_shortcut, "shortcut"),
        (draw_sorted, "sorted_labels"),
    ],
)
def test_balanced_positional_mistakes(draw, mistake):
    result = check_balanced_positional(draw)
    assert failed_with(result, mistake), result.report


# --- check_balanced_accuracy and check_majority_baseline --------------------------


def plain_accuracy(y_true, y_pred):
    return np.mean(y_true == y_pred)


def mean_precision(y_true, y_pred):
    return np.mean([np.mean(y_true[y_pred == c] == c) for c in np.unique(y_true)])


def two_classes_only(y_true, y_pred):
    tpr = np.mean(y_pred[y_true == 1] == 1)
    tnr = np.mean(y_pred[y_true == 0] == 0)
    return (tpr + tnr) / 2


def classes_from_both(y_true, y_pred):
    classes = np.union1d(y_true, y_pred)
    return np.mean([np.mean(y_pred[y_true == c] == c) for c in classes])


def as_percent(y_true, y_pred):
    return 100 * metrics.balanced_accuracy(y_true, y_pred)


@pytest.mark.parametrize(
    "answer, mistake",
    [
        (plain_accuracy, "plain_accuracy"),
        (mean_precision, "precision"),
        (two_classes_only, "binary_only"),
        (classes_from_both, "classes_from_predictions"),
        (as_percent, "percent"),
    ],
)
def test_balanced_accuracy_mistakes(answer, mistake):
    result = check_balanced_accuracy(answer)
    assert failed_with(result, mistake), result.report
    assert result.mistakes == [mistake]


@pytest.mark.parametrize(
    "answer, mistake",
    [
        (lambda y: np.bincount(y).argmax(), "majority_label"),
        (lambda y: np.bincount(y).max(), "majority_count"),
        (lambda y: np.bincount(y)[np.bincount(y) > 0].min() / len(y), "minority_rate"),
        (lambda y: np.mean(y), "positive_rate"),
        (lambda y: 100 * np.bincount(y).max() / len(y), "percent"),
    ],
    ids=["label", "count", "minority", "positive-rate", "percent"],
)
def test_majority_baseline_mistakes(answer, mistake):
    result = check_majority_baseline(answer)
    assert failed_with(result, mistake), result.report
    assert result.mistakes == [mistake]


# --- check_last_real_step and check_lstm_forward ----------------------------------


@pytest.mark.parametrize(
    "answer, mistake",
    [
        (lambda outputs, lengths: outputs[:, -1], "last_padded"),
        (
            lambda outputs, lengths: outputs[torch.arange(len(lengths)), lengths],
            "off_by_one",
        ),
        (lambda outputs, lengths: outputs[:, lengths - 1], "no_arange"),
        (
            lambda outputs, lengths: outputs[lengths - 1, torch.arange(len(lengths))],
            "time_batch_swapped",
        ),
    ],
    ids=["last-padded", "off-by-one", "no-arange", "swapped"],
)
def test_last_real_step_mistakes(answer, mistake):
    result = check_last_real_step(answer)
    assert failed_with(result, mistake), result.report


def classifier(forward):
    """The exercise's class with a learner's forward pass."""

    class Classifier(nn.Module):
        def __init__(self, n_features=1, hidden=16, n_classes=2, layers=1):
            super().__init__()
            self.lstm = nn.LSTM(n_features, hidden, num_layers=layers, batch_first=True)
            self.head = nn.Linear(hidden, n_classes)

    Classifier.forward = forward
    return Classifier


def forward_last_padded(self, inputs, lengths):
    _, (h_n, _) = self.lstm(inputs)
    return self.head(h_n[-1])


def forward_first_layer(self, inputs, lengths):
    packed = nn.utils.rnn.pack_padded_sequence(
        inputs, lengths, batch_first=True, enforce_sorted=False
    )
    _, (h_n, _) = self.lstm(packed)
    return self.head(h_n[0])


def forward_softmax(self, inputs, lengths):
    outputs, _ = self.lstm(inputs)
    last = outputs[torch.arange(len(lengths)), lengths - 1]
    return torch.softmax(self.head(last), dim=1)


def forward_without_head(self, inputs, lengths):
    outputs, _ = self.lstm(inputs)
    return outputs[torch.arange(len(lengths)), lengths - 1]


def forward_time_first(self, inputs, lengths):
    outputs, _ = self.lstm(inputs.transpose(0, 1))
    return self.head(outputs[-1])


def forward_detached(self, inputs, lengths):
    outputs, _ = self.lstm(inputs)
    last = outputs[torch.arange(len(lengths)), lengths - 1]
    return self.head(last).detach()


def forward_packed(self, inputs, lengths):
    """Right, by another road: packing, then the top layer's final state."""
    packed = nn.utils.rnn.pack_padded_sequence(
        inputs, lengths, batch_first=True, enforce_sorted=False
    )
    _, (h_n, _) = self.lstm(packed)
    return self.head(h_n[-1])


@pytest.mark.parametrize(
    "forward, mistake",
    [
        (forward_last_padded, "last_padded"),
        (forward_first_layer, "first_layer"),
        (forward_softmax, "softmax"),
        (forward_without_head, "no_head"),
        (forward_time_first, "time_batch_swapped"),
        (forward_detached, "detached"),
    ],
)
def test_lstm_forward_mistakes(forward, mistake):
    result = check_lstm_forward(classifier(forward))
    assert failed_with(result, mistake), result.report


def test_lstm_forward_accepts_packing():
    result = check_lstm_forward(classifier(forward_packed))
    assert result.passed, result.report


# --- check_train_step and check_evaluate -----------------------------------------


def step_without_zero_grad(model, batch, optimiser, loss_fn):
    loss = loss_fn(model(batch.inputs, batch.lengths), batch.labels)
    loss.backward()
    optimiser.step()
    return loss.item()


def step_before_backward(model, batch, optimiser, loss_fn):
    loss = loss_fn(model(batch.inputs, batch.lengths), batch.labels)
    optimiser.step()
    optimiser.zero_grad()
    loss.backward()
    return loss.item()


def step_without_backward(model, batch, optimiser, loss_fn):
    loss = loss_fn(model(batch.inputs, batch.lengths), batch.labels)
    optimiser.zero_grad()
    optimiser.step()
    return loss.item()


def step_with_float_labels(model, batch, optimiser, loss_fn):
    loss = loss_fn(model(batch.inputs, batch.lengths), batch.labels.float())
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
    return loss.item()


def step_returning_tensor(model, batch, optimiser, loss_fn):
    loss = loss_fn(model(batch.inputs, batch.lengths), batch.labels)
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
    return loss


def step_without_lengths(model, batch, optimiser, loss_fn):
    loss = loss_fn(model(batch.inputs), batch.labels)
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
    return loss.item()


def step_with_softmax(model, batch, optimiser, loss_fn):
    probabilities = torch.softmax(model(batch.inputs, batch.lengths), dim=1)
    loss = loss_fn(probabilities, batch.labels)
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
    return loss.item()


@pytest.mark.parametrize(
    "answer, mistake",
    [
        (step_without_zero_grad, "no_zero_grad"),
        (step_before_backward, "step_before_backward"),
        (step_without_backward, "no_update"),
        (step_with_float_labels, "float_labels"),
        (step_returning_tensor, "loss_tensor"),
        (step_without_lengths, "no_lengths"),
        (step_with_softmax, "softmax"),
    ],
)
def test_train_step_mistakes(answer, mistake):
    result = check_train_step(answer)
    assert failed_with(result, mistake), result.report


def score_without_eval(model, batch):
    with torch.no_grad():
        predicted = model(batch.inputs, batch.lengths).argmax(dim=1)
    return metrics.balanced_accuracy(batch.labels.numpy(), predicted.numpy())


def score_without_no_grad(model, batch):
    model.eval()
    predicted = model(batch.inputs, batch.lengths).argmax(dim=1)
    model.train()
    return metrics.balanced_accuracy(batch.labels.numpy(), predicted.numpy())


def score_left_in_eval(model, batch):
    model.eval()
    with torch.no_grad():
        predicted = model(batch.inputs, batch.lengths).argmax(dim=1)
    return metrics.balanced_accuracy(batch.labels.numpy(), predicted.numpy())


def score_plain_accuracy(model, batch):
    model.eval()
    with torch.no_grad():
        predicted = model(batch.inputs, batch.lengths).argmax(dim=1)
    model.train()
    return metrics.accuracy(batch.labels.numpy(), predicted.numpy())


def score_argmax_over_batch(model, batch):
    model.eval()
    with torch.no_grad():
        predicted = model(batch.inputs, batch.lengths).argmax(dim=0)
    model.train()
    return metrics.balanced_accuracy(batch.labels.numpy(), predicted.numpy())


@pytest.mark.parametrize(
    "answer, mistake",
    [
        (score_without_eval, "no_eval"),
        (score_without_no_grad, "no_no_grad"),
        (score_left_in_eval, "mode_not_restored"),
        (score_plain_accuracy, "plain_accuracy"),
        (score_argmax_over_batch, "argmax_axis"),
    ],
)
def test_evaluate_mistakes(answer, mistake):
    result = check_evaluate(answer)
    assert failed_with(result, mistake), result.report
    assert result.mistakes == [mistake]


def test_evaluate_accepts_seqlibs_own():
    result = check_evaluate(
        lambda model, batch: evaluate(model, batch).balanced_accuracy
    )
    assert result.passed, result.report


# --- check_order_task ------------------------------------------------------------


def sum_task(n, rng, length):
    """The label depends on how much occurs, not on the order."""
    values = rng.random((n, length, 1))
    labels = (values.sum(axis=(1, 2)) > length / 2).astype(np.int64)
    return values, labels


def rare_positives(n, rng, length):
    inputs, labels = solution("ex06_order_experiments")["draw_my_task"](n, rng, length)
    keep = (labels == 0) | (np.arange(n) % 10 == 0)  # about 1 positive in 11
    return inputs, np.where(keep, labels, 0)


def order_task_from_global_state(n, rng, length):
    return solution("ex06_order_experiments")["draw_my_task"](
        n, np.random.default_rng(np.random.randint(1 << 30)), length
    )


def order_task_float_labels(n, rng, length):
    inputs, labels = solution("ex06_order_experiments")["draw_my_task"](n, rng, length)
    return inputs, labels.astype(np.float32)


def order_task_without_features(n, rng, length):
    inputs, labels = solution("ex06_order_experiments")["draw_my_task"](n, rng, length)
    return inputs.argmax(axis=2), labels  # (n, T) symbol numbers


def order_task_fixed_length(n, rng, length):
    return solution("ex06_order_experiments")["draw_my_task"](n, rng, 20)


@pytest.mark.parametrize(
    "draw, mistake",
    [
        (sum_task, "bag_solvable"),
        (rare_positives, "imbalanced"),
        (order_task_from_global_state, "not_seeded"),
        (order_task_float_labels, "float_labels"),
        (order_task_without_features, "no_feature_axis"),
        (order_task_fixed_length, "length_ignored"),
    ],
)
def test_order_task_mistakes(draw, mistake):
    result = check_order_task(draw)
    assert failed_with(result, mistake), result.report


# --- check_permutation_test --------------------------------------------------------


def scores(model, batch, shuffled):
    after = Batch(shuffled, batch.labels, batch.lengths)
    return (
        evaluate(model, batch).balanced_accuracy,
        evaluate(model, after).balanced_accuracy,
    )


def shuffle_padding_too(model, batch, seed):
    generator = torch.Generator().manual_seed(seed)
    shuffled = batch.inputs.clone()
    for row in range(len(batch)):
        shuffled[row] = batch.inputs[
            row, torch.randperm(shuffled.shape[1], generator=generator)
        ]
    return scores(model, batch, shuffled)


def shuffle_the_batch(model, batch, seed):
    order = torch.from_numpy(np.random.default_rng(seed).permutation(len(batch)))
    return scores(model, batch, batch.inputs[order])


def one_order_for_all(model, batch, seed):
    rng = np.random.default_rng(seed)
    shuffled = batch.inputs.clone()
    order = rng.permutation(int(batch.lengths.max()))
    for row, length in enumerate(batch.lengths.tolist()):
        steps = torch.from_numpy(order[order < length])
        shuffled[row, :length] = batch.inputs[row, steps]
    return scores(model, batch, shuffled)


def shuffle_in_place(model, batch, seed):
    rng = np.random.default_rng(seed)
    before = evaluate(model, batch).balanced_accuracy
    for row, length in enumerate(batch.lengths.tolist()):
        steps = torch.from_numpy(rng.permutation(length))
        batch.inputs[row, :length] = batch.inputs[row, steps].clone()
    return before, evaluate(model, batch).balanced_accuracy


def shuffle_not_applied(model, batch, seed):
    rng = np.random.default_rng(seed)
    shuffled = batch.inputs.clone()
    for row, length in enumerate(batch.lengths.tolist()):
        steps = torch.from_numpy(rng.permutation(length))
        shuffled[row, :length][steps]  # drawn, never stored
    return scores(model, batch, shuffled)


def shuffle_from_global_state(model, batch, seed):
    shuffled = batch.inputs.clone()
    for row, length in enumerate(batch.lengths.tolist()):
        steps = torch.from_numpy(np.random.permutation(length))
        shuffled[row, :length] = batch.inputs[row, steps]
    return scores(model, batch, shuffled)


def shuffle_scored_in_train_mode(model, batch, seed):
    rng = np.random.default_rng(seed)
    shuffled = batch.inputs.clone()
    for row, length in enumerate(batch.lengths.tolist()):
        shuffled[row, :length] = batch.inputs[
            row, torch.from_numpy(rng.permutation(length))
        ]
    with torch.no_grad():
        predicted = [
            model(x, batch.lengths).argmax(dim=1) for x in (batch.inputs, shuffled)
        ]
    labels = batch.labels.numpy()
    return tuple(metrics.balanced_accuracy(labels, p.numpy()) for p in predicted)


def shuffle_scored_with_accuracy(model, batch, seed):
    rng = np.random.default_rng(seed)
    shuffled = batch.inputs.clone()
    for row, length in enumerate(batch.lengths.tolist()):
        shuffled[row, :length] = batch.inputs[
            row, torch.from_numpy(rng.permutation(length))
        ]
    after = Batch(shuffled, batch.labels, batch.lengths)
    return evaluate(model, batch).accuracy, evaluate(model, after).accuracy


@pytest.mark.parametrize(
    "answer, mistake",
    [
        (shuffle_padding_too, "padding_shuffled"),
        (shuffle_the_batch, "batch_shuffled"),
        (one_order_for_all, "same_order_for_all"),
        (shuffle_in_place, "in_place"),
        (shuffle_not_applied, "not_shuffled"),
        (shuffle_from_global_state, "not_seeded"),
        (shuffle_scored_in_train_mode, "no_eval"),
        (shuffle_scored_with_accuracy, "plain_accuracy"),
    ],
)
def test_permutation_test_mistakes(answer, mistake):
    result = check_permutation_test(answer)
    assert failed_with(result, mistake), result.report
