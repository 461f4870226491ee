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

from seqlib.experiments import Comparison
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
