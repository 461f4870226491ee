"""The tasks built to separate the models: rules, balance, lengths, padding."""

from __future__ import annotations

import numpy as np
import pytest

from seqlib.order_tasks import LATCH_SYMBOLS, MOTIF_SYMBOLS, ORDER_SYMBOLS
from seqlib.tasks import get_task

SYMBOLIC = ["motif", "temporal-order", "parity", "latch"]


def symbols_of(batch, i: int) -> np.ndarray:
    """The symbol indices of sequence i, padding dropped."""
    length = int(batch.lengths[i])
    return batch.inputs[i, :length].argmax(dim=1).numpy()


@pytest.mark.parametrize("name", SYMBOLIC)
def test_one_hot_real_steps_and_zero_padding(name):
    batch = get_task(name).draw(
        300, seed=1, lengths=(8, 70) if name != "temporal-order" else (100, 110)
    )
    per_step = batch.inputs.sum(dim=2)  # (B, T): 1 on real steps, 0 on padding
    time = batch.inputs.shape[1]
    real = np.arange(time)[None, :] < batch.lengths.numpy()[:, None]
    assert np.array_equal(per_step.numpy(), real.astype(np.float32))
    assert int(batch.lengths.max()) == time


@pytest.mark.parametrize("name", SYMBOLIC)
def test_classes_are_balanced_by_construction(name):
    task = get_task(name)
    labels = task.draw(1000, seed=2).labels.numpy()
    counts = np.bincount(labels, minlength=task.n_classes)
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", SYMBOLIC)
def test_lengths_are_drawn_within_the_range(name):
    low, high = (100, 110) if name == "temporal-order" else (5, 12)
    batch = get_task(name).draw(500, seed=3, lengths=(low, high))
    lengths = batch.lengths.numpy()
    assert lengths.min() == low and lengths.max() == high


def test_motif_holds_one_adjacent_pair_in_the_labelled_order():
    batch = get_task("motif").draw(500, seed=4, lengths=(2, 40))
    x = MOTIF_SYMBOLS.index("X")
    for i in range(len(batch)):
        seq = symbols_of(batch, i)
        where = np.flatnonzero(seq >= x)
        assert len(where) == 2 and where[1] == where[0] + 1
        first = seq[where[0]]
        assert (first == x) == bool(batch.labels[i])


def test_motif_classes_hold_the_same_symbols():
    # Counting symbols cannot solve the task: both classes hold one X and one Y.
    batch = get_task("motif").draw(4000, seed=5)
    counts = batch.inputs.sum(dim=1).numpy()  # (B, S)
    labels = batch.labels.numpy()
    assert np.all(counts[:, 4:] == 1)
    means = [counts[labels == c, :4].mean(axis=0) for c in (0, 1)]
    assert np.allclose(means[0], means[1], atol=0.3)


def test_motif_pair_position_is_uniform():
    batch = get_task("motif").draw(20_000, seed=6, length=10)
    x_at = batch.inputs[:, :, 4].argmax(dim=1).numpy()
    y_at = batch.inputs[:, :, 5].argmax(dim=1).numpy()
    start = np.minimum(x_at, y_at)
    counts = np.bincount(start, minlength=9)
    assert counts.size == 9  # the pair starts at 0..8 in a sequence of 10
    assert counts.min() > 0.8 * counts.mean()


@pytest.mark.parametrize("random_positions", [False, True])
def test_temporal_order_events_and_markers(random_positions):
    task = get_task("temporal-order")
    batch = task.draw(400, seed=7, random_positions=random_positions)
    x, b, e = (ORDER_SYMBOLS.index(s) for s in "XBE")
    for i in range(len(batch)):
        seq = symbols_of(batch, i)
        assert seq[0] == b and seq[-1] == e
        events = np.flatnonzero((seq == x) | (seq == x + 1))
        assert len(events) == 2
        if not random_positions:
            assert 10 <= events[0] <= 20 and 50 <= events[1] <= 60
        label = 2 * (seq[events[0]] - x) + (seq[events[1]] - x)
        assert label == batch.labels[i]


def test_temporal_order_fixed_windows_refuse_short_sequences():
    with pytest.raises(ValueError, match="at least 62 steps"):
        get_task("temporal-order").draw(10, seed=0, length=40)
    short = get_task("temporal-order").draw(10, 0, length=6, random_positions=True)
    assert short.inputs.shape == (10, 6, len(ORDER_SYMBOLS))


def test_parity_label_is_the_count_of_ones_mod_two():
    batch = get_task("parity").draw(2000, seed=8, lengths=(1, 30))
    ones = batch.inputs[:, :, 1].sum(dim=1).numpy()
    assert np.array_equal(ones % 2, batch.labels.numpy())


def test_parity_strings_stay_uniform_after_fixing_the_label():
    # Length 3 has 8 strings, 4 of each parity: each should appear ~1/8 of the time.
    batch = get_task("parity").draw(16_000, seed=9, length=3)
    codes = (batch.inputs[:, :, 1].numpy() * [4, 2, 1]).sum(axis=1).astype(int)
    counts = np.bincount(codes, minlength=8)
    assert counts.min() > 0.9 * 2000 and counts.max() < 1.1 * 2000


def test_latch_structure_and_label():
    task = get_task("latch")
    batch = task.draw(500, seed=10, lengths=(3, 30))
    a, b, c, d, e = range(len(LATCH_SYMBOLS))
    for i in range(len(batch)):
        seq = symbols_of(batch, i)
        key = np.flatnonzero((seq == b) | (seq == e))
        assert len(key) == 1 and 1 <= key[0] <= 3
        assert np.all(seq[: key[0]] == a) and np.all(seq[key[0] + 1 : -1] == c)
        assert seq[-1] == d
        assert (seq[key[0]] == b) == bool(batch.labels[i])


def test_latch_lag_option_sets_the_gap():
    task = get_task("latch")
    batch = task.draw(300, seed=11, lag=(21, 40))
    c = LATCH_SYMBOLS.index("c")
    gaps = [int((symbols_of(batch, i) == c).sum()) for i in range(len(batch))]
    assert min(gaps) == 21 and max(gaps) == 40
    assert task.longest(lag=(21, 40)) == 3 + 40 + 2
    assert int(batch.lengths.max()) <= task.longest(lag=(21, 40))


@pytest.mark.parametrize(
    ("name", "kwargs", "message"),
    [
        ("motif", {"length": 1}, "at least 2 steps"),
        ("motif", {"colour": "red"}, "has no option colour"),
        ("latch", {"lag": (5, 2)}, "0 <= low <= high"),
        ("latch", {"lead": 0}, "lead must be a positive integer"),
        ("parity", {"lengths": (9, 3)}, "low <= high"),
        ("parity", {"length": 5, "lengths": (1, 5)}, "not both"),
    ],
)
def test_bad_draws_say_what_was_expected(name, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        get_task(name).draw(10, seed=0, **kwargs)


@pytest.mark.parametrize("name", SYMBOLIC)
def test_same_seed_same_sequences(name):
    task = get_task(name)
    first, again, other = task.draw(64, 5), task.draw(64, 5), task.draw(64, 6)
    assert first.inputs.equal(again.inputs) and first.labels.equal(again.labels)
    assert not first.inputs.equal(other.inputs)


def test_every_task_records_settings_that_train_it():
    for name in SYMBOLIC:
        task = get_task(name)
        assert task.training.model_sizes["lstm"]["forget_bias"] == 1.0
        assert task.training.clip_grad is not None
