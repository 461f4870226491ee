"""Tests of seqlib.training: reproducibility, the fixed held-out set, the loop."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch
from torch import nn

import seqlib.experiments
from seqlib.models import build_model
from seqlib.tasks import get_task
from seqlib.training import (
    HELD_OUT_SEED,
    TrainSettings,
    draw_held_out,
    predict,
    seeded_model,
    train,
)

TASK = get_task("positional-balanced")


@pytest.fixture(scope="module")
def held_out():
    return draw_held_out(TASK, 1000)


class Recorder(nn.Module):
    """Wraps a model and remembers what it was asked, and in which state."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model
        self.training_inputs: list[torch.Tensor] = []
        self.calls: list[dict] = []

    def forward(self, inputs, lengths=None):
        logits = self.model(inputs, lengths)
        self.calls.append(
            {
                "training": self.training,
                "grad_enabled": torch.is_grad_enabled(),
                "requires_grad": logits.requires_grad,
            }
        )
        if self.training:
            self.training_inputs.append(inputs.detach().clone())
        return logits


def run(name="dnn", held_out=None, **settings):
    """Build a seeded model, train it, return (model, history)."""
    settings = TrainSettings(**settings)
    model = seeded_model(lambda: build_model(name, TASK), settings.seed)
    history = train(model, TASK, settings, held_out)
    return model, history


def assert_same_weights(a: nn.Module, b: nn.Module):
    for (name, first), (_, second) in zip(
        a.state_dict().items(), b.state_dict().items(), strict=True
    ):
        assert torch.equal(first, second), name


# --- reproducibility ------------------------------------------------------------


@pytest.mark.parametrize("name", ["dnn", "lstm", "bag"])
def test_same_seed_same_history_and_weights(name, held_out):
    model_a, history_a = run(name, held_out, steps=40, seed=3)
    model_b, history_b = run(name, held_out, steps=40, seed=3)
    assert history_a == history_b
    assert_same_weights(model_a, model_b)


@pytest.mark.parametrize("name", ["dnn", "lstm"])
def test_different_seed_different_weights(name, held_out):
    model_a, history_a = run(name, held_out, steps=40, seed=3)
    model_b, history_b = run(name, held_out, steps=40, seed=4)
    assert history_a.train_loss != history_b.train_loss
    weights_a = nn.utils.parameters_to_vector(model_a.parameters())
    weights_b = nn.utils.parameters_to_vector(model_b.parameters())
    assert not torch.equal(weights_a, weights_b)


def test_seeded_model_builds_the_same_weights():
    a = seeded_model(lambda: build_model("lstm"), 7)
    b = seeded_model(lambda: build_model("lstm"), 7)
    c = seeded_model(lambda: build_model("lstm"), 8)
    assert_same_weights(a, b)
    assert not torch.equal(a.lstm.weight_hh_l0, c.lstm.weight_hh_l0)


def test_training_leaves_global_random_state_alone(held_out):
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()[1].copy()
    model = seeded_model(lambda: build_model("lstm", TASK), 0)
    assert torch.equal(torch.get_rng_state(), torch_state)
    train(model, TASK, TrainSettings(steps=20), held_out)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], numpy_state)


def test_training_does_not_depend_on_global_random_state(held_out):
    torch.manual_seed(1)
    np.random.seed(1)
    _, first = run("dnn", held_out, steps=20)
    torch.manual_seed(2)
    np.random.seed(2)
    _, second = run("dnn", held_out, steps=20)
    assert first == second


# --- the held-out set -----------------------------------------------------------


def test_default_held_out_set_is_fixed():
    a, b = draw_held_out(TASK), draw_held_out(TASK)
    assert len(a) == 10_000
    assert torch.equal(a.inputs, b.inputs) and torch.equal(a.labels, b.labels)
    c = TASK.draw(10_000, HELD_OUT_SEED)
    assert torch.equal(a.inputs, c.inputs)


def test_train_scores_on_the_fixed_held_out_set_by_default(monkeypatch):
    scored = []
    real_evaluate = seqlib.training.evaluate

    def spy(model, batch):
        scored.append(batch)
        return real_evaluate(model, batch)

    monkeypatch.setattr(seqlib.training, "evaluate", spy)
    run("dnn", steps=10, seed=0)
    run("dnn", steps=10, seed=1)
    reference = draw_held_out(TASK)
    for batch in scored:
        assert torch.equal(batch.inputs, reference.inputs)
        assert torch.equal(batch.labels, reference.labels)


