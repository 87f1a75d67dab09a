"""Monthly cost of a plan per project, from an optional price table (settings, not the repo)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import BaseModel, Field

from app.plan.model import CostLine, QuotaLine


class Prices(BaseModel):
    """Monthly prices per unit; resources without a price cost nothing here."""

    currency: str = "EUR"
    cpu: float = Field(0.0, ge=0, description="per core and month")
    memory_gib: float = Field(0.0, ge=0, description="per GiB of memory and month")
    storage_gib: float = Field(0.0, ge=0, description="per GiB of primary storage and month")
    public_ip: float = Field(0.0, ge=0, description="per public address and month")

    def monthly(self, amounts: Mapping[str, int]) -> float:
        return round(
            amounts.get("cpu", 0) * self.cpu
            + amounts.get("memory", 0) / 1024 * self.memory_gib
            + amounts.get("primary_storage", 0) * self.storage_gib
            + amounts.get("public_ips", 0) * self.public_ip,
            2,
        )


def cost_lines(quotas: Iterable[QuotaLine], prices: Prices | None) -> list[CostLine]:
    """Before and after, per project, from the quota figures (used now, used after the plan)."""
    if prices is None:
        return []
    by_project: dict[str, list[QuotaLine]] = {}
    for line in quotas:
        by_project.setdefault(line.project, []).append(line)
    return [
        CostLine(
            project,
            prices.currency,
            prices.monthly({line.resource: line.used for line in lines}),
            prices.monthly({line.resource: line.used + line.change for line in lines}),
        )
        for project, lines in sorted(by_project.items())
    ]
