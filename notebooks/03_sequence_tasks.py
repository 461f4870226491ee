# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · Sequence tasks
#
# **Questions:** Which sequence tasks need the order of the steps, which only their
# positions, and which neither? What does a batch of sequences look like to a model?
#
# **Objectives:** Draw any task of the course's registry from a seed and check that
# the same seed gives the same batch; read the (batch, time, features) shape,
# one-hot symbols, zero padding and lengths of a batch; measure a task's class
# balance; state each task's rule and check it on thousands of sequences.
#
# **Minutes:** teaching 20, exercises 10

# %% [markdown]
# Notebook 02 ended with a question: if a dense network sees positions, where
# should an LSTM's way of reading pay off? To answer it we need tasks whose
# evidence we control: sometimes at fixed steps, sometimes anywhere, sometimes in
# the order of two events. `seqlib.tasks` holds them in a registry. Every task
# draws a whole batch in one call, from an explicit seed.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

from seqlib import get_task, plots, task_names
from seqlib.order_tasks import (
    LATCH_SYMBOLS,
    MOTIF_SYMBOLS,
    ORDER_CLASSES,
    ORDER_SYMBOLS,
    PARITY_SYMBOLS,
)

N = 2_000  # sequences per measurement: enough to see a rate to about 1 %
task_names()

# %% [markdown]
# Each task knows its number of classes, its default length, whether one batch may
# mix lengths, and a flag `order_matters`: does the label change when the steps are
# reordered? We will test that flag below rather than take it on trust.

# %%
for name in task_names():
    task = get_task(name)
    print(f"{name:<20} classes {task.n_classes}  length {task.default_length:>3}  "
          f"variable {task.variable_length!s:<5}  order_matters {task.order_matters}")

# %% [markdown]
# ## A batch: shapes, one-hot symbols
#
# A draw returns a `Batch` of three tensors. `inputs` has shape (B, T, F): B
# sequences, T time steps, F features per step. `labels` and `lengths` hold one
# integer per sequence. Here is a batch of the **motif** task, on its default 40
# steps.

# %%
motif = get_task("motif")
batch = motif.draw(4, seed=0)
print("inputs ", tuple(batch.inputs.shape), batch.inputs.dtype)
print("labels ", tuple(batch.labels.shape), batch.labels.dtype)
print("lengths", tuple(batch.lengths.shape), batch.lengths.dtype)
assert batch.inputs.shape == (4, 40, len(MOTIF_SYMBOLS))
batch.lengths

# %% [markdown]
# The motif task has six symbols, `abcdXY`, and each step is a **one-hot** vector:
# six numbers, one of them 1. So F is 6, and each step of a real sequence sums to
# exactly 1.

# %%
assert (batch.inputs.sum(dim=2) == 1).all()  # one symbol per step
print(MOTIF_SYMBOLS)
batch.inputs[0, :3]  # the first three steps of sequence 0, shape (3, F)

# %% [markdown]
# Rows of ones and zeros are hard to read, so we turn each sequence back into a
# string of its symbols, with `.` for a step of zero padding (used below).

# %%
def as_text(batch, symbols):
    """Each sequence of a one-hot batch as a string; '.' marks zero padding."""
    index = batch.inputs.argmax(dim=2)  # (B, T): the symbol at each step
    real = batch.inputs.sum(dim=2) > 0  # (B, T): False on padding
    alphabet = np.array([*symbols, "."])
    codes = torch.where(real, index, len(symbols)).numpy()  # (B, T)
    return ["".join(row) for row in alphabet[codes]]


for label, text in zip(batch.labels.tolist(), as_text(batch, MOTIF_SYMBOLS),
                       strict=True):
    print(label, text)

# %% [markdown]
# ## The motif task: order, and only order
#
# Every motif sequence is background noise from `abcd` with one adjacent pair
# planted at a random place: `XY` for class 1, `YX` for class 0. So the rule is
# "is there an `XY`?". We check the rule on 2,000 sequences.

# %%
motifs = motif.draw(N, seed=1)
texts = as_text(motifs, MOTIF_SYMBOLS)
labels = motifs.labels.numpy()
has_xy = np.array(["XY" in text for text in texts])
assert (has_xy == (labels == 1)).all()
round(float(has_xy.mean()), 3)

# %% [markdown]
# The two classes hold the same symbols: each sequence has exactly one X and one
# Y, and the background symbols are drawn the same way in both classes. A model
# that counts symbols and forgets where they were cannot tell the classes apart.
# Here are the mean counts per class: they agree to within a quarter of a symbol,
# out of about 9.5.

