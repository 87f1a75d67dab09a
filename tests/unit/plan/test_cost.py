"""Monthly cost per project, before and after the plan, from an optional price table."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.plan.cost import Prices, cost_lines
from app.plan.model import CostLine, QuotaLine
from app.plan.quota import Pending

from .cloud import BASE, base_objects, live, plan_of, usage

PRICES = Prices(currency="EUR", cpu=12, memory_gib=4, storage_gib=0.1, public_ip=3)
USAGE = {  # used, limit
    "cpu": (4, None),
    "memory": (8192, None),
    "primary_storage": (100, None),
    "public_ips": (1, None),
    "instances": (2, None),
}


def test_no_price_table_no_cost_lines() -> None:
    plan = plan_of(BASE, state=live([], usages={"app": usage(**USAGE)}))
    assert plan.costs == () and plan.quotas != ()


def test_creating_costs_more() -> None:
    plan = plan_of(BASE, state=live([], usages={"app": usage(**USAGE)}), prices=PRICES)
    # before: 4 cores 48 + 8GiB 32 + 100GiB 10 + 1 address 3 = 93
    # after:  5 cores 60 + 10GiB 40 + 130GiB 13 + 3 addresses 9 = 122
    assert plan.costs == (CostLine("app", "EUR", 93.0, 122.0),)
    assert plan.costs[0].delta == 29.0


def test_deleting_costs_less() -> None:
    state = live(base_objects(), usages={"app": usage(**USAGE)})
    plan = plan_of("zone: zone-a\n", state=state, prices=PRICES)
    # frees 1 core 12 + 2GiB 8 + 30GiB 3 + 2 addresses 6 = 29
    assert plan.costs == (CostLine("app", "EUR", 93.0, 64.0),)
    assert plan.costs[0].delta == -29.0


def test_pending_changes_of_other_pull_requests_are_not_this_plans_cost() -> None:
    state = live([], usages={"app": usage(**USAGE)})
    plan = plan_of(BASE, state=state, prices=PRICES, pending=Pending({"app": {"cpu": 10}}))
    assert plan.costs == (CostLine("app", "EUR", 93.0, 122.0),)


def test_one_line_per_project_sorted() -> None:
    lines = [
        QuotaLine("zeta", "cpu", "count", 1, 1, 0, None),
        QuotaLine("alpha", "cpu", "count", 2, 0, 0, None),
        QuotaLine("alpha", "public_ips", "count", 1, -1, 0, None),
    ]
    assert cost_lines(lines, Prices(currency="CHF", cpu=10, public_ip=5)) == [
        CostLine("alpha", "CHF", 25.0, 20.0),
        CostLine("zeta", "CHF", 10.0, 20.0),
    ]
    assert cost_lines(lines, None) == []


def test_amounts_are_rounded_to_cents() -> None:
    prices = Prices(cpu=0.333, memory_gib=0.1, storage_gib=0.004)
    assert prices.monthly({"cpu": 3}) == 1.0  # 0.999
    assert prices.monthly({"memory": 512}) == 0.05
    assert prices.monthly({"primary_storage": 3}) == 0.01  # 0.012
    assert prices.monthly({"instances": 5, "volumes": 9}) == 0.0  # no price: costs nothing
    assert CostLine("p", "EUR", 0.1, 0.3).delta == 0.2  # not 0.19999999999999998
    assert CostLine("p", "EUR", 10.0, 9.99).delta == -0.01


def test_prices_cannot_be_negative() -> None:
    with pytest.raises(ValidationError):
        Prices(cpu=-1)
