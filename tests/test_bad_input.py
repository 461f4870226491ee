"""Bad input, the way a confused learner or a careless script gives it.

Each test is one problem: a call that used to fail deep inside torch, numpy or
scipy, or worse, that gave a wrong answer without a word. Each asserts the kind of
error and that its message names what was expected.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict

import numpy as np
import pytest
import torch

import seqlib.__main__ as cli
import seqlib.experiments as experiments
from seqlib import metrics
from seqlib.experiments import compare, sweep
from seqlib.models import DNN, LSTM, Bag, ScratchLSTM, build_model
from seqlib.tasks import get_task
from seqlib.training import TrainSettings, evaluate, predict, seeded_model, train

QUICK = TrainSettings(steps=2, batch_size=8)  # enough to run the plumbing
QUICK_MOTIF = TrainSettings(steps=2, batch_size=8, length=10)
MODELS = {
    "dnn": lambda: DNN(length=8, n_features=6),
    "lstm": lambda: LSTM(6),
    "bag": lambda: Bag(6),
    "scratch": lambda: ScratchLSTM(6),
}


def quick_compare(task="positional", **keywords):
    keywords = {
        "models": ["bag"],
        "seeds": 1,
        "settings": QUICK,
        "held_out_size": 50,
        "progress": False,
        **keywords,
    }
    return compare(task, **keywords)


@pytest.fixture(scope="module")
def motif_batch():
    return get_task("motif").draw(4, seed=0, lengths=(3, 8))  # padded to 8 steps


@pytest.fixture
def no_training(monkeypatch):
    """Make any training fail loudly: bad input must be refused before it."""

    def refuse(*args, **kwargs):
        raise AssertionError("training started before the input was checked")

    monkeypatch.setattr(experiments, "train", refuse)


# --- numpy integers are integers ---------------------------------------------------


def _settings_of_numpy_integers():
    settings = TrainSettings(
        steps=np.int64(5),
        batch_size=np.int32(4),
        seed=np.int64(3),
        train_size=np.int64(8),
        length=np.int64(5),
        eval_every=np.int64(2),
        validation_size=np.int64(10),
    )
    json.dumps(asdict(settings))  # recorded settings must stay JSON
    return settings.steps + settings.seed


def _compare_with_numpy_integers():
    result = quick_compare(seeds=np.int64(2), held_out_size=np.int64(50))
    json.dumps(result.as_dict())
    return result.seeds == [0, 1] and type(result.seeds[0]) is int


@pytest.mark.parametrize(
    "call",
    [
        _settings_of_numpy_integers,
        lambda: DNN(length=np.int64(5), hidden=(np.int64(8),)).length,
        lambda: LSTM(hidden=np.int64(8), layers=np.int32(1)),
        lambda: Bag(n_features=np.int32(1), hidden=np.int64(4)),
        lambda: build_model("dnn", get_task("motif"), length=np.int64(12)),
        lambda: get_task("latch").draw(4, seed=0, lead=np.int64(2)),
        _compare_with_numpy_integers,
        lambda: quick_compare(seeds=np.arange(2)).seeds == [0, 1],
        lambda: json.dumps(
            sweep(
                "motif",
                "length",
                np.array([5, 6]),
                ["bag"],
                1,
                QUICK_MOTIF,
                held_out_size=50,
                progress=False,
            ).as_dict()
        ),
    ],
    ids=[
        "settings",
        "dnn",
        "lstm",
        "bag",
        "build_model",
        "latch-lead",
        "compare",
        "compare-seed-array",
        "sweep-values",
    ],
)
def test_numpy_integers_are_accepted(call):
    assert call()


# --- tasks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "option", "error", "message"),
    [
        ("latch", {"lead": True}, ValueError, "lead must be a positive integer"),
        ("latch", {"lag": (1.5, 3)}, TypeError, "lag must hold whole numbers"),
        ("latch", {"lag": (True, 3)}, TypeError, "lag must hold whole numbers"),
        (
            "temporal-order",
            {"random_positions": "False"},
            TypeError,
            "random_positions must be True or False",
        ),
    ],
)
def test_task_options_are_not_silently_coerced(name, option, error, message):
    with pytest.raises(error, match=message):
        get_task(name).draw(4, seed=0, length=70, **option)


@pytest.mark.parametrize(
    "call",
    [
        lambda: get_task(["motif"]),
        lambda: build_model("dnn", 5),
        lambda: train(LSTM(), None, QUICK, progress=False),
        lambda: compare(None, ["bag"], 1, QUICK, 50, progress=False),
    ],
    ids=["get_task", "build_model", "train", "compare"],
)
def test_a_task_of_the_wrong_type_is_named(call):
    with pytest.raises(TypeError, match="task name") as error:
        call()
    assert "latch, motif, parity" in str(error.value)  # the known names


def test_a_task_name_works_wherever_a_task_does():
    assert build_model("lstm", "motif").n_features == 6
    history = train(build_model("dnn", "sum"), "sum", QUICK, progress=False)
    assert history.steps[-1] == 2


@pytest.mark.parametrize(
    ("name", "keywords"),
    [
        ("positional", {"n": 10**12}),
        ("motif", {"n": 2, "length": 10**9}),
        ("latch", {"n": 2, "lag": (0, 10**10)}),
    ],
)
def test_a_draw_too_large_for_memory_is_refused_before_it_starts(name, keywords):
    keywords = dict(keywords)
    n = keywords.pop("n")
    with pytest.raises(ValueError, match="GiB.*fewer or shorter sequences"):
        get_task(name).draw(n, seed=0, **keywords)


# --- models -----------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float16])
def test_inputs_of_another_float_dtype_are_named(model, dtype, motif_batch):
    inputs = motif_batch.inputs.to(dtype)
    with pytest.raises(TypeError, match=r"torch\.float32.*inputs\.to"):
        MODELS[model]()(inputs, motif_batch.lengths)


@pytest.mark.parametrize("model", MODELS)
def test_an_empty_batch_gives_empty_logits(model, motif_batch):
    empty = motif_batch[:0]
    assert MODELS[model]()(empty.inputs, empty.lengths).shape == (0, 2)


@pytest.mark.parametrize("model", MODELS)
def test_inputs_without_time_steps_are_refused(model, motif_batch):
    with pytest.raises(ValueError, match="at least one time step"):
        MODELS[model]()(motif_batch.inputs[:, :0])


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_non_finite_inputs_are_refused(model, value, motif_batch):
    inputs = motif_batch.inputs.clone()
    inputs[0, 0, 0] = value
    with pytest.raises(ValueError, match="inputs must be finite"):
        MODELS[model]()(inputs, motif_batch.lengths)


@pytest.mark.parametrize(
    "lengths",
    [
        torch.tensor([3.0, 3, 3, 3]),
        torch.tensor([3j, 3, 3, 3]),
        np.array([3.0, 3, 3, 3]),
    ],
    ids=["float", "complex", "numpy-float"],
)
def test_lengths_that_are_not_integers_are_refused(lengths, motif_batch):
    with pytest.raises(TypeError, match="lengths must be integers"):
        LSTM(6)(motif_batch.inputs, lengths)


@pytest.mark.parametrize("model", MODELS)
def test_batch_and_time_axes_swapped_are_named(model, motif_batch):
    swapped = motif_batch.inputs.transpose(0, 1)  # (T, B, F)
    with pytest.raises(ValueError, match="batch and time axes swapped"):
        MODELS[model]()(swapped, motif_batch.lengths)


@pytest.mark.parametrize(
    ("value", "error"),
    [("1", TypeError), (True, TypeError), (math.nan, ValueError)],
)
def test_forget_bias_must_be_a_finite_number(value, error):
    with pytest.raises(error, match="forget_bias must be a finite number"):
        LSTM(forget_bias=value)


def test_build_model_never_drops_the_dnn_length():
    with pytest.raises(ValueError, match="length must be positive integers"):
        build_model("dnn", get_task("motif"), length=0)
    assert build_model("dnn", length=8).length == 8  # no task given


@pytest.mark.parametrize(
    "call",
    [
        lambda: build_model(["dnn"]),
        lambda: compare("positional", "dnn", 1, QUICK, 50, progress=False),
    ],
    ids=["build_model", "compare"],
)
def test_model_names_of_the_wrong_type_are_named(call):
    with pytest.raises(TypeError, match="dnn, lstm, bag"):
        call()


# --- training ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: TrainSettings(seed=2**64), "seed must be below 2\\*\\*64"),
        (lambda: seeded_model(LSTM, 2**64), "seed must be below 2\\*\\*64"),
        (lambda: seeded_model(LSTM, 1.5), "seed must be a non-negative integer"),
        (lambda: seeded_model(LSTM, -1), "seed must be a non-negative integer"),
        (lambda: quick_compare(seeds=[2**70]), "seed must be below 2\\*\\*64"),
    ],
    ids=["settings-huge", "seeded-huge", "seeded-float", "seeded-negative", "compare"],
)
def test_seeds_torch_cannot_use_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    ("field", "value", "error", "message"),
    [
        ("lr", "0.1", TypeError, "lr must be a number"),
        ("lr", True, TypeError, "lr must be a number"),
        ("lr", math.inf, ValueError, "lr must be a positive finite number"),
        ("clip_grad", "1", TypeError, "clip_grad must be a number"),
        ("clip_grad", math.inf, ValueError, "clip_grad must be a positive finite"),
        ("early_stop", "0.9", TypeError, "early_stop must be a number"),
        ("early_stop", True, TypeError, "early_stop must be a number"),
    ],
)
def test_settings_numbers_of_the_wrong_kind_are_refused(field, value, error, message):
    with pytest.raises(error, match=message):
        TrainSettings(**{field: value})


@pytest.mark.parametrize(
    ("lengths", "error"),
    [
        (5, ValueError),
        ((5, 2), ValueError),
        ((0, 3), ValueError),
        ((2.5, 5), TypeError),
    ],
)
def test_settings_lengths_are_checked_when_given(lengths, error):
    with pytest.raises(error, match="lengths"):
        TrainSettings(lengths=lengths)


@pytest.mark.parametrize("options", [None, "random_positions", [("lag", 3)]])
def test_settings_options_must_be_a_dict(options):
    with pytest.raises(TypeError, match="options must be a dict"):
        TrainSettings(options=options)


@pytest.mark.parametrize(
    "call",
    [
        lambda: train(LSTM(), get_task("sum"), {"steps": 2}, progress=False),
        lambda: compare("sum", ["bag"], 1, {"steps": 2}, 50, progress=False),
    ],
    ids=["train", "compare"],
)
def test_settings_given_as_a_dict_are_named(call):
    with pytest.raises(TypeError, match="settings must be a TrainSettings"):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda batch: predict(DNN(), batch.inputs),
        lambda batch: evaluate(DNN(), (batch.inputs, batch.labels, batch.lengths)),
        lambda batch: train(DNN(), get_task("sum"), QUICK, held_out=batch.inputs),
        lambda batch: experiments.permutation_test(DNN(), batch.inputs),
    ],
    ids=["predict", "evaluate", "train", "permutation_test"],
)
def test_a_batch_must_be_a_batch(call):
    batch = get_task("sum").draw(10, seed=0)
    with pytest.raises(TypeError, match="must be a Batch"):
        call(batch)


def test_an_empty_batch_has_no_predictions_and_no_score():
    empty = get_task("sum").draw(10, seed=0)[:0]
    assert predict(DNN(), empty).shape == (0,)
    with pytest.raises(ValueError, match="empty"):
        evaluate(DNN(), empty)


@pytest.mark.parametrize(
    ("chunk", "error"), [(0, ValueError), (-1, ValueError), (2.5, TypeError)]
)
def test_predict_chunk_must_be_positive(chunk, error):
    batch = get_task("sum").draw(10, seed=0)
    with pytest.raises(error, match="chunk must be a positive integer"):
        predict(DNN(), batch, chunk=chunk)


def test_train_wants_a_model_not_its_name():
    with pytest.raises(TypeError, match="model must be a torch module"):
        train("dnn", get_task("sum"), QUICK, progress=False)


def test_seeded_model_wants_a_builder_not_a_model():
    with pytest.raises(TypeError, match="build must be a function"):
        seeded_model(DNN(), 0)


# --- metrics ----------------------------------------------------------------------


def test_logits_that_still_track_gradients_get_the_argmax_hint():
    logits = DNN()(get_task("sum").draw(4, seed=0).inputs)  # (4, 2), requires grad
    with pytest.raises(ValueError, match=r"shape \(n,\)"):
        metrics.accuracy([0, 1, 1, 0], logits)


@pytest.mark.parametrize("n_classes", [2.5, "2", True])
def test_confusion_matrix_n_classes_must_be_an_integer(n_classes):
    with pytest.raises(TypeError, match="n_classes must be a positive integer"):
        metrics.confusion_matrix([0, 1], [0, 1], n_classes=n_classes)


@pytest.mark.parametrize(
    ("successes", "n"), [(0.97, 2000), (2.5, 10), (True, 2), ("5", 10), (5, 10.0)]
)
def test_wilson_interval_wants_counts(successes, n):
    with pytest.raises(TypeError, match="must be a count"):
        metrics.wilson_interval(successes, n)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: metrics.wilson_interval(5, 10, confidence=c),
        lambda c: metrics.seed_interval([0.5, 0.6, 0.7], confidence=c),
        lambda c: metrics.bootstrap_difference([0.5, 0.6, 0.7], [0.5] * 3, c),
    ],
    ids=["wilson", "seed", "bootstrap"],
)
@pytest.mark.parametrize("confidence", [95, 0, 1])
def test_confidence_must_lie_between_0_and_1(call, confidence):
    with pytest.raises(ValueError, match="confidence must lie between 0 and 1"):
        call(confidence)


@pytest.mark.parametrize(
    "call",
    [
        lambda: metrics.seed_interval([50, 60, 70]),
        lambda: metrics.seed_interval([0.5, math.nan]),
        lambda: metrics.bootstrap_difference([0.5, math.nan], [0.5, 0.5]),
    ],
    ids=["percentages", "nan", "bootstrap-nan"],
)
def test_per_seed_values_out_of_range_are_refused(call):
    with pytest.raises(ValueError, match="values must be finite"):
        call()


@pytest.mark.parametrize(
    ("a", "b", "error"),
    [
        (["no", "yes"], ["yes", "no"], TypeError),
        ([0.9, 0.1], [0.1, 0.1], ValueError),
        ([0, 1, 2], [0, 1, 1], ValueError),
    ],
    ids=["strings", "probabilities", "class-labels"],
)
def test_mcnemar_wants_per_sequence_correctness(a, b, error):
    with pytest.raises(error, match="True/False or 0/1"):
        metrics.mcnemar_exact(a, b)


# --- experiments -------------------------------------------------------------------


def test_unknown_model_names_are_refused_before_any_training(no_training):
    with pytest.raises(KeyError, match="known models: dnn, lstm, bag"):
        quick_compare(models=["bag", "cnn"])
    with pytest.raises(KeyError, match="model_sizes.*known models"):
        quick_compare(model_sizes={"LSTM": {"hidden": 8}})


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: quick_compare(models=["bag", "bag"]), "models must be different"),
        (lambda: quick_compare(seeds=[1, 1]), "seeds must be different"),
        (
            lambda: sweep("motif", "length", [4, 4], ["bag"], 1, QUICK_MOTIF, 50),
            "values must be different",
        ),
    ],
    ids=["models", "seeds", "sweep-values"],
)
def test_duplicates_are_refused(call, message, no_training):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("seeds", [True, 2.0, "3", None])
def test_seeds_of_the_wrong_type_are_named(seeds):
    with pytest.raises(TypeError, match="seeds must be a count or a list of seeds"):
        quick_compare(seeds=seeds)


def test_test_lengths_given_as_one_pair_get_a_hint(no_training):
    with pytest.raises(TypeError, match=r"list of \(low, high\) pairs"):
        quick_compare("motif", settings=QUICK_MOTIF, test_lengths=(20, 30))


def test_test_lengths_on_a_fixed_length_task_are_named(no_training):
    with pytest.raises(ValueError, match="test_lengths need a task of variable length"):
        quick_compare("positional", test_lengths=[(5, 5)])


@pytest.mark.parametrize("values", [5, "5", None])
def test_sweep_values_must_be_a_list(values, no_training):
    with pytest.raises(TypeError, match="values must be a list of integers"):
        sweep("motif", "length", values, ["bag"], 1, QUICK_MOTIF, 50)


# --- the command line ---------------------------------------------------------------

SMALL = ["--steps", "2", "--seeds", "1", "--held-out", "50"]


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["compare", "--task", "sum", "--lr", "inf"], "finite positive number"),
        (["compare", "--task", "sum", "--models", "bag", "bag"], "different"),
        (["compare", "--task", "sum", "--held-out", "100000000000"], "GiB"),
        (
            ["sweep", "--task", "motif", "--over", "length", "--values", "4", "4"],
            "diff",
        ),
        (
            ["sweep", "--task", "motif", "--over", "length", "--values", "4"]
            + ["--plot", "{tmp}/missing/figure.png"],
            "existing folder",
        ),
        (
            ["sweep", "--task", "motif", "--over", "length", "--values", "4"]
            + ["--plot", "{tmp}/figure.txt"],
            "png",
        ),
    ],
    ids=["lr-inf", "twice", "huge", "sweep-twice", "plot-folder", "plot-format"],
)
def test_command_line_bad_input_is_one_line(
    args, allowed, tmp_path, capsys, no_training
):
    # The small settings come first, so that an option of the case overrides them.
    command, *rest = (arg.format(tmp=tmp_path) for arg in args)
    try:
        status = cli.main([command, *SMALL, *rest])
    except SystemExit as exit:
        status = exit.code
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert allowed in lines[0]
