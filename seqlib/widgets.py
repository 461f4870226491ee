"""Interactive explorers for the course notebooks: ipywidgets wired to seqlib.

Four explorers, each a small class whose ``widget`` a notebook displays:

- :class:`TaskExplorer`: a few sequences of a task, their labels, the class balance;
- :class:`TrainExplorer`: train models over seeds with live curves, a progress bar,
  a Stop button, and a final table with 95 % intervals;
- :class:`LSTMExplorer`: the gates and cell state of a small LSTM on one sequence;
- :class:`SweepExplorer`: balanced accuracy against one swept setting.

The work is done by plain methods and functions, so the tests drive every explorer
without a browser: set a control's ``value``, call ``button.click()``, read the
result. Training starts only from a button (or an explicit method call such as
``run()``), never from moving a slider.

Each explorer draws on one matplotlib Figure of its own, made once with
``matplotlib.figure.Figure`` (so pyplot never collects it) and redrawn in place; the
widget shows it as a PNG image. For readers without a live kernel, ``static()`` and
the functions ``task_view``, ``training_view``, ``lstm_view`` and ``sweep_view``
return a :class:`Static`: a figure with its alt text.

Stop: inside a live Jupyter kernel the Train button starts the run in a background
thread, so the kernel keeps handling clicks and Stop takes effect after the current
training step (a sweep stops after the current point). Outside a kernel (tests,
scripts) a run is synchronous and ``stop()`` only matters while it runs.
"""

from __future__ import annotations

import html
import io
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import ipywidgets as ui
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from torch import nn

from seqlib import metrics, plots
from seqlib.experiments import (
    SWEEPS,
    Sweep,
    compare,
    default_settings,
    longest_training_length,
    sweep_settings,
)
from seqlib.models import ScratchLSTM, build_model, count_parameters, model_names
from seqlib.order_tasks import (
    LATCH_SYMBOLS,
    MOTIF_SYMBOLS,
    ORDER_CLASSES,
    ORDER_SYMBOLS,
    PARITY_SYMBOLS,
)
from seqlib.tasks import Task, get_task, task_names
from seqlib.training import (
    VALIDATION_SEED,
    History,
    TrainSettings,
    draw_held_out,
    evaluate,
    seeded_model,
    train,
    training_batches,
)

REDRAW_SECONDS = 1.0  # a live figure is re-rendered at most this often
DPI = 72  # pixels per inch of the PNG an explorer shows: small and quick to send
STATIC_DPI = 90  # the static figures saved in a notebook, a little sharper
BALANCE_SIZE = 2000  # sequences drawn to measure a task's class balance
LENGTHS = (5, 10, 20, 40, 80)  # training lengths offered besides the task's own
LEARNING_RATES = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
RESULTS = Path(__file__).resolve().parents[1] / "results"  # in a source checkout

# How each symbolic task names its features and classes; others show numbers.
SYMBOLS = {
    "motif": MOTIF_SYMBOLS,
    "temporal-order": ORDER_SYMBOLS,
    "parity": PARITY_SYMBOLS,
    "latch": LATCH_SYMBOLS,
}
CLASS_NAMES = {
    "motif": ("YX", "XY"),
    "temporal-order": ORDER_CLASSES,
    "parity": ("even", "odd"),
    "latch": ("e", "b"),
}


# --- shared pieces ----------------------------------------------------------------


@dataclass
class Static:
    """A figure with its alt text (and a table), for readers without a kernel.

    In a notebook, a cell that ends with a Static shows the figure, then the alt
    text as markdown, then the table when there is one.
    """

    figure: Figure
    alt: str
    table: str = ""
    data: object = None  # what was drawn: a LiveRun, a Trace, a sweep record...

    def png(self, dpi: int = DPI) -> bytes:
        return _png(self.figure, dpi)

    def _ipython_display_(self):
        from IPython.display import Image, Markdown, display

        display(Image(self.png(STATIC_DPI)))
        display(Markdown(f"*Figure:* {self.alt}"))
        if self.table:
            display(Markdown(f"```text\n{self.table}\n```"))


