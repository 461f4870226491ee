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
# # 10 · Explorers
#
# **Questions:**
#
# - How can you change a task, a model or a training budget and see at once what
#   changes?
# - What does an LSTM's memory do on one sequence, step by step?
#
# **Objectives:**
#
# - Use four explorers to repeat the course's comparisons with settings of your
#   own: tasks, training runs, one LSTM from the inside, sweeps.
# - Read a results table: each model's mean over seeds with its 95 % interval,
#   beside the majority baseline.
# - Find the step that settles a label, and follow the gates and the cell state
#   around it.
#
# **Minutes:** teaching 15, exercises 10

# %% [markdown]
# The explorers are ipywidgets: their controls work only while this notebook runs
# in a live kernel. Under each one, a static figure with a written description
# shows the same view, for a reader without a kernel (a rendered page, a
# printout, a screen reader).
#
# Two rules hold for all four:
#
# - moving a slider or choosing from a menu only redraws; **training starts only
#   from a button** (Train, Train LSTM, Run sweep);
# - while a run trains, the kernel stays free: the figure and the progress bar
#   follow it, and **Stop** ends it after the current step, keeping what was
#   measured so far.

# %% [markdown]
# **Instructor note:** run the whole notebook before the session (about half a
# minute), so that every explorer and static view is on screen. A Train press
# with the settings shown takes 5-10 seconds on a laptop: press it live, then
# talk over the curves as they grow. An explorer that shows as one sentence
# instead of its controls has not run in this kernel yet: run its cell again.

# %%
from seqlib import widgets
from seqlib.tasks import task_names

task_names()

# %% [markdown]
# ## 1. Tasks
#
# Choose a task, its length, a seed, and the task's own options where it has
# some. The panels show a few sequences with their labels (shaded steps are zero
# padding); the bars on the right show how often each class occurs among 2,000
# sequences of the same draw.

# %%
tasks = widgets.TaskExplorer(task="latch", length=20, variable=True)
tasks

# %%
tasks.static()

# %% [markdown]
# The class balance is the first thing to check before any accuracy is read: on
# the starting notebook's positional task, answering 0 to everything already
# scores above 0.97.

# %%
positional = widgets.sample_task("positional")
assert positional.majority > 0.97  # the majority class alone
round(float(positional.majority), 3)

# %% [markdown]
# ## 2. Train and compare
#
# Choose the task, the models, the number of steps, the learning rate and the
# number of seeds, then press **Train**. Each model is trained once per seed on
# the same batches and scored every tenth of the run on the same 2,000 held-out
# sequences: training loss on the left, held-out balanced accuracy on the right,
# one line per model and seed. The table at the end gives each model's last
# scores as the mean over seeds with a 95 % interval.

# %%
trainer = widgets.TrainExplorer(task="motif", length=40, steps=300, seeds=2)
trainer

# %% [markdown]
# The static view below is the same run, trained here to the end: a pair XY or YX
# hidden among 40 symbols, 2,000 training sequences, 300 steps. The LSTM's curve
# stays at chance for a while and then jumps; the DNN fits its training set and
# stops well short.

# %%
trained = widgets.training_view(**trainer.choices)
trained

# %%
scores = {row["model"]: row["balanced_accuracy"] for row in trained.data.rows()}
assert scores["lstm"].low > scores["dnn"].high  # the intervals do not overlap
{model: str(score) for model, score in scores.items()}

# %% [markdown]
# **Instructor note:** two seeds make a wide interval on purpose. Ask the room to
# predict what a third seed does to it, then set seeds to 3 and press Train.

# %% [markdown]
# ## 3. Inside the LSTM
#
# A small LSTM (8 units) trained for 300 steps on the latch task, which must
# carry one symbol, b or e, across a run of c's. Choose a sequence: the heat maps
# show, for every unit and step, the input, forget and output gates and the cell
# state. The dashed line marks the step that settles the label; every step after
# it is filler the model must not let overwrite its memory.

# %%
model, history = widgets.train_small_lstm("latch", steps=300)
inside = widgets.LSTMExplorer(task="latch", steps=300, model=model)
inside

# %%
widgets.lstm_view(**inside.choices, model=model)

# %%
trace = inside.trace
assert trace.predicted == trace.label
after = trace.record["forget"][trace.decides + 1 :]  # (T, H), the steps after it
round(float(after.mean()), 2)

# %% [markdown]
# The forget gates stay high after the deciding step: at each step of filler the
# cell keeps most of what it held. Which way the memory points is easier to see
# across sequences: below, the sign of each unit's cell state at the last step,
# for all 16 sequences on offer, grouped by label.

# %%
names = {0: "e", 1: "b"}
patterns = {"e": set(), "b": set()}
for index in range(len(inside.batch)):
    one = widgets.trace_sequence(model, "latch", inside.batch, index)
    last = one.record["cell"][-1]  # (H,), the memory the prediction reads
    patterns[names[one.label]].add("".join("+" if v > 0 else "-" for v in last))
assert len(patterns["e"]) == len(patterns["b"]) == 1  # one pattern per label
(e_signs,), (b_signs,) = patterns["e"], patterns["b"]
assert all(x != y for x, y in zip(e_signs, b_signs, strict=True))  # all opposite
patterns

# %% [markdown]
# One sign pattern per label, and the two are opposite on every unit: the symbol
# is written into the cell state at the deciding step and kept through the
# filler of every one of these sequences (lengths 3 to 23, so 0 to 20 steps of
# filler). The memory is not a clean switch, though: the values keep growing
# during the filler (the colour bar reaches well past 1).

# %% [markdown]
# ## 4. Sweeps
#
# A sweep repeats the comparison for several values of one setting. Here, the
# motif task at two lengths, two seeds each, 1,000 held-out sequences. The
# results menu also offers the longer sweeps that `make results` writes into
# `results/`; choosing one draws it without training anything.

# %%
sweeper = widgets.SweepExplorer(task="motif", over="length", values=(10, 40))
swept = sweeper.run()
sweeper

# %%
sweeper.static()

# %%
points = {(r["value"], r["model"]): r["balanced_accuracy"] for r in swept["rows"]}
assert points[(10, "dnn")]["mean"] > 0.95  # a short motif: both models solve it
assert points[(40, "lstm")]["mean"] - points[(40, "dnn")]["mean"] > 0.2
round(points[(40, "dnn")]["mean"], 3), round(points[(40, "lstm")]["mean"], 3)

# %% [markdown]
# ## Exercises (10 minutes)
#
# 1. In the task explorer, choose `positional`, then `positional-balanced`. What
#    does answering the commonest class score on each?
# 2. In the training explorer, train `motif` at length 40 with one seed, then with
#    three. Which numbers in the table move, and what happens to the interval?
# 3. Add the `bag` model and press Train. Why does it stay at chance on `motif`?
# 4. In the LSTM explorer, step through sequences labelled b and e. Which units
#    separate the two, and from which step on?

# %% [markdown]
# ## Key points
#
# - Sliders and menus only redraw; training starts from a button, and Stop ends a
#   run after the current step with what was measured so far.
# - Read every score beside its baseline and its interval: the table gives the
#   mean over seeds with a 95 % interval, the figure every seed.
# - With a pair hidden somewhere in 40 symbols, 2,000 training sequences and 300
#   steps, the LSTM finds the pair and the DNN fits its training set instead;
#   at length 10 both solve it.
# - Inside a trained LSTM, the step that settles the label is visible: the label
#   is written into the cell state there, and the forget gates keep it through
#   the filler.
# - Every explorer has a static view with a written description for readers
#   without a live kernel.
