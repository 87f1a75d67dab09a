"""Plan actions that destroy: replace (what is lost), delete (what left the repo), and rules,
which are named by their content, so an edit is a delete and a create."""

from __future__ import annotations

import pytest

from app.cloudstack.model import LiveObject
from app.plan.model import Action, FieldChange

from .cloud import (
    BASE,
    EGRESS_KEY,
    FILE,
    FINGERPRINT_A,
    FINGERPRINT_B,
    FIREWALL_KEY,
    FORWARD_KEY,
    actions,
    base_objects,
    change,
    edit,
    egress,
    firewall,
    instance,
    load_balancer,
    network,
    obj,
    only,
    plan_of,
    port_forward,
    public_ip,
    ssh_key,
    swap,
    volume,
)
from .wanted import KINDS, WANTED

# ---- replace --------------------------------------------------------------------------------

REPLACES: dict[str, tuple[LiveObject, tuple[FieldChange, ...], str, str]] = {
    "instance template": (
        instance(template="debian-12", root_disk_gib=8),
        (
            FieldChange("template", "debian-12", "ubuntu-22.04"),
            FieldChange("root_disk_gib", 8, 10),
        ),
        "template cannot change in place",
        "the instance and everything on its root disk",
    ),
    "instance zone": (
        instance(zone="zone-b"),
        (FieldChange("zone", "zone-b", "zone-a"),),
        "zone cannot change in place",
        "the instance and everything on its root disk",
    ),
    "instance networks": (
        instance(networks=["app-net", "db-net"]),
        (FieldChange("networks", ["app-net", "db-net"], ["app-net"]),),
        "networks cannot change in place",
        "the instance and everything on its root disk",
    ),
    "network cidr": (
        network(cidr="10.9.0.0/24"),
        (FieldChange("cidr", "10.9.0.0/24", "10.1.0.0/24"),),
        "cidr cannot change in place",
        "the network; instances on it lose their NIC",
    ),
    "network zone": (
        network(zone="zone-b"),
        (FieldChange("zone", "zone-b", "zone-a"),),
        "zone cannot change in place",
        "the network; instances on it lose their NIC",
    ),
    "volume zone": (
        volume(zone="zone-b"),
        (FieldChange("zone", "zone-b", "zone-a"),),
        "zone cannot change in place",
        "the volume and its data",
    ),
    "address network": (
        public_ip(network="old-net"),
        (FieldChange("network", "old-net", "app-net"),),
        "network cannot change in place",
        "the public address 203.0.113.7",
    ),
    "firewall content": (
        firewall(cidrs=["10.0.0.0/8"]),
        (FieldChange("cidrs", ["10.0.0.0/8"], ["0.0.0.0/0"]),),
        "cidrs cannot change in place",
        "the rule",
    ),
    "egress content": (
        egress(protocol="tcp"),
        (FieldChange("protocol", "tcp", "all"),),
        "protocol cannot change in place",
        "the rule",
    ),
    "port forward content": (
        port_forward(private_port="2222"),
        (FieldChange("private_port", "2222", "22"),),
        "private_port cannot change in place",
        "the rule",
    ),
    "load balancer port": (
        load_balancer(public_port=8080),
        (FieldChange("public_port", 8080, 80),),
        "public_port cannot change in place",
        "the load-balancer rule (a moment without traffic)",
    ),
    "load balancer protocol and members": (
        load_balancer(protocol="udp", members=["web-2"]),
        (FieldChange("protocol", "udp", "tcp"), FieldChange("members", ["web-2"], ["web-1"])),
        "protocol cannot change in place",
        "the load-balancer rule (a moment without traffic)",
    ),
    "ssh key fingerprint": (
        ssh_key(fingerprint=FINGERPRINT_B),
        (FieldChange("fingerprint", FINGERPRINT_B, FINGERPRINT_A),),
        "fingerprint cannot change in place",
        "the registered key pair",
    ),
}


@pytest.mark.parametrize("case", sorted(REPLACES))
def test_replace_says_what_is_lost(case: str) -> None:
    found, changed, reason, lost = REPLACES[case]
    made = change(plan_of(BASE, swap(base_objects(), found)), found.kind, found.name)
    assert made.action is Action.REPLACE and made.destructive
    assert (made.changed, made.reason, made.lost) == (changed, reason, lost)
    assert made.live_id == found.id
    assert (made.file, made.line) == (FILE, WANTED[found.kind][1])


