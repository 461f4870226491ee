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
# # 05 · A fair comparison
#
# **Questions:** How do you compare two models on a task so that the difference you
# report is a difference of models, and not of seeds, test sets or luck?
#
# **Objectives:** Set up a balanced task with a fixed test set, a separate
# validation set and a training set, each from its own seed; write a training loop
# with early stopping in full; report the mean over seeds with a t interval beside
# the majority baseline; compare two models on the same test set with McNemar's
# exact test and a bootstrap interval; tell "best seed" from "mean over seeds".
#
# **Minutes:** teaching 25, exercises 15

# %% [markdown]
# Notebook 02 took the starting notebook apart; here we put the pieces back
# together, once, properly, on one task. The protocol:
#
# 1. a task with balanced classes;
# 2. a **test** set drawn once from its own seed, the same for every model and
#    every training seed, and used for nothing but scoring;
# 3. a separate **validation** set that decides when training stops;
# 4. several training seeds, reported as a mean with a 95 % interval;
# 5. the majority baseline printed beside every accuracy;
# 6. a paired comparison of the two models on the same test sequences.
#
# The task is **motif** at length 40: background symbols with one adjacent `XY`
# (class 1) or `YX` (class 0) at a random place (notebook 03). We use its recorded
# settings, which include a fixed training set of only 2,000 sequences.

# %%
from dataclasses import asdict, replace

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from seqlib import build_model, compare, get_task, metrics, plots, seeded_model, train
from seqlib.experiments import default_settings
from seqlib.training import (
    HELD_OUT_SEED,
    VALIDATION_SEED,
    predict,
    training_batches,
)

task = get_task("motif")
SEEDS = [0, 1, 2]  # training seeds: weights and the order of training batches
TEST_SIZE = 2_000  # one error moves accuracy by 0.05 points
SIZES = task.training.model_sizes  # DNN 128-128, LSTM 32 units with forget bias 1
# The recorded settings, scoring the test set every 50 steps for the curves.
SETTINGS = default_settings(task, eval_every=50)
per_run = ("seed", "options")  # set for each run; motif has no task options
{k: v for k, v in asdict(SETTINGS).items() if v is not None and k not in per_run}

# %% [markdown]
# Each model sees at most 1,500 steps of 64 sequences from its 2,000 training
# sequences (about 48 passes), with Adam at learning rate 0.003 and the gradient
# norm clipped at 1. Training stops early once the validation set scores 0.99
# balanced accuracy.
#
# ## Three sets, three seeds
#
# The test set comes from seed 20,000 and the validation set from seed 30,000, far
# from the small seeds used for training. Both are balanced exactly, so the
# majority baseline is 0.5 and accuracy equals balanced accuracy.

# %%
test = task.draw(TEST_SIZE, HELD_OUT_SEED)  # scored, never learned from
validation = task.draw(SETTINGS.validation_size, VALIDATION_SEED)  # decides stopping
baseline = metrics.majority_baseline(test.labels.numpy())
assert test.labels.sum() == TEST_SIZE // 2 and baseline == 0.5
assert validation.labels.sum() == SETTINGS.validation_size // 2
len(test), len(validation), baseline

# %% [markdown]
# The training set of seed s is drawn from the seed sequence (s, 1), so it is not
# a slice of either held-out set. We rebuild the seed-0 training set, check that
# training batches come from it, and check that no test sequence occurs in it or
# in the validation set.

# %%
def as_keys(batch):
    """One hashable key per sequence: its bytes."""
    return {row.tobytes() for row in batch.inputs.numpy()}


train_set = task.draw(SETTINGS.train_size, np.random.default_rng([0, 1]))
first_batch = next(training_batches(task, replace(SETTINGS, seed=0)))
assert as_keys(first_batch) <= as_keys(train_set)  # the set training draws from
overlap = len(as_keys(test) & (as_keys(train_set) | as_keys(validation)))
assert overlap == 0
overlap

# %% [markdown]
# ## The training loop, written out once
#
# First, how we score a model during training. `eval()` switches off anything
# that behaves differently in training (dropout, batch statistics; our models have
# none, but the habit costs nothing), and `no_grad()` tells torch not to record
# the computation for a backward pass.

