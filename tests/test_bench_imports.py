"""The benchmark is code too: a rename in the app must not break `make bench` unnoticed, and
it stands on its own (it runs where the tests are not installed, and a test helper's change
must not move a figure)."""

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import bench

pytestmark = pytest.mark.any_database  # CI runs it once, not on each database


def test_every_bench_module_imports():
    names = [m.name for m in pkgutil.iter_modules(bench.__path__)]
    assert {"run", "load_purchases", "seed", "caller_id", "calls"} <= set(names)
    for name in names:
        importlib.import_module(f"bench.{name}")


def test_bench_imports_nothing_from_the_tests():
    imported = {}
    for path in Path(bench.__path__[0]).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.setdefault(path.name, set()).add(node.module)
            elif isinstance(node, ast.Import):
                imported.setdefault(path.name, set()).update(a.name for a in node.names)
    assert "app" in {m.split(".")[0] for m in imported["caller_id.py"]}  # the walk sees imports
    from_tests = {
        name: sorted(m for m in modules if m == "tests" or m.startswith("tests."))
        for name, modules in imported.items()
    }
    assert {name: found for name, found in from_tests.items() if found} == {}


def test_the_readme_names_the_modules_there_are():
    readme = (Path(bench.__path__[0]) / "README.md").read_text()
    files = readme[readme.index("## Files") :].split("\n## ")[0]
    words = {word.strip("`,.()") for word in files.split()}
    named = {w for w in words if w.endswith(".py") and "/" not in w}
    there = {p.name for p in Path(bench.__path__[0]).glob("*.py")} - {"__init__.py"}
    assert named == there
