"""A security group rule naming a peer group that another step of the same wave is still
creating: its authorize waits for the peer to exist and then goes through, and past the bound
it fails in CloudStack's words. The peer's createSecurityGroup is held on the wire by the
sandbox's latency knob, sent after the other group was made, so only the peer's is held."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from app.apply.operations import operation_for, security_groups
from app.cloudstack.errors import ApiError
from app.plan.model import Action, Change, Plan
from tests.apply.cloud import knobs
from tests.apply.test_apply_affinity_nat import make_repo
from tests.apply.world import World, sandbox_world

HOLD = 3.0  # seconds the peer's createSecurityGroup is on the wire
PROJECT = """\
project: payments
zone: zone-a
security_groups:
  web-sg:
    ingress:
      - {protocol: tcp, ports: 443, cidrs: [10.0.0.0/8]}
  db-sg:
    ingress:
      - {protocol: tcp, ports: 5432, group: web-sg}
"""
CREATE = operation_for("security_group", Action.CREATE)


def _creates(plan: Plan) -> dict[str, Change]:
    return {
        c.name: c for c in plan.changes if (c.kind, c.action) == ("security_group", Action.CREATE)
    }


def _peer_rule_once_the_peer_is_held(world: World) -> float:
    """Make db-sg, then hold web-sg's create on the wire and authorize db-sg's rule naming
    it (the follow-up of db-sg's create): the seconds the authorize took. web-sg is made in
    the end either way."""
    assert CREATE is not None
    creates = _creates(world.plan())
    ctx = world.context("payments")
    made = CREATE.submit(ctx, creates["db-sg"])
    sandbox = str(world.clouds.settings.clouds["dc1"].url).removesuffix("/client/api")
    knobs(sandbox, latency={"createSecurityGroup": HOLD})
    peer = threading.Thread(
        target=lambda: CREATE.finish(
            ctx, creates["web-sg"], CREATE.submit(ctx, creates["web-sg"]), {}
        )
    )
    peer.start()
    try:
        time.sleep(0.5)  # web-sg's create is on the wire, not answered
        started = time.monotonic()
        CREATE.finish(ctx, creates["db-sg"], made, {})
        return time.monotonic() - started
    finally:
        peer.join()


def test_a_rule_naming_a_peer_in_flight_waits_for_it(tmp_path: Path) -> None:
    with sandbox_world(make_repo(tmp_path, PROJECT)[0]) as world:
        waited = _peer_rule_once_the_peer_is_held(world)
        assert waited > HOLD / 2
        client = world.clouds.client("dc1")
        groups = client.list("listSecurityGroups", projectid=world.context("payments").project_id)
        (db,) = [g for g in groups if g["name"] == "db-sg"]
        assert [r.get("securitygroupname") for r in db["ingressrule"]] == ["web-sg"]
        assert world.plan().changes == ()


def test_past_the_bound_the_authorize_fails_in_cloudstacks_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(security_groups, "PEER_WAIT", 1.0)
    with sandbox_world(make_repo(tmp_path, PROJECT)[0]) as world:
        with pytest.raises(ApiError) as refused:
            _peer_rule_once_the_peer_is_held(world)
        assert refused.value.errorcode == 431
        assert refused.value.errortext.startswith("Nonexistent group web-sg for account ")
