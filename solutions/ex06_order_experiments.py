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
# # Exercises 06 · Experiments where order matters
#
# **Questions:** Can you design a task where only the order of events decides the
# label, and which model wins on it? How do you show that a trained model uses
# order?
#
# **Objectives:** Design a balanced task whose classes hold the same events in
# different orders. Compare a DNN, an LSTM and an order-blind bag model on it with
# seeds and a fixed held-out set. Write a permutation test and read its result for
# each model.
#
# **Minutes:** teaching 5, exercises 40

# %% [markdown]
# These exercises go with notebook 06, *Where the LSTM wins*. Exercise 1 is open:
# there are many good tasks, and the check only rules out the common traps. The
# cells after each check run once it passes; they train real models, which takes
# about ten seconds.

# %% [markdown]
# **Instructor note:** give exercise 1 a full 25 minutes and collect two or three
# designs on the board before anyone runs the comparison: ask the room to predict
# the winner of each. Designs that the check rejects as "order-blind probe scores
# high" are worth discussing too: their label depends on what occurs, not on when.

# %%
import numpy as np
import torch

from seqlib import (
    Batch,
    Task,
    TrainSettings,
    build_model,
    compare,
    evaluate,
    seeded_model,
    train,
)
from seqlib.checks import check_order_task, check_permutation_test
from seqlib.order_tasks import SIZES

LENGTH = 20  # steps per sequence
SETTINGS = TrainSettings(
    steps=400,  # at most; enough for both models to settle on the solution's task
    batch_size=64,
    lr=0.003,
    train_size=2000,  # a fixed training set, as data is often scarce
    length=LENGTH,
    clip_grad=1.0,  # LSTM gradients can spike early in training
    early_stop=0.99,  # stop once validation balanced accuracy reaches 0.99
)
SEEDS = 2  # training seeds per model: enough to see the spread, quick to run
HELD_OUT = 2000  # fixed held-out sequences, the same for every model and seed
SIZES

# %% [markdown]
# ## Exercise 1 · Design a task where order matters (open-ended, 25 minutes)
#
# Write `draw_my_task(n, rng, length)`: `n` labelled sequences of `length` steps
# whose label is decided by the **order** of events, not by which events occur.
#
# - Return `(inputs, labels)`: inputs of shape `(n, length, features)` (float; a
#   one-hot vector per step works well for symbols), labels of shape `(n,)`,
#   integers from 0.
# - Balanced classes; every random number from `rng`, a `numpy.random.Generator`.
# - Both classes should hold the same events, so that a model that ignores order
#   (the bag model, which averages over time) cannot tell them apart.
#
# The check cannot tell whether your label depends on order; the comparison after
# it will.


# %%
def draw_my_task(n, rng, length):
    """n sequences of a task where only the order of events decides the label."""
    ### BEGIN SOLUTION
    # Hint: for example, put two As and two Bs at random places in a background of
    # random symbols, and let the label say which of A and B comes first; both
    # classes then hold the same symbols.

    # Is the first of four events (two As, two Bs) an A? Symbols a-d are noise.
    symbols = rng.integers(0, 4, size=(n, length))  # (n, T) background a-d
    labels = rng.permutation(np.arange(n) % 2)  # (n,) 1: the first event is an A
    first = np.where(labels == 1, 4, 5)  # (n,) 4 is A, 5 is B
    rest = np.stack([first, 9 - first, 9 - first], axis=1)  # (n, 3) the other three
    events = np.concatenate([first[:, None], rng.permuted(rest, axis=1)], axis=1)
    # Four distinct places in increasing order: the first four of a random order.
    places = np.sort(np.argsort(rng.random((n, length)), axis=1)[:, :4], axis=1)
    symbols[np.arange(n)[:, None], places] = events  # (n, 4) places filled
    inputs = np.eye(6, dtype=np.float32)[symbols]  # (n, T, 6) one-hot
    return inputs, labels
    ### END SOLUTION


# %%
task_check = check_order_task(draw_my_task)


# %% [markdown]
# This helper wraps your function as a seqlib task of one fixed length, so that
# `compare` can train and score the three models on it.


# %%
def as_task(draw, length, name="my-task"):
    """A seqlib Task whose draws come from draw(n, rng, length)."""

    def draw_fn(n, rng, low, high):
        inputs, labels = draw(n, rng, low)
        inputs = torch.as_tensor(inputs, dtype=torch.float32)  # (n, T, F)
        labels = torch.as_tensor(labels, dtype=torch.long)  # (n,)
        return Batch(inputs, labels, torch.full((n,), low))

    inputs, labels = draw(10, np.random.default_rng(0), length)
    return Task(
        name=name,
        description="designed in exercise 1",
        order_matters=True,
        n_features=inputs.shape[2],
        n_classes=int(np.max(labels)) + 1,
        default_length=length,
        variable_length=False,
        draw_fn=draw_fn,
    )


