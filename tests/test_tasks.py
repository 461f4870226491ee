"""Tests of seqlib.tasks: the starting notebook's rules, class balance, seeding.

The starting notebook drew its data one sample at a time:

    seq = torch.rand(5)
    label = 1 if seq.sum() > 2 else 0                               # sum
    label = 1 if seq[0] > 0.8 and seq[-1] + seq[-2] < 0.5 else 0    # positional

``seed_sum_rule`` and ``seed_positional_rule`` below restate those two lines for a
whole batch, in the notebook's own float32 arithmetic, and every label seqlib draws
is checked against them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

from seqlib.tasks import Batch, get_task, task_names

LARGE = 200_000  # a rate measured on this many samples has a standard error < 0.001
SEED_TASKS = ["sum", "positional", "positional-balanced"]


def seed_sum_rule(inputs: torch.Tensor) -> torch.Tensor:
    """The starting notebook's sum rule on (B, 5, 1) inputs."""
    values = inputs[:, :, 0]  # (B, T)
    return values.sum(dim=1) > 2


def seed_positional_rule(inputs: torch.Tensor) -> torch.Tensor:
    """The starting notebook's positional rule on (B, 5, 1) inputs."""
    values = inputs[:, :, 0]  # (B, T)
    return (values[:, 0] > 0.8) & (values[:, -1] + values[:, -2] < 0.5)


def irwin_hall_cdf(x: float, n: int) -> float:
    """P(U1 + ... + Un <= x) for n independent uniforms on [0, 1)."""
    total = sum(
        (-1) ** k * math.comb(n, k) * (x - k) ** n for k in range(math.floor(x) + 1)
    )
    return total / math.factorial(n)


def assert_rate(observed: float, expected: float, n: int, sigmas: float = 5.0):
    """The observed rate lies within a few binomial standard errors of expected."""
    error = math.sqrt(expected * (1 - expected) / n)
    assert abs(observed - expected) < sigmas * error, (
        f"rate {observed:.4f}, expected {expected:.4f} +- {sigmas} x {error:.4f}"
    )


@pytest.fixture(scope="module")
def balanced() -> Batch:
    return get_task("positional-balanced").draw(LARGE, seed=11)


# --- the rules ------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sum_labels_follow_the_starting_notebook(seed):
    batch = get_task("sum").draw(LARGE, seed)
    expected = seed_sum_rule(batch.inputs).long()
    assert torch.equal(batch.labels, expected)


