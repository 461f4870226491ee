"""The three classifiers the course compares.

Dimension letters used in the shape comments: B batch, T time steps, F features per
step, H hidden units, C classes.

- :class:`DNN` flattens the whole sequence: one weight per (position, feature), so
  it sees order, but only for the length it was built for.
- :class:`Bag` applies one small network to every step and averages over time: it
  cannot tell two orderings of the same steps apart.
- :class:`LSTM` reads the steps one by one and classifies from its state after the
  last real step of each sequence.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
import torch
from torch import nn

from seqlib.tasks import as_task


class NotApplicable(ValueError):
    """The model cannot classify this input at all (not merely badly)."""


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _check_inputs(
    inputs: torch.Tensor,
    n_features: int,
    lengths: torch.Tensor | None,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """Check (B, T, F) inputs for a model of ``dtype``; return lengths, shape (B,)."""
    if not isinstance(inputs, torch.Tensor):
        raise TypeError(f"inputs must be a torch.Tensor, got {type(inputs).__name__}")
    if inputs.dim() != 3:
        raise ValueError(
            "inputs must have shape (batch, time, features), got "
            f"{tuple(inputs.shape)}; for one value per step add a feature axis "
            "with inputs.unsqueeze(-1)"
        )
    batch, time, features = inputs.shape
    if features != n_features:
        raise ValueError(
            f"the model expects {n_features} feature(s) per step, got {features} "
            f"(inputs of shape {tuple(inputs.shape)}); are the time and feature "
            "axes swapped?"
        )
    if not inputs.is_floating_point():
        raise TypeError(f"inputs must be floating point, got {inputs.dtype}")
    if inputs.dtype != dtype:
        raise TypeError(
            f"inputs must have the model's dtype {dtype}, got {inputs.dtype}; "
            f"convert them with inputs.to({dtype})"
        )
    if time == 0:
        raise ValueError(
            f"inputs must hold at least one time step, got shape {tuple(inputs.shape)}"
        )
    finite = torch.isfinite(inputs)
    if not finite.all():
        raise ValueError(
            f"inputs must be finite numbers, got {int((~finite).sum())} NaN or "
            "infinite value(s)"
        )
    if lengths is None:
        return torch.full((batch,), time, dtype=torch.long)
    try:
        lengths = torch.as_tensor(lengths)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(
            f"lengths must be integers, one per sequence, got {lengths!r}"
        ) from None
    if (
        lengths.is_floating_point()
        or lengths.is_complex()
        or lengths.dtype == torch.bool
    ):
        raise TypeError(f"lengths must be integers, got {lengths.dtype}")
    if lengths.shape != (batch,):
        swapped = (
            "; are the batch and time axes swapped? inputs are "
            f"(batch, time, features), got {tuple(inputs.shape)}"
            if lengths.shape == (time,)
            else ""
        )
        raise ValueError(
            f"lengths must have shape ({batch},), one per sequence, "
            f"got {tuple(lengths.shape)}{swapped}"
        )
    if batch and (lengths.min() < 1 or lengths.max() > time):
        raise ValueError(
            f"lengths must lie in 1..{time} (the padded length), "
            f"got {lengths.min().item()}..{lengths.max().item()}"
        )
    return lengths.long()


def _mlp(sizes: list[int]) -> nn.Sequential:
    """Linear layers with ReLU between them (none after the last)."""
    layers: list[nn.Module] = []
    for i, (size_in, size_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(size_in, size_out))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _check_sizes(**sizes) -> list:
    """Check sizes (integers, or tuples of them); return them as plain ints."""
    checked = []
    for name, value in sizes.items():
        values = value if isinstance(value, (tuple, list)) else [value]
        for v in values:
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be positive integers, got {value!r}")
        as_ints = tuple(int(v) for v in values)
        checked.append(as_ints if isinstance(value, (tuple, list)) else as_ints[0])
    return checked


def _dtype(model: nn.Module) -> torch.dtype:
    return next(model.parameters()).dtype


class DNN(nn.Module):
    """A multi-layer perceptron on the flattened, zero-padded sequence.

    The default, 5 steps of 1 feature into 32 hidden units and 2 classes, is the
    starting notebook's network.
    """

    def __init__(
        self,
        length: int = 5,
        n_features: int = 1,
        hidden: tuple[int, ...] = (32,),
        n_classes: int = 2,
    ):
        super().__init__()
        hidden = tuple(hidden) if isinstance(hidden, (tuple, list)) else (hidden,)
        length, n_features, hidden, n_classes = _check_sizes(
            length=length, n_features=n_features, hidden=hidden, n_classes=n_classes
        )
        self.length = length
        self.n_features = n_features
        self.net = _mlp([length * n_features, *hidden, n_classes])

    def forward(self, inputs: torch.Tensor, lengths: torch.Tensor | None = None):
        _check_inputs(inputs, self.n_features, lengths, _dtype(self))
        batch, time, _ = inputs.shape
        if time > self.length:
            raise NotApplicable(
                f"this DNN was built for sequences of at most {self.length} steps and "
                f"has no weights for step {self.length + 1} onwards; got {time} steps"
            )
        # Steps past a sequence's length are already zero; pad the batch to the
        # built length with zeros too, so every input has one fixed size.
        padded = nn.functional.pad(inputs, (0, 0, 0, self.length - time))  # (B, L, F)
        flat = padded.reshape(batch, self.length * self.n_features)  # (B, L*F)
        return self.net(flat)  # (B, C)


class Bag(nn.Module):
    """Order-blind: the same network on every step, then the mean over real steps."""

    def __init__(self, n_features: int = 1, hidden: int = 32, n_classes: int = 2):
        super().__init__()
        n_features, hidden, n_classes = _check_sizes(
            n_features=n_features, hidden=hidden, n_classes=n_classes
        )
        self.n_features = n_features
        self.step = nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU())
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, inputs: torch.Tensor, lengths: torch.Tensor | None = None):
        lengths = _check_inputs(inputs, self.n_features, lengths, _dtype(self))
        time = inputs.shape[1]
        per_step = self.step(inputs)  # (B, T, H)
        real = torch.arange(time) < lengths[:, None]  # (B, T), False on padding
        summed = (per_step * real[:, :, None]).sum(dim=1)  # (B, H)
        pooled = summed / lengths[:, None]  # (B, H)
        return self.head(pooled)  # (B, C)


class LSTM(nn.Module):
    """``torch.nn.LSTM`` and a linear head on the state after the last real step.

    The default, one layer of 16 units on 1 feature, is the starting notebook's
    network. ``forget_bias`` sets the forget gate's bias at the start (1.0 is the
    usual advice for long sequences); None keeps torch's random initialisation.
    """

    def __init__(
        self,
        n_features: int = 1,
        hidden: int = 16,
        n_classes: int = 2,
        layers: int = 1,
        forget_bias: float | None = None,
    ):
        super().__init__()
        n_features, hidden, n_classes, layers = _check_sizes(
            n_features=n_features, hidden=hidden, n_classes=n_classes, layers=layers
        )
        if forget_bias is not None:
            _check_finite("forget_bias", forget_bias)
        self.n_features = n_features
        self.lstm = nn.LSTM(n_features, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)
        if forget_bias is not None:
            set_forget_bias(self.lstm, forget_bias)

    def forward(self, inputs: torch.Tensor, lengths: torch.Tensor | None = None):
        lengths = _check_inputs(inputs, self.n_features, lengths, _dtype(self))
        # The LSTM reads left to right, so its output at step t never depends on
        # later steps: running over the padding and reading each sequence's output
        # at its own last real step gives exactly the unpadded result, without the
        # cost of packing.
        outputs, _ = self.lstm(inputs)  # (B, T, H), the top layer at every step
        last = outputs[torch.arange(inputs.shape[0]), lengths - 1]  # (B, H)
        return self.head(last)  # (B, C)


def _check_finite(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a finite number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")


def set_forget_bias(lstm: nn.LSTM, value: float) -> None:
    """Set the forget gate's total bias (torch splits it over two vectors)."""
    hidden = lstm.hidden_size
    with torch.no_grad():
        for name, bias in lstm.named_parameters():
            if name.startswith("bias_ih"):
                # torch orders the gates input, forget, cell, output.
                bias[hidden : 2 * hidden] = value
            elif name.startswith("bias_hh"):
                bias[hidden : 2 * hidden] = 0.0


