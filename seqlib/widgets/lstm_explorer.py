"""Inside the LSTM: the gates and cell state of a small LSTM on one sequence."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as ui
import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn

from seqlib.experiments import default_settings
from seqlib.models import ScratchLSTM, build_model
from seqlib.tasks import Task, get_task, task_names
from seqlib.training import History, draw_held_out, seeded_model, train
from seqlib.widgets._core import (
    SYMBOLS,
    Static,
    _class_names,
    _error,
    _Explorer,
    _message,
    _note,
    _Runner,
    _steps_slider,
    _tidy,
)


def deciding_step(task: str | Task, inputs: torch.Tensor, length: int) -> int:
    """The step (counted from 0) that settles the label of one sequence.

    ``inputs`` is one sequence, shape (T, F). Motif: the second symbol of the XY or
    YX pair. Temporal order: the second event. Latch: the b or e to remember. The
    other tasks read every step (a sum, a parity, the last of the positions the
    rule reads), so their label is settled only at the last step.
    """
    name = task if isinstance(task, str) else task.name
    if name not in ("motif", "temporal-order", "latch"):
        return length - 1
    symbols = SYMBOLS[name]
    ids = inputs[:length].argmax(dim=1)  # (T,) symbol index per real step
    if name == "latch":
        wanted = [symbols.index("b"), symbols.index("e")]
        return int(torch.isin(ids, torch.tensor(wanted)).nonzero()[0, 0])
    events = torch.isin(ids, torch.tensor([symbols.index("X"), symbols.index("Y")]))
    return int(events.nonzero()[1, 0])  # the second of the two


@dataclass
class Trace:
    """One sequence through a trained LSTM, every gate recorded."""

    task: Task
    index: int
    inputs: torch.Tensor  # (T, F), real steps only
    label: int
    predicted: int
    probability: float  # of the predicted class
    decides: int  # the step that settles the label
    record: dict  # gate name -> (T, H)


def trace_sequence(model, task: str | Task, batch, index: int) -> Trace:
    """Copy a trained one-layer LSTM into ScratchLSTM and record one sequence."""
    task = get_task(task) if isinstance(task, str) else task
    if not 0 <= index < len(batch):
        raise ValueError(f"index must lie in 0..{len(batch) - 1}, got {index}")
    length = int(batch.lengths[index])
    inputs = batch.inputs[index : index + 1, :length]  # (1, T, F)
    scratch = ScratchLSTM.from_lstm(model).eval()
    with torch.no_grad():
        logits, record = scratch.trace(inputs)  # (1, C); each (1, T, H)
    probabilities = torch.softmax(logits[0], dim=0)  # (C,)
    predicted = int(probabilities.argmax())
    return Trace(
        task=task,
        index=index,
        inputs=inputs[0],
        label=int(batch.labels[index]),
        predicted=predicted,
        probability=float(probabilities[predicted]),
        decides=deciding_step(task, inputs[0], length),
        record={name: values[0] for name, values in record.items()},
    )


TRACE_PANELS = {  # gate -> (what it means, colour map, value range)
    "input": ("input gate i: how much to write", "viridis", (0, 1)),
    "forget": ("forget gate f: how much to keep", "viridis", (0, 1)),
    "output": ("output gate o: how much to show", "viridis", (0, 1)),
    "cell": ("cell state c: the memory", "RdBu_r", None),
}


def _draw_trace(figure: Figure, trace: Trace) -> str:
    """The input, three gates and the cell state over time; return alt text."""
    figure.clear()
    axes = figure.subplots(1 + len(TRACE_PANELS), 1, sharex=True)
    names = _class_names(trace.task)
    inputs = trace.inputs.T.numpy()  # (F, T)
    axes[0].imshow(inputs, cmap="Greys", vmin=0, vmax=1, aspect="auto")
    symbols = SYMBOLS.get(trace.task.name)
    if symbols:
        axes[0].set_yticks(range(len(symbols)), list(symbols), fontsize=7)
    else:
        axes[0].set_yticks([])
    axes[0].set_title(
        f"{trace.task.name}, sequence {trace.index}: label {names[trace.label]}, "
        f"predicted {names[trace.predicted]} ({trace.probability:.2f}); dashed: "
        "the step that settles the label",
        fontsize=9,
        loc="left",
    )
    for ax, (gate, (meaning, cmap, limits)) in zip(
        axes[1:], TRACE_PANELS.items(), strict=True
    ):
        values = trace.record[gate].T.numpy()  # (H, T): one row per unit
        if limits is None:
            reach = max(float(np.abs(values).max()), 1e-6)
            limits = (-reach, reach)
        image = ax.imshow(
            values, cmap=cmap, vmin=limits[0], vmax=limits[1], aspect="auto"
        )
        ax.set_ylabel("unit", fontsize=8)
        ax.set_yticks([])
        ax.set_title(meaning, fontsize=9, loc="left")
        figure.colorbar(image, ax=ax, pad=0.01, fraction=0.03)
    for ax in axes:
        ax.axvline(trace.decides, color="red", ls="--", lw=1.2)
    axes[-1].set_xlabel("step")

    after = slice(trace.decides + 1, None)
    forget = trace.record["forget"][after]
    kept = f"{float(forget.mean()):.2f}" if len(forget) else "no steps after it"
    cell = trace.record["cell"]  # (T, H)
    before = cell[trace.decides - 1] if trace.decides > 0 else torch.zeros_like(cell[0])
    moved = float((cell[-1] - before).abs().max())
    return (
        f"Heat maps over the {trace.inputs.shape[0]} steps of {trace.task.name} "
        f"sequence {trace.index} (label {names[trace.label]}, predicted "
        f"{names[trace.predicted]} with probability {trace.probability:.2f}): the "
        f"one-hot symbols read, then the input, forget and output gates and the cell "
        f"state of each "
        f"of {cell.shape[1]} units. A dashed line marks step {trace.decides}, which "
        f"settles the label. Mean forget gate after it: {kept}; the largest change "
        f"of one unit's cell state from just before it to the end: {moved:.2f}."
    )


def train_small_lstm(
    task: str | Task, steps: int = 300, seed: int = 0, hidden: int = 8
) -> tuple[nn.Module, History]:
    """Train a small LSTM for ``steps`` steps with the task's recorded settings.

    Early stopping is off, so that every step asked for is taken: the gates of a
    model that only just passed the early-stopping bar are still blurred.
    """
    task = get_task(task) if isinstance(task, str) else task
    settings = default_settings(task, steps=steps, seed=seed, early_stop=None)
    model = seeded_model(
        lambda: build_model("lstm", task, hidden=hidden, forget_bias=1.0), seed
    )
    held_out = draw_held_out(task, 1000, **settings.draw_kwargs())
    history = train(model, task, settings, held_out, progress=False)
    return model, history


def lstm_view(
    task: str = "latch",
    index: int = 0,
    steps: int = 300,
    seed: int = 0,
    hidden: int = 8,
    count: int = 16,
    model: nn.Module | None = None,
) -> Static:
    """The LSTM explorer's view as a static figure (trains unless given a model)."""
    task = get_task(task) if isinstance(task, str) else task
    if model is None:
        model, _ = train_small_lstm(task, steps, seed, hidden)
    batch = _trace_batch(task, count)
    figure = Figure(figsize=(9.0, 7.0), layout="constrained")
    trace = trace_sequence(model, task, batch, index)
    return Static(figure, _draw_trace(figure, trace), data=trace)