# %%
def score(model, batch):
    """Balanced accuracy on a held-out batch, under eval() and no_grad()."""
    model.eval()
    with torch.no_grad():
        logits = model(batch.inputs, batch.lengths)  # (B, T, F) -> (B, C)
    model.train()
    predicted = logits.argmax(dim=1).numpy()  # (B, C) -> (B,)
    return metrics.balanced_accuracy(batch.labels.numpy(), predicted)

# %% [markdown]
# Then the loop, in its seven stages. Every `eval_every` steps it logs the mean
# training loss and the test score into a history, and checks the **validation**
# score to decide whether to stop. The test score is only written down: it never
# decides anything. If we stopped where the test score peaked, the reported score
# would be the best of many noisy measurements, and the test set would have become
# one more thing the training was tuned on.

# %%
def train_by_hand(model, settings, test, validation):
    optimiser = torch.optim.Adam(model.parameters(), lr=settings.lr)
    loss_fn = nn.CrossEntropyLoss()
    history = {"step": [], "train_loss": [], "test": []}
    losses = []
    model.train()
    for step, batch in enumerate(training_batches(task, settings), start=1):  # batch
        logits = model(batch.inputs, batch.lengths)  # forward: (B, T, F) -> (B, C)
        loss = loss_fn(logits, batch.labels)  # loss: one number
        optimiser.zero_grad()  # zero grad: forget the last step's gradients
        loss.backward()  # backward: a gradient for every weight
        nn.utils.clip_grad_norm_(model.parameters(), settings.clip_grad)
        optimiser.step()  # step: Adam moves the weights
        losses.append(loss.item())
        if step % settings.eval_every == 0:  # log, at fixed points only
            history["step"].append(step)
            history["train_loss"].append(float(np.mean(losses)))
            history["test"].append(score(model, test))
            losses = []
            print(f"step {step:4d}  train loss {history['train_loss'][-1]:.3f}  "
                  f"test balanced accuracy {history['test'][-1]:.3f}")
            if score(model, validation) >= settings.early_stop:
                break  # decided on the validation set, never the test set
    return history

# %% [markdown]
# `training_batches` yields the batches: it draws the fixed training set from the
# seed and deals it out in a new random order on every pass. We train the LSTM
# from seed 0.

# %%
def build(name):
    return lambda: build_model(name, task, **SIZES[name])


lstm = seeded_model(build("lstm"), seed=0)
by_hand = train_by_hand(lstm, replace(SETTINGS, seed=0), test, validation)

# %% [markdown]
# The LSTM sits near chance for 200 steps and then solves the task within 50 more:
# it learns suddenly. At step 250 the validation score passes 0.99, so training
# stops, and the test score there is 1.000.

# %%
assert by_hand["step"][-1] == 250 and by_hand["test"][-1] == 1.0
assert max(by_hand["test"][:4]) < 0.6  # near chance up to step 200
round(by_hand["test"][-1], 3)

# %% [markdown]
# ## The package takes over
#
# `seqlib.training.train` is this loop, with a progress bar. Given the same seed,
# settings and test set, it repeats our history to the last digit: the same steps,
# the same losses, the same scores, the same stopping point.

# %%
lstm_history = train(seeded_model(build("lstm"), seed=0), task,
                     replace(SETTINGS, seed=0), test)
assert lstm_history.steps == by_hand["step"]
assert lstm_history.train_loss == by_hand["train_loss"]
assert lstm_history.balanced_accuracy == by_hand["test"]
lstm_history.stopped_at

# %% [markdown]
# We train the DNN from seed 0 the same way. It never reaches 0.99 on the
# validation set, so it runs all 1,500 steps.

# %%
dnn = seeded_model(build("dnn"), seed=0)
dnn_history = train(dnn, task, replace(SETTINGS, seed=0), test)
print(f"stopped early: {dnn_history.stopped_at is not None}")
print(f"final test balanced accuracy {dnn_history.balanced_accuracy[-1]:.3f}, "
      f"final training loss {dnn_history.train_loss[-1]:.3f}")

# %% [markdown]
# The DNN drives its mean training loss below 0.01 while its test score levels
# off between 0.65 and 0.75: it has memorised its 2,000 training sequences rather
# than learned the rule.

# %%
assert dnn_history.train_loss[-1] < 0.01
assert 0.65 < dnn_history.balanced_accuracy[-1] < 0.75
assert dnn_history.stopped_at is None and len(dnn_history.steps) == 30
round(dnn_history.train_loss[-1], 3), round(dnn_history.balanced_accuracy[-1], 3)

