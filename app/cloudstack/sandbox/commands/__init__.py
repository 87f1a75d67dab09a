"""The sandbox's command handlers, one module per area; importing this registers them all."""

from app.cloudstack.sandbox.commands import (
    addresses,
    balancers,
    catalog,
    directory,
    jobs,
    keys,
    lifecycle,
    limits,
    members,
    networks,
    nics,
    projects,
    rules,
    tags,
    vms,
    volumes,
)

__all__ = [
    "addresses",
    "balancers",
    "catalog",
    "directory",
    "jobs",
    "keys",
    "lifecycle",
    "limits",
    "members",
    "networks",
    "nics",
    "projects",
    "rules",
    "tags",
    "vms",
    "volumes",
]
