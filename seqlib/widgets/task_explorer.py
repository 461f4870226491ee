"""The task explorer: a few sequences of a task, their labels, the class balance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets as ui
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from seqlib import plots
from seqlib.tasks import Task, get_task, task_names
from seqlib.widgets._core import (
    SYMBOLS,
    Static,
    _class_names,
    _error,
    _Explorer,
    _message,
    _note,
    _quiet,
    _tidy,
)

BALANCE_SIZE = 2000  # sequences drawn to measure a task's class balance


@dataclass
class TaskSample:
    """What the task explorer shows: a batch and its class balance."""

    task: Task
    batch: object  # seqlib.tasks.Batch
    balance: list[float]  # fraction of each class in the batch
    seed: int

    @property
    def majority(self) -> float:
        return max(self.balance)


def sample_task(
    task: str | Task,
    length: int | None = None,
    seed: int = 0,
    variable: bool = False,
    n: int = BALANCE_SIZE,
    **options,
) -> TaskSample:
    """Draw ``n`` sequences of a task and measure its class balance.

    ``variable`` draws each length from the task's shortest to ``length``.
    """
    task = get_task(task) if isinstance(task, str) else task
    length = length or task.default_length
    if variable:
        batch = task.draw(n, seed, lengths=(task.min_length, length), **options)
    else:
        batch = task.draw(n, seed, length=length, **options)
    counts = np.bincount(batch.labels.numpy(), minlength=task.n_classes)
    balance = [float(share) for share in counts / counts.sum()]
    return TaskSample(task, batch, balance, seed)


def _draw_values(axes, batch, names: Sequence[str]) -> None:
    """Sequences of one value per step, one bar chart per panel."""
    for i, ax in enumerate(axes):
        length = int(batch.lengths[i])
        values = batch.inputs[i, :length, 0].numpy()  # (T,)
        ax.bar(np.arange(length), values, color="0.45", width=0.8)
        ax.set_ylim(0, 1)
        ax.set_yticks([0, 1])
        label = names[int(batch.labels[i])]
        ax.set_title(f"label {label}, length {length}", fontsize=9, loc="left")
    axes[-1].set_xlabel("step")


def _draw_task(figure: Figure, sample: TaskSample, count: int) -> str:
    """Draw ``count`` sequences and the class balance; return the alt text."""
    task, batch = sample.task, sample.batch
    names = _class_names(task)
    figure.clear()
    grid = figure.add_gridspec(count, 2, width_ratios=(4, 1))
    axes = [figure.add_subplot(grid[0, 0])]
    axes += [figure.add_subplot(grid[i, 0], sharex=axes[0]) for i in range(1, count)]
    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    if task.name in SYMBOLS:
        plots.symbol_sequences(
            batch, SYMBOLS[task.name], count, class_names=names, axes=axes
        )
    else:
        _draw_values(axes, batch, names)
    balance_ax = figure.add_subplot(grid[:, 1])
    balance_ax.bar(names, sample.balance, color="0.55")
    balance_ax.axhline(1 / task.n_classes, color="grey", ls=":", lw=1)
    balance_ax.set_ylim(0, 1)
    balance_ax.set_title(f"class balance\n({len(batch):,} sequences)", fontsize=9)
    balance_ax.tick_params(axis="x", labelsize=8)
    figure.suptitle(f"{task.name}: {task.description}", fontsize=9)

    labels = ", ".join(names[int(c)] for c in batch.labels[:count])
    lengths = sorted({int(n) for n in batch.lengths[:count]})
    shown = f"{lengths[0]}" if len(lengths) == 1 else f"{lengths[0]}-{lengths[-1]}"
    balance = ", ".join(
        f"{name} {share:.1%}" for name, share in zip(names, sample.balance, strict=True)
    )
    return (
        f"{count} {task.name} sequences of {shown} steps (seed {sample.seed}), "
        f"labelled {labels}. Class balance over {len(batch):,} sequences: "
        f"{balance}; always answering the commonest class scores "
        f"{sample.majority:.3f}."
    )


def task_view(
    task: str = "motif",
    length: int | None = None,
    seed: int = 0,
    count: int = 4,
    variable: bool = False,
    **options,
) -> Static:
    """The task explorer's view as a static figure with alt text."""
    sample = sample_task(task, length, seed, variable, **options)
    figure = Figure(figsize=(9.0, 1.0 + 1.1 * count), layout="constrained")
    return Static(figure, _draw_task(figure, sample, count), data=sample)