# %% [markdown]
# **Figure.** Test balanced accuracy (solid) and training loss (dashed) for seed 0
# of each model. The DNN's loss falls to zero and its test score stalls near 0.7;
# the LSTM's loss stays flat for 200 steps, then both curves jump and it stops.

# %%
fig = plots.learning_curves({"dnn": dnn_history, "lstm": lstm_history},
                            show_loss=True, title="motif, length 40, seed 0")
plt.close(fig)
fig

# %% [markdown]
# ## Two models, the same test sequences: McNemar's test
#
# Both models answered the same 2,000 test sequences, so we can compare them
# sequence by sequence. Sequences both get right, or both get wrong, say nothing
# about which model is better; only the ones exactly one model gets right do. If
# the models were equally good, each of those would favour either model with
# probability 1/2, like a coin. McNemar's exact test asks how surprising the
# observed split is for such a coin.

# %%
labels = test.labels.numpy()  # (N,)
right = {"dnn": predict(dnn, test) == labels,  # (N,) True where right
         "lstm": predict(lstm, test) == labels}
only_dnn = int(np.sum(right["dnn"] & ~right["lstm"]))
only_lstm = int(np.sum(~right["dnn"] & right["lstm"]))
both = int(np.sum(right["dnn"] & right["lstm"]))
p_value = metrics.mcnemar_exact(right["dnn"], right["lstm"])
print(f"both right {both}, only the DNN {only_dnn}, only the LSTM {only_lstm}")
print(f"McNemar exact p = {p_value:.1e}")

# %% [markdown]
# All 589 disagreements go the LSTM's way. A fair coin would do that with
# probability $2 \times 0.5^{589}$, far below any threshold: on this test set, the
# seed-0 LSTM is better than the seed-0 DNN.

# %%
assert only_dnn == 0 and only_lstm == 589
assert p_value < 1e-6
only_lstm

# %% [markdown]
# That is one pair of seeds. Another seed could give another DNN. The question
# "is the LSTM better **on this task**?" needs several training seeds.
#
# ## Several seeds: `compare`
#
# `seqlib.experiments.compare` trains every model from every seed with `train`,
# scores all of them on the same test set, and summarises. It takes about as long
# as the six runs it makes.

# %%
comparison = compare(task, ["dnn", "lstm"], SEEDS, SETTINGS, TEST_SIZE)
print(comparison.table())

# %% [markdown]
# Its seed-0 runs are exactly the two we trained above: `compare` adds no new
# ingredient, only bookkeeping.

# %%
first = {r.model: r.per_seed[0]["balanced_accuracy"] for r in comparison.results}
assert first["dnn"] == round(dnn_history.balanced_accuracy[-1], 4)
assert first["lstm"] == round(lstm_history.balanced_accuracy[-1], 4)
{name: round(value, 3) for name, value in first.items()}

# %% [markdown]
# ## The mean over seeds, with a t interval
#
# With three seeds the 95 % interval is the mean plus or minus 4.30 standard
# errors (Student's t with 2 degrees of freedom): three values say little about
# their own spread, and the interval is wide to match. `metrics.seed_interval`
# computes it; it is what `compare` reports.

# %%
per_seed = {r.model: [s["balanced_accuracy"] for s in r.per_seed]
            for r in comparison.results}
intervals = {name: metrics.seed_interval(values) for name, values in per_seed.items()}
standard_error = np.std(per_seed["dnn"], ddof=1) / np.sqrt(len(SEEDS))
half_width = (intervals["dnn"].high - intervals["dnn"].low) / 2
assert abs(half_width - 4.303 * standard_error) < 1e-3
for name, interval in intervals.items():
    assert interval == comparison.result(name).balanced_accuracy
    seeds = ", ".join(f"{v:.3f}" for v in per_seed[name])
    print(f"{name:<4} seeds {seeds}  mean [95% CI] {interval}  "
          f"(majority baseline {comparison.majority_baseline:.3f})")

# %% [markdown]
# The DNN's interval lies between 0.65 and 0.75, well above the baseline of 0.5
# and far below the LSTM's, which is 1.0 in every seed.

# %%
assert 0.65 <= intervals["dnn"].low and intervals["dnn"].high <= 0.75
assert per_seed["lstm"] == [1.0, 1.0, 1.0]
round(intervals["dnn"].mean, 3), round(intervals["lstm"].mean, 3)