def test_replace_carries_the_live_objects_protection() -> None:
    found = network(cidr="10.9.0.0/24")
    found = LiveObject(found.kind, found.name, found.id, found.fields, {}, None, True)
    made = change(plan_of(BASE, swap(base_objects(), found)), "network", "app-net")
    assert made.action is Action.REPLACE and made.protected


# ---- delete ---------------------------------------------------------------------------------

LOST_ON_DELETE = {
    "network": "the network; instances on it lose their NIC",
    "instance": "the instance and everything on its root disk",
    "volume": "the volume and its data",
    "public_ip": "the public address 203.0.113.7",
    "firewall": "the rule",
    "egress": "the rule",
    "port_forward": "the rule",
    "load_balancer": "the load-balancer rule (a moment without traffic)",
    "ssh_key": "the registered key pair",
}
EXTRA = {
    "network": network("old-net"),
    "instance": instance("old-vm"),
    "volume": volume("old-data"),
    "public_ip": public_ip("old-ip"),
    "firewall": firewall("web-ip:tcp:80:0.0.0.0/0", ports="80"),
    "egress": egress("app-net:tcp:53:0.0.0.0/0", protocol="tcp", ports="53"),
    "port_forward": port_forward("web-ip:tcp:80->web-1:80", public_port="80", private_port="80"),
    "load_balancer": load_balancer("old-lb"),
    "ssh_key": ssh_key("old-key"),
}


@pytest.mark.parametrize("kind", KINDS)
def test_delete_what_left_the_repo(kind: str) -> None:
    extra = EXTRA[kind]
    gone = only(plan_of(BASE, [*base_objects(), extra]))
    assert (gone.action, gone.kind, gone.name) == (Action.DELETE, kind, extra.name)
    assert gone.before == {**extra.fields, "labels": {}, "protected": False}
    assert gone.after is None and gone.changed == ()
    assert (gone.reason, gone.lost) == ("no longer in the repo", LOST_ON_DELETE[kind])
    assert gone.live_id == extra.id and gone.destructive and not gone.protected
    assert (gone.file, gone.line) == (FILE, 1)  # the project's file: the entry is gone


def test_delete_carries_the_protected_flag_and_labels_of_the_live_object() -> None:
    extra = obj("volume", "keep-me", volume().fields, labels={"owner": "x"}, protected=True)
    gone = only(plan_of(BASE, [*base_objects(), extra]))
    assert gone.action is Action.DELETE and gone.protected
    assert gone.before is not None
    assert (gone.before["labels"], gone.before["protected"]) == ({"owner": "x"}, True)


# ---- rules are named by their content -----------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "kind", "before", "after"),
    [
        (
            "ports: 443,",
            "ports: 8443,",
            "firewall",
            FIREWALL_KEY,
            "web-ip:tcp:8443:0.0.0.0/0",
        ),
        (
            "cidrs: [0.0.0.0/0]}\negress",
            "cidrs: [198.51.100.0/24]}\negress",
            "firewall",
            FIREWALL_KEY,
            "web-ip:tcp:443:198.51.100.0/24",
        ),
        (
            "{network: app-net, protocol: all,",
            "{network: app-net, protocol: udp,",
            "egress",
            EGRESS_KEY,
            "app-net:udp:all:0.0.0.0/0",
        ),
        (
            "private_port: 22,",
            "private_port: 2222,",
            "port_forward",
            FORWARD_KEY,
            "web-ip:tcp:22->web-1:2222",
        ),
    ],
    ids=["firewall port", "firewall cidrs", "egress protocol", "forward port"],
)
def test_editing_a_rule_deletes_the_old_one_and_creates_the_new_one(
    old: str, new: str, kind: str, before: str, after: str
) -> None:
    plan = plan_of(edit(old, new), base_objects())
    assert actions(plan) == [("delete", kind, before), ("create", kind, after)]
    gone, made = plan.changes
    assert gone.lost == "the rule" and gone.live_id == f"{kind}-{before}-id"
    assert made.after is not None and made.live_id is None
    assert made.line == WANTED[kind][1]
