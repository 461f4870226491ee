"""The machinery the explorers share.

Figures and their PNG images, :class:`Static` views with alt text, the controls and
messages every explorer uses, and running a run from a button (in a background
thread inside a live kernel).
"""

from __future__ import annotations

import html
import io
import threading
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import ipywidgets as ui
from matplotlib.figure import Figure

from seqlib import plots
from seqlib.models import model_names
from seqlib.order_tasks import (
    LATCH_SYMBOLS,
    MOTIF_SYMBOLS,
    ORDER_CLASSES,
    ORDER_SYMBOLS,
    PARITY_SYMBOLS,
)
from seqlib.tasks import Task

DPI = 72  # pixels per inch of the PNG an explorer shows: small and quick to send
STATIC_DPI = 90  # the static figures saved in a notebook, a little sharper
LENGTHS = (5, 10, 20, 40, 80)  # training lengths offered besides the task's own

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


def _steps_slider(value: int, low: int = 10, high: int = 3000, step: int = 10):
    """The number of training steps, read only when the slider is let go."""
    return ui.IntSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        description="steps",
        continuous_update=False,
    )


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