def _png(figure: Figure, dpi: int = DPI) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _in_kernel() -> bool:
    """True inside a running Jupyter kernel (where clicks arrive as messages)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _colour(model: str) -> str:
    """One colour per model name, the same in every figure of the course."""
    if model in plots.MODEL_STYLES:
        return plots.MODEL_STYLES[model][0]
    return f"C{3 + model_names().index(model)}" if model in model_names() else "C7"


def _class_names(task: Task) -> list[str]:
    names = CLASS_NAMES.get(task.name)
    return list(names) if names else [str(c) for c in range(task.n_classes)]


def _valid_lengths(task: Task, candidates: Sequence[int] = LENGTHS) -> list[int]:
    """The candidate lengths the task can draw with its default options."""
    valid = []
    for length in candidates:
        try:
            task.draw(1, 0, length=length)
        except (ValueError, TypeError):
            continue
        valid.append(length)
    return valid


def _length_options(
    task: Task, include: int | None = None
) -> list[tuple[str, int | None]]:
    """Dropdown options: the task's own training lengths, then fixed lengths."""
    own = task.training.lengths
    label = f"{own[0]}-{own[1]}" if own else str(task.default_length)
    candidates = sorted({*LENGTHS, include} - {None})
    return [(f"task default ({label})", None)] + [
        (str(n), n) for n in _valid_lengths(task, candidates)
    ]


def _model_boxes(chosen: Sequence[str]) -> dict[str, ui.Checkbox]:
    unknown = sorted(set(chosen) - set(model_names()))
    if unknown:
        raise KeyError(
            f"unknown model {', '.join(unknown)}; known models: "
            f"{', '.join(model_names())}"
        )
    return {
        name: ui.Checkbox(value=name in chosen, description=name, indent=False)
        for name in model_names()
    }


def _tidy(widget: ui.Widget) -> ui.Widget:
    """Let every label take the room it needs, and checkboxes only theirs."""
    style = getattr(widget, "style", None)
    if style is not None and hasattr(style, "description_width"):
        style.description_width = "initial"
    if isinstance(widget, ui.Checkbox):
        widget.layout.width = "auto"
    for child in getattr(widget, "children", ()):
        _tidy(child)
    return widget


def _error(text: str) -> str:
    return f"<span style='color:#b00020'>{html.escape(text)}</span>"


def _note(text: str) -> str:
    return f"<span>{html.escape(text)}</span>"


def _message(figure: Figure, text: str) -> None:
    """Clear the figure and write one line in its middle (before the first run)."""
    figure.clear()
    ax = figure.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=11, color="0.35")


class _Explorer:
    """One figure, one image widget, one status line; shown as ``widget``."""

    title = "Explorer"
    widget: ui.Box

    def __init__(self, figsize: tuple[float, float]):
        self.figure = Figure(figsize=figsize, layout="constrained")
        self.image = ui.Image(format="png", layout=ui.Layout(max_width="100%"))
        self.status = ui.HTML()
        self.alt = ""

    def _show(self) -> None:
        """Send the redrawn figure to the image widget."""
        self.image.value = _png(self.figure)

    def static(self) -> Static:
        """The current view on a figure of its own, with alt text."""
        copy = Figure(figsize=self.figure.get_size_inches(), layout="constrained")
        self._draw_on(copy)
        return Static(copy, self.alt, self._table_text(), self._data())

    def _draw_on(self, figure: Figure) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _table_text(self) -> str:
        return ""

    def _data(self):
        return None

    def _repr_mimebundle_(self, **kwargs):
        # The widget view for a live kernel; a fixed sentence instead of the widget
        # tree's repr, so that saved notebooks hold no state that varies.
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = (
            f"{self.title}: a live view that needs a running Jupyter kernel with "
            "ipywidgets; the static figure below shows the same."
        )
        return bundle