# %%
counts = motifs.inputs.sum(dim=1).numpy()  # (B, F): how often each symbol occurs
per_class = np.array([counts[labels == c].mean(axis=0) for c in (0, 1)])  # (2, F)
xy = [MOTIF_SYMBOLS.index("X"), MOTIF_SYMBOLS.index("Y")]
assert (counts[:, xy] == 1).all()  # one X and one Y in every sequence
assert np.abs(per_class[0] - per_class[1]).max() < 0.25
print("      " + "".join(f"{s:>7}" for s in MOTIF_SYMBOLS))
for c in (0, 1):
    print(f"class {c}" + "".join(f"{v:7.3f}" for v in per_class[c]))

# %% [markdown]
# **Figure.** Four motif sequences: one row per symbol, one column per step. The
# X and Y sit side by side at a different step in each sequence; only their order
# tells the class.

# %%
fig = plots.symbol_sequences(
    motif.draw(4, seed=2), MOTIF_SYMBOLS, class_names=["YX", "XY"],
    title="motif, length 40",
)
plt.close(fig)
fig

# %% [markdown]
# ## Class balance
#
# Notebook 02 showed what a skewed task does to accuracy. We measure the share of
# each class on 2,000 sequences of every task, with temporal order in both its
# forms: events in fixed windows (the default) and at random places.

# %%
variants = {name: (name, {}) for name in task_names()}
variants["temporal-order, random"] = ("temporal-order", {"random_positions": True})
shares = {}
for label, (name, options) in variants.items():
    task = get_task(name)
    drawn = task.draw(N, seed=3, **options).labels.numpy()
    shares[label] = np.bincount(drawn, minlength=task.n_classes) / N
    print(f"{label:<24} " + "  ".join(f"{s:.3f}" for s in shares[label]))

# %% [markdown]
# Two tasks are skewed, the starting notebook's own: `sum` is about 78 % positive
# (76 % in this draw) and `positional` about 2.5 %. Every other task is balanced
# **exactly**: its labels are dealt out in equal numbers before the sequences are
# built, so 2,000 draws give 1,000 of each class (500 of each of temporal order's
# four). Below, the largest share of each task: its majority baseline.

# %%
assert abs(shares["sum"][1] - 0.78) < 0.03
assert abs(shares["positional"][1] - 0.025) < 0.01
skewed = {"sum", "positional"}
for label, share in shares.items():
    if label not in skewed:
        assert (share == 1 / len(share)).all(), label
{label: round(float(share.max()), 3) for label, share in shares.items()}

# %% [markdown]
# ## Temporal order: two events among distractors
#
# This is task 6a of Hochreiter and Schmidhuber (1997). A sequence starts with `B`,
# ends with `E`, and is filled with distractors `abcd`. Two events, each `X` or
# `Y`, are planted; the class is the pair in order: XX, XY, YX or YY. In the
# published version the first event falls in steps 10-20 and the second in steps
# 50-60.

# %%
order = get_task("temporal-order")
fixed = order.draw(N, seed=4)
fixed_texts = as_text(fixed, ORDER_SYMBOLS)
events = ["".join(ch for ch in text if ch in "XY") for text in fixed_texts]
classes = [ORDER_CLASSES[c] for c in fixed.labels.tolist()]
assert events == classes
print(fixed_texts[0])
events[0], classes[0]

# %% [markdown]
# With fixed windows the evidence always sits at the same few steps. We collect the
# steps that hold an event over all 2,000 sequences: they are 10-20 and 50-60 and
# nothing else. A model with one weight per step can simply look there.

# %%
def event_steps(batch):
    """The steps that hold an X or a Y, over the whole batch."""
    x = ORDER_SYMBOLS.index("X")
    return torch.nonzero(batch.inputs[:, :, x : x + 2].sum(dim=2))[:, 1].unique()


steps = set(event_steps(fixed).tolist())
assert steps == set(range(10, 21)) | set(range(50, 61))
min(steps), max(steps)

# %% [markdown]
# With `random_positions=True` the two events may fall at any two inner steps,
# between the `B` and the `E`. Then only their order tells the class: no step is
# special any more.

# %%
anywhere = order.draw(N, seed=4, random_positions=True)
steps = set(event_steps(anywhere).tolist())
assert steps == set(range(1, order.default_length - 1))  # every inner step
min(steps), max(steps)

# %% [markdown]
# **Figure.** Two temporal-order sequences with fixed windows (top) and two with
# random places (bottom), drawn from the same seed: the distractors are the same,
# only the two marks in the X and Y rows move.

# %%
fig, axes = plt.subplots(4, 1, figsize=(12, 7), sharex=True, layout="constrained")
plots.symbol_sequences(order.draw(2, seed=5), ORDER_SYMBOLS, 2, ORDER_CLASSES,
                       axes=axes[:2])
