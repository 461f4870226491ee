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
# # Exercises 04 · An LSTM classifier's forward pass
#
# **Questions:** Which of an LSTM's outputs should a classifier read when the
# sequences in a batch have different lengths and the LSTM has several layers?
#
# **Objectives:** Tell `outputs` from `h_n` and say which layer and which step each
# holds. Take each sequence's output at its last real step. Write a classifier's
# forward pass and test it against the same sequences run one by one, unpadded.
#
# **Minutes:** teaching 5, exercises 25

# %% [markdown]
# These exercises go with notebook 04, *The models*. Write each function in place of
# the line that raises `NotImplementedError`, run its cell, then run the check
# beneath it.
#
# Dimension letters: B batch, T time steps (the padded length), F features per step,
# H hidden units, C classes.

# %%
import torch
from torch import nn

from seqlib import LSTM, get_task
from seqlib.checks import check_last_real_step, check_lstm_forward

torch.manual_seed(0)
lstm = nn.LSTM(input_size=2, hidden_size=3, num_layers=2, batch_first=True)
lengths = torch.tensor([4, 2])  # two sequences, the second padded with 2 zero steps
inputs = torch.randn(2, 4, 2)  # (B, T, F)
inputs[1, 2:] = 0.0  # padding
outputs, (h_n, c_n) = lstm(inputs)
assert outputs.shape == (2, 4, 3)  # (B, T, H): the top layer, at every step
assert h_n.shape == (2, 2, 3)  # (layers, B, H): every layer, at the last step only
outputs.shape, h_n.shape

# %% [markdown]
# `outputs` holds the top layer's state at every step; `h_n` holds every layer's
# state after the last step, bottom layer first. Both ran over the padding: for the
# short sequence, the last step is a padded one.

# %%
_, (h_alone, _) = lstm(inputs[1:, :2])  # the short sequence alone, unpadded
print("h_n[-1] equals outputs[:, -1]:", torch.allclose(h_n[-1], outputs[:, -1]))
print("top layer, short sequence, after its 2 real steps:",
      torch.allclose(h_alone[-1, 0], outputs[1, 1]))
print("the same, after the padding:", torch.allclose(h_alone[-1, 0], h_n[-1, 1]))

# %% [markdown]
# ## Exercise 1 · The last real step (easy, 10 minutes)
#
# Write `last_real_step(outputs, lengths)`. `outputs` has shape `(B, T, H)` and
# `lengths` shape `(B,)`, the number of real steps of each sequence (at least 1, at
# most T). Return a tensor of shape `(B, H)` whose row `i` is `outputs[i]` at the
# last real step of sequence `i`. No Python loop is needed.


# %%
def last_real_step(outputs, lengths):
    """Row i of outputs (B, T, H) at step lengths[i] - 1: shape (B, H)."""
    raise NotImplementedError(
        "index outputs with two tensors at once: one row number per sequence, and the "
        "step to take from each row (steps count from 0)."
    )


# %%
check_last_real_step(last_real_step)

# %% [markdown]
# ## Exercise 2 · The classifier's forward pass (medium, 15 minutes)
#
# Complete `forward` in the class below: run the LSTM over the padded batch, take
# each sequence's top-layer output at its last real step, and return the head's
# scores, shape `(B, C)`. Return raw scores (logits): the loss applies the softmax
# itself. Keep `__init__` as it is: the check builds the class with one, two and
# three layers and compares your scores with the same sequences run one at a time.


# %%
class LSTMClassifier(nn.Module):
    """An LSTM and a linear head on each sequence's last real step."""

    def __init__(self, n_features=1, hidden=16, n_classes=2, layers=1):
        super().__init__()
        self.lstm = nn.LSTM(n_features, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, inputs, lengths):
        """inputs (B, T, F) zero-padded, lengths (B,) -> logits (B, C)."""
        raise NotImplementedError(
            "run self.lstm over the padded batch, take each sequence's output at its "
            "last real step (exercise 1), then apply self.head."
        )


# %%
forward_check = check_lstm_forward(LSTMClassifier)

# %% [markdown]
# Your classifier has the same parts, with the same names, as seqlib's `LSTM`, so
# weights copy across. Once the check passes, this cell loads a seqlib LSTM's
# weights into yours and compares the two on a batch of the motif task, whose
# sequences have lengths 5 to 40.

# %%
if forward_check.passed:
    batch = get_task("motif").draw(256, seed=4, lengths=(5, 40))
    torch.manual_seed(1)
    theirs = LSTM(n_features=6, hidden=32, n_classes=2, layers=2)
    mine = LSTMClassifier(n_features=6, hidden=32, n_classes=2, layers=2)
    mine.load_state_dict(theirs.state_dict())
    with torch.no_grad():
        same = torch.allclose(
            mine(batch.inputs, batch.lengths), theirs(batch.inputs, batch.lengths)
        )
    print("the same scores as seqlib's LSTM on 256 motif sequences:", same)
else:
    print("Finish exercise 2 first: this cell uses your classifier.")

# %% [markdown]
# ## Key points
#
# - `outputs` is the top layer at every step, `(B, T, H)`; `h_n` is every layer at
#   the last step, `(layers, B, H)`, bottom layer first.
# - Over a padded batch, the last step is a padded one for every shorter sequence:
#   read each sequence's output at index `lengths - 1`.
# - A left-to-right LSTM's output at step t ignores later steps, so reading it
#   there gives exactly the unpadded answer.
# - Test a forward pass against a slow, obviously right version: each sequence run
#   alone.