# %% [markdown]
# The comparison: each model trained with 2 seeds on the same 2,000 training
# sequences and scored on the same 2,000 held-out ones.

# %%
if task_check.passed:
    my_task = as_task(draw_my_task, LENGTH)
    comparison = compare(
        my_task,
        ["dnn", "lstm", "bag"],
        seeds=SEEDS,
        settings=SETTINGS,
        held_out_size=HELD_OUT,
        model_sizes=SIZES,
    )
    print(comparison.table())
else:
    print("Finish exercise 1 first: this cell trains models on your task.")

# %% [markdown]
# **Which model wins, and why?** Write two or three sentences: which model wins,
# by how much compared with the spread over seeds, and what in your task explains
# it. Is the bag model where you expected?
#
# ### BEGIN SOLUTION
# On "is the first of four events an A?", the LSTM wins: 0.989 balanced accuracy
# against the DNN's 0.945, a gap of about 0.04 on both seeds, and McNemar's test
# puts the difference far beyond chance (p below 1e-16). The DNN is not hopeless:
# its one weight per (step, symbol) can learn which places come before which, but
# it must learn that separately for every pair of places from 2,000 sequences. The
# LSTM reads every step with the same weights and only has to remember whether it
# has met an event yet, and which. The bag model sits at chance, as it must: both
# classes hold exactly two As and two Bs.
# ### END SOLUTION

# %% [markdown]
# One more model of each kind, trained once (seed 0) on your task, to test below.

# %%
if task_check.passed:
    held_out = my_task.draw(HELD_OUT, seed=20_000, length=LENGTH)
    models = {}
    for name in ("dnn", "lstm", "bag"):
        models[name] = seeded_model(
            lambda name=name: build_model(name, my_task, **SIZES[name]), seed=0
        )
        train(models[name], my_task, SETTINGS, held_out)
        score = evaluate(models[name], held_out).balanced_accuracy
        print(f"{name:<5} held-out balanced accuracy {score:.3f}")
else:
    print("Finish exercise 1 first: this cell trains models on your task.")

# %% [markdown]
# ## Exercise 2 · A permutation test (medium, 15 minutes)
#
# Does a trained model use order? Shuffle the steps of each held-out sequence and
# score it again. Write `permutation_test(model, batch, seed)` returning
# `(before, after)`: the balanced accuracy on `batch`, then on a copy whose real
# steps are shuffled within each sequence.
#
# - Shuffle only each sequence's real steps, its first `batch.lengths[i]`, each
#   sequence in its own random order; padding stays at the end.
# - Leave `batch` unchanged, and take every random number from
#   `np.random.default_rng(seed)`.
# - `evaluate(model, batch).balanced_accuracy` scores a model under `eval()` and
#   `no_grad()`; `Batch(inputs, labels, lengths)` builds a batch.


# %%
def permutation_test(model, batch, seed):
    """Balanced accuracy before and after shuffling each sequence's real steps."""
    ### BEGIN SOLUTION
    # Hint: clone batch.inputs; for each row i, reorder its first lengths[i] steps
    # with rng.permutation(lengths[i]); then score both batches with
    # evaluate(model, ...).balanced_accuracy.
    rng = np.random.default_rng(seed)
    shuffled = batch.inputs.clone()  # (B, T, F): the caller's batch stays intact
    for row, length in enumerate(batch.lengths.tolist()):
        order = torch.from_numpy(rng.permutation(length))  # (L,)
        shuffled[row, :length] = batch.inputs[row, order]
    before = evaluate(model, batch).balanced_accuracy
    after = evaluate(model, Batch(shuffled, batch.labels, batch.lengths))
    return before, after.balanced_accuracy
    ### END SOLUTION


# %%
permutation_check = check_permutation_test(permutation_test)

# %% [markdown]
# With both exercises done, test the three models trained on your task: a model
# that uses order drops towards chance when the order is shuffled; an order-blind
# one does not move.

# %%
if task_check.passed and permutation_check.passed:
    for name, model in models.items():
        before, after = permutation_test(model, held_out, seed=0)
        print(f"{name:<5} balanced accuracy {before:.3f}, shuffled {after:.3f}")
else:
    print("Finish exercises 1 and 2 first: this cell uses both.")

# %% [markdown]
# **Instructor note:** on the solution's task both the DNN and the LSTM fall to
# chance when shuffled, and the bag model stays at chance throughout: the test
# shows that the two models that learned the task learned it from order. Run the
# test on notebook 02's positional task if time allows: there the DNN also falls,
# yet its task was never about order in the sense of "which came first", only about
# fixed positions. A drop says the model reads where things are; it does not say
# why.

# %% [markdown]
# ## Key points
#
# - A task where only order matters holds the same events in both classes; an
#   order-blind model then sits at chance by construction.
# - A dense network on a fixed length sees order too, through one weight per
#   position; how much the LSTM's shared weights help depends on the task.
# - A permutation test shuffles each sequence's real steps and scores again: a
#   model that drops towards chance uses order.