plots.symbol_sequences(order.draw(2, seed=5, random_positions=True), ORDER_SYMBOLS,
                       2, ORDER_CLASSES, axes=axes[2:])
fig.suptitle("temporal order: fixed windows (top two), random places (bottom two)")
plt.close(fig)
fig

# %% [markdown]
# Counting symbols helps here, but only half the way: XX has two X, YY has two Y,
# and XY and YX both have one of each. So a counting model can at best get two
# classes of four right, and guess the other two.

# %%
x_count = anywhere.inputs[:, :, ORDER_SYMBOLS.index("X")].sum(dim=1)  # (B,)
y_count = anywhere.inputs[:, :, ORDER_SYMBOLS.index("Y")].sum(dim=1)  # (B,)
mixed = (anywhere.labels == 1) | (anywhere.labels == 2)  # XY or YX
assert ((x_count == 1) & (y_count == 1) == mixed).all()
round(mixed.float().mean().item(), 3)

# %% [markdown]
# ## Parity: neither order nor position
#
# A parity sequence is a string of bits, each one-hot over `01`; the label is 1
# when the number of ones is odd. Its `order_matters` is False, and rightly:
# shuffle the bits and the count stays the same. Yet every bit matters, and
# flipping any one flips the label.

# %%
parity = get_task("parity")
bits = parity.draw(N, seed=6, length=12)
ones = bits.inputs[:, :, PARITY_SYMBOLS.index("1")].sum(dim=1)  # (B,)
assert (ones.long() % 2 == bits.labels).all()
print(as_text(bits, PARITY_SYMBOLS)[0], "ones:", int(ones[0]), "label:",
      int(bits.labels[0]))

# %% [markdown]
# ## Latch: carry one symbol across a gap
#
# A latch sequence is a short run of `a`, then `b` (class 1) or `e` (class 0),
# then a long run of the filler `c`, then `d` to mark the end. A model that reads
# step by step must hold on to that one symbol for the whole gap.

# %%
latch = get_task("latch")
latches = latch.draw(N, seed=7)
latch_texts = as_text(latches, LATCH_SYMBOLS)
has_b = np.array(["b" in text for text in latch_texts])
assert (has_b == (latches.labels.numpy() == 1)).all()
latch_texts[:3], latches.labels[:3].tolist()

# %% [markdown]
# The check above shows what the rule really is: class 1 holds a `b` and class 0
# never does. Shuffle the steps and the `b` is still there, so the registry marks
# the latch `order_matters=False`, and a model that only counts symbols can solve
# it. The latch tests **memory across a gap** for a model that reads one step at a
# time; it does not test order. Flags are claims: check them against the rule.
#
# ## The starting notebook's tasks: values, not symbols
#
# `sum` and `positional` hold one number per step (F is 1), uniform on [0, 1).
# `sum` asks whether the five add up to more than 2, which no reordering changes.
# `positional` asks about steps 0, 3 and 4 by their place: it depends on
# **position**, and so does `positional-balanced`, the same rule with half
# positives.

# %%
sums = get_task("sum").draw(N, seed=8)
assert ((sums.inputs[:, :, 0].sum(dim=1) > 2).long() == sums.labels).all()
for name in ("positional", "positional-balanced"):
    drawn = get_task(name).draw(N, seed=8)
    x = drawn.inputs[:, :, 0]  # (B, 5)
    rule = (x[:, 0] > 0.8) & (x[:, 3] + x[:, 4] < 0.5)
    assert (rule.long() == drawn.labels).all(), name
x[:2].numpy().round(2), drawn.labels[:2].tolist()

# %% [markdown]
# **Instructor note:** before showing the table, ask the room to sort the tasks
# into "a model that only counts could solve it" and "it could not". Expect the
# latch to split the room: it looks like a story in order, yet a count decides it.

# %% [markdown]
# Here is the whole picture. The last column is what the rule checks above showed:
# whether a model that counts symbols (or adds values) and ignores where they
# were could decide the label.
#
# | task | the label depends on | `order_matters` | counting decides |
# | --- | --- | --- | --- |
# | sum | the total | False | yes |
# | parity | the number of ones | False | yes |
# | latch | the symbol after the `a` run | False | yes |
# | positional (both) | the values at steps 0, 3, 4 | True | partly |
# | temporal order, fixed | two events in order, in known windows | True | half |
# | temporal order, random | two events in order, anywhere | True | half |
# | motif | an adjacent pair in order, anywhere | True | no |
#
# ("Partly": positives hold one value above 0.8 and two small ones, so the mix of
# values differs between the classes, but not enough to decide every sequence.
# "Half": counts separate XX from YY from the rest, never XY from YX.)
#
# ## Variable lengths and zero padding
#
# Tasks with `variable_length` accept `lengths=(low, high)`: each sequence gets its
# own length, drawn uniformly from low to high inclusive. The batch is as long as
# its longest sequence, and the shorter ones are padded at the end with steps of
# all zeros, which no symbol uses. `lengths` says where each real sequence ends.

