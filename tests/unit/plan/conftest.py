"""Runs the code-coverage test of the plan suite last, and tells it whether the suite ran whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.verdicts import publish

HERE = Path(__file__).parent
LAST = "test_every_planning_code_is_produced_by_some_test"
COMPLETE = pytest.StashKey[bool]()


def _ours(item: pytest.Item) -> bool:
    return item.path.is_relative_to(HERE)


def pytest_deselected(items: list[pytest.Item]) -> None:
    if items and any(_ours(item) for item in items):
        items[0].config.stash[COMPLETE] = False


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    last = [item for item in items if _ours(item) and item.name == LAST]
    for item in last:
        items.remove(item)
        items.append(item)
    modules = {item.path for item in items if _ours(item)}
    whole = modules == set(HERE.glob("test_*.py"))
    config.stash[COMPLETE] = config.stash.get(COMPLETE, True) and whole


def pytest_runtest_setup(item: pytest.Item) -> None:
    if _ours(item) and item.name == LAST:
        publish(item.config)  # everything this worker ran before the verdict is done