def _trace_batch(task: Task, count: int):
    """The sequences the LSTM explorer offers: held-out ones, the same every time."""
    settings = default_settings(task)
    return draw_held_out(task, count, **settings.draw_kwargs())


class LSTMExplorer(_Explorer, _Runner):
    """Train a small LSTM on a task, then look at its gates on one sequence.

    The Train button trains (and keeps) one small LSTM per task, steps and seed;
    choosing another sequence only redraws. ``model`` starts it with a trained
    one-layer :class:`seqlib.models.LSTM` of your own for ``task``.
    """

    title = "Inside the LSTM"

    def __init__(
        self,
        task: str = "latch",
        index: int = 0,
        steps: int = 300,
        seed: int = 0,
        hidden: int = 8,
        count: int = 16,
        model: nn.Module | None = None,
        background: bool | None = None,
    ):
        super().__init__((9.0, 7.0))
        self._init_runner(background)
        self.hidden = hidden
        self.count = count
        self.trained: dict[tuple, nn.Module] = {}
        self.trace: Trace | None = None
        self.task = ui.Dropdown(options=task_names(), value=task, description="task")
        self.index = ui.IntSlider(
            value=index,
            min=0,
            max=count - 1,
            description="sequence",
            continuous_update=False,
        )
        self.steps = _steps_slider(steps, low=50, high=2000, step=50)
        self.seed = ui.BoundedIntText(value=seed, min=0, max=10**6, description="seed")
        self.run_button = self.train_button = ui.Button(
            description="Train LSTM", button_style="primary", icon="play"
        )
        self.train_button.on_click(lambda _: self.start())
        for control in (self.task, self.index, self.steps, self.seed):
            control.observe(lambda _: self.draw(), names="value")
        self.widget = ui.VBox(
            [
                ui.HBox([self.task, self.index]),
                ui.HBox([self.steps, self.seed, self.train_button]),
                self.status,
                self.image,
            ]
        )
        _tidy(self.widget).add_class("seqlib-explorer")
        if model is not None:
            self.trained[self._key()] = model
        self.draw()

    def _key(self) -> tuple:
        return (self.task.value, self.steps.value, self.seed.value, self.hidden)

    @property
    def choices(self) -> dict:
        """The controls' values, as keywords of :func:`lstm_view`."""
        return {
            "task": self.task.value,
            "index": self.index.value,
            "steps": self.steps.value,
            "seed": self.seed.value,
            "hidden": self.hidden,
            "count": self.count,
        }

    @property
    def batch(self):
        """The sequences on offer: held-out ones, the same on every call."""
        return _trace_batch(get_task(self.task.value), self.count)

    @property
    def model(self) -> nn.Module | None:
        """The trained LSTM for the chosen task, steps and seed, if there is one."""
        return self.trained.get(self._key())

    def run(self) -> nn.Module | None:
        """Train the LSTM for the chosen settings (what the button does), then draw.

        A model already trained for these settings is reused: the same seed gives
        the same weights.
        """
        key = self._key()
        if key in self.trained:
            self.draw()
            return self.trained[key]
        task, steps, seed, hidden = key
        self._set_running(True)
        try:
            self.status.value = _note(f"Training an LSTM on {task}, {steps} steps...")
            model, history = train_small_lstm(task, steps, seed, hidden)
        except (ValueError, TypeError) as error:
            self.status.value = _error(str(error))
            return None
        finally:
            self._set_running(False)
        self.trained[key] = model
        self.draw()
        self.status.value = _note(
            f"Trained {steps} steps: held-out balanced accuracy "
            f"{history.balanced_accuracy[-1]:.3f}. {self.alt}"
        )
        return model

    def draw(self) -> None:
        """Redraw for the chosen sequence (cheap: no training)."""
        if self.model is None:
            self.trace = None
            _message(self.figure, "Press Train LSTM: no LSTM trained for these yet.")
            self.alt = "No LSTM trained yet."
            self.status.value = _note(
                "Press Train LSTM to train a small LSTM with these settings."
            )
        else:
            task = get_task(self.task.value)
            self.trace = trace_sequence(self.model, task, self.batch, self.index.value)
            self.alt = _draw_trace(self.figure, self.trace)
            self.status.value = _note(self.alt)
        self._show()

    def _draw_on(self, figure: Figure) -> None:
        if self.trace is None:
            _message(figure, "No LSTM trained yet.")
        else:
            _draw_trace(figure, self.trace)

    def _data(self):
        return self.trace