class _Runner:
    """Runs ``run()`` when a button is pressed; in a live kernel, in a thread.

    ``background=None`` chooses a thread inside a Jupyter kernel, so that the kernel
    stays free to deliver a Stop click, and a plain call everywhere else.
    """

    run_button: ui.Button
    stop_button: ui.Button | None = None
    status: ui.HTML

    def _init_runner(self, background: bool | None) -> None:
        self.background = _in_kernel() if background is None else background
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._busy = False

    @property
    def running(self) -> bool:
        return self._busy

    def start(self) -> None:
        """What the run button does: run now, or in a thread in a live kernel."""
        if self._busy:
            return
        self._busy = True  # set here, so a second click cannot start a second run
        if self.background:
            self._thread = threading.Thread(target=self._run_in_thread, daemon=True)
            self._thread.start()
            return
        try:
            self.run()
        finally:
            self._set_running(False)

    def _run_in_thread(self) -> None:
        try:
            self.run()
        except Exception as error:  # shown to the learner; a thread has no cell
            self.status.value = _error(f"{type(error).__name__}: {error}")
        finally:
            self._set_running(False)

    def stop(self) -> None:
        """Ask a run to end after its current step (what the Stop button does)."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a background run to end; True when none is running."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not (self._thread is not None and self._thread.is_alive())

    def _set_running(self, running: bool) -> None:
        self._busy = running
        self.run_button.disabled = running
        if self.stop_button is not None:
            self.stop_button.disabled = not running

    def run(self):  # pragma: no cover - overridden
        raise NotImplementedError


@contextmanager
def _quiet(explorer):
    """Hold back redraws while several controls change at once."""
    explorer._hold = True
    try:
        yield
    finally:
        explorer._hold = False


# --- task explorer -------------------------------------------------------------


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


# --- train and compare -------------------------------------------------------


@dataclass
class LiveRun:
    """What a training run has measured so far; filled in as it goes."""

    task: str
    models: list[str]
    seeds: list[int]
    settings: TrainSettings
    majority_baseline: float
    n_classes: int
    held_out_size: int
    total_steps: int  # steps x models x seeds: the end of the progress bar
    histories: dict[str, list[History]] = field(default_factory=dict)
    parameters: dict[str, int] = field(default_factory=dict)
    done_steps: int = 0
    stopped: bool = False  # ended by Stop before the last step
    finished: bool = False

    def rows(self) -> list[dict]:
        """One row per model: its last held-out scores, summarised over seeds."""
        rows = []
        for name in self.models:
            measured = [h for h in self.histories.get(name, []) if h.steps]
            if not measured:
                continue
            last = [h.last() for h in measured]
            rows.append(
                {
                    "model": name,
                    "parameters": self.parameters[name],
                    "seeds": len(measured),
                    "steps": [h.stopped_at or h.steps[-1] for h in measured],
                    "accuracy": metrics.seed_interval([r["accuracy"] for r in last]),
                    "balanced_accuracy": metrics.seed_interval(
                        [r["balanced_accuracy"] for r in last]
                    ),
                }
            )
        return rows

    def caption(self) -> str:
        state = (
            "stopped early: the scores are those measured so far"
            if self.stopped
            else "done"
            if self.finished
            else "training"
        )
        return (
            f"task {self.task}: {self.held_out_size:,} held-out sequences, majority "
            f"baseline {self.majority_baseline:.3f}, seeds {self.seeds}, up to "
            f"{self.settings.steps} steps, lr {self.settings.lr:g} ({state})"
        )

    def table(self) -> str:
        lines = [
            self.caption(),
            f"{'model':<6} {'params':>7} {'seeds':>5} {'steps':>11}  "
            f"{'accuracy [95% CI]':<24}  balanced accuracy [95% CI]",
        ]
        for row in self.rows():
            lines.append(
                f"{row['model']:<6} {row['parameters']:>7,} {row['seeds']:>5} "
                f"{_steps(row['steps']):>11}  {str(row['accuracy']):<24}  "
                f"{row['balanced_accuracy']}"
            )
        return "\n".join(lines)

    def html(self) -> str:
        cell = "style='padding:2px 12px; text-align:left'"
        head = "".join(
            f"<th {cell}>{h}</th>"
            for h in (
                "model",
                "parameters",
                "seeds",
                "steps",
                "accuracy [95% CI]",
                "balanced accuracy [95% CI]",
            )
        )
        body = "".join(
            "<tr>"
            + "".join(
                f"<td {cell}>{value}</td>"
                for value in (
                    r["model"],
                    f"{r['parameters']:,}",
                    r["seeds"],
                    _steps(r["steps"]),
                    r["accuracy"],
                    r["balanced_accuracy"],
                )
            )
            + "</tr>"
            for r in self.rows()
        )
        return (
            "<table class='seqlib-results'>"
            f"<caption>{html.escape(self.caption())}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )


def _steps(steps: list[int]) -> str:
    """Steps trained per seed: one number, or the range when early stops differ."""
    low, high = min(steps), max(steps)
    return f"{low}" if low == high else f"{low}-{high}"


def train_live(
    task: str | Task,
    models: Sequence[str] = ("dnn", "lstm"),
    seeds: Sequence[int] = (0, 1),
    settings: TrainSettings | None = None,
    held_out_size: int = 2000,
    model_sizes: Mapping[str, dict] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[LiveRun]:
    """Train each model once per seed and yield the run at each held-out evaluation.

    Per model and seed the numbers are those of ``seqlib.training.train`` with the
    same settings (the same initial weights, batches, evaluation points and early
    stopping), and of ``seqlib.experiments.compare`` with the same held-out size:
    the models of one seed take their steps in turn, on the same batches, so their
    curves grow together. ``should_stop`` is asked between steps; when it answers
    True the run ends there, marked ``stopped``.
    """
    task = get_task(task) if isinstance(task, str) else task
    models, seeds = list(models), list(seeds)
    if not models:
        raise ValueError("choose at least one model to train")
    if not seeds:
        raise ValueError("choose at least one seed")
    settings = settings or default_settings(task)
    if settings.train_size is not None and settings.train_size < settings.batch_size:
        raise ValueError(
            f"train_size ({settings.train_size}) must be at least batch_size "
            f"({settings.batch_size})"
        )
    should_stop = should_stop or (lambda: False)
    sizes = {**task.training.model_sizes, **(model_sizes or {})}
    held_out = draw_held_out(task, held_out_size, **settings.draw_kwargs())
    validation = None
    if settings.early_stop is not None:
        validation = task.draw(
            settings.validation_size, VALIDATION_SEED, **settings.draw_kwargs()
        )
    dnn_length = longest_training_length(task, settings)
    eval_every = settings.eval_every or max(1, settings.steps // 10)
    loss_fn = nn.CrossEntropyLoss()
    run = LiveRun(
        task=task.name,
        models=models,
        seeds=seeds,
        settings=settings,
        majority_baseline=metrics.majority_baseline(held_out.labels.numpy()),
        n_classes=task.n_classes,
        held_out_size=held_out_size,
        total_steps=settings.steps * len(models) * len(seeds),
        histories={name: [] for name in models},
    )

    for seed in seeds:
        seeded = replace(settings, seed=seed)
        nets, optimisers, losses = {}, {}, {}
        for name in models:
            net = seeded_model(
                lambda n=name: build_model(
                    n, task, length=dnn_length, **sizes.get(n, {})
                ),
                seed,
            )
            net.train()
            nets[name] = net
            optimisers[name] = torch.optim.Adam(net.parameters(), lr=settings.lr)
            losses[name] = []
            run.parameters[name] = count_parameters(net)
            run.histories[name].append(History(settings=asdict(seeded)))
        active = list(models)

        for step, batch in enumerate(training_batches(task, seeded), start=1):
            evaluated = False
            for name in list(active):
                net, optimiser = nets[name], optimisers[name]
                logits = net(batch.inputs, batch.lengths)  # (B, C)
                loss = loss_fn(logits, batch.labels)
                optimiser.zero_grad()
                loss.backward()
                if settings.clip_grad is not None:
                    nn.utils.clip_grad_norm_(net.parameters(), settings.clip_grad)
                optimiser.step()
                losses[name].append(loss.item())
                run.done_steps += 1

                if step % eval_every == 0 or step == settings.steps:
                    evaluated = True
                    history = run.histories[name][-1]
                    scores = evaluate(net, held_out)
                    history.steps.append(step)
                    history.train_loss.append(float(np.mean(losses[name])))
                    history.accuracy.append(scores.accuracy)
                    history.balanced_accuracy.append(scores.balanced_accuracy)
                    losses[name] = []
                    if validation is not None and step < settings.steps:
                        checked = evaluate(net, validation).balanced_accuracy
                        if checked >= settings.early_stop:
                            history.stopped_at = step
                            active.remove(name)
                            run.done_steps += settings.steps - step  # skipped
            if evaluated:
                yield run
            if not active:
                break
            if should_stop():
                run.stopped = True
                yield run
                return
    run.finished = True
    yield run


def _draw_training(figure: Figure, run: LiveRun) -> str:
    """Training loss and held-out balanced accuracy per model; return alt text."""
    figure.clear()
    loss_ax, score_ax = figure.subplots(1, 2)
    for name in run.models:
        colour = _colour(name)
        for k, history in enumerate(run.histories.get(name, [])):
            label = name if k == 0 else None
            loss_ax.plot(history.steps, history.train_loss, color=colour, label=label)
            score_ax.plot(
                history.steps, history.balanced_accuracy, color=colour, label=label
            )
    chance = 1 / run.n_classes
    score_ax.axhline(chance, color="grey", ls=":", lw=1, label=f"chance ({chance:g})")
    loss_ax.set_title("training loss (one line per seed)", fontsize=10)
    loss_ax.set_xlabel("training step")
    loss_ax.set_ylim(bottom=0)
    score_ax.set_title("held-out balanced accuracy", fontsize=10)
    score_ax.set_xlabel("training step")
    score_ax.set_ylim(min(chance, 0.5) - 0.05, 1.02)
    for ax in (loss_ax, score_ax):
        ax.set_xlim(0, run.settings.steps)
        ax.legend(fontsize=8, loc="best")
    figure.suptitle(run.caption(), fontsize=9)

    scores = "; ".join(
        f"{row['model']} {row['balanced_accuracy'].mean:.3f} "
        f"[{row['balanced_accuracy'].low:.3f}, {row['balanced_accuracy'].high:.3f}]"
        for row in run.rows()
    )
    return (
        f"Training loss (left) and held-out balanced accuracy (right) against "
        f"training step on {run.task}, one line per model and seed, over up to "
        f"{run.settings.steps} steps; chance is {chance:g}. Last balanced accuracy, "
        f"mean over seeds with 95 % interval: {scores or 'none yet'}."
    )


def training_view(
    task: str = "motif",
    models: Sequence[str] = ("dnn", "lstm"),
    steps: int = 300,
    lr: float | None = None,
    seeds: int = 2,
    length: int | None = None,
    held_out_size: int = 2000,
) -> Static:
    """Train as the Train button does, to the end, and return the static view."""
    task = get_task(task)
    settings = _train_settings(task, steps, lr, length)
    *_, run = train_live(task, models, range(seeds), settings, held_out_size)
    figure = Figure(figsize=(10.0, 4.0), layout="constrained")
    return Static(figure, _draw_training(figure, run), run.table(), run)


def _train_settings(task: Task, steps: int, lr: float | None, length: int | None):
    overrides = {"steps": steps}  # held-out scores every steps // 10, as compare
    if lr is not None:
        overrides["lr"] = lr
    if length is not None:
        overrides["length"] = length
    return default_settings(task, **overrides)


class TrainExplorer(_Explorer, _Runner):
    """Train and compare models on a task, with live curves and a Stop button.

    Nothing trains until Train is pressed; a changed control only marks the shown
    results as out of date. The table holds each model's last held-out scores as
    the mean over seeds with a 95 % t interval (``seqlib.metrics.seed_interval``).
    """

    title = "Train and compare"

    def __init__(
        self,
        task: str = "motif",
        models: Sequence[str] = ("dnn", "lstm"),
        steps: int = 300,
        lr: float | None = None,
        seeds: int = 2,
        length: int | None = None,
        held_out_size: int = 2000,
        background: bool | None = None,
    ):
        super().__init__((10.0, 4.0))
        self._init_runner(background)
        first = get_task(task)
        self.held_out_size = held_out_size
        self.live: LiveRun | None = None
        self._hold = False
        self.task = ui.Dropdown(
            options=task_names(), value=first.name, description="task"
        )
        self.model_boxes = _model_boxes(models)
        self.steps = ui.IntSlider(
            value=steps,
            min=10,
            max=3000,
            step=10,
            description="steps",
            continuous_update=False,
        )
        self.lr = ui.Dropdown(
            options=_rates(lr or first.training.lr),
            value=lr or first.training.lr,
            description="learning rate",
        )
        self.seeds = ui.IntSlider(
            value=seeds, min=1, max=5, description="seeds", continuous_update=False
        )
        self.length = ui.Dropdown(
            options=_length_options(first, include=length), description="length"
        )
        self.length.value = length
        self.run_button = self.train_button = ui.Button(
            description="Train", button_style="primary", icon="play"
        )
        self.stop_button = ui.Button(description="Stop", icon="stop", disabled=True)
        self.progress = ui.IntProgress(value=0, min=0, max=1, description="progress")
        self.table = ui.HTML()
        self.train_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        self.task.observe(self._task_changed, names="value")
        for control in (self.steps, self.lr, self.seeds, self.length):
            control.observe(self._changed, names="value")
        for box in self.model_boxes.values():
            box.observe(self._changed, names="value")
        self.widget = ui.VBox(
            [
                ui.HBox([self.task, self.length]),
                ui.HBox([ui.Label("models"), *self.model_boxes.values()]),
                ui.HBox([self.steps, self.lr, self.seeds]),
                ui.HBox([self.train_button, self.stop_button, self.progress]),
                self.status,
                self.image,
                self.table,
            ]
        )
        _tidy(self.widget).add_class("seqlib-explorer")
        self.widget.add_class("seqlib-train")
        _message(self.figure, "Press Train to start: nothing trains before that.")
        self._show()
        self.status.value = _note("Choose the settings, then press Train.")

    @property
    def models(self) -> list[str]:
        return [name for name, box in self.model_boxes.items() if box.value]

    @property
    def choices(self) -> dict:
        """The controls' values, as keywords of :func:`training_view`."""
        return {
            "task": self.task.value,
            "models": tuple(self.models),
            "steps": self.steps.value,
            "lr": self.lr.value,
            "seeds": self.seeds.value,
            "length": self.length.value,
            "held_out_size": self.held_out_size,
        }

    def _task_changed(self, change) -> None:
        task = get_task(change["new"])
        with _quiet(self):
            self.lr.options = _rates(task.training.lr)
            self.lr.value = task.training.lr
            self.length.options = _length_options(task)
            self.length.value = None
        self._changed(change)

    def _changed(self, change) -> None:
        if self._hold or self.live is None:
            return
        self.status.value = _note(
            "Settings changed: the figure and table show the previous run; press "
            "Train to run the new settings."
        )

    def run(self) -> LiveRun | None:
        """Train with the chosen settings, updating figure, bar and table."""
        self._stop.clear()
        self._set_running(True)
        try:
            choices = self.choices
            task = get_task(choices["task"])
            settings = _train_settings(
                task, choices["steps"], choices["lr"], choices["length"]
            )
            runs = train_live(
                task,
                choices["models"],
                range(choices["seeds"]),
                settings,
                self.held_out_size,
                should_stop=self._stop.is_set,
            )
            self.table.value = ""
            self.status.value = _note("Training...")
            shown = 0.0  # when the figure was last rendered
            for live in runs:
                self.live = live
                self.progress.max = live.total_steps
                self.progress.value = live.done_steps
                # Rendering a PNG takes a good part of a second: do it at most
                # once per REDRAW_SECONDS, and always at the end.
                if time.monotonic() - shown >= REDRAW_SECONDS:
                    self.alt = _draw_training(self.figure, live)
                    self._show()
                    shown = time.monotonic()
            self.alt = _draw_training(self.figure, self.live)
            self._show()
        except (ValueError, TypeError, KeyError) as error:
            self.status.value = _error(str(error))
            return None
        finally:
            self._set_running(False)
        self.table.value = self.live.html()
        self.status.value = _note(
            "Stopped: the table holds the scores measured before Stop."
            if self.live.stopped
            else "Done. Change a setting and press Train again to compare."
        )
        return self.live

    def _draw_on(self, figure: Figure) -> None:
        if self.live is None:
            _message(figure, "Not trained yet.")
            self.alt = "Nothing trained yet."
            return
        self.alt = _draw_training(figure, self.live)

    def _table_text(self) -> str:
        return self.live.table() if self.live is not None else ""

    def _data(self):
        return self.live


