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
# # Exercises 02 · Measuring
#
# **Questions:** How do you draw a balanced version of a task without changing what
# it asks? How are balanced accuracy and the majority baseline computed?
#
# **Objectives:** Draw each class of a task from its own region with a seeded
# generator. Compute balanced accuracy and the majority baseline by hand. Read a
# check's report and act on its hint.
#
# **Minutes:** teaching 5, exercises 20

# %% [markdown]
# These exercises go with notebook 02, *What went wrong*. Each one asks you to write
# a function in place of a line that raises `NotImplementedError`. Run that cell,
# then run the check beneath it: the check calls your function on cases you have
# not seen and prints what passed, what failed, and a hint when it recognises the
# mistake. Running every cell before you have written anything is fine: the checks
# say "not written yet".

# %% [markdown]
# **Instructor note:** introduce the checks before anyone starts: one live run of a
# check on the unwritten placeholder ("not written yet"), then on a wrong answer,
# shows what the reports look like. Exercise 1 takes most of the time; learners
# who finish early can try exercise 2 on the four-class case by hand first.

# %%
import numpy as np
import torch

from seqlib import get_task
from seqlib.checks import (
    check_balanced_accuracy,
    check_balanced_positional,
    check_majority_baseline,
)


def obeys_rule(values):
    """The starting notebook's rule on (n, 5) values: x0 > 0.8 and x3 + x4 < 0.5."""
    return (values[:, 0] > 0.8) & (values[:, 3] + values[:, 4] < 0.5)


obeys_rule(np.array([[0.9, 0.5, 0.5, 0.1, 0.2], [0.5, 0.5, 0.5, 0.1, 0.2]]))

# %% [markdown]
# ## Exercise 1 · A balanced positional task (easy to medium, 10 minutes)
#
# Only 2.5 % of the positional task's sequences are positive, which is why "always
# 0" scores 97.5 %. Write `draw_balanced_positional(n, seed)`: `n` sequences of 5
# values in [0, 1), exactly half of them positive (3 or 4 of 7 when `n` is odd), in
# a random order, labelled by `obeys_rule`.
#
# - Return `(inputs, labels)`: inputs of shape `(n, 5, 1)` and dtype float32
#   (batch, time, features), labels of shape `(n,)` and dtype int64.
# - Take every random number from `np.random.default_rng(seed)`, so that the same
#   seed gives the same draw.
# - Balance without changing the task: apart from the rule, a positive should look
#   like any other sequence that obeys it, and a negative like any other that does
#   not. Otherwise a model can learn the difference you made instead of the rule.


# %%
def draw_balanced_positional(n, seed):
    """n sequences of the positional task, half positive: (inputs, labels)."""
    ### BEGIN SOLUTION
    # Hint: decide the labels first (half 1, half 0, in a random order), then draw
    # every sequence uniformly and draw again those whose rule disagrees with
    # their label, using only rng = np.random.default_rng(seed).
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 2)  # (n,) half 1, half 0, shuffled
    values = rng.random((n, 5))  # (n, 5) uniform on [0, 1)
    # Redrawing a row until it fits its label keeps it uniform inside its class's
    # region: rejection sampling. About 40 tries per positive, all vectorised.
    wrong = obeys_rule(values) != labels  # (n,) rows that do not fit yet
    while wrong.any():
        values[wrong] = rng.random((int(wrong.sum()), 5))
        wrong = obeys_rule(values) != labels
    inputs = torch.tensor(values[:, :, None], dtype=torch.float32)  # (n, 5, 1)
    return inputs, torch.from_numpy(labels).long()
    ### END SOLUTION


# %%
balanced_check = check_balanced_positional(draw_balanced_positional)

# %% [markdown]
# Once the check passes, compare the two classes step by step. Only steps 0, 3 and
# 4 should differ between them: the rule reads nothing else.