@pytest.mark.parametrize("name", ["positional", "positional-balanced"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_positional_labels_follow_the_starting_notebook(name, seed):
    batch = get_task(name).draw(LARGE, seed)
    expected = seed_positional_rule(batch.inputs).long()
    assert torch.equal(batch.labels, expected)


def test_irwin_hall_reference_value():
    # P(sum of 5 uniforms <= 2) = (2^5 - 5 * 1^5) / 5! = 27 / 120.
    assert irwin_hall_cdf(2, 5) == pytest.approx(27 / 120)


def test_sum_positive_rate():
    batch = get_task("sum").draw(LARGE, seed=3)
    expected = 1 - irwin_hall_cdf(2, 5)  # 0.775
    assert_rate(batch.labels.float().mean().item(), expected, LARGE)


def test_positional_positive_rate():
    batch = get_task("positional").draw(LARGE, seed=3)
    expected = 0.2 * 0.125  # P(x0 > 0.8) * P(x3 + x4 < 0.5)
    assert_rate(batch.labels.float().mean().item(), expected, LARGE)


@pytest.mark.parametrize("name", SEED_TASKS)
def test_inputs_are_uniform_on_the_unit_interval(name):
    values = get_task(name).draw(10_000, seed=5).inputs
    assert values.min() >= 0
    assert values.max() < 1


# --- positional-balanced: balanced, and unbiased inside each class ------------


@pytest.mark.parametrize("n", [2, 10, 1000, 4096])
def test_balanced_has_exactly_half_positives(n):
    batch = get_task("positional-balanced").draw(n, seed=n)
    assert int(batch.labels.sum()) == n // 2


@pytest.mark.parametrize("n", [1, 7, 999])
def test_balanced_odd_count_differs_by_at_most_one(n):
    batch = get_task("positional-balanced").draw(n, seed=n)
    positives = int(batch.labels.sum())
    assert abs(positives - (n - positives)) == 1


def test_balanced_positives_first_value_is_uniform_above_0_8(balanced):
    x0 = balanced.inputs[balanced.labels == 1, 0, 0].double().numpy()
    assert x0.min() > 0.8
    assert x0.mean() == pytest.approx(0.9, abs=0.002)
    assert stats.kstest(x0, stats.uniform(0.8, 0.2).cdf).pvalue > 1e-3


def test_balanced_positives_last_pair_fills_the_triangle(balanced):
    pair = balanced.inputs[balanced.labels == 1, 3:5, 0].double().numpy()
    total = pair.sum(axis=1)  # density proportional to s on (0, 0.5)
    assert total.max() < 0.5
    # The CDF of s is (s / 0.5)^2: a quarter of the sums lie below 0.25.
    assert np.mean(total < 0.25) == pytest.approx(0.25, abs=0.01)
    assert stats.kstest(total, lambda s: (s / 0.5) ** 2).pvalue > 1e-3
    # On the triangle each coordinate has density 2 (0.5 - x) / 0.25: mean 1/6.
    assert pair.mean(axis=0) == pytest.approx([1 / 6, 1 / 6], abs=0.003)


def test_balanced_positives_middle_values_are_untouched(balanced):
    middle = balanced.inputs[balanced.labels == 1, 1:3, 0].double().numpy()
    assert middle.mean(axis=0) == pytest.approx([0.5, 0.5], abs=0.005)
    assert stats.kstest(middle[:, 0], "uniform").pvalue > 1e-3


def test_balanced_negatives_match_the_plain_task_negatives(balanced):
    plain = get_task("positional").draw(LARGE, seed=12)
    negatives = balanced.inputs[balanced.labels == 0, :, 0].double().numpy()
    reference = plain.inputs[plain.labels == 0, :, 0].double().numpy()
    assert negatives[:, 1].mean() == pytest.approx(0.5, abs=0.005)
    # Uniform on the complement of the rule: E[x0 | negative] = (0.5 - 0.025 *
    # 0.9) / 0.975, slightly below one half.
    assert negatives[:, 0].mean() == pytest.approx(0.4775 / 0.975, abs=0.003)
    for column in range(5):
        result = stats.ks_2samp(negatives[:, column], reference[:, column])
        assert result.pvalue > 1e-3, f"x{column} of negatives is skewed"


# --- order ----------------------------------------------------------------------


def test_sum_label_ignores_order():
    batch = get_task("sum").draw(10_000, seed=4)
    reversed_inputs = batch.inputs.flip(dims=[1])
    assert torch.equal(seed_sum_rule(reversed_inputs).long(), batch.labels)


@pytest.mark.parametrize("name", ["positional", "positional-balanced"])
def test_positional_label_depends_on_order(name):
    batch = get_task(name).draw(10_000, seed=4)
    reversed_inputs = batch.inputs.flip(dims=[1])
    changed = seed_positional_rule(reversed_inputs).long() != batch.labels
    assert changed.any()
    assert get_task(name).order_matters


# --- seeding --------------------------------------------------------------------


def assert_same_batch(a: Batch, b: Batch):
    assert torch.equal(a.inputs, b.inputs)
    assert torch.equal(a.labels, b.labels)
    assert torch.equal(a.lengths, b.lengths)


@pytest.mark.parametrize("name", SEED_TASKS)
def test_same_seed_gives_same_batch(name):
    task = get_task(name)
    assert_same_batch(task.draw(500, seed=42), task.draw(500, seed=42))


@pytest.mark.parametrize("name", SEED_TASKS)
def test_different_seeds_give_different_batches(name):
    task = get_task(name)
    assert not torch.equal(task.draw(500, seed=1).inputs, task.draw(500, 2).inputs)


@pytest.mark.parametrize("name", SEED_TASKS)
def test_numpy_generator_as_seed(name):
    task = get_task(name)
    first = task.draw(300, np.random.default_rng(9))
    assert_same_batch(first, task.draw(300, np.random.default_rng(9)))
    # One generator advances: two draws from it differ.
    rng = np.random.default_rng(9)
    task.draw(300, rng)
    assert not torch.equal(task.draw(300, rng).inputs, first.inputs)


def test_numpy_integer_seed_equals_python_integer():
    task = get_task("sum")
    assert_same_batch(task.draw(50, np.int64(3)), task.draw(50, 3))


@pytest.mark.parametrize("name", SEED_TASKS)
def test_draw_leaves_global_random_state_alone(name):
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()[1].copy()
    get_task(name).draw(1000, seed=0)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], numpy_state)