class LSTMCellFromScratch(nn.Module):
    """One LSTM step written out, with the gates named as in the equations.

    i = sigmoid(W_i x + U_i h + b_i)   input gate: how much new content to write
    f = sigmoid(W_f x + U_f h + b_f)   forget gate: how much old memory to keep
    g = tanh(W_g x + U_g h + b_g)      candidate content
    o = sigmoid(W_o x + U_o h + b_o)   output gate: how much memory to show
    c' = f * c + i * g                 new cell state (the memory)
    h' = o * tanh(c')                  new hidden state (what the next layer sees)

    The four W (and the four U) are stacked in one linear layer each, in torch's
    order i, f, g, o, so weights copy across from ``torch.nn.LSTM`` unchanged.
    """

    def __init__(self, n_features: int, hidden: int):
        super().__init__()
        n_features, hidden = _check_sizes(n_features=n_features, hidden=hidden)
        self.hidden = hidden
        self.input_weights = nn.Linear(n_features, 4 * hidden)  # W and b_ih
        self.state_weights = nn.Linear(hidden, 4 * hidden)  # U and b_hh

    def forward(self, x, state):
        """x: (B, F); state: h, c each (B, H). Returns (h', c') and the gates."""
        h, c = state
        pre = self.input_weights(x) + self.state_weights(h)  # (B, 4H)
        i, f, g, o = pre.chunk(4, dim=1)  # each (B, H)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c = f * c + i * g
        h = o * torch.tanh(c)
        return (h, c), {"input": i, "forget": f, "candidate": g, "output": o}

    def copy_from(self, lstm: nn.LSTM, layer: int = 0) -> LSTMCellFromScratch:
        """Take the weights of one layer of a ``torch.nn.LSTM``."""
        with torch.no_grad():
            self.input_weights.weight.copy_(getattr(lstm, f"weight_ih_l{layer}"))
            self.input_weights.bias.copy_(getattr(lstm, f"bias_ih_l{layer}"))
            self.state_weights.weight.copy_(getattr(lstm, f"weight_hh_l{layer}"))
            self.state_weights.bias.copy_(getattr(lstm, f"bias_hh_l{layer}"))
        return self


