"""Execute course notebooks headless from their jupytext .py sources, timed.

    python tools/run_course.py notebooks/01_the_question.py ...
    python tools/run_course.py --write notebooks/*.py   # refresh the references

Without --write nothing is written: the run only proves that every notebook
executes and says how long each took. With --write each executed notebook
replaces the paired .ipynb, which is the reference that nbval compares.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import jupytext
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def execute(source: Path, timeout: int) -> tuple[object, float]:
    notebook = jupytext.read(source)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(source.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    return notebook, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sources", nargs="+", type=Path, help="jupytext .py files")
    parser.add_argument(
        "--write",
        action="store_true",
        help="write each executed notebook to its paired .ipynb",
    )
    parser.add_argument(
        "--timeout", type=int, default=300, help="seconds allowed per cell"
    )
    args = parser.parse_args(argv)

    total, failed = 0.0, []
    for source in args.sources:
        if source.suffix != ".py" or not source.exists():
            print(f"{source}: expected an existing jupytext .py file", file=sys.stderr)
            return 2
        try:
            notebook, seconds = execute(source, args.timeout)
        except CellExecutionError as error:
            print(f"{source}: FAILED\n{error}", file=sys.stderr)
            failed.append(source)
            continue
        total += seconds
        print(f"{seconds:7.1f} s  {source}", flush=True)
        if args.write:
            jupytext.write(notebook, source.with_suffix(".ipynb"))
    print(f"{total:7.1f} s  in all, {len(args.sources) - len(failed)} notebook(s) ran")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
