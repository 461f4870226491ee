"""Checks of the LSTM exercises (ex04): the last real step and the forward pass."""

from __future__ import annotations

import re
from functools import partial

import torch
from torch import nn

from seqlib.checks._core import (
    CheckResult,
    _as_tensor,
    _explain,
    _Report,
    _run,
    _show,
    _Stop,
)

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
