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
# # 09 · The answer
#
# **Questions:** What does an LSTM buy you over a DNN when you classify sequences?
#
# **Objectives:** Gather the course's evidence in one table, each line asserted;
# turn it into advice for someone deciding whether to use an LSTM.
#
# **Minutes:** teaching 15, exercises 10

# %% [markdown]
# The starting notebook asked what an LSTM buys over a dense network and concluded
# that its advantage "is not visible in this example". Notebooks 02-08 measured
# why, and where it is visible. This notebook collects those measurements: the
# comparisons `make results` wrote to `results/`, and a few fresh runs that check
# the files still match the code.

# %%
import json
from pathlib import Path

import matplotlib.pyplot as plt

from seqlib import compare, plots
from seqlib.experiments import default_settings
from seqlib.tasks import get_task

HELD_OUT = 2000  # the held-out size of every results file
# The repository root is the first folder upwards that holds results/.
ROOT = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "results").is_dir())


def load(name):
    """The numbers of one experiment that tools/make_results.py wrote."""
    return json.loads((ROOT / "results" / f"{name}.json").read_text())


sorted(path.name for path in (ROOT / "results").glob("*.json"))

# %% [markdown]
# Four of the five files are read here; every comparison in them used seeds 0-2.

# %%
claims = load("claims")["comparisons"]
order = load("temporal_order")["conditions"]
sizes, lags = load("motif_train_size"), load("latch_lag")
every = [*claims.values(), *order.values(), *sizes["comparisons"], *lags["comparisons"]]
assert all(c["seeds"] == [0, 1, 2] for c in every)
len(every)

# %% [markdown]
# ## 1. Fresh runs against the files
#
# Every number below comes from three seeds. Seed 0 of three of them takes seconds
# to retrain, so we do that now, with the same settings, and compare. Training is
# deterministic here (one thread, every random draw seeded), so the fresh numbers
# must equal the committed ones exactly, not approximately.

# %%
FRESH = {
    "motif": ("motif", ["dnn", "lstm"], {}, []),
    "positional_balanced": ("positional-balanced", ["dnn", "lstm"], {}, []),
    "latch_longer_gaps": ("latch", ["lstm"], {"lengths": (3, 23)}, [(26, 43)]),
}
fresh = {}
for name, (task, models, changes, test_lengths) in FRESH.items():
    settings = default_settings(get_task(task), **changes)
    run = compare(task, models, [0], settings, HELD_OUT, test_lengths=test_lengths)
    fresh[name] = {r.model: r.per_seed[0] for r in run.results}
{
    n: {m: round(s["balanced_accuracy"], 3) for m, s in r.items()}
    for n, r in fresh.items()
}

# %% [markdown]
# Each fresh seed-0 record (scores, test lengths, the step it stopped at) equals
# the one in `results/claims.json`.

# %%
for name, records in fresh.items():
    committed = {r["model"]: r["per_seed"][0] for r in claims[name]["results"]}
    for model, record in records.items():
        assert record == committed[model], (name, model)
sum(len(records) for records in fresh.values())

# %% [markdown]
# ## 2. The evidence in one table
#
# One line per experiment: the mean balanced accuracy of each model over three
# seeds, on 2,000 held-out sequences, and a verdict. "n/a" means the model cannot
# read that input at all (a DNN shown sequences longer than it was built for).


# %%
def score(comparison, model, key=None):
    """Balanced accuracy (mean, low, high) of ``model``; ``key``: test lengths."""
    result = next(r for r in comparison["results"] if r["model"] == model)
    if key is None:
        return result["balanced_accuracy"]
    return result["by_test_length"][key]["balanced_accuracy"]  # None: unreadable


score(claims["motif"], "lstm")

# %% [markdown]
# The verdict rule: a model that cannot read the input loses; both at or below
# 0.6 is a failure; means within 0.05 are a tie; otherwise the leader wins if its
# 95 % interval clears the other's, and is only "ahead" if the intervals overlap.


# %%
def verdict(dnn, lstm, margin=0.05, fail=0.6):
    if dnn is None or lstm is None:
        return "LSTM" if dnn is None else "DNN"
    if max(dnn["mean"], lstm["mean"]) <= fail:
        return "both fail"
    if abs(dnn["mean"] - lstm["mean"]) <= margin:
        return "tie"
    (name, lead), (_, other) = sorted(
        [("DNN", dnn), ("LSTM", lstm)], key=lambda pair: -pair[1]["mean"]
    )
    return name if lead["low"] > other["high"] else f"{name} ahead"


