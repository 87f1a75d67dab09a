"""A source NAT address goes with its network: a plan deleting both applies without asking
CloudStack to release the address (it would fail the job with 530), and leaves none behind;
releasing it alone while its network stays is still refused (SG214)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.apply.executor import Executor
from app.apply.journal import Journal
from app.flows.planning import plan_projects
from app.store.database import open_store
from tests.apply.world import COMMIT, EXAMPLES, World, sandbox_world

FILE = "projects/payments.yaml"
HEAD = """\
project: payments
zone: zone-a
owners: [alice]
networks:
  nat-net: {offering: DefaultIsolatedNetworkOfferingWithSourceNatService, cidr: 10.7.0.0/24}
"""
ADDRESS = "public_ips:\n  nat-ip: {network: nat-net}\n"
INSTANCE = """\
instances:
  nat-1: {offering: small, template: ubuntu-22.04, networks: [nat-net], root_disk: 10GiB}
"""


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """payments holds nat-net, its source NAT address nat-ip (associated before any VM, so
    CloudStack made it the network's) and nat-1, which put the network in use."""
    repo = tmp_path / "infra"
    (repo / "projects").mkdir(parents=True)
    shutil.copy(EXAMPLES / "stackgate.yaml", repo / "stackgate.yaml")
    (repo / FILE).write_text(HEAD + ADDRESS)
    with sandbox_world(repo) as made:
        made.apply(made.plan())
        made.edit(FILE, HEAD + ADDRESS + INSTANCE)
        made.apply(made.plan())
        ctx = made.context("payments")
        live = ctx.client.list("listNetworks", name="nat-net", projectid=ctx.project_id)
        assert [n["state"] for n in live] == ["Implemented"]
        yield made


def _addresses(world: World) -> list[dict[str, object]]:
    ctx = world.context("payments")
    return ctx.client.list("listPublicIpAddresses", projectid=ctx.project_id)


def test_a_network_deleted_with_its_source_nat_address_takes_it_along(
    world: World, tmp_path: Path
) -> None:
    (address,) = _addresses(world)
    assert address["issourcenat"] is True
    world.edit(FILE, "project: payments\nzone: zone-a\nowners: [alice]\n")
    plan = world.plan()  # no SG214: the network's deletion releases the address
    assert [(c.action.value, c.address) for c in plan.changes] == [
        ("delete", "payments/public_ip/nat-ip"),
        ("delete", "payments/instance/nat-1"),
        ("delete", "payments/network/nat-net"),
    ]
    journal = Journal(open_store(f"sqlite:///{tmp_path / 'journal.db'}"))
    run = journal.start(plan, COMMIT, "someone")
    run = Executor(world.clouds, journal, 2).apply(run, world.desired, COMMIT)
    assert run.succeeded, run.steps
    released = run.steps[0]
    assert (released.address, released.state) == ("payments/public_ip/nat-ip", "done")
    assert released.error == (
        f"source NAT address {address['ipaddress']} left to network nat-net's deletion, "
        "which releases it"
    )
    assert _addresses(world) == []
    assert world.plan().changes == ()
    calls = world.clouds.settings.clouds["dc1"].url.removesuffix("/client/api") + "/sandbox/calls"
    assert "disassociateIpAddress" not in httpx.get(calls, timeout=10).json()


def test_a_source_nat_address_of_a_network_that_stays_cannot_go(world: World) -> None:
    world.edit(FILE, HEAD + INSTANCE)
    plan = plan_projects(world.desired, world.clouds, world.repo)
    assert [(d.code.value, d.severity.value) for d in plan.diagnostics] == [("SG214", "error")]
