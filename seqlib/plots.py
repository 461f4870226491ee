"""Matplotlib figures for the course notebooks.

Every function draws on ``ax`` when one is given, so that a notebook can put several
panels side by side, and otherwise on a new figure of its own. It returns the
Figure and never shows it: the notebook decides when a figure is displayed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from seqlib.experiments import Comparison, Sweep
from seqlib.tasks import get_task
from seqlib.training import History

METRICS = {
    "accuracy": "held-out accuracy",
    "balanced_accuracy": "held-out balanced accuracy",
}


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def _check_metric(metric: str) -> None:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")


def _as_runs(name: str, runs: History | Sequence[History]) -> list[History]:
    """One History or several (one per seed) as a non-empty list."""
    runs = [runs] if isinstance(runs, History) else list(runs)
    if not runs:
        raise ValueError(f"no histories given for {name!r}")
    for run in runs:
        if not isinstance(run, History):
            raise TypeError(
                f"{name!r} must map to a History or a list of them, "
                f"got {type(run).__name__}"
            )
        if not run.steps:
            raise ValueError(f"a history for {name!r} has no evaluations yet")
    return runs


def learning_curves(
    histories: Mapping[str, History | Sequence[History]],
    metric: str = "balanced_accuracy",
    show_loss: bool = False,
    chance: float | None = 0.5,
    marks: Mapping[int, str] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Held-out scores against training step, one colour per model.

    ``histories`` maps a label (usually the model's name) to one History or to a
    list of them, one per seed. Each seed is drawn thin; when the seeds were
    evaluated at the same steps, their mean is drawn thick on top, because the
    mean says how reliably a model learns and a single seed can mislead.
    ``show_loss`` adds the mean training loss, dashed, on a right-hand axis.
    ``chance`` draws the score of any constant predictor (None: no line).
    ``marks`` maps a step to a label drawn as a dotted vertical line.
    """
    _check_metric(metric)
    if not histories:
        raise ValueError("learning_curves needs at least one history")
    fig, ax = _axes(ax, (7.0, 4.0))
    loss_ax = ax.twinx() if show_loss else None

    for i, (name, runs) in enumerate(histories.items()):
        runs = _as_runs(name, runs)
        colour = f"C{i}"
        thin = 0.35 if len(runs) > 1 else 1.0
        for run in runs:
            ax.plot(run.steps, getattr(run, metric), color=colour, alpha=thin, lw=1)
        same_steps = all(run.steps == runs[0].steps for run in runs)
        if len(runs) > 1 and same_steps:
            scores = np.array([getattr(run, metric) for run in runs])  # (seeds, E)
            ax.plot(runs[0].steps, scores.mean(axis=0), color=colour, lw=2.5)
        # A proxy line carries the legend entry, so the seeds are not listed.
        seeds = f", {len(runs)} seeds" if len(runs) > 1 else ""
        ax.plot([], [], color=colour, lw=2.5, label=f"{name}{seeds}")
        if loss_ax is not None and same_steps:
            losses = np.array([run.train_loss for run in runs])  # (seeds, E)
            loss_ax.plot(runs[0].steps, losses.mean(axis=0), color=colour, ls="--")

    if chance is not None:
        ax.axhline(chance, color="grey", ls=":", lw=1, label=f"chance ({chance:g})")
    for step, label in (marks or {}).items():
        ax.axvline(step, color="black", ls=":", lw=1)
        # Written just right of the line, near the top of the axes.
        ax.annotate(
            label,
            (step, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(4, -12),
            textcoords="offset points",
            fontsize=8,
        )
    if loss_ax is not None:
        loss_ax.set_ylabel("training loss (dashed, mean over seeds)")
        loss_ax.set_ylim(bottom=0)
    ax.set_xlabel("training step")
    ax.set_ylabel(METRICS[metric])
    ax.set_title(title or f"{METRICS[metric]} during training")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def interval_bars(
    comparison: Comparison,
    metric: str = "balanced_accuracy",
    chance: float = 0.5,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Each model's mean over seeds with its 95 % interval, and every seed as a dot.

    The reference line is the score of always predicting the majority class: the
    comparison's majority baseline for accuracy, and ``chance`` (1 / number of
    classes, which any constant predictor scores) for balanced accuracy.
    """
    _check_metric(metric)
    if not comparison.results:
        raise ValueError("the comparison holds no results to draw")
    fig, ax = _axes(ax, (4.5, 4.0))
    positions = np.arange(len(comparison.results))  # (M,)
    drawn: list[float] = []  # every value on the y axis, to choose its limits

    for x, result in zip(positions, comparison.results, strict=True):
        interval = getattr(result, metric)
        below = [interval.mean - interval.low]
        above = [interval.high - interval.mean]
        ax.errorbar(
            x,
            interval.mean,
            yerr=[below, above],
            fmt="o",
            color=f"C{x}",
            capsize=6,
            ms=7,
            lw=2,
        )
        per_seed = [seed[metric] for seed in result.per_seed]  # (S,)
        # Seeds sit just right of the mean so that the error bar stays readable.
        ax.plot(np.full(len(per_seed), x + 0.15), per_seed, ".", color="grey")
        drawn += [interval.low, interval.high, *per_seed]

    if metric == "accuracy":
        reference = comparison.majority_baseline
        label = f"majority baseline ({reference:.3f})"
    else:
        reference = chance
        label = f"chance, any constant predictor ({reference:g})"
    ax.axhline(reference, color="grey", ls=":", lw=1, label=label)
    ax.plot([], [], ".", color="grey", label="one seed")
    # Scores are proportions: leave room around the data, never far above 1.
    low, high = min(*drawn, reference), max(*drawn, reference)
    pad = max(0.02, 0.08 * (high - low))
    ax.set_ylim(low - pad, min(high + pad, 1.0 + pad / 2))

    ax.set_xticks(positions)
    ax.set_xticklabels(
        [f"{r.model}\n{r.parameters:,} params" for r in comparison.results]
    )
    ax.set_xlim(-0.5, len(comparison.results) - 0.5)
    ax.set_ylabel(f"{METRICS[metric]} (mean, 95 % interval)")
    steps = comparison.settings.get("steps")
    ax.set_title(
        title or f"{comparison.task}: {len(comparison.seeds)} seeds, {steps} steps",
        fontsize=10,
    )
    # The reference line is usually the lowest thing drawn, so the legend sits by it.
    ax.legend(loc="lower right", fontsize=8)
    return fig


def symbol_sequences(
    batch,
    symbols: str | Sequence[str],
    count: int = 4,
    class_names: Sequence[str] | None = None,
    title: str | None = None,
    axes: Sequence[Axes] | None = None,
) -> Figure:
    """The first ``count`` sequences of a one-hot batch, one panel per sequence.

    ``batch`` is a task's Batch (inputs (B, T, F), labels, lengths). Each panel has
    one row per symbol and one column per step, and a black cell where that symbol
    occurs. Steps past a sequence's length are zero padding: they are shaded, so
    an empty column is never mistaken for a symbol. ``class_names`` turns the label
    numbers into names in each panel's title; ``axes`` gives one Axes per panel.
    """
    inputs = batch.inputs  # (B, T, F)
    if inputs.dim() != 3:
        raise ValueError(
            f"expected inputs of shape (batch, time, features), got "
            f"{tuple(inputs.shape)}"
        )
    if len(symbols) != inputs.shape[2]:
        raise ValueError(
            f"got {len(symbols)} symbol names for {inputs.shape[2]} features per "
            "step; give one name per feature, in the task's order"
        )
    if not 1 <= count <= inputs.shape[0]:
        raise ValueError(f"count must lie in 1..{inputs.shape[0]}, got {count}")
    time = inputs.shape[1]
    if axes is None:
        size = (min(12.0, 2.0 + 0.2 * time), 0.25 * len(symbols) * count + 1.0)
        _, grid = plt.subplots(
            count, 1, figsize=size, sharex=True, squeeze=False, layout="constrained"
        )
        axes = list(grid[:, 0])
    elif len(axes) != count:
        raise ValueError(f"got {len(axes)} axes for {count} sequences")
    fig = axes[0].figure

    for i, ax in enumerate(axes):
        image = inputs[i].T.numpy()  # (F, T): one row per symbol
        ax.imshow(image, cmap="Greys", vmin=0, vmax=1, aspect="auto")
        length = int(batch.lengths[i])
        if length < time:
            ax.axvspan(length - 0.5, time - 0.5, color="C0", alpha=0.15)
        ax.set_yticks(range(len(symbols)))
        ax.set_yticklabels(list(symbols), fontsize=8)
        label = int(batch.labels[i])
        name = class_names[label] if class_names is not None else label
        ax.set_title(f"label {name}, length {length}", fontsize=9, loc="left")
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[-1].set_xlabel("step (shaded: zero padding)")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


# The models keep one colour and one line style in every figure drawn below, so a
# learner can follow "the LSTM" from one figure to the next; lines that coincide
# (two models both at 1.0) stay visible because their styles differ.
MODEL_STYLES = {
    "dnn": ("C0", "o", "-"),
    "lstm": ("C1", "s", "--"),
    "bag": ("C2", "^", ":"),
}


def _model_style(model: str, index: int) -> tuple[str, str, str]:
    return MODEL_STYLES.get(model, (f"C{index + 3}", "D", "-."))


SWEEP_LABELS = {
    "train-size": "training sequences",
    "length": "sequence length (steps)",
    "lag": "gap (steps between the symbol and the end)",
}


def _sweep_seeds(sweep: Sweep | Mapping) -> list[tuple[int, str, list[float]]]:
    """(value, model, per-seed balanced accuracies), when the sweep holds them."""
    if isinstance(sweep, Sweep):
        values = sweep.values
        comparisons = [c.as_dict() for c in sweep.comparisons]
    else:
        values, comparisons = sweep.get("values"), sweep.get("comparisons")
        if values is None or comparisons is None:
            return []  # a bare as_dict() record: means and intervals only
    return [
        (value, r["model"], [seed["balanced_accuracy"] for seed in r["per_seed"]])
        for value, comparison in zip(values, comparisons, strict=True)
        for r in comparison["results"]
    ]


def _sweep_record(sweep: Sweep | Mapping) -> Mapping:
    """A Sweep, or the dict its ``as_dict()`` writes, as that dict."""
    record = sweep.as_dict() if isinstance(sweep, Sweep) else sweep
    missing = {"task", "over", "rows"} - set(record)
    if missing:
        raise ValueError(
            "expected a seqlib.experiments.Sweep or the dict its as_dict() writes, "
            f"with keys task, over and rows; missing {', '.join(sorted(missing))}"
        )
    if not record["rows"]:
        raise ValueError("the sweep holds no rows to draw")
    return record


def sweep_lines(
    sweep: Sweep | Mapping,
    ax: Axes | None = None,
    chance: float | None = None,
    log_x: bool | None = None,
    title: str | None = None,
) -> Figure:
    """Balanced accuracy against the swept value, one line per model.

    ``sweep`` is a :class:`seqlib.experiments.Sweep` or the dict that its
    ``as_dict()`` writes (as read back from a results file). Each point is the mean
    over seeds; the shaded band is its 95 % interval, and small dots are the seeds
    when the sweep holds them (a Sweep, or a results file that keeps ``values``
    and ``comparisons``). The dashed line is chance, 1 / number of classes of the
    task unless ``chance`` is given. The x axis is logarithmic when the values
    span a factor of 20 or more, unless ``log_x`` says.
    """
    record = _sweep_record(sweep)
    fig, ax = _axes(ax, (6.0, 4.0))
    rows = record["rows"]
    models = list(dict.fromkeys(row["model"] for row in rows))  # in first-seen order
    for value, model, seeds in _sweep_seeds(sweep):
        colour = _model_style(model, models.index(model))[0]
        ax.plot([value] * len(seeds), seeds, ".", color=colour, ms=5, zorder=3)

    for i, model in enumerate(models):
        mine = sorted(
            (r for r in rows if r["model"] == model), key=lambda r: r["value"]
        )
        values = [r["value"] for r in mine]
        scores = [r["balanced_accuracy"] for r in mine]
        means = [s["mean"] for s in scores]
        colour, marker, style = _model_style(model, i)
        ax.fill_between(
            values,
            [s["low"] for s in scores],
            [s["high"] for s in scores],
            color=colour,
            alpha=0.2,
            lw=0,
        )
        ax.plot(values, means, marker=marker, ls=style, color=colour, lw=2, label=model)

    if chance is None:
        chance = 1 / get_task(record["task"]).n_classes
    ax.axhline(chance, color="grey", ls="--", lw=1, label=f"chance ({chance:.2g})")
    values = sorted({row["value"] for row in rows})
    if log_x is None:
        log_x = values[0] > 0 and values[-1] / values[0] >= 20
    if log_x:
        ax.set_xscale("log")
        ax.set_xticks(values)
        ax.set_xticklabels([f"{v:,}" for v in values], fontsize=8)
        ax.minorticks_off()
    ax.set_xlabel(SWEEP_LABELS.get(record["over"], record["over"]))
    ax.set_ylabel("held-out balanced accuracy\n(mean over seeds, 95 % interval)")
    ax.set_ylim(min(chance, ax.get_ylim()[0]) - 0.05, 1.04)
    ax.set_title(title or f"{record['task']}: sweep over {record['over']}", fontsize=10)
    ax.legend(loc="best", fontsize=8)
    return fig


def _as_record(comparison: Comparison | Mapping) -> Mapping:
    """A Comparison, or the dict its ``as_dict()`` writes, as that dict."""
    record = comparison.as_dict() if isinstance(comparison, Comparison) else comparison
    if not record.get("results"):
        raise ValueError("the comparison holds no results to draw")
    return record


def _grouped_bars(ax: Axes, groups: list[tuple[str, float, dict]]) -> None:
    """Bars of balanced accuracy: one group per (label, chance, {model: scores}).

    ``scores`` is (interval dict or None, per-seed values). A None interval means
    the model cannot read that set at all: it gets the words "not applicable".
    """
    models = list(dict.fromkeys(m for _, _, by_model in groups for m in by_model))
    width = 0.8 / len(models)
    for g, (_, chance, by_model) in enumerate(groups):
        ax.hlines(chance, g - 0.45, g + 0.45, color="grey", ls="--", lw=1)
        for i, model in enumerate(models):
            if model not in by_model:
                continue
            colour = _model_style(model, i)[0]
            x = g + (i - (len(models) - 1) / 2) * width
            score, seeds = by_model[model]
            if score is None:
                ax.text(
                    x,
                    0.03,
                    "not applicable",
                    rotation=90,
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    color=colour,
                )
                continue
            below, above = score["mean"] - score["low"], score["high"] - score["mean"]
            ax.bar(
                x,
                score["mean"],
                width * 0.85,
                color=colour,
                alpha=0.75,
                yerr=[[below], [above]],
                capsize=4,
            )
            ax.plot(np.full(len(seeds), x), seeds, ".", color="black", ms=4)
    # Legend entries drawn by hand: an empty bar call would not carry its colour.
    handles = [
        Patch(color=_model_style(model, i)[0], alpha=0.75, label=model)
        for i, model in enumerate(models)
    ]
    handles += [
        Line2D([], [], ls="", marker=".", color="black", label="one seed"),
        Line2D([], [], color="grey", ls="--", lw=1, label="chance"),
    ]
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([label for label, _, _ in groups], fontsize=8)
    ax.set_xlim(-0.6, len(groups) - 0.4)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("held-out balanced accuracy\n(mean over seeds, 95 % interval)")
    ax.legend(
        handles=handles,
        loc="upper center",
        ncols=len(handles),
        fontsize=8,
        frameon=False,
    )


def length_bars(
    comparison: Comparison | Mapping,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Balanced accuracy per model on the training lengths and each test length.

    One group of bars per held-out set: the training distribution first, then each
    range of ``test_lengths`` given to ``compare``. Bars are means over seeds with
    95 % intervals, dots the seeds; a model that cannot read a set at all (a DNN
    shown longer sequences than it was built for) gets "not applicable" instead.
    ``comparison`` is a Comparison or the dict its ``as_dict()`` writes.
    """
    record = _as_record(comparison)
    results = record["results"]
    chance = 1 / get_task(record["task"]).n_classes
    keys = list(results[0].get("by_test_length", {}))
    groups = [
        (
            "training lengths",
            chance,
            {
                r["model"]: (
                    r["balanced_accuracy"],
                    [s["balanced_accuracy"] for s in r["per_seed"]],
                )
                for r in results
            },
        )
    ]
    for key in keys:
        by_model = {}
        for r in results:
            score = r["by_test_length"][key]["balanced_accuracy"]
            seeds = [s[key]["balanced_accuracy"] for s in r["per_seed"]]
            by_model[r["model"]] = (score, [] if score is None else seeds)
        groups.append((f"test lengths {key}", chance, by_model))
    fig, ax = _axes(ax, (6.0, 4.0))
    _grouped_bars(ax, groups)
    seeds = len(record["seeds"])
    ax.set_title(title or f"{record['task']}: {seeds} seeds", fontsize=10)
    return fig


def condition_bars(
    conditions: Mapping[str, Comparison | Mapping],
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Balanced accuracy per model under several conditions, side by side.

    ``conditions`` maps a label (a task, a setting) to a Comparison or the dict
    its ``as_dict()`` writes. Bars are means over seeds with 95 % intervals, dots
    the seeds, and each group has its own chance line (1 / number of classes).
    """
    if not conditions:
        raise ValueError("condition_bars needs at least one comparison")
    groups = []
    for label, comparison in conditions.items():
        record = _as_record(comparison)
        by_model = {
            r["model"]: (
                r["balanced_accuracy"],
                [s["balanced_accuracy"] for s in r["per_seed"]],
            )
            for r in record["results"]
        }
        chance = 1 / get_task(record["task"]).n_classes
        groups.append((label, chance, by_model))
    fig, ax = _axes(ax, (1.6 + 1.6 * len(groups), 4.0))
    _grouped_bars(ax, groups)
    if title:
        ax.set_title(title, fontsize=10)
    return fig
