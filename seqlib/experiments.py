"""Compare models on a task over several seeds, on fixed held-out sets.

Every model and every seed is scored on the same held-out sequences, drawn once
from their own seed, so differences between models are differences of models.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from seqlib import metrics
from seqlib.metrics import Interval
from seqlib.models import (
    NotApplicable,
    build_model,
    check_model_name,
    count_parameters,
    model_names,
)
from seqlib.tasks import Task, _check_count, as_task, get_task, task_names
from seqlib.training import (
    TrainSettings,
    _check_batch,
    _check_seed,
    _check_settings,
    draw_held_out,
    evaluate,
    predict,
    seeded_model,
    train,
)

LengthRange = tuple[int, int]


def range_key(lengths: LengthRange) -> str:
    return f"{lengths[0]}-{lengths[1]}"


@dataclass
class ModelResult:
    model: str
    parameters: int
    accuracy: Interval  # mean over seeds with a t interval
    balanced_accuracy: Interval
    per_seed: list[dict] = field(default_factory=list)
    # "LOW-HIGH" -> {"accuracy", "balanced_accuracy"} or None with a reason
    by_test_length: dict[str, dict] = field(default_factory=dict)

    def as_dict(self) -> dict:
        record = {
            "model": self.model,
            "parameters": self.parameters,
            "accuracy": self.accuracy.as_dict(),
            "balanced_accuracy": self.balanced_accuracy.as_dict(),
            "per_seed": self.per_seed,
        }
        if self.by_test_length:
            record["by_test_length"] = self.by_test_length
        return record


@dataclass
class Comparison:
    task: str
    majority_baseline: float
    held_out_size: int
    settings: dict
    seeds: list[int]
    results: list[ModelResult]
    mcnemar_p: float | None = None  # the largest per-seed p, first two models
    difference: Interval | None = None  # balanced accuracy, first minus second

    def as_dict(self) -> dict:
        record = {
            "task": self.task,
            "majority_baseline": round(self.majority_baseline, 4),
            "held_out_size": self.held_out_size,
            "seeds": self.seeds,
            "settings": self.settings,
            "results": [result.as_dict() for result in self.results],
        }
        if self.mcnemar_p is not None:
            record["mcnemar_p"] = float(f"{self.mcnemar_p:.3g}")
        if self.difference is not None:
            record["balanced_accuracy_difference"] = self.difference.as_dict()
        return record

    def result(self, model: str) -> ModelResult:
        for result in self.results:
            if result.model == model:
                return result
        raise KeyError(f"no result for model {model!r}")

    def table(self) -> str:
        """A plain-text table: one line per model, means with 95 % intervals."""
        lines = [
            f"task {self.task}: {self.held_out_size:,} held-out sequences, "
            f"majority baseline {self.majority_baseline:.3f}, "
            f"{len(self.seeds)} seed(s), up to {self.settings['steps']} steps",
            f"{'model':<6} {'params':>7}  {'accuracy [95% CI]':<24}  "
            "balanced accuracy [95% CI]",
        ]
        for r in self.results:
            lines.append(
                f"{r.model:<6} {r.parameters:>7,}  {str(r.accuracy):<24}  "
                f"{r.balanced_accuracy}"
            )
        for key in self.results[0].by_test_length:
            lines.append(f"test lengths {key}, balanced accuracy (mean over seeds):")
            for r in self.results:
                score = r.by_test_length[key]
                shown = (
                    f"{score['balanced_accuracy']['mean']:.3f}"
                    if score.get("balanced_accuracy")
                    else f"not applicable: {score['reason']}"
                )
                lines.append(f"  {r.model:<6} {shown}")
        if self.mcnemar_p is not None:
            first, second = self.results[0].model, self.results[1].model
            # An exact p below the smallest float shows as 0; say so honestly.
            shown = f"{self.mcnemar_p:.3g}" if self.mcnemar_p > 0 else "1e-300"
            relation = "<=" if self.mcnemar_p > 0 else "<"
            lines.append(
                f"{first} vs {second}: McNemar exact p {relation} {shown} "
                f"(largest over seeds); balanced accuracy difference {self.difference}"
            )
        return "\n".join(lines)


def _seed_list(seeds: int | Sequence[int]) -> list[int]:
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValueError(f"seeds must be a positive count, got {seeds}")
        return list(range(int(seeds)))
    if isinstance(seeds, (bool, str)) or not isinstance(seeds, Iterable):
        raise TypeError(
            f"seeds must be a count or a list of seeds, such as 5 or [0, 1, 2], "
            f"got {seeds!r}"
        )
    seeds = [_check_seed(seed) for seed in seeds]
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    _check_different("seeds", seeds)
    return seeds


def _check_different(name: str, values: list) -> None:
    if len(set(values)) != len(values):
        raise ValueError(
            f"{name} must be different from each other, got {values}: a repeat "
            "would count the same run twice"
        )


def _model_list(models, model_sizes) -> list[str]:
    """Check every model name before anything is drawn or trained."""
    if isinstance(models, str):
        raise TypeError(
            f"models must be a list of model names ({', '.join(model_names())}), "
            f"got the string {models!r}; write [{models!r}]"
        )
    if not models:
        raise ValueError("name at least one model to compare")
    models = list(models)
    for name in models:
        check_model_name(name)
    _check_different("models", models)
    for name in model_sizes or {}:
        if name not in model_names():
            raise KeyError(
                f"model_sizes names unknown model {name!r}; known models: "
                f"{', '.join(model_names())}"
            )
    return models


def _length_ranges(task: Task, test_lengths) -> list[LengthRange]:
    ranges = []
    for pair in test_lengths:
        try:
            low, high = pair
        except (TypeError, ValueError):
            raise TypeError(
                "test_lengths must be a list of (low, high) pairs, such as "
                f"[(81, 160)], got {test_lengths!r}"
            ) from None
        ranges.append((low, high))
    if ranges and not task.variable_length:
        raise ValueError(
            "test_lengths need a task of variable length; task "
            f"{task.name!r} has one fixed length per batch, got {ranges}"
        )
    return ranges


def default_settings(task: Task, **overrides) -> TrainSettings:
    """The task's recorded training settings, with any field replaced."""
    if "length" in overrides and "lengths" not in overrides:
        overrides["lengths"] = None  # one fixed length replaces the default range
    defaults = task.training
    settings = TrainSettings(
        steps=defaults.steps,
        batch_size=defaults.batch_size,
        lr=defaults.lr,
        train_size=defaults.train_size,
        lengths=defaults.lengths,
        clip_grad=defaults.clip_grad,
        early_stop=defaults.early_stop,
    )
    return replace(settings, **overrides)