def test_compare_scores_every_model_and_seed_on_one_held_out_set(monkeypatch):
    seen = []
    real_train = seqlib.experiments.train
    signature = inspect.signature(real_train)

    def spy(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        seen.append(bound.arguments["held_out"])
        return real_train(*args, **kwargs)

    monkeypatch.setattr(seqlib.experiments, "train", spy)
    settings = TrainSettings(steps=3)
    seqlib.experiments.compare(
        TASK, ["dnn", "lstm", "bag"], seeds=2, settings=settings, held_out_size=300
    )
    assert len(seen) == 6  # 3 models x 2 seeds
    assert all(batch is seen[0] for batch in seen)
    assert len(seen[0]) == 300


# --- training batches -----------------------------------------------------------


def rows(inputs: list[torch.Tensor]) -> set[tuple[float, ...]]:
    """Each sequence as a hashable tuple of its values."""
    return {tuple(row.flatten().tolist()) for batch in inputs for row in batch}


def test_train_size_cycles_through_one_fixed_set(held_out):
    model = Recorder(seeded_model(lambda: build_model("dnn", TASK), 0))
    settings = TrainSettings(steps=20, batch_size=8, train_size=32)
    train(model, TASK, settings, held_out)
    batches = model.training_inputs
    assert len(batches) == 20
    assert all(batch.shape == (8, 5, 1) for batch in batches)
    # 32 sequences in batches of 8: every 4 steps are one pass over the whole set.
    epochs = [rows(batches[i : i + 4]) for i in range(0, 20, 4)]
    assert len(epochs[0]) == 32
    assert all(epoch == epochs[0] for epoch in epochs)
    # Reshuffled between passes: the first batches of two passes differ.
    assert not torch.equal(batches[0], batches[4])


def test_fresh_batches_without_train_size(held_out):
    model = Recorder(seeded_model(lambda: build_model("dnn", TASK), 0))
    train(model, TASK, TrainSettings(steps=20, batch_size=8), held_out)
    assert len(rows(model.training_inputs)) == 160  # no sequence seen twice


def test_train_size_smaller_than_batch_is_refused(held_out):
    model = build_model("dnn", TASK)
    settings = TrainSettings(steps=5, batch_size=32, train_size=16)
    with pytest.raises(ValueError, match="train_size .* at least batch_size"):
        train(model, TASK, settings, held_out)


# --- settings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("steps", 0),
        ("steps", -3),
        ("steps", 2.5),
        ("steps", True),
        ("batch_size", 0),
        ("train_size", 0),
        ("eval_every", -1),
        ("length", 0),
        ("seed", -1),
        ("seed", 1.5),
        ("seed", True),
        ("lr", 0),
        ("lr", -0.01),
        ("lr", float("nan")),
        ("clip_grad", 0),
        ("early_stop", 1.5),
        ("early_stop", 0),
        ("validation_size", 0),
    ],
)
def test_bad_settings_are_refused(field, value):
    with pytest.raises(ValueError, match=field) as error:
        TrainSettings(**{field: value})
    assert repr(value) in str(error.value) or str(value) in str(error.value)


def test_settings_are_recorded_in_the_history(held_out):
    _, history = run("dnn", held_out, steps=10, lr=0.02, seed=5)
    assert history.settings["steps"] == 10
    assert history.settings["lr"] == 0.02
    assert history.settings["seed"] == 5


# --- the loop ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "eval_every", "expected"),
    [
        (100, None, list(range(10, 101, 10))),
        (20, 7, [7, 14, 20]),
        (5, None, [1, 2, 3, 4, 5]),
    ],
)
def test_history_rows_at_fixed_points(steps, eval_every, expected, held_out):
    _, history = run("dnn", held_out, steps=steps, eval_every=eval_every)
    assert history.steps == expected
    n = len(expected)
    assert len(history.train_loss) == len(history.accuracy) == n
    assert len(history.balanced_accuracy) == n
    assert all(0 <= a <= 1 for a in history.accuracy + history.balanced_accuracy)
    assert history.last()["step"] == steps


def test_early_stop_ends_at_an_evaluation_point(held_out):
    _, history = run("dnn", held_out, steps=300, early_stop=0.9)
    assert history.stopped_at is not None and history.stopped_at < 300
    assert history.steps[-1] == history.stopped_at


def test_progress_bar_is_off_when_asked(held_out, capfd):
    model = build_model("dnn", TASK)
    train(model, TASK, TrainSettings(steps=5), held_out, progress=False)
    assert capfd.readouterr().err == ""


def test_progress_follows_the_environment(held_out, capfd, monkeypatch):
    model = build_model("dnn", TASK)
    monkeypatch.setenv("SEQLIB_PROGRESS", "0")
    train(model, TASK, TrainSettings(steps=5), held_out)
    assert capfd.readouterr().err == ""
    monkeypatch.setenv("SEQLIB_PROGRESS", "1")
    train(model, TASK, TrainSettings(steps=5), held_out)
    assert "DNN" in capfd.readouterr().err


# --- predict ----------------------------------------------------------------------


@pytest.mark.parametrize("training", [True, False])
def test_predict_restores_the_mode_and_builds_no_graph(training, held_out):
    model = Recorder(build_model("lstm", TASK))
    model.train(training)
    predicted = predict(model, held_out, chunk=300)
    assert model.training is training
    assert len(model.calls) == 4  # 1000 sequences in chunks of 300
    for call in model.calls:
        assert call == {
            "training": False,
            "grad_enabled": False,
            "requires_grad": False,
        }
    assert predicted.shape == (1000,)
    assert predicted.dtype == np.int64


def test_predict_matches_the_model(held_out):
    model = seeded_model(lambda: build_model("dnn", TASK), 0)
    with torch.no_grad():
        expected = model(held_out.inputs).argmax(dim=1).numpy()
    assert np.array_equal(predict(model, held_out), expected)


# --- the science at small scale ---------------------------------------------------


def test_enough_training_beats_the_majority_baseline():
    # positional-balanced is half positive: the majority baseline is 0.5.
    _, history = run("dnn", steps=300, batch_size=32, lr=0.01, seed=0)
    assert history.balanced_accuracy[-1] > 0.8
    assert history.accuracy[-1] > 0.8
