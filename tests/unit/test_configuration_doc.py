"""docs/configuration.md names every setting stackgate reads, and nothing it does not."""

from __future__ import annotations

import re
from pathlib import Path

from app.config import Settings

DOC = Path(__file__).parents[2] / "docs" / "configuration.md"


def test_every_setting_is_documented_and_every_documented_one_exists() -> None:
    named = set(re.findall(r"`STACKGATE_([A-Z0-9_]+)`", DOC.read_text()))
    named = {name.split("__")[0] for name in named}  # STACKGATE_CLOUDS__DC1__URL is clouds
    fields = {name.upper() for name in Settings.model_fields}
    assert fields - named == set(), "settings missing from docs/configuration.md"
    assert named - fields == set(), "docs/configuration.md names settings that do not exist"
