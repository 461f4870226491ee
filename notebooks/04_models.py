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
# # 04 · The models
#
# **Questions:** What exactly do a dense network, an order-blind bag model and an
# LSTM compute from a batch of sequences? What does each do with a sequence longer,
# shorter or reordered?
#
# **Objectives:** Follow the shapes through each model and check them with
# asserts; count each model's parameters with a formula and check it; write an LSTM
# step from its equations and check it against `torch.nn.LSTM` to 1e-6; feed
# variable-length batches correctly; explain why the forget gate's bias starts at 1.
#
# **Minutes:** teaching 25, exercises 10

# %% [markdown]
# The course compares three classifiers. We name the dimensions once and use the
# letters everywhere, in the prose, in the code and in the shape comments:
#
# - **B**, batch: sequences processed together;
# - **T**, time: steps per sequence, padding included;
# - **F**, features: numbers per step (one per symbol for one-hot input);
# - **H**, hidden: units inside a model;
# - **C**, classes: scores a model gives each sequence.

# %%
import matplotlib.pyplot as plt
import torch

from seqlib import (
    DNN,
    LSTM,
    Bag,
    NotApplicable,
    count_parameters,
    get_task,
    seeded_model,
)
from seqlib.models import ScratchLSTM, set_forget_bias

task = get_task("motif")
batch = task.draw(8, seed=0)  # 8 motif sequences of 40 one-hot steps
B, T, F = batch.inputs.shape
C = task.n_classes
B, T, F, C

# %% [markdown]
# The sizes are the ones the course uses on every symbolic task: large enough that
# capacity is never why a model fails, small enough to train in seconds. Each model
# is built from a seed, so its starting weights are the same every time.

# %%
H_DNN = (128, 128)  # two hidden layers of the dense network
H_BAG = 64  # the bag's per-step layer
H_LSTM = 32  # the LSTM's memory cells
models = {
    "dnn": seeded_model(lambda: DNN(T, F, H_DNN, C), seed=0),
    "bag": seeded_model(lambda: Bag(F, H_BAG, C), seed=0),
    "lstm": seeded_model(lambda: LSTM(F, H_LSTM, C, forget_bias=1.0), seed=0),
}
{name: type(model).__name__ for name, model in models.items()}

# %% [markdown]
# ## One batch through each model
#
# Every model takes inputs (B, T, F) and the lengths (B,), and gives C scores per
# sequence, the **logits**: shape (B, C). The larger score is the prediction.

# %%
for name, model in models.items():
    logits = model(batch.inputs, batch.lengths)
    assert logits.shape == (B, C)
    print(f"{name:<4} {tuple(batch.inputs.shape)} -> {tuple(logits.shape)}")

# %% [markdown]
# ### The dense network (DNN)
#
# The DNN flattens each sequence into one vector of T x F numbers and passes it
# through two ReLU layers. Every (step, symbol) pair has weights of its own, so the
# DNN can tell an X at step 3 from an X at step 30: it is not blind to order.

# %%
dnn = models["dnn"]
flat = batch.inputs.reshape(B, T * F)  # (B, T, F) -> (B, T*F)
assert torch.equal(dnn.net(flat), dnn(batch.inputs))
print(dnn.net)
tuple(flat.shape)

# %% [markdown]
# ### The bag model
#
# The bag applies one small layer to every step on its own, averages the results
# over the real steps, and classifies the average. It shares its weights across
# time, like the LSTM, but it keeps no record of which step came first.

# %%
bag = models["bag"]
per_step = bag.step(batch.inputs)  # (B, T, F) -> (B, T, H): one layer, every step
pooled = per_step.mean(dim=1)  # (B, T, H) -> (B, H): all 40 steps are real here
assert torch.allclose(bag.head(pooled), bag(batch.inputs), atol=1e-6)
tuple(per_step.shape), tuple(pooled.shape)

# %% [markdown]
# ### The LSTM
#
# The LSTM reads the steps one at a time, updating a memory of H numbers, and gives
# its hidden state at every step. A linear head classifies the hidden state after
# the last real step.

