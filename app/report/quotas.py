"""Project quotas as a terminal table: used and limit per resource, in people's units."""

from __future__ import annotations

from collections.abc import Mapping

from rich import box
from rich.table import Table

from app.cloudstack.model import ProjectUsage, Quota

SHOWN = {
    "instances": "instances",
    "cpu": "cpu",
    "memory": "memory",
    "volumes": "volumes",
    "primary_storage": "storage",
    "networks": "networks",
    "public_ips": "IPs",
}


def amount(value: int | None, unit: str) -> str:
    if value is None:
        return "unlimited"
    if unit == "MiB":
        return f"{value / 1024:g}GiB" if value % 1024 == 0 else f"{value}MiB"
    if unit == "GiB":
        return f"{value}GiB"
    return str(value)


def _cell(quota: Quota | None) -> str:
    if quota is None:
        return "-"
    return f"{amount(quota.used, quota.unit)}/{amount(quota.limit, quota.unit)}"


def quota_table(usage: Mapping[str, ProjectUsage]) -> Table:
    table = Table(title="project quotas (used/limit)", title_justify="left", box=box.SIMPLE)
    table.add_column("project", no_wrap=True)
    for header in SHOWN.values():
        table.add_column(header, justify="right", no_wrap=True)
    for project in sorted(usage):
        quotas = usage[project].quotas
        table.add_row(project, *(_cell(quotas.get(name)) for name in SHOWN))
    return table
