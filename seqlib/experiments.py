"""Compare models on a task over several seeds, on one fixed held-out set."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from seqlib import metrics
from seqlib.metrics import Interval
from seqlib.models import build_model, count_parameters
from seqlib.tasks import Task, get_task
from seqlib.training import TrainSettings, draw_held_out, evaluate, seeded_model, train


@dataclass
class ModelResult:
    model: str
    parameters: int
    accuracy: Interval  # mean over seeds with a t interval
    balanced_accuracy: Interval
    per_seed: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "model": self.model,
            "parameters": self.parameters,
            "accuracy": self.accuracy.as_dict(),
            "balanced_accuracy": self.balanced_accuracy.as_dict(),
            "per_seed": self.per_seed,
        }


@dataclass
class Comparison:
    task: str
    majority_baseline: float
    held_out_size: int
    settings: dict
    seeds: list[int]
    results: list[ModelResult]

    def as_dict(self) -> dict:
        return {
            "task": self.task,
            "majority_baseline": round(self.majority_baseline, 4),
            "held_out_size": self.held_out_size,
            "seeds": self.seeds,
            "settings": self.settings,
            "results": [result.as_dict() for result in self.results],
        }

    def result(self, model: str) -> ModelResult:
        for result in self.results:
            if result.model == model:
                return result
        raise KeyError(f"no result for model {model!r}")

    def table(self) -> str:
        """A plain-text table: one line per model, means with 95 % intervals."""
        header = (
            f"task {self.task}: {self.held_out_size:,} held-out sequences, "
            f"majority baseline {self.majority_baseline:.3f}, "
            f"{len(self.seeds)} seed(s), {self.settings['steps']} steps"
        )
        columns = f"{'model':<6} {'params':>7}  {'accuracy [95% CI]':<24}  "
        columns += "balanced accuracy [95% CI]"
        lines = [header, columns]
        for r in self.results:
            lines.append(
                f"{r.model:<6} {r.parameters:>7,}  {str(r.accuracy):<24}  "
                f"{r.balanced_accuracy}"
            )
        return "\n".join(lines)


def _seed_list(seeds: int | Sequence[int]) -> list[int]:
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValueError(f"seeds must be a positive count, got {seeds}")
        return list(range(seeds))
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    return seeds


def compare(
    task: str | Task,
    models: Sequence[str] = ("dnn", "lstm"),
    seeds: int | Sequence[int] = 5,
    settings: TrainSettings | None = None,
    held_out_size: int = 10_000,
    model_sizes: dict[str, dict] | None = None,
    progress: bool | None = None,
) -> Comparison:
    """Train each model once per seed and score all of them on one held-out set.

    ``settings`` defaults to the task's recorded training settings; its ``seed``
    field is replaced by each seed in turn. ``model_sizes`` maps a model name to
    constructor keywords.
    """
    task = get_task(task) if isinstance(task, str) else task
    if not models:
        raise ValueError("name at least one model to compare")
    if settings is None:
        defaults = task.training
        settings = TrainSettings(
            steps=defaults.steps,
            batch_size=defaults.batch_size,
            lr=defaults.lr,
            train_size=defaults.train_size,
        )
    seeds = _seed_list(seeds)
    model_sizes = model_sizes or {}
    held_out = draw_held_out(task, held_out_size, **settings.draw_kwargs())
    labels = held_out.labels.numpy()

    results = []
    for name in models:
        per_seed = []
        for seed in seeds:
            model = seeded_model(
                lambda n=name: build_model(n, task, **model_sizes.get(n, {})), seed
            )
            train(model, task, replace(settings, seed=seed), held_out, progress)
            scores = evaluate(model, held_out)
            per_seed.append(
                {
                    "seed": seed,
                    "accuracy": round(scores.accuracy, 4),
                    "balanced_accuracy": round(scores.balanced_accuracy, 4),
                }
            )
        results.append(
            ModelResult(
                model=name,
                parameters=count_parameters(model),
                accuracy=metrics.seed_interval([s["accuracy"] for s in per_seed]),
                balanced_accuracy=metrics.seed_interval(
                    [s["balanced_accuracy"] for s in per_seed]
                ),
                per_seed=per_seed,
            )
        )
    settings_record = {
        k: v for k, v in vars(settings).items() if k != "seed" and v is not None
    }
    return Comparison(
        task=task.name,
        majority_baseline=metrics.majority_baseline(labels),
        held_out_size=held_out_size,
        settings=settings_record,
        seeds=seeds,
        results=results,
    )
