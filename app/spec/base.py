"""The base every repo-format model shares: strict fields, labels and protection."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

Labels = dict[str, str]


class Strict(BaseModel):
    """Unknown fields are errors and YAML types are taken as written (no '5' → 5)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Resource(Strict):
    labels: Labels = Field(default_factory=dict, description="Extra CloudStack tags")
    protected: bool = Field(False, description="Deny deletes and replaces of this resource")
