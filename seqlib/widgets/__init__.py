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

Each explorer lives in a module of its own (``task_explorer``, ``train_explorer``,
``lstm_explorer``, ``sweep_explorer``); the machinery they share is in ``_core``.
"""

from __future__ import annotations

from seqlib.experiments import compare  # read and patched as widgets.compare
from seqlib.widgets._core import (
    CLASS_NAMES,
    DPI,
    LENGTHS,
    STATIC_DPI,
    SYMBOLS,
    Static,
)
from seqlib.widgets.lstm_explorer import (
    TRACE_PANELS,
    LSTMExplorer,
    Trace,
    deciding_step,
    lstm_view,
    trace_sequence,
    train_small_lstm,
)
from seqlib.widgets.sweep_explorer import (
    RESULTS,
    SweepExplorer,
    sweep_files,
    sweep_table,
    sweep_view,
)
from seqlib.widgets.task_explorer import (
    BALANCE_SIZE,
    TaskExplorer,
    TaskSample,
    sample_task,
    task_view,
)
from seqlib.widgets.train_explorer import (
    LEARNING_RATES,
    REDRAW_SECONDS,
    LiveRun,
    TrainExplorer,
    train_live,
    training_view,
)

__all__ = [
    "BALANCE_SIZE",
    "CLASS_NAMES",
    "DPI",
    "LEARNING_RATES",
    "LENGTHS",
    "REDRAW_SECONDS",
    "RESULTS",
    "STATIC_DPI",
    "SYMBOLS",
    "TRACE_PANELS",
    "LSTMExplorer",
    "LiveRun",
    "Static",
    "SweepExplorer",
    "TaskExplorer",
    "TaskSample",
    "Trace",
    "TrainExplorer",
    "compare",
    "deciding_step",
    "lstm_view",
    "sample_task",
    "sweep_files",
    "sweep_table",
    "sweep_view",
    "task_view",
    "trace_sequence",
    "train_live",
    "train_small_lstm",
    "training_view",
]
