"""Tests of seqlib.models: sizes, shapes, what each model can and cannot see.

Shapes use the letters of seqlib.models: B batch, T time steps, F features per
step, H hidden units, C classes.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from seqlib.models import (
    DNN,
    LSTM,
    Bag,
    NotApplicable,
    build_model,
    count_parameters,
)
from seqlib.tasks import get_task
from seqlib.training import seeded_model


def lstm_layer_parameters(inputs: int, hidden: int) -> int:
    """torch.nn.LSTM: four gates, each with W_ih, W_hh and two bias vectors."""
    return 4 * hidden * (inputs + hidden) + 2 * 4 * hidden


def linear_parameters(inputs: int, outputs: int) -> int:
    return inputs * outputs + outputs


def random_inputs(batch=8, time=5, features=1, seed=0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(batch, time, features, generator=generator)  # (B, T, F)


def seeded(build, seed=0):
    return seeded_model(build, seed)


# --- sizes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        # The starting notebook's DNN: 5 -> 32 -> 2.
        (lambda: DNN(), linear_parameters(5, 32) + linear_parameters(32, 2)),
        (lambda: DNN(), 258),
        (
            lambda: DNN(length=20, n_features=2, hidden=(128, 128), n_classes=4),
            linear_parameters(40, 128)
            + linear_parameters(128, 128)
            + linear_parameters(128, 4),
        ),
        (lambda: DNN(hidden=8), linear_parameters(5, 8) + linear_parameters(8, 2)),
        # The starting notebook's LSTM: 1 feature, 16 units, then a 16 -> 2 head.
        (lambda: LSTM(), lstm_layer_parameters(1, 16) + linear_parameters(16, 2)),
        (lambda: LSTM(), 1250),
        (
            lambda: LSTM(n_features=6, hidden=32, layers=2, n_classes=4),
            lstm_layer_parameters(6, 32)
            + lstm_layer_parameters(32, 32)
            + linear_parameters(32, 4),
        ),
        # Bag: one step network F -> H, then the head H -> C.
        (lambda: Bag(), linear_parameters(1, 32) + linear_parameters(32, 2)),
        (lambda: Bag(), 130),
        (
            lambda: Bag(n_features=5, hidden=64, n_classes=3),
            linear_parameters(5, 64) + linear_parameters(64, 3),
        ),
    ],
)
def test_parameter_count_matches_formula(build, expected):
    assert count_parameters(build()) == expected


def test_count_parameters_skips_frozen_weights():
    model = DNN()
    model.net[0].weight.requires_grad_(False)
    assert count_parameters(model) == 258 - 5 * 32


# --- shapes ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dnn", "lstm", "bag"])
@pytest.mark.parametrize("batch", [1, 3, 64])
def test_output_shape_is_batch_by_classes(name, batch):
    model = build_model(name, n_classes=3)
    logits = model(random_inputs(batch=batch))
    assert logits.shape == (batch, 3)  # (B, C)
    assert logits.dtype == torch.float32


@pytest.mark.parametrize("name", ["dnn", "lstm", "bag"])
def test_build_model_sizes_itself_for_a_task(name):
    # A task with 3 features per step, 4 classes and 9 steps by default.
    task = replace(get_task("sum"), n_features=3, n_classes=4, default_length=9)
    model = build_model(name, task)
    assert model(random_inputs(batch=2, time=9, features=3)).shape == (2, 4)
    if name == "dnn":
        assert model.length == 9
        assert build_model(name, task, length=12).length == 12


def test_build_model_unknown_name_lists_the_known_ones():
    with pytest.raises(KeyError) as error:
        build_model("cnn")
    for name in ("dnn", "lstm", "bag"):
        assert name in str(error.value)


@pytest.mark.parametrize(
    "build",
    [
        lambda: DNN(length=0),
        lambda: DNN(hidden=(32, 0)),
        lambda: LSTM(hidden=2.5),
        lambda: LSTM(layers=0),
        lambda: Bag(n_classes=True),
    ],
)
def test_bad_sizes_are_refused(build):
    with pytest.raises(ValueError, match="must be positive integers"):
        build()


# --- what each model sees --------------------------------------------------------


def permuted(inputs: torch.Tensor, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    order = torch.randperm(inputs.shape[1], generator=generator)
    assert not torch.equal(order, torch.arange(inputs.shape[1]))
    return inputs[:, order]  # (B, T, F), the same steps in another order


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bag_is_blind_to_order(seed):
    model = seeded(lambda: Bag(hidden=16), seed)
    inputs = random_inputs(batch=32, time=7, seed=seed)
    before = model(inputs)
    after = model(permuted(inputs, seed))
    torch.testing.assert_close(after, before, atol=1e-6, rtol=0)


@pytest.mark.parametrize(
    "build", [lambda: DNN(length=7), lambda: LSTM()], ids=["dnn", "lstm"]
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dnn_and_lstm_see_order(build, seed):
    model = seeded(build, seed)
    inputs = random_inputs(batch=32, time=7, seed=seed)
    change = (model(permuted(inputs, seed)) - model(inputs)).abs().max()
    assert change > 1e-3


@pytest.mark.parametrize("layers", [1, 2])
def test_lstm_ignores_padding_when_given_lengths(layers):
    model = seeded(lambda: LSTM(hidden=8, layers=layers), 0)
    inputs = random_inputs(batch=6, time=5)
    alone = model(inputs)
    # Padding that is not even zero: with lengths, none of it may count.
    garbage = random_inputs(batch=6, time=9, seed=1)
    padded = torch.cat([inputs, garbage], dim=1)  # (B, 14, F)
    lengths = torch.full((6,), 5)
    torch.testing.assert_close(model(padded, lengths), alone, atol=1e-6, rtol=0)


@pytest.mark.parametrize("layers", [1, 2])
def test_lstm_mixed_lengths_match_each_sequence_alone(layers):
    model = seeded(lambda: LSTM(hidden=8, layers=layers), 0)
    lengths = torch.tensor([1, 4, 7, 2])
    padded = random_inputs(batch=4, time=7, seed=3)  # (B, T, F)
    together = model(padded, lengths)
    for row, length in enumerate(lengths.tolist()):
        alone = model(padded[row : row + 1, :length])
        torch.testing.assert_close(together[row : row + 1], alone, atol=1e-6, rtol=0)


def test_bag_ignores_padding_when_given_lengths():
    model = seeded(lambda: Bag(), 0)
    inputs = random_inputs(batch=6, time=5)
    padded = torch.cat([inputs, random_inputs(batch=6, time=3, seed=1)], dim=1)
    lengths = torch.full((6,), 5)
    torch.testing.assert_close(model(padded, lengths), model(inputs), atol=1e-6, rtol=0)


@pytest.mark.parametrize("layers", [1, 2])
def test_forget_bias_sets_the_forget_gate(layers):
    hidden = 16
    plain = seeded(lambda: LSTM(hidden=hidden, layers=layers), 0)
    biased = seeded(lambda: LSTM(hidden=hidden, layers=layers, forget_bias=1.0), 0)
    forget = slice(hidden, 2 * hidden)  # torch orders the gates i, f, g, o
    for layer in range(layers):
        ih = getattr(biased.lstm, f"bias_ih_l{layer}")
        hh = getattr(biased.lstm, f"bias_hh_l{layer}")
        total = ih + hh
        assert torch.all(total[forget] == 1.0)
        # The other gates keep their random start, the same as without the option.
        others = torch.ones(4 * hidden, dtype=torch.bool)
        others[forget] = False
        plain_ih = getattr(plain.lstm, f"bias_ih_l{layer}")
        assert torch.equal(ih[others], plain_ih[others])
    assert torch.equal(biased.lstm.weight_ih_l0, plain.lstm.weight_ih_l0)


def test_without_forget_bias_the_gate_is_random():
    model = seeded(lambda: LSTM(hidden=16), 0)
    total = model.lstm.bias_ih_l0 + model.lstm.bias_hh_l0
    assert not torch.all(total[16:32] == 1.0)


# --- the DNN and the length it was built for -------------------------------------


@pytest.mark.parametrize("time", [6, 12])
def test_dnn_refuses_longer_input(time):
    model = DNN(length=5)
    with pytest.raises(NotApplicable, match="at most 5 steps") as error:
        model(random_inputs(time=time))
    assert f"got {time} steps" in str(error.value)
    assert isinstance(error.value, ValueError)  # callers may catch ValueError


@pytest.mark.parametrize("time", [1, 3, 4])
def test_dnn_zero_pads_shorter_input(time):
    model = seeded(lambda: DNN(length=5), 0)
    short = random_inputs(batch=4, time=time)
    zeros = torch.zeros(4, 5 - time, 1)
    padded = torch.cat([short, zeros], dim=1)  # (B, 5, F)
    assert torch.equal(model(short), model(padded))


# --- errors a learner can cause ---------------------------------------------------

MODELS = {
    "dnn": lambda: DNN(),
    "lstm": lambda: LSTM(),
    "bag": lambda: Bag(),
}


@pytest.fixture(params=list(MODELS))
def model(request):
    return seeded(MODELS[request.param], 0)


def test_two_dimensional_input_names_the_expected_shape(model):
    with pytest.raises(ValueError, match=r"\(batch, time, features\)") as error:
        model(torch.rand(8, 5))
    assert "unsqueeze(-1)" in str(error.value)


def test_wrong_number_of_features(model):
    with pytest.raises(ValueError, match="expects 1 feature") as error:
        model(torch.rand(8, 5, 3))
    assert "(8, 5, 3)" in str(error.value)


def test_time_and_features_swapped(model):
    with pytest.raises(ValueError, match="swapped"):
        model(torch.rand(8, 1, 5))


def test_integer_input_is_refused(model):
    with pytest.raises(TypeError, match="floating point"):
        model(torch.ones(8, 5, 1, dtype=torch.int64))


def test_non_tensor_input_is_refused(model):
    with pytest.raises(TypeError, match="torch.Tensor"):
        model([[[0.1]] * 5] * 2)


@pytest.mark.parametrize(
    ("lengths", "message"),
    [
        (torch.full((7,), 5), r"lengths must have shape \(8,\)"),
        (torch.full((8, 1), 5), r"lengths must have shape \(8,\)"),
        (torch.tensor([5, 5, 5, 0, 5, 5, 5, 5]), r"lengths must lie in 1\.\.5"),
        (torch.tensor([5, 5, 5, 6, 5, 5, 5, 5]), r"lengths must lie in 1\.\.5"),
    ],
)
def test_bad_lengths_are_refused(model, lengths, message):
    with pytest.raises(ValueError, match=message):
        model(random_inputs(batch=8), lengths)


def test_lengths_as_a_list_is_accepted_or_explained(model):
    """A list of ints is a natural thing to pass; it must not fail obscurely."""
    inputs = random_inputs(batch=2)
    try:
        logits = model(inputs, [5, 5])
    except (TypeError, ValueError) as error:
        assert "lengths" in str(error)
    else:
        assert logits.shape == (2, 2)


# --- a tiny model can fit a tiny batch --------------------------------------------


@pytest.mark.parametrize(
    ("name", "task"),
    [
        ("dnn", "positional-balanced"),
        ("lstm", "positional-balanced"),
        ("dnn", "sum"),
        ("lstm", "sum"),
        # The bag cannot see positions, so it is asked to fit the sum rule, which
        # its mean over steps can express exactly.
        ("bag", "sum"),
    ],
)
def test_tiny_model_fits_a_tiny_batch(name, task):
    task = get_task(task)
    batch = task.draw(16, seed=0)
    model = seeded(lambda: build_model(name, task), 0)
    optimiser = torch.optim.Adam(model.parameters(), lr=0.03)
    for _ in range(300):
        loss = torch.nn.functional.cross_entropy(model(batch.inputs), batch.labels)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    with torch.no_grad():
        predicted = model(batch.inputs).argmax(dim=1)
    assert torch.equal(predicted, batch.labels), f"final loss {loss.item():.4f}"
