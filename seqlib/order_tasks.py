"""Tasks built to tell the models apart, each balanced by construction.

Symbols are one-hot vectors; a padded step is all zeros, so it is never confused
with a symbol. Every draw is vectorised: no Python loop over sequences.

- ``motif``: is the adjacent pair XY or YX, wherever it sits? Only order helps.
- ``temporal-order``: Hochreiter and Schmidhuber's (1997) task 6a: which two of X
  and Y appear, in which order, among distractors.
- ``parity``: is the number of ones odd?
- ``latch``: remember one symbol across a long run of filler.
"""

from __future__ import annotations

import numpy as np

from seqlib.tasks import Task, TrainingDefaults, _batch, balanced_labels, register

# Model sizes used for every symbolic task: large enough that capacity is never
# the reason a model fails, small enough to train in seconds on a laptop CPU.
SIZES = {
    "dnn": {"hidden": (128, 128)},
    "lstm": {"hidden": 32, "forget_bias": 1.0},
    "bag": {"hidden": 64},
}


def _lengths(n: int, rng: np.random.Generator, low: int, high: int) -> np.ndarray:
    return rng.integers(low, high + 1, size=n)  # (B,), inclusive of high


def _one_hot(symbols: np.ndarray, lengths: np.ndarray, n_symbols: int) -> np.ndarray:
    """(B, T) integer symbols -> (B, T, S) one-hot, all zeros past each length."""
    time = symbols.shape[1]
    real = np.arange(time) < lengths[:, None]  # (B, T)
    one_hot = np.eye(n_symbols, dtype=np.float32)[symbols]  # (B, T, S)
    return one_hot * real[:, :, None]


def _uniform_below(rng: np.random.Generator, upper: np.ndarray) -> np.ndarray:
    """One integer uniform on 0..upper-1 per entry of ``upper``."""
    return np.floor(rng.random(upper.shape) * upper).astype(np.int64)


# --- motif ---------------------------------------------------------------------

MOTIF_SYMBOLS = "abcdXY"


def _draw_motif(n, rng, low, high):
    lengths = _lengths(n, rng, low, high)
    time = int(lengths.max())
    symbols = rng.integers(0, 4, size=(n, time))  # (B, T) background a-d
    labels = balanced_labels(n, rng)  # 1: X then Y, 0: Y then X
    start = _uniform_below(rng, lengths - 1)  # (B,) the pair fits inside
    rows = np.arange(n)
    x, y = MOTIF_SYMBOLS.index("X"), MOTIF_SYMBOLS.index("Y")
    symbols[rows, start] = np.where(labels == 1, x, y)
    symbols[rows, start + 1] = np.where(labels == 1, y, x)
    return _batch(_one_hot(symbols, lengths, len(MOTIF_SYMBOLS)), labels, lengths)


register(
    Task(
        name="motif",
        description="background a-d with one adjacent pair XY (1) or YX (0) at a "
        "random place; both classes hold the same symbols",
        order_matters=True,
        n_features=len(MOTIF_SYMBOLS),
        n_classes=2,
        default_length=40,
        variable_length=True,
        min_length=2,
        draw_fn=_draw_motif,
        training=TrainingDefaults(
            steps=1500,
            batch_size=64,
            lr=0.003,
            train_size=2000,
            clip_grad=1.0,
            early_stop=0.99,
            model_sizes=SIZES,
        ),
    )
)


# --- temporal order -------------------------------------------------------------

ORDER_SYMBOLS = "abcdXYBE"  # distractors, the two event symbols, start and end
ORDER_CLASSES = ("XX", "XY", "YX", "YY")
FIRST_WINDOW = (10, 20)  # the published windows, inclusive
SECOND_WINDOW = (50, 60)


def _draw_temporal_order(n, rng, low, high, random_positions=False):
    if not isinstance(random_positions, (bool, np.bool_)):
        raise TypeError(
            f"random_positions must be True or False, got {random_positions!r}"
        )
    if not random_positions and low < SECOND_WINDOW[1] + 2:
        raise ValueError(
            f"with fixed windows the sequences need at least {SECOND_WINDOW[1] + 2} "
            f"steps (the second event may sit at step {SECOND_WINDOW[1]}), got {low};"
            " pass random_positions=True for shorter sequences"
        )
    lengths = _lengths(n, rng, low, high)
    time = int(lengths.max())
    symbols = rng.integers(0, 4, size=(n, time))  # (B, T) distractors a-d
    rows = np.arange(n)
    symbols[:, 0] = ORDER_SYMBOLS.index("B")
    symbols[rows, lengths - 1] = ORDER_SYMBOLS.index("E")
    labels = balanced_labels(n, rng, n_classes=4)  # index into ORDER_CLASSES
    if random_positions:
        # Two distinct places among the inner steps 1..L-2, in increasing order.
        inner = lengths - 2
        first = _uniform_below(rng, inner)
        second = _uniform_below(rng, inner - 1)
        second = second + (second >= first)  # skip the first place
        first, second = np.minimum(first, second) + 1, np.maximum(first, second) + 1
    else:
        first = rng.integers(FIRST_WINDOW[0], FIRST_WINDOW[1] + 1, size=n)
        second = rng.integers(SECOND_WINDOW[0], SECOND_WINDOW[1] + 1, size=n)
    x = ORDER_SYMBOLS.index("X")
    symbols[rows, first] = x + labels // 2  # X or Y
    symbols[rows, second] = x + labels % 2
    return _batch(_one_hot(symbols, lengths, len(ORDER_SYMBOLS)), labels, lengths)


