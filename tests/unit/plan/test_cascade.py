"""Objects that hang on a replaced one follow it: replaced too, or set again."""

from __future__ import annotations

from app.plan.model import Action, FieldChange, Plan

from .cloud import (
    BASE,
    EGRESS_KEY,
    FIREWALL_KEY,
    FORWARD_KEY,
    ISOLATED,
    actions,
    base_objects,
    change,
    edit,
    instance,
    live,
    load_balancer,
    network,
    obj,
    plan_of,
    port_forward,
    public_ip,
    ssh_key,
    swap,
    volume,
)

NETWORK_LOST = "its network 'app-net' is replaced"
ADDRESS_LOST = "its public ip 'web-ip' is replaced"
INSTANCE_LOST = "its instance 'web-1' is replaced"


def _why(plan: Plan) -> list[tuple[str, str, str, str]]:
    return [(c.action.value, c.kind, c.name, c.reason) for c in plan.changes]


def test_a_replaced_network_takes_its_instances_addresses_and_egress_rules() -> None:
    plan = plan_of(BASE, swap(base_objects(), network(cidr="10.9.0.0/24")))
    assert _why(plan) == [
        ("replace", "network", "app-net", "cidr cannot change in place"),
        ("replace", "instance", "web-1", NETWORK_LOST),
        ("replace", "public_ip", "web-ip", NETWORK_LOST),
        ("update", "volume", "data", INSTANCE_LOST),
        ("replace", "firewall", FIREWALL_KEY, ADDRESS_LOST),
        ("replace", "egress", EGRESS_KEY, NETWORK_LOST),
        ("replace", "port_forward", FORWARD_KEY, ADDRESS_LOST),
        ("replace", "load_balancer", "web-lb", ADDRESS_LOST),
    ]
    assert plan.summary == "Plan: 0 to create, 1 to update, 7 to replace, 0 to delete"


def test_a_follower_names_the_field_that_ties_it_and_what_it_loses() -> None:
    plan = plan_of(BASE, swap(base_objects(), network(cidr="10.9.0.0/24")))
    vm = change(plan, "instance", "web-1")
    assert vm.changed == (FieldChange("networks", ["app-net"], ["app-net"]),)
    assert vm.lost == "the instance and everything on its root disk" and vm.destructive
    assert vm.live_id == "instance-web-1-id" and vm.line == 6
    assert vm.before is not None and vm.before["state"] == "Running"
    ip = change(plan, "public_ip", "web-ip")
    assert ip.lost == "the public address 203.0.113.7"
    data = change(plan, "volume", "data")
    assert data.changed == (FieldChange("attach_to", "web-1", "web-1"),)
    assert data.lost == "" and not data.destructive


def test_a_replaced_address_takes_its_rules_and_load_balancers_only() -> None:
    plan = plan_of(BASE, swap(base_objects(), public_ip(network="old-net")))
    assert _why(plan) == [
        ("replace", "public_ip", "web-ip", "network cannot change in place"),
        ("replace", "firewall", FIREWALL_KEY, ADDRESS_LOST),
        ("replace", "port_forward", FORWARD_KEY, ADDRESS_LOST),
        ("replace", "load_balancer", "web-lb", ADDRESS_LOST),
    ]
    assert change(plan, "load_balancer", "web-lb").lost == (
        "the load-balancer rule (a moment without traffic)"
    )


def test_a_replaced_instance_takes_its_port_forwards_and_sets_volumes_and_members_again() -> None:
    plan = plan_of(BASE, swap(base_objects(), instance(zone="zone-b")))
    assert _why(plan) == [
        ("replace", "instance", "web-1", "zone cannot change in place"),
        ("update", "volume", "data", INSTANCE_LOST),
        ("replace", "port_forward", FORWARD_KEY, INSTANCE_LOST),
        ("update", "load_balancer", "web-lb", INSTANCE_LOST),
    ]
    lb = change(plan, "load_balancer", "web-lb")
    assert lb.changed == (FieldChange("members", ["web-1"], ["web-1"]),) and lb.lost == ""


def test_a_chain_network_to_instance_to_port_forward() -> None:
    """The address sits on another network, so the forward follows through the instance."""
    text = edit(
        "  app-net: {",
        f"  edge-net: {{offering: {ISOLATED}, cidr: 10.2.0.0/24}}\n  app-net: {{",
    )
    text = edit("{network: app-net}", "{network: edge-net}", text)
    text = edit("networks: [app-net]", "networks: [app-net, edge-net]", text)
    objects = [
        *swap(base_objects(), public_ip(network="edge-net")),
        network("edge-net", cidr="10.2.0.0/24"),
    ]
    objects = swap(objects, instance(networks=["app-net", "edge-net"]))
    plan = plan_of(text, swap(objects, network(cidr="10.9.0.0/24")))
    assert _why(plan) == [
        ("replace", "network", "app-net", "cidr cannot change in place"),
        ("replace", "instance", "web-1", NETWORK_LOST),
        ("update", "volume", "data", INSTANCE_LOST),
        ("replace", "egress", EGRESS_KEY, NETWORK_LOST),
        ("replace", "port_forward", FORWARD_KEY, INSTANCE_LOST),
        ("update", "load_balancer", "web-lb", INSTANCE_LOST),
    ]


