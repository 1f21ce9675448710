"""The benchmark is code too: a rename in the app must not break `make bench` unnoticed."""

import importlib
import pkgutil

import pytest

import bench

pytestmark = pytest.mark.any_database  # CI runs it once, not on each database


def test_every_bench_module_imports():
    names = [m.name for m in pkgutil.iter_modules(bench.__path__)]
    assert {"run", "load_purchases", "seed"} <= set(names)
    for name in names:
        importlib.import_module(f"bench.{name}")
