"""Command line: run a comparison without Jupyter.

    python -m seqlib compare --task positional --models dnn lstm --steps 30 \
        --batch-size 32 --lr 0.01 --seeds 5 [--json]

Options left out take the task's recorded training settings. Bad input exits
with status 2 and one line on stderr that says what is allowed.
"""

from __future__ import annotations

import argparse
import json
import sys

from seqlib.experiments import compare
from seqlib.models import model_names
from seqlib.tasks import task_names
from seqlib.training import TrainSettings


class _OneLineParser(argparse.ArgumentParser):
    """Report a usage error as one line and exit 2, without the usage block."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer, got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive number, got {text!r}"
        ) from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="python -m seqlib", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True,
                                     parser_class=_OneLineParser)
    run = commands.add_parser("compare", help="train models over seeds and compare")
    run.add_argument("--task", required=True, choices=task_names())
    run.add_argument("--models", nargs="+", default=["dnn", "lstm"],
                     choices=model_names(), metavar="MODEL",
                     help=f"one or more of {', '.join(model_names())}")
    run.add_argument("--steps", type=_positive_int)
    run.add_argument("--batch-size", type=_positive_int)
    run.add_argument("--lr", type=_positive_float)
    run.add_argument("--seeds", type=_positive_int, default=5,
                     help="number of seeds (0, 1, ... n-1)")
    run.add_argument("--held-out", type=_positive_int, default=10_000,
                     help="size of the fixed held-out set")
    run.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def run_compare(args: argparse.Namespace) -> str:
    from seqlib.tasks import get_task

    defaults = get_task(args.task).training
    settings = TrainSettings(
        steps=args.steps or defaults.steps,
        batch_size=args.batch_size or defaults.batch_size,
        lr=args.lr or defaults.lr,
        train_size=defaults.train_size,
    )
    result = compare(args.task, args.models, args.seeds, settings,
                     held_out_size=args.held_out, progress=False)
    if args.json:
        return json.dumps(result.as_dict())
    return result.table()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        print(run_compare(args))
    except (ValueError, KeyError, TypeError) as error:
        print(f"python -m seqlib: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