def longest_training_length(task: Task, settings: TrainSettings) -> int:
    return task.longest(**settings.draw_kwargs())


def _score_on(model, batch) -> dict:
    try:
        scores = evaluate(model, batch)
    except NotApplicable as reason:
        return {"accuracy": None, "balanced_accuracy": None, "reason": str(reason)}
    return {
        "accuracy": round(scores.accuracy, 4),
        "balanced_accuracy": round(scores.balanced_accuracy, 4),
    }


def _summarise(per_seed: list[dict], key: str) -> dict:
    """Mean and interval over seeds for one test condition, or the reason it is None."""
    scores = [s[key] for s in per_seed]
    if scores[0]["accuracy"] is None:
        return {
            "accuracy": None,
            "balanced_accuracy": None,
            "reason": scores[0]["reason"],
        }
    return {
        name: metrics.seed_interval([s[name] for s in scores]).as_dict()
        for name in ("accuracy", "balanced_accuracy")
    }


def compare(
    task: str | Task,
    models: Sequence[str] = ("dnn", "lstm"),
    seeds: int | Sequence[int] = 5,
    settings: TrainSettings | None = None,
    held_out_size: int = 10_000,
    model_sizes: dict[str, dict] | None = None,
    test_lengths: Sequence[LengthRange] = (),
    progress: bool | None = None,
) -> Comparison:
    """Train each model once per seed and score all of them on the same sequences.

    ``settings`` defaults to the task's recorded training settings; its ``seed``
    field is replaced by each seed in turn. ``model_sizes`` maps a model name to
    constructor keywords (the task's recorded sizes by default). Each range in
    ``test_lengths`` adds a held-out set of those lengths, reported per model in
    ``by_test_length``.
    """
    task = as_task(task)
    models = _model_list(models, model_sizes)
    settings = default_settings(task) if settings is None else settings
    _check_settings(settings)
    seeds = _seed_list(seeds)
    _check_count("held_out_size", held_out_size)
    held_out_size = int(held_out_size)
    sizes = {**task.training.model_sizes, **(model_sizes or {})}
    held_out = draw_held_out(task, held_out_size, **settings.draw_kwargs())
    extra_sets = {
        range_key(r): draw_held_out(task, held_out_size, lengths=r, **settings.options)
        for r in _length_ranges(task, test_lengths)
    }
    dnn_length = longest_training_length(task, settings)

    results, correct = [], {}
    for name in models:
        per_seed, correct[name] = [], []
        for seed in seeds:
            model = seeded_model(
                lambda n=name: build_model(
                    n, task, length=dnn_length, **sizes.get(n, {})
                ),
                seed,
            )
            history = train(
                model, task, replace(settings, seed=seed), held_out, progress
            )
            predicted = predict(model, held_out)
            labels = held_out.labels.numpy()
            correct[name].append(predicted == labels)
            record = {
                "seed": seed,
                "accuracy": round(metrics.accuracy(labels, predicted), 4),
                "balanced_accuracy": round(
                    metrics.balanced_accuracy(labels, predicted), 4
                ),
                "steps": history.stopped_at or settings.steps,
            }
            for key, batch in extra_sets.items():
                record[key] = _score_on(model, batch)
            per_seed.append(record)
        results.append(
            ModelResult(
                model=name,
                parameters=count_parameters(model),
                accuracy=metrics.seed_interval([s["accuracy"] for s in per_seed]),
                balanced_accuracy=metrics.seed_interval(
                    [s["balanced_accuracy"] for s in per_seed]
                ),
                per_seed=per_seed,
                by_test_length={key: _summarise(per_seed, key) for key in extra_sets},
            )
        )

    mcnemar_p = difference = None
    if len(models) >= 2:
        first, second = models[0], models[1]
        mcnemar_p = max(
            metrics.mcnemar_exact(a, b)
            for a, b in zip(correct[first], correct[second], strict=True)
        )
        if len(seeds) >= 2:
            difference = metrics.bootstrap_difference(
                [s["balanced_accuracy"] for s in results[0].per_seed],
                [s["balanced_accuracy"] for s in results[1].per_seed],
            )
    settings_record = {
        k: v for k, v in vars(settings).items() if k != "seed" and v is not None
    }
    return Comparison(
        task=task.name,
        majority_baseline=metrics.majority_baseline(held_out.labels.numpy()),
        held_out_size=held_out_size,
        settings=settings_record,
        seeds=seeds,
        results=results,
        mcnemar_p=mcnemar_p,
        difference=difference,
    )