# %%
short = motif.draw(6, seed=9, lengths=(5, 20))
for length, text in zip(short.lengths.tolist(), as_text(short, MOTIF_SYMBOLS),
                        strict=True):
    print(f"{length:>2} {text}")
tuple(short.inputs.shape)

# %% [markdown]
# We check this on 2,000 sequences: the batch is exactly as long as the longest
# one, every real step holds one symbol, and every padded step is all zeros. With
# lengths uniform on 5-20 the mean length is 12.5, so about 62.5 % of the 20 steps
# are real and the rest is padding.

# %%
padded = motif.draw(N, seed=10, lengths=(5, 20))
step_sums = padded.inputs.sum(dim=2)  # (B, T)
real = torch.arange(padded.inputs.shape[1]) < padded.lengths[:, None]  # (B, T)
assert padded.inputs.shape[1] == padded.lengths.max() == 20
assert padded.lengths.min() == 5
assert (step_sums[real] == 1).all() and (step_sums[~real] == 0).all()
assert abs(real.float().mean().item() - 0.625) < 0.02
round(real.float().mean().item(), 3)

# %% [markdown]
# **Figure.** The same six short motif sequences; the shaded steps are padding.
# A model must be told the lengths, or it will read the padding as part of the
# sequence (notebook 04 shows what the LSTM does with them).

# %%
fig = plots.symbol_sequences(short, MOTIF_SYMBOLS, 6, ["YX", "XY"],
                             title="motif, lengths 5-20")
plt.close(fig)
fig

# %% [markdown]
# Tasks that cannot do something say so. The starting notebook's tasks have one
# fixed length, and temporal order with fixed windows needs room for its second
# window:

# %%
for name, kwargs in [("sum", {"lengths": (3, 5)}), ("temporal-order", {"length": 30})]:
    try:
        get_task(name).draw(4, seed=0, **kwargs)
    except ValueError as error:
        print(f"{name}: {error}")

# %% [markdown]
# ## Seeds: the same seed, the same batch
#
# No task touches a global random state. An integer seed always gives the same
# batch, and another seed gives another batch.

# %%
first, again, other = (motif.draw(8, seed=s) for s in (11, 11, 12))
same = all(torch.equal(a, b) for a, b in zip(
    (first.inputs, first.labels, first.lengths),
    (again.inputs, again.labels, again.lengths), strict=True))
assert same and not torch.equal(first.inputs, other.inputs)
same

# %% [markdown]
# A `numpy.random.Generator` works too. Its first draw equals the draw from the
# integer seed it was made with; each later draw moves the generator on, so it
# gives new sequences. That is how a training loop draws a fresh batch every step
# and still repeats exactly.

# %%
rng = np.random.default_rng(11)
from_rng, next_from_rng = motif.draw(8, rng), motif.draw(8, rng)
assert torch.equal(from_rng.inputs, first.inputs)
assert not torch.equal(next_from_rng.inputs, first.inputs)
as_text(next_from_rng, MOTIF_SYMBOLS)[0]

# %% [markdown]
# ## Exercises (10 minutes)
#
# 1. Draw 2,000 `latch` sequences with `lag=(30, 30)`. What lengths do you get,
#    and why do they vary? (Read `help(latch.draw_fn)`.)
# 2. Draw 2,000 `parity` strings with `lengths=(1, 20)` and check the class
#    balance and the rule on them. Is every length equally common?
# 3. For `temporal-order` with `random_positions=True`, how often do the two
#    events sit side by side? Work it out for a length of 100, then measure it.
# 4. Design on paper a task where counting symbols decides nothing and the
#    evidence sits at one fixed step. Which model of the course should find it
#    easy?

# %% [markdown]
# ## Key points
#
# - A batch holds `inputs` (B, T, F), `labels` (B,) and `lengths` (B,). Symbols are
#   one-hot, so F is the number of symbols; padding steps are all zeros.
# - The course's own tasks are balanced exactly; only the starting notebook's
#   `sum` (78 % positive) and `positional` (2.5 %) are skewed.
# - The tasks differ in where the evidence sits: at fixed positions (positional,
#   temporal order with fixed windows), in the order of events anywhere (motif,
#   temporal order with random places), or in counts (sum, parity, latch).
# - In motif both classes hold the same symbols, so counting cannot solve it; the
#   latch looks ordered, yet a count of `b` decides it: it tests memory instead.
# - The same seed always gives the same batch; a generator gives a repeatable
#   stream of fresh batches.
