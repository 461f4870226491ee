"""Train a model on a task and score it on a fixed held-out set.

The loop is the one the course writes out by hand in its first notebooks (draw a
batch, forward, loss, zero the gradients, backward, step), plus what makes a
measurement trustworthy: an explicit seed for the model and for the data, a
held-out set drawn once from a seed of its own, and scores taken under ``eval()``
and ``no_grad()`` at fixed points into a history.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field
from numbers import Real

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from seqlib import metrics
from seqlib.tasks import Batch, Task, _check_count, _check_range, as_task

HELD_OUT_SEED = 20_000  # far from the small integers used as training seeds
VALIDATION_SEED = 30_000  # early stopping looks at this set, never the test set
CHUNK_STEPS = 50  # training batches drawn per vectorised call


@dataclass
class TrainSettings:
    """One training run. Every field is a knob of the experiment."""

    steps: int = 30  # optimiser steps
    batch_size: int = 32  # sequences per step
    lr: float = 0.01  # Adam's learning rate
    seed: int = 0  # initial weights and training batches
    train_size: int | None = None  # a fixed training set; None: fresh batches
    lengths: tuple[int, int] | None = None  # training lengths (low, high)
    length: int | None = None  # one training length; None: the task's default
    clip_grad: float | None = None  # clip the gradient norm to this value
    eval_every: int | None = None  # held-out scores every N steps; None: 10 times
    early_stop: float | None = None  # stop once validation balanced accuracy >= it
    validation_size: int = 1000  # sequences in the early-stopping set
    options: dict = field(default_factory=dict)  # task keywords for every draw

    def __post_init__(self):
        # Counts are stored as plain ints, so that numpy integers are welcome and
        # the recorded settings stay JSON.
        for name in ("steps", "batch_size", "validation_size"):
            setattr(self, name, _check_positive(name, getattr(self, name)))
        for name in ("train_size", "eval_every", "length"):
            if getattr(self, name) is not None:
                setattr(self, name, _check_positive(name, getattr(self, name)))
        self.seed = _check_seed(self.seed)
        for name in ("lr", "clip_grad", "early_stop"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, Real)
            ):
                raise TypeError(f"{name} must be a number, got {value!r}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"lr must be a positive finite number, got {self.lr!r}")
        if self.clip_grad is not None and not (
            self.clip_grad > 0 and math.isfinite(self.clip_grad)
        ):
            raise ValueError(
                f"clip_grad must be a positive finite number, got {self.clip_grad!r}"
            )
        if self.early_stop is not None and not 0 < self.early_stop <= 1:
            raise ValueError(
                f"early_stop is a balanced accuracy in (0, 1], got {self.early_stop!r}"
            )
        if self.length is not None and self.lengths is not None:
            raise ValueError(
                "give either length or lengths=(low, high), not both; "
                f"got length={self.length} and lengths={self.lengths}"
            )
        if self.lengths is not None:
            self.lengths = _check_range(self.lengths)
        if not isinstance(self.options, dict):
            raise TypeError(
                "options must be a dict of task keywords, such as "
                f"{{'random_positions': True}}, got {self.options!r}"
            )

    def draw_kwargs(self) -> dict:
        """Keywords for ``Task.draw`` that reproduce the training distribution."""
        if self.lengths is not None:
            return {"lengths": tuple(self.lengths), **self.options}
        if self.length is not None:
            return {"length": self.length, **self.options}
        return dict(self.options)


def _check_positive(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _check_seed(seed) -> int:
    """A seed both numpy and torch accept: an integer in 0 .. 2**64 - 1."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if seed >= 2**64:
        raise ValueError(f"seed must be below 2**64 (torch's limit), got {seed}")
    return int(seed)


def _check_settings(settings) -> None:
    if not isinstance(settings, TrainSettings):
        raise TypeError(
            f"settings must be a TrainSettings, got {settings!r}; "
            "build one with TrainSettings(steps=..., lr=...)"
        )


def _check_batch(name: str, batch) -> None:
    if not isinstance(batch, Batch):
        raise TypeError(
            f"{name} must be a Batch of inputs, labels and lengths (what task.draw "
            f"returns), got {type(batch).__name__}"
        )


@dataclass
class History:
    """What happened during training, one row per held-out evaluation."""

    settings: dict
    steps: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)  # mean since last row
    accuracy: list[float] = field(default_factory=list)  # held-out
    balanced_accuracy: list[float] = field(default_factory=list)  # held-out
    stopped_at: int | None = None  # the step early stopping ended training

    def last(self) -> dict:
        return {
            "step": self.steps[-1],
            "train_loss": self.train_loss[-1],
            "accuracy": self.accuracy[-1],
            "balanced_accuracy": self.balanced_accuracy[-1],
        }


@dataclass(frozen=True)
class Scores:
    accuracy: float
    balanced_accuracy: float
    correct: int
    n: int


def seeded_model(build, seed: int) -> nn.Module:
    """Call ``build()`` with torch's generator seeded; global state is left alone."""
    if isinstance(build, nn.Module) or not callable(build):
        raise TypeError(
            "build must be a function that makes a new model, such as DNN or "
            f"lambda: build_model('lstm', task), got {type(build).__name__}"
        )
    seed = _check_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def draw_held_out(task: Task, n: int = 10_000, seed: int = HELD_OUT_SEED, **kwargs):
    """The fixed held-out set: the same for every model and every training seed."""
    return task.draw(n, seed, **kwargs)