# %%
lstm = models["lstm"]
outputs, (h_last, c_last) = lstm.lstm(batch.inputs)  # (B, T, H); (1, B, H) twice
assert outputs.shape == (B, T, H_LSTM) and h_last.shape == (1, B, H_LSTM)
assert torch.allclose(lstm.head(outputs[:, -1]), lstm(batch.inputs))
tuple(outputs.shape), tuple(h_last.shape)

# %% [markdown]
# ## Parameter counts
#
# A linear layer from n inputs to m outputs has n x m weights and m biases. From
# that, each model's count follows:
#
# - DNN: $TF \cdot H_1 + H_1 + H_1 H_2 + H_2 + H_2 C + C$;
# - bag: $F H + H + H C + C$;
# - LSTM: $4\,(F H + H H + 2H) + H C + C$. Each of its four gates (below) has
#   input weights $F H$, recurrent weights $H H$, and a bias of H that torch keeps
#   as two vectors, $2H$.

# %%
def dnn_parameters(T, F, hidden, C):
    sizes = [T * F, *hidden, C]  # layer widths, input to output
    return sum(n * m + m for n, m in zip(sizes[:-1], sizes[1:], strict=True))


def bag_parameters(F, H, C):
    return F * H + H + H * C + C


def lstm_parameters(F, H, C):
    return 4 * (F * H + H * H + 2 * H) + H * C + C


formula = {
    "dnn": dnn_parameters(T, F, H_DNN, C),
    "bag": bag_parameters(F, H_BAG, C),
    "lstm": lstm_parameters(F, H_LSTM, C),
}
counted = {name: count_parameters(model) for name, model in models.items()}
assert formula == counted
counted

# %% [markdown]
# The DNN has about nine times the LSTM's parameters, and most of them, 30,848,
# sit in its first layer, which grows with T. The bag and the LSTM have the same
# count for any length: they reuse the same weights at every step.

# %%
assert count_parameters(dnn.net[0]) == T * F * H_DNN[0] + H_DNN[0] == 30_848
by_length = {t: dnn_parameters(t, F, H_DNN, C) for t in (20, 40, 80, 160)}
assert count_parameters(DNN(160, F, H_DNN, C)) == by_length[160]
assert by_length[160] - by_length[80] == 80 * F * H_DNN[0]  # 128 weights per value
by_length

# %% [markdown]
# ## Longer and shorter sequences
#
# The DNN was built for T = 40 steps. A shorter batch is padded with zeros up to 40,
# which is exactly what the tasks do to a short sequence, so it gets an answer. A
# longer batch has no weights for its extra steps: the DNN refuses it with
# `NotApplicable`, and says why.

# %%
shorter = task.draw(8, seed=1, length=20)
zero_padded = torch.nn.functional.pad(shorter.inputs, (0, 0, 0, T - 20))  # (B, T, F)
assert torch.equal(dnn(shorter.inputs), dnn(zero_padded))
longer = task.draw(8, seed=1, length=41)
try:
    dnn(longer.inputs)
except NotApplicable as reason:
    message = str(reason)
assert "at most 40 steps" in message
message

# %% [markdown]
# The bag and the LSTM read any length with the same weights, including lengths
# far beyond anything they will be trained on.

# %%
much_longer = task.draw(8, seed=1, length=160)
for name in ("bag", "lstm"):
    logits = models[name](much_longer.inputs, much_longer.lengths)
    assert logits.shape == (B, C)
tuple(much_longer.inputs.shape), tuple(logits.shape)

# %% [markdown]
# ## The bag cannot see order
#
# We reorder the 40 steps of every sequence by one random permutation. The bag's
# logits do not change, up to float rounding (the sum over steps is taken in
# another order); the DNN's and the LSTM's do.

# %%
order = torch.randperm(T, generator=torch.Generator().manual_seed(0))  # (T,)
reordered = batch.inputs[:, order]  # (B, T, F): the same steps, another order
change = {}
with torch.no_grad():
    for name, model in models.items():
        diff = model(reordered) - model(batch.inputs)  # (B, C)
        change[name] = diff.abs().max().item()
