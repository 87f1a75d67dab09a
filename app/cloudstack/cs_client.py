"""The ``cs`` library's synchronous client, loaded without the package's ``__init__``.

``cs/__init__.py`` imports aiohttp whenever it is installed, for an asyncio client stackgate
does not use, and opa-python-client installs it: every command that talked to a cloud paid
for aiohttp at start (0.2 s here, 0.6 s on a loaded machine, most of it an SSL context built
at import). ``cs/client.py`` holds the whole synchronous client (``CloudStack`` and its
exceptions) and imports nothing of its package, so it is loaded on its own under its own
name: the same code, and an ``import cs`` later (the tests' independent client) takes this
module for its ``cs.client`` instead of loading a second copy.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

NAME = "cs.client"


def _load() -> ModuleType:
    loaded = sys.modules.get(NAME)
    if loaded is not None:
        return loaded
    package = importlib.util.find_spec("cs")  # finds the package without running it
    if package is None or package.origin is None:
        raise ImportError("the cs package is not installed", name="cs")
    spec = importlib.util.spec_from_file_location(NAME, Path(package.origin).with_name("client.py"))
    if spec is None or spec.loader is None:
        raise ImportError("cs/client.py cannot be loaded", name=NAME)
    module = importlib.util.module_from_spec(spec)
    sys.modules[NAME] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[NAME]
        raise
    return module


if TYPE_CHECKING:
    from cs.client import CloudStack, CloudStackApiException, CloudStackException
else:
    _client = _load()
    CloudStack = _client.CloudStack
    CloudStackApiException = _client.CloudStackApiException
    CloudStackException = _client.CloudStackException

__all__ = ["CloudStack", "CloudStackApiException", "CloudStackException"]