@torch.no_grad()
def predict(model: nn.Module, batch: Batch, chunk: int = 4096) -> np.ndarray:
    """Predicted classes, shape (B,), computed under eval() and no_grad()."""
    _check_batch("batch", batch)
    _check_count("chunk", chunk)
    was_training = model.training
    model.eval()
    try:
        # An empty batch still goes through the model once, so it is checked too.
        parts = [
            model(batch.inputs[i : i + chunk], batch.lengths[i : i + chunk]).argmax(1)
            for i in range(0, max(len(batch), 1), chunk)
        ]
    finally:
        model.train(was_training)
    return torch.cat(parts).numpy()


def evaluate(model: nn.Module, batch: Batch) -> Scores:
    predicted = predict(model, batch)
    labels = batch.labels.numpy()
    return Scores(
        accuracy=metrics.accuracy(labels, predicted),
        balanced_accuracy=metrics.balanced_accuracy(labels, predicted),
        correct=int((predicted == labels).sum()),
        n=len(labels),
    )


def training_batches(task: Task, settings: TrainSettings):
    """Yield ``settings.steps`` training batches, all determined by the seed."""
    # A seed sequence of (seed, 1) keeps the training stream apart from a held-out
    # set drawn with the plain integer seed.
    rng = np.random.default_rng([settings.seed, 1])
    size = settings.batch_size
    if settings.train_size is None:
        for start in range(0, settings.steps, CHUNK_STEPS):
            count = min(CHUNK_STEPS, settings.steps - start)
            chunk = task.draw(count * size, rng, **settings.draw_kwargs())
            for i in range(count):
                yield chunk[i * size : (i + 1) * size]
        return
    # A fixed training set, reshuffled each time it has all been seen (an epoch).
    data = task.draw(settings.train_size, rng, **settings.draw_kwargs())
    order = rng.permutation(len(data))
    position = 0
    for _ in range(settings.steps):
        if position + size > len(order):
            order, position = rng.permutation(len(data)), 0
        yield data[torch.from_numpy(order[position : position + size])]
        position += size


def _progress_enabled(progress: bool | None) -> bool:
    if progress is None:
        # Reference notebooks are executed with SEQLIB_PROGRESS=0, so that a bar's
        # timings never reach the outputs that the regression compares.
        return os.environ.get("SEQLIB_PROGRESS", "1") != "0"
    return progress


def train(
    model: nn.Module,
    task: Task,
    settings: TrainSettings | None = None,
    held_out: Batch | None = None,
    progress: bool | None = None,
) -> History:
    """Train ``model`` in place on ``task`` (a Task or its name); return its history.

    ``held_out`` defaults to 10,000 sequences drawn from ``HELD_OUT_SEED``; pass
    one set to compare several models on exactly the same sequences.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(
            "model must be a torch module, such as build_model('dnn', task), "
            f"got {model!r}"
        )
    task = as_task(task)
    settings = TrainSettings() if settings is None else settings
    _check_settings(settings)
    if held_out is not None:
        _check_batch("held_out", held_out)
    if settings.train_size is not None and settings.train_size < settings.batch_size:
        raise ValueError(
            f"train_size ({settings.train_size}) must be at least batch_size "
            f"({settings.batch_size})"
        )
    if held_out is None:
        held_out = draw_held_out(task, **settings.draw_kwargs())
    eval_every = settings.eval_every or max(1, settings.steps // 10)
    validation = None
    if settings.early_stop is not None:
        validation = task.draw(
            settings.validation_size, VALIDATION_SEED, **settings.draw_kwargs()
        )
    optimiser = torch.optim.Adam(model.parameters(), lr=settings.lr)
    loss_fn = nn.CrossEntropyLoss()
    history = History(settings=asdict(settings))
    losses: list[float] = []

    model.train()
    batches = training_batches(task, settings)
    bar = tqdm(
        batches,
        total=settings.steps,
        disable=not _progress_enabled(progress),
        leave=False,
        desc=type(model).__name__,
    )
    for step, batch in enumerate(bar, start=1):
        logits = model(batch.inputs, batch.lengths)  # (B, C)
        loss = loss_fn(logits, batch.labels)
        optimiser.zero_grad()
        loss.backward()
        if settings.clip_grad is not None:
            nn.utils.clip_grad_norm_(model.parameters(), settings.clip_grad)
        optimiser.step()
        losses.append(loss.item())

        if step % eval_every == 0 or step == settings.steps:
            scores = evaluate(model, held_out)
            history.steps.append(step)
            history.train_loss.append(float(np.mean(losses)))
            history.accuracy.append(scores.accuracy)
            history.balanced_accuracy.append(scores.balanced_accuracy)
            bar.set_postfix(held_out_bal_acc=f"{scores.balanced_accuracy:.3f}")
            losses = []
            if validation is not None and step < settings.steps:
                checked = evaluate(model, validation).balanced_accuracy
                if checked >= settings.early_stop:
                    history.stopped_at = step
                    break
    bar.close()
    return history