assert change["bag"] < 1e-6 and change["dnn"] > 1e-3 and change["lstm"] > 1e-3
{name: round(value, 3) for name, value in change.items()}

# %% [markdown]
# This holds for any weights, trained or not: the bag's average is the same for
# every ordering of the same steps. On the motif task, where both classes hold the
# same symbols and only their order differs, the bag cannot beat chance, whatever
# it is trained on.
#
# ## An LSTM cell from scratch
#
# At step t the LSTM reads the input $x_t$ (B, F) and its previous hidden state
# $h_{t-1}$ (B, H), and computes three gates and a candidate, each (B, H):
#
# $$
# \begin{aligned}
# i_t &= \sigma(W_i x_t + U_i h_{t-1} + b_i) && \text{input gate: how much to write}\\
# f_t &= \sigma(W_f x_t + U_f h_{t-1} + b_f) && \text{forget gate: how much to keep}\\
# g_t &= \tanh(W_g x_t + U_g h_{t-1} + b_g) && \text{candidate: what to write}\\
# o_t &= \sigma(W_o x_t + U_o h_{t-1} + b_o) && \text{output gate: how much to show}\\
# c_t &= f_t \odot c_{t-1} + i_t \odot g_t && \text{the cell, its memory}\\
# h_t &= o_t \odot \tanh(c_t) && \text{the hidden state}
# \end{aligned}
# $$
#
# Here $\sigma$ is the logistic function (values between 0 and 1), $\odot$
# multiplies element by element, each $W$ is (H, F), each $U$ is (H, H), and
# $h_0 = c_0 = 0$. The cell $c_t$ changes only by a gated sum, never by a full
# matrix product: that is what lets it carry information across many steps.
#
# Torch stacks the four $W$ into one (4H, F) matrix in the order i, f, g, o, the
# four $U$ into one (4H, H), and keeps the biases as two (4H,) vectors whose sum is
# the $b$ above. Here are the equations as code:

# %%
def lstm_step(x, h, c, W, U, b):
    """One LSTM step. x (B, F); h, c (B, H); W (4H, F); U (4H, H); b (4H,)."""
    W_i, W_f, W_g, W_o = W.chunk(4)  # each (H, F), in torch's order
    U_i, U_f, U_g, U_o = U.chunk(4)  # each (H, H)
    b_i, b_f, b_g, b_o = b.chunk(4)  # each (H,)
    i = torch.sigmoid(x @ W_i.T + h @ U_i.T + b_i)  # (B, H)
    f = torch.sigmoid(x @ W_f.T + h @ U_f.T + b_f)  # (B, H)
    g = torch.tanh(x @ W_g.T + h @ U_g.T + b_g)  # (B, H)
    o = torch.sigmoid(x @ W_o.T + h @ U_o.T + b_o)  # (B, H)
    c = f * c + i * g  # (B, H)
    h = o * torch.tanh(c)  # (B, H)
    return h, c

# %% [markdown]
# We run it over the 40 steps with the weights of our LSTM's `torch.nn.LSTM`, and
# compare the last hidden state with torch's: they agree to better than 1e-6.

# %%
torch_lstm = lstm.lstm  # the torch.nn.LSTM inside seqlib's LSTM
W, U = torch_lstm.weight_ih_l0, torch_lstm.weight_hh_l0  # (4H, F), (4H, H)
b = torch_lstm.bias_ih_l0 + torch_lstm.bias_hh_l0  # (4H,)
h = c = torch.zeros(B, H_LSTM)  # h_0 and c_0
with torch.no_grad():
    for t in range(T):
        h, c = lstm_step(batch.inputs[:, t], h, c, W, U, b)
    reference, _ = torch_lstm(batch.inputs)  # (B, T, H)
gap = (h - reference[:, -1]).abs().max().item()
assert gap < 1e-6
f"largest difference {gap:.6f}"

# %% [markdown]
# `seqlib.models.ScratchLSTM` is the same loop packaged as a classifier, with the
# gates named as in the equations. `ScratchLSTM.from_lstm` copies the weights of a
# trained or untrained `LSTM`; the two give the same logits to 1e-6, and the
# scratch version also records every gate at every step, shape (B, T, H).

