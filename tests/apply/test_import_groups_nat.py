"""An affinity group and a static NAT made by hand, untagged: `stackgate import` writes them
as repo entries, the plan of that file only adopts, apply records the group on the project
(it takes no tags) and the next plan is empty."""

from __future__ import annotations

from pathlib import Path

from tests.apply.brownfield import REPO, ByHand, changes, imported
from tests.apply.cloud import env_for, stackgate


def _build(sandbox: str) -> tuple[ByHand, str]:
    """The groups, VMs and static NAT made by hand; the session and the NAT's address."""
    hand = ByHand(sandbox)
    cs, project = hand.cs, hand.project
    net = hand.network("app-net")
    group = cs.createAffinityGroup(name="spread", type="host anti-affinity", projectid=project)[
        "affinitygroup"
    ]
    vms = [
        cs.deployVirtualMachine(
            name=name, zoneid=hand.zone, templateid=hand.ubuntu, networkids=net["id"],
            serviceofferingid=hand.sizes["small"], projectid=project,
            affinitygroupids=group["id"],
        )["virtualmachine"]
        for name in ("web-1", "web-2")
    ]  # fmt: skip
    ip = cs.associateIpAddress(networkid=net["id"], projectid=project)["ipaddress"]
    cs.enableStaticNat(ipaddressid=ip["id"], virtualmachineid=vms[0]["id"])
    return hand, str(ip["ipaddress"])


def test_hand_made_groups_and_static_nat_are_imported_adopted_and_recorded(
    sandbox: str, tmp_path: Path
) -> None:
    hand, address = _build(sandbox)
    env = env_for(sandbox, tmp_path)
    repo = tmp_path / "repo"
    done, desired = imported(env, repo)
    assert done.returncode == 0, done.stdout[-3000:]
    written = (repo / "projects" / "payments.yaml").read_text(encoding="utf-8")
    assert "affinity group" not in written.split("\nproject:")[0]  # none left out
    project = desired.projects["payments"]
    key = "ip-" + address.replace(".", "-")
    assert [(n, g.type) for n, g in project.affinity_groups.items()] == [
        ("spread", "host anti-affinity")
    ]
    assert [vm.affinity_groups for vm in project.instances.values()] == [["spread"], ["spread"]]
    assert (project.public_ips[key].network, project.public_ips[key].static_nat) == (
        "app-net",
        "web-1",
    )

    assert {action for action, _, _ in changes(env, repo)} == {"adopt"}
    assert ("adopt", "affinity_group", "spread") in changes(env, repo)
    applied = stackgate(env, "apply", str(repo), "--auto-approve")
    assert applied.returncode == 0, applied.stdout[-3000:]
    assert changes(env, repo) == []
    assert hand.project_tags().get("stackgate.affinity.spread") == REPO