# %%
if balanced_check.passed:
    inputs, labels = draw_balanced_positional(10_000, seed=1)
    values = inputs[:, :, 0]  # (n, 5)
    print("sequences per class:", torch.bincount(labels).tolist())
    for label in (1, 0):
        means = values[labels == label].mean(dim=0).tolist()  # 5 means
        print(f"class {label}, mean of each step:", [round(m, 2) for m in means])
else:
    print("Finish exercise 1 first: this cell uses your draw.")

# %% [markdown]
# **Instructor note:** the usual first attempt draws negatives with x0 below 0.8,
# or positives with x3 and x4 near 0. The classes are then balanced but each class
# is skewed inside its region, and the check names the skewed statistic. Ask: what
# could a model learn from that difference instead of the rule? Some learners
# discover seqlib's own `positional-balanced` task, which draws positives directly
# inside the region (x0 on (0.8, 1), a reflected point in the triangle): a fine
# answer too.

# %% [markdown]
# ## Exercise 2 · Scores by hand (easy, 10 minutes)
#
# **a.** Write `balanced_accuracy(y_true, y_pred)`: the mean over the classes present
# in `y_true` of their recall, the share of the sequences truly of class `c` that
# were predicted `c`. Both arguments are NumPy arrays of integer labels; it must
# work for any number of classes.


# %%
def balanced_accuracy(y_true, y_pred):
    """Mean recall over the classes present in y_true."""
    ### BEGIN SOLUTION
    # Hint: for each class c in np.unique(y_true), find the share of its members
    # that were predicted c (its recall); return the mean of those shares.
    recalls = [np.mean(y_pred[y_true == c] == c) for c in np.unique(y_true)]
    return float(np.mean(recalls))
    ### END SOLUTION


# %%
accuracy_check = check_balanced_accuracy(balanced_accuracy)

# %% [markdown]
# **b.** Write `majority_baseline(y_true)`: the accuracy of a "model" that always
# predicts the most frequent class of `y_true`.


# %%
def majority_baseline(y_true):
    """The share of the most frequent class: what always predicting it scores."""
    ### BEGIN SOLUTION
    # Hint: np.bincount(y_true) counts each class; the baseline is the largest
    # count divided by the number of labels.
    return np.bincount(y_true).max() / len(y_true)
    ### END SOLUTION


# %%
baseline_check = check_majority_baseline(majority_baseline)

# %% [markdown]
# With both written, score the starting notebook's collapsed models: after 30 steps
# they answer 0 to every sequence. On 10,000 held-out sequences of the positional
# task, accuracy looks excellent; the other two numbers say what it is worth.

# %%
if accuracy_check.passed and baseline_check.passed:
    held_out = get_task("positional").draw(10_000, seed=20_000)
    y_true = held_out.labels.numpy()
    y_pred = np.zeros_like(y_true)  # the collapsed model: always 0
    print(f"accuracy          {np.mean(y_true == y_pred):.3f}")
    print(f"majority baseline {majority_baseline(y_true):.3f}")
    print(f"balanced accuracy {balanced_accuracy(y_true, y_pred):.3f}")
else:
    print("Finish exercise 2 a and b first: this cell uses both.")

# %% [markdown]
# **Instructor note:** ask the room for the balanced accuracy of any constant
# predictor before running the last cell (one half with two classes, one over the
# number of classes in general). Learners who wrote `(tpr + tnr) / 2` pass the
# two-class cases and fail the four-class one: a good moment to say why the general
# definition is the one to remember.

# %% [markdown]
# ## Key points
#
# - Balance a task by deciding the labels first and drawing each sequence to fit
#   its label; redrawing until it fits keeps each class uniform in its region.
# - A balanced set whose classes differ in more than the rule invites a shortcut.
# - Balanced accuracy is the mean recall over classes: any constant predictor
#   scores one over the number of classes.
# - The majority baseline is what always answering the commonest class scores;
#   print it beside every accuracy.