def _rates(current: float) -> list[float]:
    return sorted({*LEARNING_RATES, current})


# --- inside the LSTM -----------------------------------------------------------


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
        f"input, then the input, forget and output gates and the cell state of each "
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
        self.steps = ui.IntSlider(
            value=steps,
            min=50,
            max=2000,
            step=50,
            description="steps",
            continuous_update=False,
        )
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


# --- sweeps ----------------------------------------------------------------------


def sweep_files(folder: Path | str | None = None) -> list[Path]:
    """Result files holding a sweep (``Sweep.as_dict()`` keys) in ``folder``."""
    folder = Path(folder) if folder is not None else RESULTS
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.json")):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and {"task", "over", "rows"} <= set(record):
            found.append(path)
    return found


def sweep_table(record: Mapping) -> str:
    """A sweep record's rows as a plain-text table."""
    lines = [
        f"task {record['task']}, sweep over {record['over']}: balanced accuracy, "
        "mean over seeds [95% CI]",
        f"{record['over']:>10}  {'model':<6} balanced accuracy",
    ]
    for row in record["rows"]:
        score = metrics.Interval(**row["balanced_accuracy"])
        lines.append(f"{row['value']:>10}  {row['model']:<6} {score}")
    return "\n".join(lines)


def _draw_sweep(figure: Figure, record: Mapping) -> str:
    figure.clear()
    plots.sweep_lines(record, ax=figure.add_subplot())
    best = {}
    for row in record["rows"]:
        best.setdefault(row["model"], []).append(
            f"{row['value']}: {row['balanced_accuracy']['mean']:.3f}"
        )
    lines = "; ".join(f"{model} ({', '.join(s)})" for model, s in best.items())
    return (
        f"Held-out balanced accuracy of each model on {record['task']} against "
        f"{record['over']}, mean over seeds with a shaded 95 % interval, and chance "
        f"as a dashed line. Means: {lines}."
    )


