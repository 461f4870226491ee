"""The explorers of seqlib.widgets, driven headless as a learner would drive them.

Each test sets controls through their ``value``, presses buttons with
``button.click()`` and reads what the explorer shows: the table, the lines of its
figure, the status line. Training settings are tiny, so the whole file takes
seconds.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace

import IPython.display
import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.figure import Figure

from seqlib import widgets
from seqlib.experiments import compare, default_settings
from seqlib.models import build_model
from seqlib.order_tasks import LATCH_SYMBOLS, MOTIF_SYMBOLS
from seqlib.tasks import get_task
from seqlib.training import draw_held_out, seeded_model, train

# A run that trains in well under a second: 5 steps of 1 value, 40 steps.
QUICK = {"task": "positional-balanced", "steps": 40, "seeds": 2}


def quick_trainer(**overrides) -> widgets.TrainExplorer:
    settings = {**QUICK, "held_out_size": 500, "background": False, **overrides}
    return widgets.TrainExplorer(**settings)


def lines_per_axes(explorer) -> list[int]:
    return [len(ax.lines) for ax in explorer.figure.axes]


def check_trained(explorer: widgets.TrainExplorer) -> None:
    """What a learner sees after pressing Train: curves, a full bar, a table."""
    assert explorer.live is not None, "nothing was trained"
    assert explorer.live.finished or explorer.live.stopped
    assert 0 < explorer.progress.value <= explorer.progress.max
    if explorer.live.finished:
        assert explorer.progress.value == explorer.progress.max
    assert "<table class='seqlib-results'>" in explorer.table.value
    for model in explorer.models:
        assert f">{model}</td>" in explorer.table.value
    assert not explorer.train_button.disabled
    assert explorer.stop_button.disabled


# --- shared behaviour ---------------------------------------------------------------


def test_explorers_never_pile_up_pyplot_figures():
    before = plt.get_fignums()
    widgets.TaskExplorer()
    widgets.task_view("parity")
    quick_trainer()
    widgets.SweepExplorer(background=False)
    assert plt.get_fignums() == before


def test_a_displayed_explorer_shows_a_fixed_sentence_beside_the_widget():
    explorer = widgets.TaskExplorer(task="sum")
    bundle = explorer._repr_mimebundle_()
    assert bundle["text/plain"].startswith("Task explorer: a live view")
    assert "VBox" not in bundle["text/plain"]
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == explorer.widget.model_id


def test_a_static_view_shows_its_figure_alt_text_and_table(monkeypatch):
    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    static = widgets.Static(Figure(), "a described figure", "a | table")
    static._ipython_display_()
    image, alt, table = shown
    assert image.data.startswith(b"\x89PNG")
    assert alt.data == "*Figure:* a described figure"
    assert "a | table" in table.data


# --- task explorer --------------------------------------------------------------


def test_task_explorer_draws_sequences_and_the_class_balance():
    explorer = widgets.TaskExplorer(task="motif", length=12, seed=3, count=3)
    assert len(explorer.figure.axes) == 3 + 1  # three sequences, the balance
    assert explorer.sample.balance == [0.5, 0.5]
    assert explorer.alt.startswith("3 motif sequences of 12 steps (seed 3)")
    assert bytes(explorer.image.value).startswith(b"\x89PNG")


def test_task_explorer_redraws_on_the_same_figure():
    explorer = widgets.TaskExplorer(task="motif")
    figure, image = explorer.figure, explorer.image.value
    explorer.task.value = "positional"
    assert explorer.figure is figure
    assert explorer.image.value != image
    assert explorer.length.value == 5  # the new task's own length
    assert explorer.sample.majority > 0.97  # 2.5 % positives
    explorer.count.value = 2
    assert len(explorer.figure.axes) == 2 + 1


def test_task_explorer_shows_each_task_its_own_options():
    explorer = widgets.TaskExplorer(task="temporal-order")
    assert explorer.random_positions.layout.display is None
    assert explorer.lead.layout.display == "none"
    explorer.random_positions.value = True
    explorer.length.value = 20  # allowed once the events may sit anywhere
    assert explorer.choices["random_positions"] is True
    assert explorer.sample.batch.inputs.shape[1] == 20
    explorer.task.value = "latch"
    assert explorer.random_positions.layout.display == "none"
    assert "random_positions" not in explorer.choices


def test_task_explorer_explains_a_length_the_task_cannot_draw():
    explorer = widgets.TaskExplorer(task="temporal-order")
    image = explorer.image.value
    explorer.length.value = 30  # fixed windows need at least 62 steps
    assert "at least 62 steps" in explorer.status.value
    assert explorer.image.value == image  # the last good view stays


def test_task_view_matches_the_explorer():
    explorer = widgets.TaskExplorer(task="latch", length=15, variable=True)
    static = widgets.task_view(**explorer.choices)
    assert static.alt == explorer.alt == explorer.static().alt
    assert static.figure is not explorer.figure
    lengths = static.data.batch.lengths
    assert lengths.min() >= 3 and lengths.max() <= 15


# --- train and compare ------------------------------------------------------------


def test_stepping_loop_gives_the_numbers_of_train():
    task = get_task("positional-balanced")
    settings = default_settings(task, steps=30)
    *_, run = widgets.train_live(task, ["dnn", "lstm"], [0, 1], settings, 500)
    held_out = draw_held_out(task, 500, **settings.draw_kwargs())
    for name in ("dnn", "lstm"):
        for seed, live in zip([0, 1], run.histories[name], strict=True):
            model = seeded_model(lambda n=name: build_model(n, task), seed)
            alone = train(model, task, replace(settings, seed=seed), held_out)
            assert live.steps == alone.steps
            assert live.train_loss == alone.train_loss
            assert live.balanced_accuracy == alone.balanced_accuracy


def test_stepping_loop_gives_the_table_of_compare_with_early_stopping():
    task = get_task("motif")
    settings = default_settings(task, steps=100, length=8)
    *_, run = widgets.train_live(task, ["dnn", "lstm"], [0, 1], settings, 400)
    reference = compare(task, ["dnn", "lstm"], 2, settings, 400)
    for row in run.rows():
        result = reference.result(row["model"])
        assert row["balanced_accuracy"] == result.balanced_accuracy
        assert row["steps"] == [s["steps"] for s in result.per_seed]
    assert run.majority_baseline == reference.majority_baseline


def test_stepping_loop_stops_between_steps_when_asked():
    asked = []

    def stop():
        asked.append(True)
        return len(asked) >= 3

    runs = list(widgets.train_live("sum", ["dnn"], [0, 1], should_stop=stop))
    assert runs[-1].stopped and not runs[-1].finished
    assert runs[-1].done_steps == 3


def test_train_button_trains_and_shows_curves_progress_and_table():
    explorer = quick_trainer(models=("dnn", "lstm"))
    figure = explorer.figure
    assert explorer.live is None
    explorer.train_button.click()
    check_trained(explorer)
    assert explorer.figure is figure
    loss_lines, score_lines = lines_per_axes(explorer)
    assert loss_lines == 2 * 2  # one line per model and seed
    assert score_lines == 2 * 2 + 1  # and the chance line
    rows = explorer.live.rows()
    assert [row["model"] for row in rows] == ["dnn", "lstm"]
    assert all(row["seeds"] == 2 for row in rows)
    assert "0.500" in explorer.table.value  # the majority baseline
    static = explorer.static()
    assert static.table == explorer.live.table()
    assert static.figure is not figure


def test_training_view_is_what_the_button_shows():
    explorer = quick_trainer(models=("dnn",), seeds=1)
    explorer.train_button.click()
    static = widgets.training_view(**explorer.choices)
    assert static.table == explorer.live.table()
    assert static.alt == explorer.alt


def test_moving_sliders_never_trains(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("training started without a button press")

    monkeypatch.setattr(widgets.train_explorer, "train_live", refuse)
    explorer = quick_trainer()
    image = explorer.image.value
    explorer.steps.value = 500
    explorer.seeds.value = 4
    explorer.lr.value = 0.001
    explorer.model_boxes["bag"].value = True
    explorer.task.value = "motif"
    explorer.length.value = 20
    assert explorer.live is None
    assert explorer.progress.value == 0
    assert explorer.image.value == image


def test_a_changed_setting_marks_the_results_out_of_date():
    explorer = quick_trainer(models=("dnn",), seeds=1)
    explorer.train_button.click()
    table = explorer.table.value
    explorer.steps.value = 80
    assert "press Train" in explorer.status.value
    assert explorer.table.value == table  # still the previous run's


def test_changing_task_resets_its_learning_rate_and_lengths():
    explorer = quick_trainer()
    explorer.task.value = "latch"
    assert explorer.lr.value == get_task("latch").training.lr
    assert explorer.length.value is None
    assert explorer.length.options[0][0] == "task default (3-23)"


def test_stop_button_ends_a_background_run():
    explorer = quick_trainer(task="sum", models=("dnn",), steps=3000, seeds=3)
    explorer.background = True
    explorer.train_button.click()
    deadline = time.monotonic() + 60
    while explorer.progress.value == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert explorer.running and not explorer.stop_button.disabled
    explorer.stop_button.click()
    assert explorer.wait(timeout=60)
    assert explorer.live.stopped
    assert explorer.live.done_steps < explorer.live.total_steps
    assert "Stopped" in explorer.status.value
    check_trained(explorer)  # the table holds what was measured before Stop


def test_a_second_press_while_running_starts_nothing(monkeypatch):
    explorer = quick_trainer()
    calls = []
    monkeypatch.setattr(explorer, "run", lambda: calls.append(1))
    explorer._busy = True  # as while a background run trains
    explorer.train_button.click()
    assert calls == []


def test_no_model_chosen_is_a_message_not_a_traceback():
    explorer = quick_trainer(models=())
    explorer.train_button.click()
    assert "at least one model" in explorer.status.value
    assert not explorer.train_button.disabled


@pytest.mark.parametrize("broken", ["does nothing", "raises"])
def test_the_check_fails_when_the_train_handler_is_broken(monkeypatch, broken):
    # The same check as the working test, on a Train button whose handler is
    # broken: it must fail, or it proves nothing about the button.
    def broken_start(self):
        if broken == "raises":
            raise RuntimeError("broken on purpose")

    monkeypatch.setattr(widgets.TrainExplorer, "start", broken_start)
    explorer = quick_trainer()
    try:
        explorer.train_button.click()
    except RuntimeError:
        pass
    with pytest.raises(AssertionError, match="nothing was trained"):
        check_trained(explorer)


# --- inside the LSTM ---------------------------------------------------------------


@pytest.fixture(scope="module")
def latch_lstm():
    model, history = widgets.train_small_lstm("latch", steps=200)
    return model


def test_deciding_step_is_the_step_that_settles_each_label():
    motif = get_task("motif").draw(50, 0, length=12)
    x, y = MOTIF_SYMBOLS.index("X"), MOTIF_SYMBOLS.index("Y")
    for inputs, length in zip(motif.inputs, motif.lengths, strict=True):
        step = widgets.deciding_step("motif", inputs, int(length))
        ids = inputs.argmax(dim=1)
        assert ids[step] in (x, y) and ids[step - 1] in (x, y)
    latch = get_task("latch").draw(50, 0, lengths=(3, 20))
    remembered = (LATCH_SYMBOLS.index("b"), LATCH_SYMBOLS.index("e"))
    for inputs, length in zip(latch.inputs, latch.lengths, strict=True):
        step = widgets.deciding_step("latch", inputs, int(length))
        assert inputs[step].argmax() in remembered
    order = get_task("temporal-order").draw(20, 0, length=70)
    for inputs in order.inputs:
        step = widgets.deciding_step("temporal-order", inputs, 70)
        assert 50 <= step <= 60  # the second event's window
    parity = get_task("parity").draw(5, 0, lengths=(3, 9))
    for inputs, length in zip(parity.inputs, parity.lengths, strict=True):
        assert widgets.deciding_step("parity", inputs, int(length)) == length - 1


def test_trace_agrees_with_the_trained_model(latch_lstm):
    task = get_task("latch")
    batch = draw_held_out(task, 8, lengths=(3, 23))
    with torch.no_grad():
        logits = latch_lstm.eval()(batch.inputs, batch.lengths)
    for index in range(8):
        trace = widgets.trace_sequence(latch_lstm, task, batch, index)
        assert trace.predicted == int(logits[index].argmax())
        assert trace.record["cell"].shape == (int(batch.lengths[index]), 8)


def test_lstm_explorer_trains_only_from_its_button(monkeypatch, latch_lstm):
    calls = []

    def fake_training(task, steps, seed, hidden):
        calls.append((task, steps))
        return latch_lstm, _History()

    monkeypatch.setattr(widgets.lstm_explorer, "train_small_lstm", fake_training)
    explorer = widgets.LSTMExplorer(task="latch", steps=200, background=False)
    assert explorer.model is None and explorer.trace is None
    explorer.index.value = 5
    explorer.steps.value = 250
    explorer.steps.value = 200
    assert calls == []
    explorer.train_button.click()
    assert calls == [("latch", 200)]
    explorer.train_button.click()  # the same settings: the model is reused
    assert calls == [("latch", 200)]
    assert explorer.trace.index == 5
    assert not explorer.running and not explorer.train_button.disabled
    explorer.steps.value = 250
    assert explorer.model is None  # not trained for 250 steps yet
    explorer.train_button.click()
    assert calls == [("latch", 200), ("latch", 250)]


class _History:
    balanced_accuracy = [1.0]


def test_lstm_explorer_marks_the_deciding_step_in_every_panel(latch_lstm):
    explorer = widgets.LSTMExplorer(task="latch", steps=200, model=latch_lstm)
    figure = explorer.figure
    for index in (0, 3):
        explorer.index.value = index
        step = explorer.trace.decides
        panels = [ax for ax in explorer.figure.axes if ax.get_title(loc="left")]
        assert len(panels) == 1 + len(widgets.TRACE_PANELS)
        for ax in panels:
            marks = [line for line in ax.lines if list(line.get_xdata()) == [step] * 2]
            assert len(marks) == 1
    assert explorer.figure is figure
    static = widgets.lstm_view(**explorer.choices, model=latch_lstm)
    assert static.alt == explorer.alt


# --- sweeps ------------------------------------------------------------------------


def _row(value: int, model: str, score: float) -> dict:
    return {
        "value": value,
        "model": model,
        "balanced_accuracy": {"mean": score, "low": score, "high": score},
    }


# A sweep record as Sweep.as_dict() writes it, and results/*.json hold it.
RECORD = {
    "task": "motif",
    "over": "length",
    "rows": [_row(10, "dnn", 1.0), _row(10, "lstm", 1.0), _row(40, "dnn", 0.7)]
    + [_row(40, "lstm", 1.0)],
}


def test_sweep_explorer_reads_results_files_without_training(tmp_path, monkeypatch):
    (tmp_path / "motif_length.json").write_text(json.dumps(RECORD))
    (tmp_path / "other.json").write_text(json.dumps({"experiment": "claims"}))
    monkeypatch.setattr(widgets.sweep_explorer, "compare", _refuse)
    explorer = widgets.SweepExplorer(results=tmp_path, background=False)
    assert [path.name for path in explorer.files] == ["motif_length.json"]
    figure = explorer.figure
    explorer.source.value = explorer.files[0]
    assert explorer.record == RECORD
    assert explorer.figure is figure
    assert len(explorer.figure.axes[0].lines) == 2 + 1  # two models and chance
    assert "0.700 [0.700, 0.700]" in explorer.table.value
    assert widgets.sweep_view(tmp_path / "motif_length.json").alt == explorer.alt


def _refuse(*args, **kwargs):
    raise AssertionError("a sweep ran without a button press")


def test_sweep_button_runs_one_comparison_per_value():
    explorer = widgets.SweepExplorer(
        task="motif",
        over="length",
        values=(4, 8),
        models=("dnn", "bag"),
        seeds=1,
        steps=20,
        held_out_size=200,
        background=False,
    )
    explorer.run_button.click()
    assert [row["value"] for row in explorer.record["rows"]] == [4, 4, 8, 8]
    assert explorer.progress.value == explorer.progress.max == 2
    assert explorer.static().table == widgets.sweep_table(explorer.record)


def test_sweep_stop_ends_after_the_current_value(monkeypatch):
    explorer = widgets.SweepExplorer(
        task="motif", values=(4, 8, 12), seeds=1, steps=10, background=False
    )
    real = widgets.compare

    def compare_then_stop(*args, **kwargs):
        explorer.stop()  # as a Stop click during the first point
        return real(*args, **{**kwargs, "progress": False})

    monkeypatch.setattr(widgets.sweep_explorer, "compare", compare_then_stop)
    explorer.run_button.click()
    assert {row["value"] for row in explorer.record["rows"]} == {4}
    assert "Stopped after 1 of 3 values" in explorer.status.value


def test_sweep_explorer_explains_bad_values():
    explorer = widgets.SweepExplorer(background=False)
    explorer.values.value = "ten, 20"
    explorer.run_button.click()
    assert "whole numbers" in explorer.status.value
    explorer.values.value = "10"
    explorer.task.value = "motif"
    explorer.over.value = "lag"
    explorer.run_button.click()
    assert "has no lag" in explorer.status.value
