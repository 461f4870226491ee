"""seqlib: the plumbing of the course "Order matters".

Tasks -> models -> training -> metrics -> experiments -> plots and widgets: each
module imports only those to its left.
"""

from seqlib.experiments import Comparison, compare
from seqlib.models import DNN, LSTM, Bag, NotApplicable, build_model, count_parameters
from seqlib.tasks import Batch, Task, get_task, task_names
from seqlib.training import TrainSettings, evaluate, predict, seeded_model, train

__all__ = [
    "DNN", "LSTM", "Bag", "Batch", "Comparison", "NotApplicable", "Task",
    "TrainSettings", "build_model", "compare", "count_parameters", "evaluate",
    "get_task", "predict", "seeded_model", "task_names", "train",
]