def sweep_view(sweep: Sweep | Mapping | Path | str) -> Static:
    """A sweep (object, ``as_dict()`` record, or a results file) as a static view."""
    record = _sweep_record(sweep)
    figure = Figure(figsize=(7.0, 4.0), layout="constrained")
    return Static(figure, _draw_sweep(figure, record), sweep_table(record), record)


def _sweep_record(sweep) -> dict:
    if isinstance(sweep, Sweep):
        return sweep.as_dict()
    if isinstance(sweep, (str, Path)):
        return json.loads(Path(sweep).read_text())
    return dict(sweep)


def _parse_values(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.replace(",", " ").split()]
    except ValueError:
        raise ValueError(
            f"values must be whole numbers separated by commas, got {text!r}"
        ) from None
    if not values:
        raise ValueError("give at least one value to sweep over")
    return values


class SweepExplorer(_Explorer, _Runner):
    """Balanced accuracy against one swept setting: run here, or from results/.

    Choosing a results file only reads it; a sweep runs only from its button, one
    ``seqlib.experiments.compare`` per value, and Stop ends it after the current
    value.
    """

    title = "Sweep view"

    def __init__(
        self,
        task: str = "motif",
        over: str = "length",
        values: Sequence[int] = (10, 20, 40),
        models: Sequence[str] = ("dnn", "lstm"),
        seeds: int = 2,
        steps: int = 300,
        held_out_size: int = 1000,
        sweep: Sweep | Mapping | None = None,
        results: Path | str | None = None,
        background: bool | None = None,
    ):
        super().__init__((7.0, 4.0))
        self._init_runner(background)
        self.held_out_size = held_out_size
        self.record: dict | None = None
        self.files = sweep_files(results)
        self.source = ui.Dropdown(
            options=[("run a sweep here", None)] + [(p.name, p) for p in self.files],
            description="results",
        )
        self.task = ui.Dropdown(options=task_names(), value=task, description="task")
        self.over = ui.Dropdown(options=SWEEPS, value=over, description="sweep over")
        self.values = ui.Text(
            value=", ".join(str(v) for v in values), description="values"
        )
        self.model_boxes = _model_boxes(models)
        self.seeds = ui.IntSlider(
            value=seeds, min=1, max=5, description="seeds", continuous_update=False
        )
        self.steps = ui.IntSlider(
            value=steps,
            min=10,
            max=3000,
            step=10,
            description="steps",
            continuous_update=False,
        )
        self.run_button = ui.Button(
            description="Run sweep", button_style="primary", icon="play"
        )
        self.stop_button = ui.Button(description="Stop", icon="stop", disabled=True)
        self.progress = ui.IntProgress(value=0, min=0, max=1, description="progress")
        self.table = ui.HTML()
        self.run_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        self.source.observe(self._source_changed, names="value")
        self.widget = ui.VBox(
            [
                self.source,
                ui.HBox([self.task, self.over, self.values]),
                ui.HBox([ui.Label("models"), *self.model_boxes.values()]),
                ui.HBox([self.seeds, self.steps]),
                ui.HBox([self.run_button, self.stop_button, self.progress]),
                self.status,
                self.image,
                self.table,
            ]
        )
        _tidy(self.widget).add_class("seqlib-explorer")
        if sweep is not None:
            self.show(sweep)
        else:
            _message(self.figure, "Run a sweep, or choose a results file.")
            self._show()

    @property
    def models(self) -> list[str]:
        return [name for name, box in self.model_boxes.items() if box.value]

    def show(self, sweep: Sweep | Mapping | Path | str) -> None:
        """Draw a finished sweep (object, record or results file)."""
        self.record = _sweep_record(sweep)
        self.alt = _draw_sweep(self.figure, self.record)
        self._show()
        self.table.value = f"<pre>{html.escape(sweep_table(self.record))}</pre>"
        self.status.value = _note(self.alt)

    def _source_changed(self, change) -> None:
        if change["new"] is not None:
            self.show(change["new"])

    def run(self) -> dict | None:
        """Run the chosen sweep, one value after another (what the button does)."""
        self._stop.clear()
        self._set_running(True)
        try:
            task = get_task(self.task.value)
            values = _parse_values(self.values.value)
            models = self.models
            if not models:
                raise ValueError("choose at least one model")
            base = default_settings(task, steps=self.steps.value)
            settings = [sweep_settings(task, self.over.value, v, base) for v in values]
            self.progress.max, self.progress.value = len(values), 0
            done = []
            for value, point in zip(values, settings, strict=True):
                self.status.value = _note(f"{self.over.value} = {value}: training...")
                done.append(
                    compare(
                        task,
                        models,
                        self.seeds.value,
                        point,
                        self.held_out_size,
                        progress=False,
                    )
                )
                self.progress.value = len(done)
                partial = Sweep(task.name, self.over.value, values[: len(done)], done)
                self.show(partial)
                if self._stop.is_set():
                    break
        except (ValueError, TypeError, KeyError) as error:
            self.status.value = _error(str(error))
            return None
        finally:
            self._set_running(False)
        if len(done) < len(values):
            self.status.value = _note(
                f"Stopped after {len(done)} of {len(values)} values. {self.alt}"
            )
        return self.record

    def _draw_on(self, figure: Figure) -> None:
        if self.record is None:
            _message(figure, "No sweep yet.")
        else:
            _draw_sweep(figure, self.record)

    def _table_text(self) -> str:
        return sweep_table(self.record) if self.record is not None else ""

    def _data(self):
        return self.record
