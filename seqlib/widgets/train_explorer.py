"""Train and compare: models trained over seeds, with live curves and a Stop button.

:func:`train_live` is the stepping loop behind the Train button: it yields the run
at each held-out evaluation, so the figure, the progress bar and the table of
:class:`TrainExplorer` grow as the models train.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace

import ipywidgets as ui
import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn

from seqlib import metrics
from seqlib.experiments import default_settings, longest_training_length
from seqlib.models import build_model, count_parameters
from seqlib.tasks import Task, get_task, task_names
from seqlib.training import (
    VALIDATION_SEED,
    History,
    TrainSettings,
    draw_held_out,
    evaluate,
    seeded_model,
    training_batches,
)
from seqlib.widgets._core import (
    Static,
    _colour,
    _error,
    _Explorer,
    _length_options,
    _message,
    _model_boxes,
    _note,
    _quiet,
    _Runner,
    _steps_slider,
    _tidy,
)

REDRAW_SECONDS = 1.0  # a live figure is re-rendered at most this often
LEARNING_RATES = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)


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
        self.steps = _steps_slider(steps)
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