def permutation_test(model, batch, seed: int = 0) -> dict:
    """Scores before and after shuffling the real steps of every test sequence.

    Each sequence's real steps are permuted independently; the padding stays at
    the end. An order-blind model scores the same on both; a model that uses order
    drops towards chance when order carries the label.
    """
    _check_batch("batch", batch)
    rng = np.random.default_rng(seed)
    inputs = batch.inputs.clone()  # (B, T, F)
    lengths = batch.lengths.numpy()
    time = inputs.shape[1]
    # Sort random keys; padded steps get +inf keys so they stay at the end.
    keys = rng.random((len(batch), time))  # (B, T)
    keys[np.arange(time)[None, :] >= lengths[:, None]] = np.inf
    order = np.argsort(keys, axis=1)  # (B, T)
    shuffled = inputs[np.arange(len(batch))[:, None], order]  # (B, T, F)
    before = evaluate(model, batch)
    after = evaluate(model, type(batch)(shuffled, batch.labels, batch.lengths))
    return {
        "balanced_accuracy": before.balanced_accuracy,
        "shuffled_balanced_accuracy": after.balanced_accuracy,
    }


SWEEPS = ("length", "train-size", "lag")


@dataclass
class Sweep:
    """Balanced accuracy per model and value of one swept setting."""

    task: str
    over: str
    values: list[int]
    comparisons: list[Comparison]

    def rows(self) -> list[dict]:
        rows = []
        for value, comparison in zip(self.values, self.comparisons, strict=True):
            for result in comparison.results:
                rows.append(
                    {
                        "value": value,
                        "model": result.model,
                        "balanced_accuracy": result.balanced_accuracy.as_dict(),
                    }
                )
        return rows

    def as_dict(self) -> dict:
        return {"task": self.task, "over": self.over, "rows": self.rows()}

    def table(self) -> str:
        lines = [
            f"task {self.task}, sweep over {self.over}: balanced accuracy, mean "
            "over seeds [95% CI]",
            f"{self.over:>10}  {'model':<6} balanced accuracy",
        ]
        for row in self.rows():
            score = Interval(**row["balanced_accuracy"])
            lines.append(f"{row['value']:>10}  {row['model']:<6} {score}")
        return "\n".join(lines)


def sweep_settings(task: Task, over: str, value: int, base: TrainSettings):
    """The training settings of one point of a sweep."""
    if over == "length":
        return replace(base, length=value, lengths=None)
    if over == "train-size":
        return replace(base, train_size=value)
    if over == "lag":
        if "lag" not in task.options:
            with_lag = ", ".join(
                n for n in task_names() if "lag" in get_task(n).options
            )
            raise ValueError(
                f"task {task.name!r} has no lag to sweep; tasks with a lag: {with_lag}"
            )
        return replace(base, options={**base.options, "lag": (value, value)})
    raise ValueError(f"cannot sweep over {over!r}; choose one of {', '.join(SWEEPS)}")


def sweep(
    task: str | Task,
    over: str,
    values: Sequence[int],
    models: Sequence[str] = ("dnn", "lstm"),
    seeds: int | Sequence[int] = 3,
    settings: TrainSettings | None = None,
    held_out_size: int = 2000,
    progress: bool | None = None,
) -> Sweep:
    """Run :func:`compare` once per value of one setting (``SWEEPS``)."""
    task = as_task(task)
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(
            f"values must be a list of integers, such as [10, 20, 40], got {values!r}"
        )
    values = [int(v) if isinstance(v, np.integer) else v for v in values]
    if not values:
        raise ValueError("give at least one value to sweep over")
    _check_different("values", values)
    base = default_settings(task) if settings is None else settings
    _check_settings(base)
    comparisons = [
        compare(
            task,
            models,
            seeds,
            sweep_settings(task, over, v, base),
            held_out_size,
            progress=progress,
        )
        for v in values
    ]
    return Sweep(task.name, over, values, comparisons)