class ScratchLSTM(nn.Module):
    """A one-layer LSTM classifier built on :class:`LSTMCellFromScratch`.

    Slower than :class:`LSTM` (a Python loop over time), but every gate can be
    recorded with :meth:`trace`, which is what the course looks inside.
    """

    def __init__(self, n_features: int = 1, hidden: int = 16, n_classes: int = 2):
        super().__init__()
        n_features, hidden, n_classes = _check_sizes(
            n_features=n_features, hidden=hidden, n_classes=n_classes
        )
        self.n_features = n_features
        self.cell = LSTMCellFromScratch(n_features, hidden)
        self.head = nn.Linear(hidden, n_classes)

    @classmethod
    def from_lstm(cls, model: LSTM) -> ScratchLSTM:
        """The same network as a one-layer :class:`LSTM`, weights copied."""
        if model.lstm.num_layers != 1:
            raise ValueError("ScratchLSTM copies one-layer LSTMs only")
        copy = cls(model.n_features, model.lstm.hidden_size, model.head.out_features)
        copy.cell.copy_from(model.lstm)
        copy.head.load_state_dict(model.head.state_dict())
        return copy

    def trace(self, inputs: torch.Tensor, lengths: torch.Tensor | None = None):
        """Run over time; return logits (B, C) and each gate and state as (B, T, H)."""
        lengths = _check_inputs(inputs, self.n_features, lengths, _dtype(self))
        batch, time, _ = inputs.shape
        h = inputs.new_zeros(batch, self.cell.hidden)  # (B, H)
        c = inputs.new_zeros(batch, self.cell.hidden)  # (B, H)
        steps = []
        for t in range(time):
            (h, c), gates = self.cell(inputs[:, t], (h, c))
            steps.append({**gates, "cell": c, "hidden": h})
        record = {k: torch.stack([s[k] for s in steps], dim=1) for k in steps[0]}
        last = record["hidden"][torch.arange(batch), lengths - 1]  # (B, H)
        return self.head(last), record

    def forward(self, inputs: torch.Tensor, lengths: torch.Tensor | None = None):
        return self.trace(inputs, lengths)[0]


MODELS = {"dnn": DNN, "lstm": LSTM, "bag": Bag}


def model_names() -> list[str]:
    return list(MODELS)


def check_model_name(name: str) -> None:
    """Refuse anything but the name of a known model, listing the known ones."""
    if not isinstance(name, str):
        raise TypeError(f"model name must be one of {', '.join(MODELS)}, got {name!r}")
    if name not in MODELS:
        raise KeyError(f"unknown model {name!r}; known models: {', '.join(MODELS)}")


def build_model(name: str, task=None, length: int | None = None, **sizes) -> nn.Module:
    """Build a model by name, sized for ``task`` (a Task or its name) when given.

    ``length`` is the longest sequence the DNN must read (the task's default length
    when not given); the other models read any length.
    """
    check_model_name(name)
    if name == "dnn" and length is not None:
        sizes.setdefault("length", length)
    if task is not None:
        task = as_task(task)
        sizes.setdefault("n_features", task.n_features)
        sizes.setdefault("n_classes", task.n_classes)
        if name == "dnn":
            sizes.setdefault("length", task.default_length)
    return MODELS[name](**sizes)
