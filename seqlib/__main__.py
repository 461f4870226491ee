"""Command line: run a comparison or a sweep without Jupyter.

    python -m seqlib compare --task positional --models dnn lstm --steps 30 \
        --batch-size 32 --lr 0.01 --seeds 5 [--json]
    python -m seqlib compare --task motif --length 40 --train-size 2000 \
        --test-lengths 81-160 --seeds 3
    python -m seqlib sweep --task motif --over train-size --values 500 2000 8000

Options left out take the task's recorded training settings. Bad input exits
with status 2 and one line on stderr that says what is allowed.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from seqlib.experiments import SWEEPS, compare, default_settings, sweep
from seqlib.models import model_names
from seqlib.tasks import get_task, task_names


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


def _non_negative_int(text: str) -> int:
    if text == "0":
        return 0
    return _positive_int(text)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a finite positive number, got {text!r}"
        ) from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(
            f"expected a finite positive number, got {text}"
        )
    return value


def _plot_file(text: str) -> str:
    """A figure path checked before the sweep runs, not after."""
    from matplotlib.figure import Figure

    path = Path(text)
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(
            f"expected FILE.png in an existing folder, got {text!r}"
        )
    formats = Figure().canvas.get_supported_filetypes()
    if path.suffix.lstrip(".").lower() not in formats:
        raise argparse.ArgumentTypeError(
            f"expected a figure file such as FILE.png (formats: "
            f"{', '.join(sorted(formats))}), got {text!r}"
        )
    return text


def _length_range(text: str) -> tuple[int, int]:
    low, dash, high = text.partition("-")
    try:
        pair = (int(low), int(high if dash else low))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected lengths as LOW-HIGH (e.g. 81-160) or N, got {text!r}"
        ) from None
    if pair[0] < 1 or pair[0] > pair[1]:
        raise argparse.ArgumentTypeError(
            f"expected 1 <= LOW <= HIGH in LOW-HIGH, got {text!r}"
        )
    return pair


def _add_common(command: argparse.ArgumentParser) -> None:
    command.add_argument("--task", required=True, choices=task_names())
    command.add_argument(
        "--models",
        nargs="+",
        default=["dnn", "lstm"],
        choices=model_names(),
        metavar="MODEL",
        help=f"one or more of {', '.join(model_names())}",
    )
    command.add_argument("--steps", type=_positive_int)
    command.add_argument("--batch-size", type=_positive_int)
    command.add_argument("--lr", type=_positive_float)
    command.add_argument(
        "--train-size", type=_positive_int, help="train on one fixed set of N sequences"
    )
    command.add_argument(
        "--random-positions",
        action="store_true",
        help="temporal-order: put the events anywhere",
    )
    command.add_argument(
        "--held-out",
        type=_positive_int,
        default=None,
        help="size of each fixed held-out set",
    )
    command.add_argument("--json", action="store_true", help="print one JSON object")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="python -m seqlib", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(
        dest="command",
        required=True,
        parser_class=_OneLineParser,
        metavar="{compare,sweep}",  # named in the error when the command is missing
    )
    run = commands.add_parser("compare", help="train models over seeds and compare")
    _add_common(run)
    run.add_argument(
        "--seeds", type=_positive_int, default=5, help="number of seeds (0, 1, ... n-1)"
    )
    run.add_argument(
        "--length",
        type=_positive_int,
        help="one sequence length for training and testing",
    )
    run.add_argument("--train-lengths", type=_length_range, metavar="LOW-HIGH")
    run.add_argument(
        "--test-lengths",
        type=_length_range,
        metavar="LOW-HIGH",
        action="append",
        default=[],
        help="an extra held-out set of these lengths (repeatable)",
    )

    swept = commands.add_parser("sweep", help="compare at each value of a setting")
    _add_common(swept)
    swept.add_argument("--seeds", type=_positive_int, default=3)
    swept.add_argument("--over", required=True, choices=SWEEPS)
    swept.add_argument("--values", required=True, nargs="+", type=_non_negative_int)
    swept.add_argument(
        "--plot", type=_plot_file, metavar="FILE.png", help="save a figure there"
    )
    return parser


def _settings(args: argparse.Namespace):
    task = get_task(args.task)
    overrides = {
        name: value
        for name, value in {
            "steps": args.steps,
            "batch_size": args.batch_size,
            "lr": args.lr,
            "train_size": args.train_size,
        }.items()
        if value is not None
    }
    if getattr(args, "length", None) is not None:
        overrides["length"] = args.length
    if getattr(args, "train_lengths", None) is not None:
        overrides["lengths"] = args.train_lengths
    if args.random_positions:
        if "random_positions" not in task.options:
            raise ValueError(
                f"task {task.name!r} has no --random-positions option; "
                "only temporal-order has"
            )
        overrides["options"] = {"random_positions": True}
    return task, default_settings(task, **overrides)


def run_compare(args: argparse.Namespace) -> str:
    task, settings = _settings(args)
    result = compare(
        task,
        args.models,
        args.seeds,
        settings,
        held_out_size=args.held_out or 10_000,
        test_lengths=args.test_lengths,
        progress=False,
    )
    return json.dumps(result.as_dict()) if args.json else result.table()


def run_sweep(args: argparse.Namespace) -> str:
    task, settings = _settings(args)
    result = sweep(
        task,
        args.over,
        args.values,
        args.models,
        args.seeds,
        settings,
        held_out_size=args.held_out or 2000,
        progress=False,
    )
    if args.plot:
        from seqlib.plots import sweep_lines

        sweep_lines(result).savefig(args.plot, dpi=120, bbox_inches="tight")
    return json.dumps(result.as_dict()) if args.json else result.table()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        run = run_compare if args.command == "compare" else run_sweep
        print(run(args))
    except (ValueError, KeyError, TypeError) as error:
        message = error.args[0] if isinstance(error, KeyError) else error
        print(f"python -m seqlib: error: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
