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
# # Exercises 05 · The training loop
#
# **Questions:** What happens in one training step, in which order, and why? How do
# you score a model so that the score means something?
#
# **Objectives:** Write one training step in its stages: forward, loss, zero grad,
# backward, step. Score a model under `eval()` and `torch.no_grad()` with balanced
# accuracy, and leave it as you found it. Use both in a loop that logs held-out
# scores at fixed points.
#
# **Minutes:** teaching 5, exercises 20

# %% [markdown]
# These exercises go with notebook 05, *A fair comparison*. Write each function in
# place of the line that raises `NotImplementedError`, run its cell, then run the
# check beneath it. The last cell puts your two functions together into a training
# loop.

# %%
import numpy as np
import torch
from torch import nn

from seqlib import DNN, TrainSettings, get_task, metrics, seeded_model
from seqlib.checks import check_evaluate, check_train_step
from seqlib.training import training_batches

# %% [markdown]
# ## Exercise 1 · One training step (easy to medium, 10 minutes)
#
# Write `train_step(model, batch, optimiser, loss_fn)`. It runs the model on
# `batch.inputs` and `batch.lengths`, computes `loss_fn` on the scores and
# `batch.labels`, updates the weights once with `optimiser`, and returns the loss as
# a Python float.


# %%
def train_step(model, batch, optimiser, loss_fn):
    """One optimiser step on one batch; returns the batch's loss (a float)."""
    raise NotImplementedError(
        "five stages: forward (give the model the lengths too), loss, zero the "
        "gradients, backward, step; then return the loss as a Python float."
    )


# %%
step_check = check_train_step(train_step)

# %% [markdown]
# ## Exercise 2 · Scoring a model (medium, 10 minutes)
#
# Write `evaluate(model, batch)`: the model's balanced accuracy on `batch`. Score
# the model as it will be used: in evaluation mode (dropout off) and without
# building a computation graph. The check's model uses dropout and is in training
# mode when your function gets it, as it would be in the middle of training: leave
# it in the mode you found it in. `metrics.balanced_accuracy(y_true, y_pred)` is
# yours to use.


# %%
def evaluate(model, batch):
    """Balanced accuracy of the model on the batch, under eval() and no_grad()."""
    raise NotImplementedError(
        "switch training behaviour off, predict without building a graph, take the "
        "most likely class of each sequence, and put the model back in the mode it was "
        "in (model.training says which)."
    )


# %%
evaluate_check = check_evaluate(evaluate)

# %% [markdown]
# ## Your loop
#
# With both functions written, this cell trains the starting notebook's DNN on the
# balanced positional task: 600 steps of 32 fresh sequences, and the balanced
# accuracy on 10,000 fixed held-out sequences every 100 steps, logged beside the
# mean training loss since the last line.

# %%
STEPS = 600  # optimiser steps
EVERY = 100  # steps between held-out scores
SETTINGS = TrainSettings(steps=STEPS, batch_size=32, lr=0.01, seed=0)

if step_check.passed and evaluate_check.passed:
    task = get_task("positional-balanced")
    held_out = task.draw(10_000, seed=20_000)
    baseline = metrics.majority_baseline(held_out.labels.numpy())
    print(f"held-out majority baseline {baseline:.3f}")
    model = seeded_model(lambda: DNN(length=5, n_features=1, hidden=(32,)), seed=0)
    optimiser = torch.optim.Adam(model.parameters(), lr=SETTINGS.lr)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for step, batch in enumerate(training_batches(task, SETTINGS), start=1):
        losses.append(train_step(model, batch, optimiser, loss_fn))
        if step % EVERY == 0:
            score = evaluate(model, held_out)
            print(f"step {step:4d}  train loss {np.mean(losses):.3f}  "
                  f"held-out balanced accuracy {score:.3f}")
            losses = []
else:
    print("Finish exercises 1 and 2 first: this cell uses both.")

# %% [markdown]
# ## Key points
#
# - A step is forward, loss, zero grad, backward, step; return `loss.item()`, not
#   the tensor.
# - Torch adds gradients up until you reset them: zero them every step.
# - Score under `model.eval()` and `torch.no_grad()`, with balanced accuracy, on a
#   fixed held-out set, and put the model back in the mode it was in.
