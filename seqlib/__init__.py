"""seqlib: the plumbing of the course "Order matters".

Tasks -> models -> training -> metrics -> experiments -> plots and widgets: each
module imports only those to its left.
"""

import os

import torch

# The course's models are tiny: one thread is faster than several (threads spend
# more time waiting for each other than computing, above all on a busy laptop),
# and it makes every float sum run in one order, so the numbers of a seed are the
# same on any machine. SEQLIB_THREADS overrides it for larger experiments.
torch.set_num_threads(int(os.environ.get("SEQLIB_THREADS", "1")))

from seqlib.experiments import Comparison, compare  # noqa: E402
from seqlib.models import (  # noqa: E402
    DNN,
    LSTM,
    Bag,
    NotApplicable,
    build_model,
    count_parameters,
)
from seqlib.tasks import Batch, Task, get_task, task_names  # noqa: E402
from seqlib.training import (  # noqa: E402
    TrainSettings,
    evaluate,
    predict,
    seeded_model,
    train,
)

__all__ = [
    "DNN",
    "LSTM",
    "Bag",
    "Batch",
    "Comparison",
    "NotApplicable",
    "Task",
    "TrainSettings",
    "build_model",
    "compare",
    "count_parameters",
    "evaluate",
    "get_task",
    "predict",
    "seeded_model",
    "task_names",
    "train",
]