class TaskExplorer(_Explorer):
    """Choose a task, a length, its options and a seed; see sequences and balance."""

    title = "Task explorer"

    def __init__(
        self,
        task: str = "motif",
        length: int | None = None,
        seed: int = 0,
        count: int = 4,
        variable: bool = False,
    ):
        super().__init__((9.0, 5.4))
        first = get_task(task)
        self._hold = False
        self.sample: TaskSample | None = None
        self.task = ui.Dropdown(
            options=task_names(), value=first.name, description="task"
        )
        self.length = ui.IntSlider(
            value=length or first.default_length,
            min=first.min_length,
            max=120,
            description="length",
            continuous_update=False,
        )
        self.variable = ui.Checkbox(value=variable, description="variable lengths")
        self.seed = ui.BoundedIntText(value=seed, min=0, max=10**6, description="seed")
        self.count = ui.IntSlider(
            value=count, min=1, max=6, description="sequences", continuous_update=False
        )
        # Task options with a simple value get a control, shown for that task only.
        self.random_positions = ui.Checkbox(value=False, description="random_positions")
        self.lead = ui.IntSlider(
            value=3, min=1, max=10, description="lead", continuous_update=False
        )
        self.option_controls = {
            "random_positions": self.random_positions,
            "lead": self.lead,
        }
        controls = [self.task, self.length, self.variable, self.seed, self.count]
        for control in controls + list(self.option_controls.values()):
            control.observe(self._changed, names="value")
        self.widget = ui.VBox(
            [
                ui.HBox([self.task, self.seed, self.count]),
                ui.HBox([self.length, self.variable]),
                ui.HBox(list(self.option_controls.values())),
                self.status,
                self.image,
            ]
        )
        _tidy(self.widget).add_class("seqlib-explorer")
        self._task_changed()
        with _quiet(self):
            self.length.value = length or first.default_length
        self.draw()

    @property
    def choices(self) -> dict:
        """The controls' values, as keywords of :func:`task_view`."""
        task = get_task(self.task.value)
        options = {
            name: control.value
            for name, control in self.option_controls.items()
            if name in task.options
        }
        return {
            "task": task.name,
            "length": self.length.value,
            "seed": self.seed.value,
            "count": self.count.value,
            "variable": self.variable.value and task.variable_length,
            **options,
        }

    def _changed(self, change) -> None:
        if self._hold:
            return
        if change["owner"] is self.task:
            self._task_changed()
        self.draw()

    def _task_changed(self) -> None:
        task = get_task(self.task.value)
        with _quiet(self):
            self.length.min = 1  # never above the value while both change
            self.length.value = task.default_length
            self.length.min = task.min_length
            self.variable.disabled = not task.variable_length
            for name, control in self.option_controls.items():
                control.layout.display = None if name in task.options else "none"
                if name in task.options:
                    control.value = task.options[name]

    def draw(self) -> None:
        """Draw the chosen sequences (cheap: no training)."""
        choices = self.choices
        count = choices.pop("count")
        try:
            self.sample = sample_task(**choices)
        except (ValueError, TypeError) as error:
            self.status.value = _error(str(error))
            return
        self.alt = _draw_task(self.figure, self.sample, count)
        self.status.value = _note(self.alt)
        self._show()

    def _draw_on(self, figure: Figure) -> None:
        if self.sample is None:  # the first draw failed: its status says why
            _message(figure, "Nothing drawn yet.")
        else:
            _draw_task(figure, self.sample, self.count.value)

    def _data(self):
        return self.sample