# %%
scratch = ScratchLSTM.from_lstm(lstm)
with torch.no_grad():
    scratch_logits, record = scratch.trace(batch.inputs, batch.lengths)
    torch_logits = lstm(batch.inputs, batch.lengths)
gap = (scratch_logits - torch_logits).abs().max().item()
assert gap < 1e-6
print(f"largest difference {gap:.6f}")
{name: tuple(value.shape) for name, value in record.items()}

# %% [markdown]
# **Instructor note:** draw one cell on the board before showing the code: the
# cell line running across the top with its two gates (multiply by f, add i times
# g), the hidden state read off below it. With the picture in mind, the line
# `c = f * c + i * g` stands out as the only path from step to step that passes
# through no weight matrix.

# %% [markdown]
# From here on the course uses `torch.nn.LSTM`: the same numbers, computed by one
# fused routine instead of a Python loop, so it is much faster. The scratch version
# is kept for looking inside.
#
# ## Variable lengths: padding must change nothing
#
# In a batch with mixed lengths every sequence is padded with zero steps up to the
# longest. A model given the lengths must answer exactly as if each sequence had
# been fed alone, unpadded. The LSTM reads left to right, so its state at a
# sequence's last real step has not seen the padding yet: seqlib reads it there.

# %%
mixed = task.draw(B, seed=2, lengths=(5, 40))
singles = [mixed.inputs[i : i + 1, :n] for i, n in enumerate(mixed.lengths.tolist())]
gaps = {}
with torch.no_grad():
    for name, model in models.items():
        together = model(mixed.inputs, mixed.lengths)  # (B, C), one padded batch
        alone = torch.cat([model(single) for single in singles])  # (B, C)
        gaps[name] = (together - alone).abs().max().item()
assert all(gap < 1e-6 for gap in gaps.values())
print(mixed.lengths.tolist())
{name: round(gap, 6) for name, gap in gaps.items()}

# %% [markdown]
# The padding is zeros, but zeros are not nothing to an LSTM: its biases still
# move the state at every step. Called without `lengths`, the LSTM reads the
# padding as part of each sequence, and every sequence shorter than the batch gets
# other logits. Only the longest, which has no padding, keeps its answer.

# %%
with torch.no_grad():
    unaware = lstm(mixed.inputs)  # lengths not given: every step counts as real
    aware = lstm(mixed.inputs, mixed.lengths)
moved = (unaware - aware).abs().amax(dim=1) > 1e-4  # (B,)
assert torch.equal(moved, mixed.lengths < mixed.inputs.shape[1])
moved.tolist()

# %% [markdown]
# ## The forget gate starts at 1
#
# Torch draws every weight and bias of an LSTM uniformly in
# $\pm 1/\sqrt{H}$, so at the start $f_t \approx \sigma(0) = 0.5$: the cell halves
# what it holds at every step, and the gradient that flows back through the cell
# shrinks the same way. After 39 steps, $0.5^{39} \approx 2 \times 10^{-12}$.
# Setting the forget gate's bias to 1 starts $f_t$ near $\sigma(1) = 0.73$, and
# $0.73^{39} \approx 5 \times 10^{-6}$: the LSTM starts out remembering, and
# learns to forget where that helps (Gers, Schmidhuber and Cummins, 2000;
# Jozefowicz, Zaremba and Sutskever, 2015).
# `set_forget_bias` writes 1 into the forget part, the second quarter, of one bias
# vector and 0 into the other's, so their sum is 1.

# %%
plain = seeded_model(lambda: LSTM(F, H_LSTM, C), seed=0)  # torch's initialisation
biased = seeded_model(lambda: LSTM(F, H_LSTM, C), seed=0)
set_forget_bias(biased.lstm, 1.0)
forget = slice(H_LSTM, 2 * H_LSTM)  # the second quarter of the 4H biases
total = biased.lstm.bias_ih_l0[forget] + biased.lstm.bias_hh_l0[forget]
assert torch.equal(total, torch.ones(H_LSTM))
total[:4].tolist()

