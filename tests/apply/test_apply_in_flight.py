"""`stackgate apply` killed while each nameless create (addresses, rules) is in flight: the
resumed apply adopts only what provably came from each step, never one object for two steps,
never an untagged look-alike someone made by hand, and says so when it cannot tell."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from cs import CloudStack

from app.cloudstack.inventory import TAG_KEY
from tests.apply.cloud import (
    EXAMPLE,
    KEY,
    SECRET,
    census,
    converged,
    env_for,
    knobs,
    planned_census,
    stackgate,
)

LATENCY = 4.0  # seconds the sandbox holds each request of the command in flight


def _steps(tmp_path: Path, kind: str) -> list[tuple[str, str, str | None]]:
    """(address, state, resource id) of the newest run's steps of one kind (none yet while
    the apply is still creating its database)."""
    database = tmp_path / "stackgate.db"
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            return db.execute(
                "SELECT address, state, resource_id FROM apply_steps WHERE address LIKE ?"
                " AND run_id = (SELECT max(id) FROM apply_runs) ORDER BY seq",
                (f"%/{kind}/%",),
            ).fetchall()
    except sqlite3.OperationalError:
        return []


def _calls(sandbox: str, command: str) -> int:
    counted: dict[str, int] = httpx.get(f"{sandbox}/sandbox/calls", timeout=10).json()
    return counted.get(command, 0)


def _wait_for(check: Any, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.1)


def _killed_in_flight(
    sandbox: str, tmp_path: Path, env: dict[str, str], command: str, kinds: dict[str, int]
) -> None:
    """Run an apply, kill it once ``kinds`` (kind → count) have their calls out, then let
    the cloud take those calls, as it does for a client that is no longer there."""
    before = _calls(sandbox, command)
    knobs(sandbox, latency={command: LATENCY})
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "apply", str(EXAMPLE), "--auto-approve"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for(
            lambda: all(
                [state for _, state, _ in _steps(tmp_path, kind)].count("started") == count
                for kind, count in kinds.items()
            ),
            f"{kinds} started",
        )
        time.sleep(1.0)  # the calls are on the wire, CloudStack has not answered
    finally:
        process.kill()
        process.wait()
    sent = sum(kinds.values())
    _wait_for(lambda: _calls(sandbox, command) == before + sent, f"{sent} {command} taken")
    knobs(sandbox, latency={command: 0})


def _client(sandbox: str) -> CloudStack:
    return CloudStack(endpoint=f"{sandbox}/client/api", key=KEY, secret=SECRET)


def _addresses(sandbox: str) -> list[dict[str, Any]]:
    listed = _client(sandbox).listPublicIpAddresses(projectid=-1, listall=True)
    return [ip for ip in listed.get("publicipaddress", []) if not ip.get("issourcenat")]


def _keys(rows: list[dict[str, Any]]) -> list[str | None]:
    return sorted(
        (next((t["value"] for t in row.get("tags", []) if t["key"] == TAG_KEY), None) or "")
        for row in rows
    )


def _hand_made_address(sandbox: str, network: str) -> dict[str, Any]:
    """An address associated by hand on the payments network, as an operator would."""
    client = _client(sandbox)
    (project,) = client.listProjects(name="payments", listall=True)["project"]
    (net,) = client.listNetworks(projectid=project["id"], name=network)["network"]
    made = client.associateIpAddress(projectid=project["id"], networkid=net["id"])
    _wait_for(lambda: client.queryAsyncJobResult(jobid=made["jobid"])["jobstatus"] != 0, "job")
    listed = client.listPublicIpAddresses(projectid=project["id"], id=made["id"])
    return dict(listed["publicipaddress"][0])


def test_addresses_in_flight_when_killed_end_as_distinct_tagged_addresses(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    expected = planned_census(env)
    # the example's six: four on isolated networks, two on checkout's VPC
    _killed_in_flight(sandbox, tmp_path, env, "associateIpAddress", {"public_ip": 6})
    resumed = stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    assert resumed.stdout.startswith("Resuming apply 1:")
    made = [resource for _, _, resource in _steps(tmp_path, "public_ip")]
    assert len(set(made)) == 6 and None not in made  # six steps, six addresses
    converged(env)
    assert census(sandbox) == expected  # nothing left untagged
    assert _keys(_addresses(sandbox)) == [
        "public_ip/api-ip",
        "public_ip/etl-ip",
        "public_ip/jump-ip",
        "public_ip/ssh-ip",
        "public_ip/store-ip",
        "public_ip/web-ip",
    ]


def test_a_hand_made_address_on_the_network_is_never_adopted(sandbox: str, tmp_path: Path) -> None:
    env = env_for(sandbox, tmp_path)
    expected = planned_census(env)
    # A first apply whose addresses are refused makes the networks; it is not resumed.
    refused = {"command": "associateIpAddress", "count": 4, "errorcode": 431, "errortext": "no"}
    knobs(sandbox, fail_next=[refused])
    assert stackgate(env, "apply", str(EXAMPLE), "--auto-approve").returncode == 1
    hand = _hand_made_address(sandbox, "app-net")
    _killed_in_flight(sandbox, tmp_path, env, "associateIpAddress", {"public_ip": 4})
    resumed = stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    assert resumed.stdout.startswith("Resuming apply 2:")
    made = {resource for _, _, resource in _steps(tmp_path, "public_ip")}
    assert len(made) == 4 and hand["id"] not in made
    converged(env)
    (still,) = [ip for ip in _addresses(sandbox) if ip["id"] == hand["id"]]
    assert not still.get("tags")  # left as the operator made it
    assert census(sandbox) == {**expected, "publicipaddress": expected["publicipaddress"] + 1}


def test_an_apply_that_cannot_tell_its_address_says_so_and_fails(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    _killed_in_flight(sandbox, tmp_path, env, "associateIpAddress", {"public_ip": 6})
    hand = _hand_made_address(sandbox, "app-net")  # while the apply is down: a third look-alike
    resumed = stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert resumed.returncode == 1, resumed.stdout[-3000:]
    assert "cannot prove which untagged public_ip" in resumed.stdout
    assert hand["ipaddress"] in resumed.stdout  # the candidates are named
    states = {address: state for address, state, _ in _steps(tmp_path, "public_ip")}
    assert states["analytics/public_ip/etl-ip"] == "done"  # no stranger on its network
    assert states["checkout/public_ip/store-ip"] == states["checkout/public_ip/jump-ip"] == "done"
    assert states["payments/public_ip/web-ip"] == states["payments/public_ip/ssh-ip"] == "failed"
    assert _keys(_addresses(sandbox)).count("") == 3  # nothing on app-net was adopted


@pytest.mark.parametrize(
    ("kind", "count", "command"),
    [("firewall", 5, "createFirewallRule"), ("port_forward", 2, "createPortForwardingRule")],
)
def test_rules_in_flight_when_killed_end_tagged_and_once(
    sandbox: str, tmp_path: Path, kind: str, count: int, command: str
) -> None:
    env = env_for(sandbox, tmp_path)
    expected = planned_census(env)
    _killed_in_flight(sandbox, tmp_path, env, command, {kind: count})
    resumed = stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    assert resumed.stdout.startswith("Resuming apply 1:")
    made = [resource for _, _, resource in _steps(tmp_path, kind)]
    assert len(set(made)) == count and None not in made
    converged(env)
    assert census(sandbox) == expected
    client = _client(sandbox)
    # the search project's cluster has CKS's own rules on its address, made untagged by CKS
    clusters = client.listKubernetesClusters(projectid=-1, listall=True)["kubernetescluster"]
    cks = {cluster["ipaddressid"] for cluster in clusters}
    firewall = client.listFirewallRules(projectid=-1, listall=True)["firewallrule"]
    forwards = client.listPortForwardingRules(projectid=-1, listall=True)["portforwardingrule"]
    firewall, forwards = (
        [r for r in rows if r["ipaddressid"] not in cks] for rows in (firewall, forwards)
    )
    assert "" not in _keys(firewall) + _keys(forwards)  # no untagged rule left behind
    assert (len(firewall), len(forwards)) == (5, 2)


def test_a_hand_made_rule_like_the_repos_is_never_adopted(sandbox: str, tmp_path: Path) -> None:
    env = env_for(sandbox, tmp_path)
    command = "createEgressFirewallRule"
    refused = {"command": command, "count": 3, "errorcode": 431, "errortext": "no"}
    knobs(sandbox, fail_next=[refused])
    assert stackgate(env, "apply", str(EXAMPLE), "--auto-approve").returncode == 1
    client = _client(sandbox)
    (project,) = client.listProjects(name="payments", listall=True)["project"]
    (net,) = client.listNetworks(projectid=project["id"], name="app-net")["network"]
    # The repo's app-net rule is tcp 443 to anywhere; this one, to one host, is the operator's.
    hand = client.createEgressFirewallRule(
        networkid=net["id"], protocol="tcp", startport=443, endport=443,
        destcidrlist="203.0.113.7/32",
    )  # fmt: skip
    _killed_in_flight(sandbox, tmp_path, env, command, {"egress": 3})
    resumed = stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    assert resumed.stdout.startswith("Resuming apply 2:")
    converged(env)
    rules = client.listEgressFirewallRules(projectid=project["id"], networkid=net["id"])
    (still,) = [r for r in rules["firewallrule"] if r["id"] == hand["id"]]
    assert not still.get("tags") and still["destcidrlist"] == "203.0.113.7/32"
    assert _keys(rules["firewallrule"]) == ["", "egress/app-net:tcp:443:0.0.0.0/0"]