register(
    Task(
        name="temporal-order",
        description="distractors with two events X/Y; the class is their order "
        "(XX, XY, YX, YY); fixed windows as published, or random places",
        order_matters=True,
        n_features=len(ORDER_SYMBOLS),
        n_classes=4,
        default_length=100,
        variable_length=True,
        min_length=4,
        draw_fn=_draw_temporal_order,
        options={"random_positions": False},
        training=TrainingDefaults(
            steps=3000,
            batch_size=64,
            lr=0.003,
            train_size=2000,
            clip_grad=1.0,
            lengths=(100, 110),
            early_stop=0.99,
            model_sizes=SIZES,
        ),
    )
)


# --- parity -----------------------------------------------------------------------

PARITY_SYMBOLS = "01"


def _draw_parity(n, rng, low, high):
    lengths = _lengths(n, rng, low, high)
    time = int(lengths.max())
    real = np.arange(time) < lengths[:, None]  # (B, T)
    bits = rng.integers(0, 2, size=(n, time)) * real  # (B, T)
    labels = balanced_labels(n, rng)
    # Flip one random real bit where the parity disagrees with the wanted label.
    # Every string of the wanted parity stays equally likely: it is reached either
    # directly or from each of its L neighbours with probability 1/L.
    wrong = bits.sum(axis=1) % 2 != labels
    flip = _uniform_below(rng, lengths)
    rows = np.flatnonzero(wrong)
    bits[rows, flip[rows]] ^= 1
    return _batch(_one_hot(bits, lengths, 2), labels, lengths)


register(
    Task(
        name="parity",
        description="a string of bits; label 1 when the number of ones is odd",
        order_matters=False,
        n_features=2,
        n_classes=2,
        default_length=20,
        variable_length=True,
        draw_fn=_draw_parity,
        training=TrainingDefaults(
            steps=1500,
            batch_size=64,
            lr=0.003,
            clip_grad=1.0,
            lengths=(1, 20),
            early_stop=0.99,
            model_sizes=SIZES,
        ),
    )
)


# --- latch --------------------------------------------------------------------

LATCH_SYMBOLS = "abcde"


def _draw_latch(n, rng, low, high, lead=3, lag=None):
    """a * k, then b or e (the label), then c * lag, then d: length k + lag + 2.

    The lead run k is uniform on 1..lead (capped so the lag is never negative),
    so the remembered symbol does not sit at one fixed step. The lag follows from
    the length drawn in low..high, or, when ``lag=(low, high)`` is given, is drawn
    from that range and the length follows from it.
    """
    _check_lead(lead)
    if lag is None:
        lengths = _lengths(n, rng, low, high)
        lead_run = 1 + _uniform_below(rng, np.minimum(lead, lengths - 2))  # (B,)
    else:
        lag_low, lag_high = _lag_range(lag)
        lead_run = 1 + _uniform_below(rng, np.full(n, lead))
        lengths = lead_run + _lengths(n, rng, lag_low, lag_high) + 2
    time = int(lengths.max())
    labels = balanced_labels(n, rng)  # 1: b, 0: e
    steps = np.arange(time)[None, :]  # (1, T)
    symbols = np.full((n, time), LATCH_SYMBOLS.index("c"))  # (B, T)
    symbols[steps < lead_run[:, None]] = LATCH_SYMBOLS.index("a")
    rows = np.arange(n)
    symbols[rows, lead_run] = np.where(
        labels == 1, LATCH_SYMBOLS.index("b"), LATCH_SYMBOLS.index("e")
    )
    symbols[rows, lengths - 1] = LATCH_SYMBOLS.index("d")
    return _batch(_one_hot(symbols, lengths, len(LATCH_SYMBOLS)), labels, lengths)


def _check_lead(lead) -> None:
    if isinstance(lead, bool) or not isinstance(lead, (int, np.integer)) or lead < 1:
        raise ValueError(f"lead must be a positive integer, got {lead!r}")


def _lag_range(lag) -> tuple[int, int]:
    try:
        low, high = lag
    except (TypeError, ValueError):
        raise ValueError(f"lag must be a pair (low, high), got {lag!r}") from None
    for value in (low, high):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"lag must hold whole numbers of steps, got {lag!r}")
    if not 0 <= low <= high:
        raise ValueError(f"lag must satisfy 0 <= low <= high, got {lag!r}")
    return int(low), int(high)


def _latch_longest(high, lead=3, lag=None):
    if lag is None:
        return high
    _check_lead(lead)
    return int(lead) + _lag_range(lag)[1] + 2


register(
    Task(
        name="latch",
        description="a run of a, then b (1) or e (0), then a run of c, then d: "
        "carry one symbol across the gap",
        order_matters=False,  # a b anywhere decides; the test is memory
        n_features=len(LATCH_SYMBOLS),
        n_classes=2,
        default_length=20,
        variable_length=True,
        min_length=3,
        draw_fn=_draw_latch,
        options={"lead": 3, "lag": None},
        longest_fn=_latch_longest,
        training=TrainingDefaults(
            steps=1500,
            batch_size=64,
            lr=0.003,
            clip_grad=1.0,
            lengths=(3, 23),
            early_stop=0.99,
            model_sizes=SIZES,
        ),
    )
)
