"""The sweep view: balanced accuracy against one swept setting.

A sweep runs here, one ``seqlib.experiments.compare`` per value, or is read from a
results file such as those in ``results/``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import ipywidgets as ui
from matplotlib.figure import Figure

from seqlib import metrics, plots
from seqlib.experiments import SWEEPS, Sweep, compare, default_settings, sweep_settings
from seqlib.tasks import get_task, task_names
from seqlib.widgets._core import (
    Static,
    _error,
    _Explorer,
    _message,
    _model_boxes,
    _note,
    _Runner,
    _steps_slider,
    _tidy,
)

RESULTS = Path(__file__).resolve().parents[2] / "results"  # in a source checkout


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
        self.steps = _steps_slider(steps)
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