# --- shapes and types -----------------------------------------------------------


@pytest.mark.parametrize("name", SEED_TASKS)
@pytest.mark.parametrize("n", [1, 32, 1000])
def test_shapes_and_dtypes(name, n):
    batch = get_task(name).draw(n, seed=0)
    assert batch.inputs.shape == (n, 5, 1)  # (B, T, F)
    assert batch.labels.shape == (n,)
    assert batch.lengths.shape == (n,)
    assert batch.inputs.dtype == torch.float32
    assert batch.labels.dtype == torch.int64
    assert batch.lengths.dtype == torch.int64
    assert torch.all(batch.lengths == 5)
    assert set(batch.labels.tolist()) <= {0, 1}
    assert len(batch) == n


@pytest.mark.parametrize("length", [1, 3, 12])
def test_sum_accepts_other_lengths(length):
    batch = get_task("sum").draw(64, seed=0, length=length)
    assert batch.inputs.shape == (64, length, 1)
    assert torch.all(batch.lengths == length)


def test_batch_slicing_keeps_rows_together():
    batch = get_task("positional-balanced").draw(20, seed=0)
    part = batch[5:9]
    assert len(part) == 4
    assert torch.equal(part.inputs, batch.inputs[5:9])
    assert torch.equal(part.labels, batch.labels[5:9])


@pytest.mark.parametrize("name", task_names())
def test_every_registered_task_keeps_the_batch_contract(name):
    """Shapes, types, label range and zero padding, for every task there is."""
    task = get_task(name)
    batch = task.draw(64, seed=0)
    inputs, labels, lengths = batch.inputs, batch.labels, batch.lengths
    assert inputs.dim() == 3 and inputs.shape[0] == 64
    assert inputs.shape[2] == task.n_features
    assert inputs.dtype == torch.float32 and labels.dtype == torch.int64
    assert lengths.dtype == torch.int64
    assert labels.min() >= 0 and labels.max() < task.n_classes
    assert lengths.min() >= 1 and lengths.max() == inputs.shape[1]
    padding = torch.arange(inputs.shape[1]) >= lengths[:, None]  # (B, T)
    assert torch.all(inputs[padding] == 0), "padded steps must be zero"
    assert_same_batch(batch, task.draw(64, seed=0))


# --- errors a learner can cause -------------------------------------------------


def test_unknown_task_lists_the_known_ones():
    with pytest.raises(KeyError) as error:
        get_task("positonal")
    message = str(error.value)
    assert "positonal" in message
    for name in task_names():
        assert name in message


@pytest.mark.parametrize("n", [0, -1, -100])
def test_non_positive_count_is_refused(n):
    with pytest.raises(ValueError, match="positive integer"):
        get_task("sum").draw(n, seed=0)


@pytest.mark.parametrize("n", [2.5, "10", True])
def test_non_integer_count_is_refused(n):
    with pytest.raises(TypeError, match="n must be a positive integer"):
        get_task("sum").draw(n, seed=0)


@pytest.mark.parametrize("seed", [True, False, 1.0, 0.5, "0", None])
def test_seed_must_be_an_integer_or_generator(seed):
    with pytest.raises(TypeError, match="seed must be an int or numpy Generator"):
        get_task("sum").draw(10, seed=seed)


def test_negative_seed_is_refused():
    with pytest.raises(ValueError, match="non-negative"):
        get_task("sum").draw(10, seed=-1)


@pytest.mark.parametrize("name", ["positional", "positional-balanced"])
@pytest.mark.parametrize("length", [4, 6, 20])
def test_positional_needs_exactly_five_steps(name, length):
    with pytest.raises(ValueError, match="exactly 5 steps"):
        get_task(name).draw(10, seed=0, length=length)


@pytest.mark.parametrize("length", [0, -2])
def test_non_positive_length_is_refused(length):
    with pytest.raises(ValueError, match="length must be a positive integer"):
        get_task("sum").draw(10, seed=0, length=length)


@pytest.mark.parametrize("name", SEED_TASKS)
def test_lengths_range_on_fixed_length_task(name):
    with pytest.raises(ValueError, match="fixed length") as error:
        get_task(name).draw(10, seed=0, lengths=(3, 5))
    assert "length=N" in str(error.value)


def test_length_and_lengths_together_are_refused():
    with pytest.raises(ValueError, match="either length or lengths"):
        get_task("sum").draw(10, seed=0, length=5, lengths=(5, 5))
