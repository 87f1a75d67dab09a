"""Security groups whose rules name each other, through the executor at any concurrency.

A group's create authorizes its CIDR rules; its rules naming other groups are a step of
their own, after every group of the run exists, so no step waits for another. Before, a
rule waited for its peer while its step held a call slot: at apply_concurrency=1 the peer,
queued behind it, was never made, and the rule failed (431) every run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apply.cloud import knobs
from tests.apply.test_apply_affinity_nat import make_repo
from tests.apply.world import World, sandbox_world

DB, WEB_SG = "payments/security_group/db-sg", "payments/security_group/web-sg"
WEB = "  web-sg:\n    ingress:\n      - {protocol: tcp, ports: 443, cidrs: [10.0.0.0/8]}\n"
PAIR = f"""\
project: payments
zone: zone-a
security_groups:
  db-sg:
    ingress:
      - {{protocol: tcp, ports: 5432, group: web-sg}}
{WEB}"""
CYCLE = """\
project: payments
zone: zone-a
security_groups:
  db-sg:
    ingress:
      - {protocol: tcp, ports: 5432, group: web-sg}
  web-sg:
    ingress:
      - {protocol: tcp, ports: 8080, group: db-sg}
"""
CHAIN = f"""\
project: payments
zone: zone-a
security_groups:
  cache-sg:
    ingress:
      - {{protocol: tcp, ports: 6379, group: web-sg}}
  db-sg:
    ingress:
      - {{protocol: tcp, ports: 5432, group: cache-sg}}
      - {{protocol: tcp, ports: 5432, group: web-sg}}
{WEB}"""


def peers(world: World) -> dict[str, list[str]]:
    """Group name → the groups its ingress rules name, as CloudStack lists them."""
    client = world.clouds.client("dc1")
    listed = client.list("listSecurityGroups", projectid=world.context("payments").project_id)
    return {
        str(group["name"]): sorted(
            str(rule["securitygroupname"])
            for rule in group.get("ingressrule") or []
            if rule.get("securitygroupname")
        )
        for group in listed
        if group["name"] != "default"
    }


@pytest.mark.parametrize(
    ("text", "concurrency", "named"),
    [
        (PAIR, 1, {"db-sg": ["web-sg"], "web-sg": []}),
        (CYCLE, 1, {"db-sg": ["web-sg"], "web-sg": ["db-sg"]}),
        # two of the three name a group queued behind both at once
        (CHAIN, 2, {"cache-sg": ["web-sg"], "db-sg": ["cache-sg", "web-sg"], "web-sg": []}),
    ],
    ids=["pair", "cycle", "chain"],
)
def test_groups_naming_each_other_are_made_at_any_concurrency(
    tmp_path: Path, text: str, concurrency: int, named: dict[str, list[str]]
) -> None:
    with sandbox_world(make_repo(tmp_path, text)[0]) as world:
        run = world.execute(world.plan(), tmp_path / "journal.db", concurrency)
        assert run.succeeded, [(step.address, step.error) for step in run.steps]
        assert peers(world) == named
        assert world.plan().changes == ()


def test_the_peer_rules_are_a_step_after_every_group_is_made(tmp_path: Path) -> None:
    with sandbox_world(make_repo(tmp_path, PAIR)[0]) as world:
        run = world.execute(world.plan(), tmp_path / "journal.db", 1)
        assert [(step.action, step.address) for step in run.steps] == [
            ("create", DB),
            ("create", WEB_SG),
            ("update", DB),
        ]
        assert run.succeeded


def test_a_peer_that_failed_skips_the_rules_naming_it_and_the_next_apply_ends_it(
    tmp_path: Path,
) -> None:
    refusal = "Unable to create security group web-sg"
    with sandbox_world(make_repo(tmp_path, PAIR)[0]) as world:
        sandbox = str(world.clouds.settings.clouds["dc1"].url).removesuffix("/client/api")
        failure = {"command": "createSecurityGroup", "count": 1, "errorcode": 530,
                   "errortext": refusal, "matching": {"name": "web-sg"}}  # fmt: skip
        knobs(sandbox, fail_next=[failure])
        run = world.execute(world.plan(), tmp_path / "first.db", 1)
        assert [(step.address, step.state, step.error) for step in run.steps] == [
            (DB, "done", None),
            (WEB_SG, "failed", f"dc1: createSecurityGroup: {refusal} (errorcode 530)"),
            (DB, "skipped", f"{WEB_SG} did not succeed"),
        ]
        assert peers(world) == {"db-sg": []}

        # the next apply: web-sg made, then db-sg's update authorizes the rule naming it
        again = world.plan()
        assert [(c.action.value, c.name) for c in again.changes] == [
            ("create", "web-sg"),
            ("update", "db-sg"),
        ]
        assert world.execute(again, tmp_path / "second.db", 1).succeeded
        assert peers(world) == {"db-sg": ["web-sg"], "web-sg": []}
        assert world.plan().changes == ()


def test_groups_naming_each_other_or_themselves_are_deleted(tmp_path: Path) -> None:
    """CloudStack refuses to delete a group while a rule names it (536), its own rules too:
    the rules naming groups are revoked first, in a step of their own."""
    itself = "      - {protocol: tcp, ports: 22, group: web-sg}\n"  # web-sg's last rule
    with sandbox_world(make_repo(tmp_path, CYCLE + itself)[0]) as world:
        made = world.execute(world.plan(), tmp_path / "made.db")
        assert made.succeeded, [(step.address, step.error) for step in made.steps]
        assert peers(world) == {"db-sg": ["web-sg"], "web-sg": ["db-sg", "web-sg"]}

        world.edit("projects/payments.yaml", "project: payments\nzone: zone-a\n")
        run = world.execute(world.plan(), tmp_path / "deleted.db")
        assert run.succeeded, [(step.address, step.error) for step in run.steps]
        assert [(step.action, step.address) for step in run.steps] == [
            ("update", DB),
            ("update", WEB_SG),
            ("delete", DB),
            ("delete", WEB_SG),
        ]
        assert peers(world) == {}
        assert world.plan().changes == ()


def test_a_group_the_repo_deletes_goes_after_the_rules_naming_it_are_revoked(
    tmp_path: Path,
) -> None:
    """db-sg drops its rule naming web-sg, keeps one naming cache-sg and gains a CIDR rule,
    and web-sg is deleted: the rule naming web-sg is revoked before web-sg goes."""
    with sandbox_world(make_repo(tmp_path, CHAIN)[0]) as world:
        assert world.execute(world.plan(), tmp_path / "made.db").succeeded
        kept = CHAIN.replace("group: web-sg}", "cidrs: [10.2.0.0/16]}").split("  web-sg:")[0]
        world.edit("projects/payments.yaml", kept)
        run = world.execute(world.plan(), tmp_path / "changed.db")
        assert run.succeeded, [(step.address, step.error) for step in run.steps]
        assert peers(world) == {"cache-sg": [], "db-sg": ["cache-sg"]}
        assert world.plan().changes == ()