verdict(score(claims["motif"], "dnn"), score(claims["motif"], "lstm"))

# %% [markdown]
# The rows, each with the notebook that teaches it:

# %%
unseen, parity = claims["motif_unseen_lengths"], claims["parity_short_to_long"]
latch = claims["latch_longer_gaps"]
gap_100 = dict(zip(lags["values"], lags["comparisons"], strict=True))[100]
rows = [
    ("06", "pattern at an unknown place (motif)", claims["motif"], None),
    ("06", "unseen lengths 81-160 (motif)", unseen, "81-160"),
    ("06", "parity at 20, trained on 1-20", parity, "20-20"),
    ("06", "parity at 40, trained on 1-20", parity, "40-40"),
    ("06", "gaps 21-40, trained up to 20 (latch)", latch, "26-43"),
    ("06", "events anywhere (temporal order)", order["random_positions"], None),
    ("06", "a gap of 100, trained on it (latch)", gap_100, None),
]
len(rows)

# %% [markdown]
# And the rows from notebook 07, where every position has a fixed role:

# %%
rows += [
    ("07", "events in fixed windows (temporal order)", order["fixed_windows"], None),
    ("07", "the starting notebook's sum task", claims["sum"], None),
    ("07", "the starting notebook's positional task", claims["positional"], None),
    ("07", "positional, balanced", claims["positional_balanced"], None),
    ("07", "parity trained at 20 only", claims["parity_one_length"], None),
]
len(rows)

# %% [markdown]
# Each line: the notebook, the evidence, each model's mean over seeds, the verdict.

# %%
table = [(nb, what, score(c, "dnn", k), score(c, "lstm", k)) for nb, what, c, k in rows]


def shown(value):
    return "n/a" if value is None else f"{value['mean']:.3f}"


print(f"{'':<3} {'evidence':<42} {'dnn':>6} {'lstm':>6}  verdict")
for nb, what, dnn, lstm in table:
    print(f"{nb:<3} {what:<42} {shown(dnn):>6} {shown(lstm):>6}  {verdict(dnn, lstm)}")

# %% [markdown]
# The LSTM wins the first six lines: cases where the evidence moves, where the
# test length goes past training, or where one rule must hold at every length
# (parity over lengths 1-20). The DNN wins where the LSTM had to learn a long
# gap directly. On the imbalanced positional task the DNN is ahead, but its seeds
# spread so widely that the intervals overlap; the other fixed-window tasks are
# ties; parity at one length defeats both.

# %%
verdicts = [verdict(dnn, lstm) for _, _, dnn, lstm in table]
fixed_windows = ["tie", "tie", "DNN ahead", "tie", "both fail"]
assert verdicts == ["LSTM"] * 6 + ["DNN"] + fixed_windows
{v: verdicts.count(v) for v in dict.fromkeys(verdicts)}

# %% [markdown]
# **Figure.** Five of the lines as bars with their 95 % intervals over seeds. From
# left: the LSTM wins twice, then two ties, then both at chance.

# %%
fig = plots.condition_bars(
    {
        "motif": claims["motif"],
        "temporal order,\nanywhere": order["random_positions"],
        "temporal order,\nfixed windows": order["fixed_windows"],
        "positional,\nbalanced": claims["positional_balanced"],
        "parity at 20\nonly": claims["parity_one_length"],
    },
    title="the course's evidence, 3 seeds each",
)
plt.close(fig)
fig

# %% [markdown]
# ## 3. What it costs
#
# The other side of the ledger, from notebook 08: parameters on motif at length
# 40, training sequences needed for a mean of 0.95 on motif, and steps to converge
# on the published temporal-order task, where both models reach the top.


# %%
def smallest_value(sweep, model, level=0.95):
    rows = [r for r in sweep["rows"] if r["model"] == model]
    return min(r["value"] for r in rows if r["balanced_accuracy"]["mean"] >= level)


def steps_used(comparison, model):
    result = next(r for r in comparison["results"] if r["model"] == model)
    return [seed["steps"] for seed in result["per_seed"]]


smallest_value(sizes, "lstm"), steps_used(order["fixed_windows"], "lstm")

# %% [markdown]
# With those two readers, the costs of each model:

# %%
costs = {
    model: {
        "parameters": next(
            r["parameters"] for r in claims["motif"]["results"] if r["model"] == model
        ),
        "sequences needed": smallest_value(sizes, model),
        "steps, fixed windows": steps_used(order["fixed_windows"], model),
    }
    for model in ("dnn", "lstm")
}
costs