# %% [markdown]
# ## Best seed or mean?
#
# The two answer different questions. The **best seed** answers "can this model
# learn the task at all, with these settings?". The **mean** answers "how reliably
# does it?". Report which one a number is. Here they agree closely: the DNN's best
# seed is within 0.01 of its mean, and still about 0.3 below the LSTM's worst seed.
# (Notebook 02 showed a case where they do not: the LSTM on the positional task.)

# %%
summary = {name: {"best": round(max(v), 3), "mean": round(float(np.mean(v)), 3),
                  "worst": round(min(v), 3)} for name, v in per_seed.items()}
assert summary["dnn"]["best"] - summary["dnn"]["mean"] < 0.01
assert summary["lstm"]["worst"] - summary["dnn"]["best"] > 0.25
summary

# %% [markdown]
# ## The difference, paired by seed
#
# Both models were trained from the same seeds, so we can pair them: seed by seed,
# DNN minus LSTM. `metrics.bootstrap_difference` resamples the three differences
# with replacement, 2,000 times, and takes the middle 95 % of the resampled means.
# With three seeds there are only 10 distinct resamples, so this interval is rough;
# it is useful beside the t intervals, not instead of them. McNemar's test, run
# for every seed, asks the per-sequence question; `compare` keeps the largest
# p-value over the seeds.

# %%
difference = metrics.bootstrap_difference(per_seed["dnn"], per_seed["lstm"])
assert difference == comparison.difference
print(f"DNN minus LSTM, balanced accuracy: {difference}")
print(f"McNemar exact p, largest over seeds: {comparison.mcnemar_p:.1e}")

# %% [markdown]
# The whole interval of the difference lies below -0.25, and in every seed the
# DNN and the LSTM differ with p below 1e-6: the LSTM's advantage on this task is
# neither a seed accident nor a test-set accident.

# %%
assert difference.high < -0.25
assert comparison.mcnemar_p < 1e-6
round(difference.mean, 3)

# %% [markdown]
# **Figure.** Accuracy (left) with the majority baseline, and balanced accuracy
# (right) with chance: each model's mean over three seeds with its 95 % interval,
# and each seed as a grey dot. On a balanced test set the two panels agree; the
# LSTM's interval has no width, because all its seeds score 1.0.

# %%
fig, (left, right_ax) = plt.subplots(1, 2, figsize=(9, 4), layout="constrained")
plots.interval_bars(comparison, metric="accuracy", title="accuracy", ax=left)
plots.interval_bars(comparison, title="balanced accuracy", ax=right_ax)
plt.close(fig)
fig

# %% [markdown]
# **Instructor note:** the `compare` cell trains six models and is the slowest in
# the notebook; start it, then talk through McNemar's table while it runs. If the
# room asks "is it just the DNN's size?", point to the parameter counts in the
# table (the DNN has nine times the LSTM's) and to the first exercise.

# %% [markdown]
# ## Exercises (15 minutes)
#
# 1. Give the DNN ten times the data: `replace(SETTINGS, train_size=20_000)` in
#    `compare(task, ["dnn"], SEEDS, ...)`. What does that say about what the
#    LSTM buys here? (It takes about a minute.)
# 2. Change `train_by_hand` so that it stops on the **test** score instead. On
#    which seeds does the reported DNN score go up, and why is that score no
#    longer a fair estimate?
# 3. Put a Wilson interval (`metrics.wilson_interval`) on the seed-0 DNN's test
#    accuracy. Is it wider or narrower than the interval over seeds? What
#    uncertainty does each one measure?
# 4. Run the whole protocol on `positional-balanced` (`compare` with its default
#    settings). Does the verdict change?

# %% [markdown]
# ## Key points
#
# - Score every model and every seed on one test set drawn once from its own seed;
#   stop training on a separate validation set, never on the test set.
# - The training loop is seven stages: batch, forward, loss, zero grad, backward,
#   step, log. `train` is that loop; `compare` runs it over models and seeds.
# - Report the mean over seeds with a t interval, beside the majority baseline,
#   and say whether a number is the best seed or the mean.
# - Compare two models on the same sequences: McNemar's exact test per seed, and
#   an interval for the seed-wise difference.
# - On motif with 2,000 training sequences the LSTM scores 1.0 in every seed and
#   the DNN about 0.70, a gap of about 0.3 that no seed or test-set luck explains.
