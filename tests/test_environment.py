"""The three descriptions of the environment must agree.

- pyproject.toml: the version ranges pip installs from (core and the course extra);
- environment.yml: the same packages and ranges for conda and Binder;
- constraints.txt: the exact versions the reference notebooks were executed with.
"""

from __future__ import annotations

import re

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pip vendors the same parser
    from pip._vendor import tomli as tomllib

# conda-forge name -> PyPI name, where the two differ.
CONDA_TO_PYPI = {"pytorch": "torch"}
# Entries of environment.yml that are not Python packages of the project.
CONDA_ONLY = {"python", "pip"}
TORCH_PIN = "2.13.0"  # the version every committed output was produced with


@pytest.fixture(scope="module")
def pyproject(root) -> dict:
    with open(root / "pyproject.toml", "rb") as file:
        return tomllib.load(file)


@pytest.fixture(scope="module")
def pip_ranges(pyproject) -> dict[str, SpecifierSet]:
    """Package name -> version range, core dependencies plus the course extra."""
    project = pyproject["project"]
    lines = project["dependencies"] + project["optional-dependencies"]["course"]
    ranges = {}
    for line in lines:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name not in ranges, f"{name} is listed twice in pyproject.toml"
        ranges[name] = requirement.specifier
    return ranges


@pytest.fixture(scope="module")
def conda_ranges(root) -> dict[str, SpecifierSet]:
    """Package name (PyPI spelling) -> version range, from environment.yml."""
    with open(root / "environment.yml") as file:
        environment = yaml.safe_load(file)
    ranges = {}
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):  # the nested pip: section installs the project
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", entry)
        assert match, f"cannot read environment.yml entry {entry!r}"
        name, spec = match.groups()
        if name in CONDA_ONLY:
            continue
        name = canonicalize_name(CONDA_TO_PYPI.get(name, name))
        ranges[name] = SpecifierSet(spec.replace(" ", ""))
    return ranges


@pytest.fixture(scope="module")
def pins(root) -> dict[str, Version]:
    """Package name -> the exact version constraints.txt pins it to."""
    pinned = {}
    for number, line in enumerate((root / "constraints.txt").read_text().splitlines()):
        line = line.split("#")[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", (
            f"constraints.txt line {number + 1}: {line!r} is not an exact == pin"
        )
        pinned[canonicalize_name(requirement.name)] = Version(specifiers[0].version)
    return pinned


def test_conda_and_pip_name_the_same_packages(pip_ranges, conda_ranges):
    only_pip = sorted(set(pip_ranges) - set(conda_ranges))
    only_conda = sorted(set(conda_ranges) - set(pip_ranges))
    assert not only_pip, f"in pyproject.toml but not environment.yml: {only_pip}"
    assert not only_conda, f"in environment.yml but not pyproject.toml: {only_conda}"


def test_conda_and_pip_ranges_agree(pip_ranges, conda_ranges):
    differ = [
        f"{name}: pyproject {pip_ranges[name]}, environment.yml {conda_ranges[name]}"
        for name in sorted(set(pip_ranges) & set(conda_ranges))
        if pip_ranges[name] != conda_ranges[name]
    ]
    assert not differ, "version ranges disagree: " + "; ".join(differ)


def test_every_dependency_is_pinned_within_its_range(pip_ranges, pins):
    missing = sorted(set(pip_ranges) - set(pins))
    assert not missing, f"not pinned in constraints.txt: {missing}"
    outside = [
        f"{name}=={pins[name]} outside {pip_ranges[name]}"
        for name in sorted(pip_ranges)
        if not pip_ranges[name].contains(pins[name], prereleases=True)
    ]
    assert not outside, "constraints.txt pins outside pyproject.toml: " + "; ".join(
        outside
    )


def test_torch_is_pinned(pins):
    assert pins["torch"] == Version(TORCH_PIN)


def test_conda_python_satisfies_requires_python(pyproject, root):
    with open(root / "environment.yml") as file:
        entries = yaml.safe_load(file)["dependencies"]
    python = next(e for e in entries if isinstance(e, str) and e.startswith("python"))
    version = python.split("=")[-1]
    requires = SpecifierSet(pyproject["project"]["requires-python"])
    assert requires.contains(version), f"{python} against requires-python {requires}"


def test_each_package_is_pinned_once(root):
    names = [
        canonicalize_name(Requirement(line).name)
        for line in (root / "constraints.txt").read_text().splitlines()
        if line.split("#")[0].strip()
    ]
    twice = sorted({name for name in names if names.count(name) > 1})
    assert not twice, f"pinned more than once in constraints.txt: {twice}"