# %% [markdown]
# The LSTM has about a ninth of the DNN's parameters and needs an eighth of its
# data on motif, but on the fixed-window task it needed three to nine times the
# DNN's training steps (counted at the early-stopping checks, every 300 steps), and
# each LSTM step is slower (notebook 08).

# %%
dnn, lstm = costs["dnn"], costs["lstm"]
assert 8 < dnn["parameters"] / lstm["parameters"] < 10
assert dnn["sequences needed"] == 8 * lstm["sequences needed"]
ratios = [n / max(dnn["steps, fixed windows"]) for n in lstm["steps, fixed windows"]]
assert 3 <= min(ratios) and max(ratios) <= 9
ratios

# %% [markdown]
# ## 4. The answer
#
# **What does an LSTM buy you over a DNN?** Not the ability to see order: a DNN on
# a fixed-length input sees order through its positions (notebook 02: reorder the
# steps consistently and it learns just as well). What the LSTM buys is *one step
# applied at every position*, with a memory carried between steps. That buys three
# things, each measured above:
#
# - evidence found wherever it sits, from far less data (motif: 1.00 against
#   0.70 on 2,000 sequences; 500 sequences against 4,000 for 0.95);
# - any length, including lengths never seen in training (motif at 81-160,
#   parity at 40, latch gaps beyond training);
# - information carried across long stretches of distractors (temporal order with
#   events anywhere).
#
# It does not buy anything when every position has a fixed role: then the DNN
# ties or wins, with cheaper steps and fewer of them. And the LSTM's advantages are
# about what it *can* represent; whether training finds it depends on the data:
# long gaps learned directly, or parity from 20-bit strings only, defeat it.
#
# So the starting notebook was right that no advantage showed in its example:
# its tasks read five numbers at fixed positions, the DNN's home ground. Its
# measurements could not have shown an advantage anyway (notebook 02).
#
# The numbers quoted above, checked against the files:

# %%
motif_means = {m: round(score(claims["motif"], m)["mean"], 2) for m in ("dnn", "lstm")}
needed = {m: smallest_value(sizes, m) for m in ("dnn", "lstm")}
assert motif_means == {"dnn": 0.70, "lstm": 1.00}
assert needed == {"dnn": 4000, "lstm": 500}
motif_means, needed

# %% [markdown]
# **Instructor note:** ask the room to fill in the table's verdict column before
# showing it. The lines the room gets wrong are the ones to discuss.

# %% [markdown]
# ## 5. "Should I use an LSTM?"
#
# Ask about the task before the model:
#
# 1. **Does the evidence sit at fixed positions** in inputs of one fixed length?
#    Start with a DNN: it is as good or better here, and cheaper.
# 2. **Can the evidence move, or the length vary,** or will the model meet longer
#    sequences than it was trained on? A model that shares its weights over time,
#    such as an LSTM, is the better bet, and the less data you have, the more it
#    matters.
# 3. **Is there a long gap to bridge?** An LSTM can carry the information, but it
#    may need short examples first to learn to.
# 4. **Whatever you choose,** measure it as this course did: a baseline, balanced
#    accuracy, several seeds with intervals, one fixed held-out set for every model,
#    and a test set that differs from training the way the world will (notebook 07's
#    trap fooled both models). A permutation test tells you whether order is used.

# %% [markdown]
# ## Exercises (10 minutes)
#
# 1. Add a line to the table for motif at length 100 (`load("motif_length")`).
#    Which verdict do you expect?
# 2. Change `verdict`'s margin from 0.05 to 0.10. Which lines change, and what does
#    that say about how close they were?
# 3. Someone brings you sensor recordings of varying length, 500 labelled, with the
#    event of interest anywhere. Using the table, what would you try first and what
#    would you test it on?

# %% [markdown]
# ## Key points
#
# - An LSTM buys one step shared across time, with a memory: evidence found
#   anywhere, from less data; any length; long stretches bridged.
# - Where every position has a fixed role, the DNN ties or wins, and costs less per
#   step and in steps.
# - What the training data covers decides whether the LSTM's advantage is learned:
#   short strings and short gaps first.
# - The starting notebook's tasks were fixed-window tasks: no advantage was there to
#   see, and its measurements could not have shown one.
# - Choose by the task's structure, then measure with baselines, seeds, intervals
#   and a shifted test set.
