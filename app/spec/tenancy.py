"""The project as a tenancy: its quota limits and its members with their project roles."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from app.spec.base import Strict
from app.spec.fields import CountLimit, Name, SizeLimit, bad_value


class Limits(Strict):
    """Desired CloudStack project resource limits (updateResourceLimit)."""

    instances: CountLimit | None = None
    cpu: CountLimit | None = None
    memory: SizeLimit | None = None
    volumes: CountLimit | None = None
    primary_storage: SizeLimit | None = None
    secondary_storage: SizeLimit | None = None
    networks: CountLimit | None = None
    public_ips: CountLimit | None = None
    snapshots: CountLimit | None = None
    templates: CountLimit | None = None
    vpcs: CountLimit | None = None


ProjectState = Literal["active", "suspended"]
# CloudStack's project role types, or a custom project role of the project (createProjectRole),
# which the plan checks against the roles the cloud lists for it
ROLE_TYPES = ("Admin", "Regular")


class Member(Strict):
    """An account, or one user, of the project's domain with its project role."""

    account: Name | None = Field(None, description="Account of the project's domain")
    user: str | None = Field(None, description="User name of the project's domain")
    role: str = Field(
        "Regular",
        min_length=1,
        description="Project role: Admin, Regular, or a custom project role of the project",
    )

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.account is None) == (self.user is None):
            raise bad_value("a member names an account or a user", "write account: or user:")
        return self

    @property
    def key(self) -> str:
        """'account:<name>' or 'user:<name>': the member's name in the plan."""
        return f"account:{self.account}" if self.account else f"user:{self.user}"