# %% [markdown]
# The scratch LSTM records the forget gate at every step, so we can measure its
# mean on a batch: near 0.5 with torch's start, near 0.73 with the bias at 1.

# %%
probe = task.draw(256, seed=3)  # 256 motif sequences of 40 steps
mean_forget = {}
with torch.no_grad():
    for name, model in {"torch's start": plain, "forget bias 1": biased}.items():
        _, record = ScratchLSTM.from_lstm(model).trace(probe.inputs)
        mean_forget[name] = record["forget"].mean().item()
assert abs(mean_forget["torch's start"] - 0.5) < 0.05
assert abs(mean_forget["forget bias 1"] - torch.sigmoid(torch.tensor(1.0))) < 0.05
{name: round(value, 3) for name, value in mean_forget.items()}

# %% [markdown]
# What matters for learning is how strongly the last step still responds to an
# early one. We measure the gradient of the last hidden state (summed) with
# respect to the input at every step, averaged over the batch.

# %%
def gradient_reach(model, inputs):
    """Mean size of d(sum of last hidden state)/d(input at step t), shape (T,)."""
    inputs = inputs.clone().requires_grad_(True)
    outputs, _ = model.lstm(inputs)  # (B, T, H)
    outputs[:, -1].sum().backward()
    return inputs.grad.norm(dim=2).mean(dim=0)  # (B, T, F) -> (T,)


reach = {name: gradient_reach(m, probe.inputs)
         for name, m in {"torch's start": plain, "forget bias 1": biased}.items()}
ratio = (reach["forget bias 1"][0] / reach["torch's start"][0]).item()
assert ratio > 1e5
f"at step 0 the gradient is {ratio:.1e} times larger with the bias at 1"

# %% [markdown]
# **Figure.** The gradient reaching each step from the last one, on a log scale.
# Both fall off with distance, but with the forget bias at 1 the fall is far
# slower, and the first step gets a signal over a hundred thousand times
# stronger.

# %%
fig, ax = plt.subplots(figsize=(7, 3.5))
for name, values in reach.items():
    ax.semilogy(range(T), values.numpy(), label=name)
ax.set_xlabel("input step t (the last step is 39)")
ax.set_ylabel("gradient size, mean over batch")
ax.set_title("untrained LSTM, 32 units: how far back the gradient reaches")
ax.legend()
plt.close(fig)
fig

# %% [markdown]
# This is a fact about the start of training, not a guarantee: training moves the
# biases. Its effect on what the LSTM learns is measured in the later notebooks,
# which always start the forget bias at 1.

# %% [markdown]
# ## Exercises (10 minutes)
#
# 1. Extend `lstm_parameters` to a two-layer LSTM (the second layer reads H
#    features) and check it against `count_parameters(LSTM(F, 32, C, layers=2))`.
# 2. Feed `batch.inputs.transpose(1, 2)` to the LSTM. Read the error message: what
#    did it guess you had done?
# 3. Plot `record["forget"][0]` and `record["cell"][0]` from the scratch trace as
#    images (steps across, units down). Which units keep their cell steady?
# 4. Redo the gradient figure with the forget bias at 3. What would be the cost of
#    a bias that is too large?

# %% [markdown]
# ## Key points
#
# - All three models map inputs (B, T, F) and lengths (B,) to logits (B, C); shape
#   claims are checked with asserts, not by eye.
# - The DNN has one weight per (step, feature): it sees order and position, but
#   only for the length it was built for, and its size grows with that length.
#   Longer input is `NotApplicable`.
# - The bag shares weights across time and averages: any reordering of the steps
#   gives it the same logits.
# - An LSTM step is six lines of equations; written by hand they match
#   `torch.nn.LSTM` to 1e-6 with the same weights.
# - With the lengths given, padding changes no model's answer; without them the
#   LSTM reads the padding.
# - A forget bias of 1 starts the cell remembering: at the start of training the
#   gradient reaches a step 39 steps back over 10^5 times more strongly.
