"""Checks of the training-loop exercises (ex05): one training step and evaluate."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from seqlib import metrics
from seqlib.checks._core import (
    _FORKED,
    CheckResult,
    _close,
    _explain,
    _matches,
    _need_number,
    _number,
    _Report,
    _run,
    _show,
)
from seqlib.models import LSTM
from seqlib.tasks import get_task

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