def test_a_follower_with_its_own_update_is_replaced_and_keeps_its_fields() -> None:
    objects = swap(base_objects(), network(cidr="10.9.0.0/24"))
    plan = plan_of(edit("offering: small,", "offering: medium,"), objects)
    vm = change(plan, "instance", "web-1")
    assert vm.action is Action.REPLACE and vm.reason == NETWORK_LOST
    assert vm.changed == (
        FieldChange("offering", "small", "medium"),
        FieldChange("cpu", 1, 2),
        FieldChange("memory_mib", 2048, 4096),
    )


def test_an_updated_volume_stays_an_update_with_its_own_fields() -> None:
    objects = swap(swap(base_objects(), instance(zone="zone-b")), volume(size_gib=10))
    data = change(plan_of(BASE, objects), "volume", "data")
    assert (data.action, data.reason) == (Action.UPDATE, "")
    assert data.changed == (FieldChange("size_gib", 10, 20),)


def test_a_follower_being_created_stays_a_create() -> None:
    gone = ("instance", "volume", "port_forward")
    objects = [o for o in swap(base_objects(), network(cidr="10.9.0.0/24")) if o.kind not in gone]
    plan = plan_of(BASE, objects)
    vm = change(plan, "instance", "web-1")
    assert (vm.action, vm.reason, vm.before) == (Action.CREATE, "", None)
    assert change(plan, "volume", "data").action is Action.CREATE
    assert change(plan, "port_forward", FORWARD_KEY).action is Action.CREATE
    assert change(plan, "firewall", FIREWALL_KEY).reason == ADDRESS_LOST


def test_an_in_place_update_takes_nothing_with_it() -> None:
    text = edit("cidr: 10.1.0.0/24}", "cidr: 10.1.0.0/24, description: new}")
    assert actions(plan_of(text, base_objects())) == [("update", "network", "app-net")]


def test_a_replace_stays_inside_its_project() -> None:
    files = {"projects/app.yaml": BASE, "projects/other.yaml": BASE}
    state = live(swap(base_objects(), network(cidr="10.9.0.0/24")), more={"other": base_objects()})
    plan = plan_of(files=files, state=state)
    assert {c.project for c in plan.changes} == {"app"}
    assert len(plan.changes) == 8


def test_a_port_forward_that_follows_a_replaced_instance_is_a_replace_not_an_update() -> None:
    plan = plan_of(BASE, swap(base_objects(), instance(template="debian-12", root_disk_gib=8)))
    forward = change(plan, "port_forward", FORWARD_KEY)
    assert forward.action is Action.REPLACE and forward.lost == "the rule"
    assert forward.live_id == port_forward().id
    assert change(plan, "load_balancer", "web-lb").live_id == load_balancer().id


def test_a_replaced_ssh_key_stops_the_instances_that_use_it() -> None:
    plan = plan_of(BASE, swap(base_objects(), ssh_key(fingerprint="00:11:22")))
    assert actions(plan) == [
        ("replace", "ssh_key", "deploy"),
        ("update-stop", "instance", "web-1"),
    ]
    follower = change(plan, "instance", "web-1")
    assert follower.reason == "its ssh key 'deploy' is replaced"


GROUPS = """\
zone: zone-a
security_groups:
  web-sg:
    description: web front ends
  db-sg:
    ingress:
      - {protocol: tcp, ports: 5432, group: web-sg}
  log-sg:
    egress:
      - {protocol: udp, ports: 514, group: web-sg}
  cache-sg:
    ingress:
      - {protocol: tcp, ports: 6379, cidrs: [10.0.0.0/8]}
"""


def test_a_replaced_security_group_is_named_again_by_the_groups_whose_rules_name_it() -> None:
    """deleteSecurityGroup refuses while a rule names the group (536): those groups' rules
    are revoked and authorized again to the new group, an update saying why."""
    made = {c.name: c.after or {} for c in plan_of(GROUPS, []).changes}
    made["web-sg"] = {**made["web-sg"], "description": "web"}
    plan = plan_of(GROUPS, [obj("security_group", name, after) for name, after in made.items()])
    replaced = "its security group 'web-sg' is replaced"
    assert _why(plan) == [
        ("replace", "security_group", "web-sg", "description cannot change in place"),
        ("update", "security_group", "db-sg", replaced),
        ("update", "security_group", "log-sg", replaced),
    ]
    rules = made["db-sg"]["ingress"]
    assert change(plan, "security_group", "db-sg").changed == (
        FieldChange("ingress", rules, rules),
    )
    assert change(plan, "security_group", "log-sg").changed[0].field == "egress"
