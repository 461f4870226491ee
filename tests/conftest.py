"""Shared settings and fixtures for the test suite.

The suite runs with progress bars off, as ``make unit`` does, so that a test run
prints only pytest's own report.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("SEQLIB_PROGRESS", "0")

ROOT = Path(__file__).resolve().parents[1]  # the repository root


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository root, whatever directory pytest was started from."""
    return ROOT
