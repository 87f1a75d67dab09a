"""Literal clouds for plan tests: a small catalog, live objects in the inventory's terms, a repo.

Live fields are written out exactly as ``app/cloudstack/inventory.py`` describes objects, so a
desired entry that matches them is a no-op; nothing here derives live values from the repo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from app.cloudstack.model import (
    Catalog,
    DiskOffering,
    LiveObject,
    LiveProject,
    LiveState,
    NetworkOffering,
    ProjectRef,
    ProjectUsage,
    Quota,
    ServiceOffering,
    Template,
    Unit,
    Zone,
)
from app.plan.compute import compute_plan
from app.plan.cost import Prices
from app.plan.model import Change, Plan
from app.plan.quota import Pending
from app.spec import DesiredState, load_desired_state
from app.spec.diagnostics import Code
from app.spec.sources import MemorySource

REPO = "git@example.org:infra.git"
CLOUD = "default"
ISOLATED = "DefaultIsolatedNetworkOfferingWithSourceNatService"
SHARED = "DefaultSharedNetworkOffering"

# Two OpenSSH ed25519 keys (valid base64 blobs) and the MD5 fingerprints CloudStack shows.
KEY_A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f a@h"
FINGERPRINT_A = "0f:a2:0a:d7:38:3e:65:45:08:6b:63:84:1c:ff:dc:ba"
KEY_B = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/ b@h"
FINGERPRINT_B = "5c:19:84:c8:1d:16:1b:e2:89:e9:e0:e9:5a:82:4d:d6"

OFFERINGS = {  # name → (cores, MiB, dynamic scaling)
    "small": (1, 2048, False),
    "medium": (2, 4096, False),
    "large": (4, 8192, False),
    "dyn-small": (1, 2048, True),
    "dyn-medium": (2, 4096, True),
    "dyn-large": (4, 8192, True),
    "dyn-tall": (1, 8192, True),  # more memory, fewer cores than dyn-wide
    "dyn-wide": (4, 2048, True),
}
TEMPLATES = {  # name → (GiB, zones)
    "ubuntu-22.04": (10, ("zone-a", "zone-b")),
    "debian-12": (8, ("zone-a", "zone-b")),
    "rocky-9": (12, ("zone-a",)),
}


def catalog(projects: tuple[str, ...] = ("app", "other")) -> Catalog:
    zones = {name: Zone(f"id-{name}", name) for name in ("zone-a", "zone-b")}
    return Catalog(
        zones=zones,
        service_offerings={
            name: ServiceOffering(f"so-{name}", name, cpu, mib, dynamic)
            for name, (cpu, mib, dynamic) in OFFERINGS.items()
        },
        disk_offerings={
            "standard": DiskOffering("do-standard", "standard", 0, True),
            "fast-ssd": DiskOffering("do-fast-ssd", "fast-ssd", 0, True),
            "small-50": DiskOffering("do-small-50", "small-50", 50, False),
        },
        templates={
            (name, zones[zone].id): Template(f"t-{name}-{zone}", name, zones[zone].id, gib)
            for name, (gib, in_zones) in TEMPLATES.items()
            for zone in in_zones
        },
        network_offerings={
            ISOLATED: NetworkOffering(
                "no-iso",
                ISOLATED,
                "Isolated",
                ("Dhcp", "Dns", "Firewall", "PortForwarding", "SourceNat", "UserData"),
            ),
            SHARED: NetworkOffering("no-shared", SHARED, "Shared", ("Dhcp", "Dns", "UserData")),
        },
        projects={name: ProjectRef(f"p-{name}", name) for name in projects},
    )


# ---- the repo -------------------------------------------------------------------------------

# One of every kind; each test changes a line of it. Line numbers are asserted in tests.
BASE = f"""\
zone: zone-a
limits: {{instances: 10, cpu: 20}}
networks:
  app-net: {{offering: {ISOLATED}, cidr: 10.1.0.0/24}}
instances:
  web-1: {{offering: small, template: ubuntu-22.04, networks: [app-net], ssh_key: deploy}}
volumes:
  data: {{offering: standard, size: 20GiB, attach_to: web-1}}
public_ips:
  web-ip: {{network: app-net}}
firewall:
  - {{ip: web-ip, protocol: tcp, ports: 443, cidrs: [0.0.0.0/0]}}
egress:
  - {{network: app-net, protocol: all, cidrs: [0.0.0.0/0]}}
port_forwards:
  - {{ip: web-ip, protocol: tcp, public_port: 22, private_port: 22, instance: web-1}}
load_balancers:
  web-lb: {{ip: web-ip, public_port: 80, private_port: 8080, members: [web-1]}}
ssh_keys:
  deploy: {{public_key: "{KEY_A}"}}
"""
FILE = "projects/app.yaml"
FIREWALL_KEY = "web-ip:tcp:443:0.0.0.0/0"
EGRESS_KEY = "app-net:all:all:0.0.0.0/0"
FORWARD_KEY = "web-ip:tcp:22->web-1:22"


def load(files: Mapping[str, str], *, clean: bool = True) -> DesiredState:
    state = load_desired_state(MemorySource({k: v.encode() for k, v in files.items()}))
    if clean:
        assert state.diagnostics == (), [d.as_line() for d in state.diagnostics]
    return state


def edit(old: str, new: str, text: str = BASE) -> str:
    """BASE with one exact piece of text replaced (it must be there, once)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


# ---- live objects, in the inventory's vocabulary ---------------------------------------------


def obj(
    kind: str,
    name: str,
    fields: Mapping[str, Any],
    *,
    labels: Mapping[str, str] | None = None,
    protected: bool = False,
    id: str | None = None,
) -> LiveObject:
    return LiveObject(
        kind, name, id or f"{kind}-{name}-id", dict(fields), dict(labels or {}), "c0ffee", protected
    )


def network(name: str = "app-net", **fields: Any) -> LiveObject:
    values = {"offering": ISOLATED, "cidr": "10.1.0.0/24", "zone": "zone-a", "description": ""}
    return obj("network", name, {**values, "state": "Implemented", **fields})


def instance(name: str = "web-1", **fields: Any) -> LiveObject:
    offering = str(fields.get("offering", "small"))
    cpu, mib, _ = OFFERINGS.get(offering, (1, 2048, False))
    values = {
        "offering": offering,
        "template": "ubuntu-22.04",
        "networks": ["app-net"],
        "ssh_key": "deploy",
        "root_disk_gib": 10,
        "zone": "zone-a",
        "state": "Running",
        "cpu": cpu,
        "memory_mib": mib,
        "user_data_sha": None,
        "affinity_groups": [],
    }
    return obj("instance", name, {**values, **fields})


def volume(name: str = "data", **fields: Any) -> LiveObject:
    values = {"offering": "standard", "size_gib": 20, "attach_to": "web-1", "zone": "zone-a"}
    return obj("volume", name, {**values, "state": "Ready", **fields})


def public_ip(name: str = "web-ip", **fields: Any) -> LiveObject:
    values = {"network": "app-net", "address": "203.0.113.7", "source_nat": False}
    values["static_nat"] = None
    return obj("public_ip", name, {**values, **fields})


def firewall(name: str = FIREWALL_KEY, **fields: Any) -> LiveObject:
    values = {"ip": "web-ip", "protocol": "tcp", "ports": "443", "icmp_type": None}
    return obj("firewall", name, {**values, "icmp_code": None, "cidrs": ["0.0.0.0/0"], **fields})


def egress(name: str = EGRESS_KEY, **fields: Any) -> LiveObject:
    values = {"network": "app-net", "protocol": "all", "ports": None, "icmp_type": None}
    return obj("egress", name, {**values, "icmp_code": None, "cidrs": ["0.0.0.0/0"], **fields})


def port_forward(name: str = FORWARD_KEY, **fields: Any) -> LiveObject:
    values = {"ip": "web-ip", "protocol": "tcp", "public_port": "22", "private_port": "22"}
    return obj("port_forward", name, {**values, "instance": "web-1", "cidrs": [], **fields})


def load_balancer(name: str = "web-lb", **fields: Any) -> LiveObject:
    values = {"ip": "web-ip", "algorithm": "roundrobin", "protocol": "tcp", "public_port": 80}
    more = {"private_port": 8080, "members": ["web-1"], "cidrs": []}
    return obj("load_balancer", name, {**values, **more, **fields})


def ssh_key(name: str = "deploy", fingerprint: str = FINGERPRINT_A) -> LiveObject:
    return LiveObject("ssh_key", name, f"ssh_key-{name}-id", {"fingerprint": fingerprint})


def base_objects() -> list[LiveObject]:
    """The live twin of BASE: planning BASE against these changes nothing."""
    return [
        network(),
        instance(),
        volume(),
        public_ip(),
        firewall(),
        egress(),
        port_forward(),
        load_balancer(),
        ssh_key(),
    ]


def swap(objects: list[LiveObject], changed: LiveObject) -> list[LiveObject]:
    """``objects`` with the one of the same kind and name replaced by ``changed``."""
    out = [o for o in objects if (o.kind, o.name) != (changed.kind, changed.name)]
    assert len(out) == len(objects) - 1, f"no {changed.kind} {changed.name} to swap"
    return [*out, changed]


def without(objects: list[LiveObject], kind: str) -> list[LiveObject]:
    return [o for o in objects if o.kind != kind]


def relabel(found: LiveObject, **labels: str) -> LiveObject:
    return replace(found, labels=labels)


def usage(project: str = "app", /, **quotas: tuple[int, int | None]) -> ProjectUsage:
    """Quotas as (used, limit) per resource; units as listProjects gives them."""
    units: dict[str, Unit] = {"memory": "MiB", "primary_storage": "GiB", "secondary_storage": "GiB"}
    return ProjectUsage(
        project,
        f"p-{project}",
        {
            name: Quota(used, limit, units.get(name, "count"))
            for name, (used, limit) in quotas.items()
        },
    )


def live(
    objects: list[LiveObject] | None = None,
    *,
    project: str = "app",
    usages: Mapping[str, ProjectUsage] | None = None,
    duplicates: tuple[LiveObject, ...] = (),
    more: Mapping[str, list[LiveObject]] | None = None,
    cloud_catalog: Catalog | None = None,
    unreachable: Mapping[str, str] | None = None,
) -> LiveState:
    """A LiveState with ``objects`` in ``project`` (and ``more`` projects) on the default cloud."""
    found = {project: list(objects or [])} | dict(more or {})
    projects = {
        name: LiveProject(
            name,
            f"p-{name}",
            {(o.kind, o.name): o for o in items},
            duplicates if name == project else (),
            CLOUD,
        )
        for name, items in found.items()
    }
    if unreachable:
        return LiveState({}, {}, {}, dict(unreachable), api_calls=3, seconds=0.5)
    return LiveState(
        projects,
        dict(usages or {}),
        {CLOUD: cloud_catalog or catalog()},
        api_calls=11,
        seconds=0.25,
    )


def plan_of(
    text: str = BASE,
    objects: list[LiveObject] | None = None,
    *,
    files: Mapping[str, str] | None = None,
    state: LiveState | None = None,
    pending: Pending | None = None,
    prices: Prices | None = None,
    projects: list[str] | None = None,
    clean: bool = True,
) -> Plan:
    desired = load(files if files is not None else {FILE: text}, clean=clean)
    return seen(
        compute_plan(
            desired, state or live(objects), REPO, projects=projects, pending=pending, prices=prices
        )
    )


def only(plan: Plan) -> Change:
    assert len(plan.changes) == 1, [(c.action.value, c.address) for c in plan.changes]
    return plan.changes[0]


def change(plan: Plan, kind: str, name: str) -> Change:
    found = [c for c in plan.changes if (c.kind, c.name) == (kind, name)]
    assert len(found) == 1, f"{len(found)} changes of {kind} {name}: {actions(plan)}"
    return found[0]


def actions(plan: Plan) -> list[tuple[str, str, str]]:
    return [(c.action.value, c.kind, c.name) for c in plan.changes]


def codes(plan: Plan) -> list[str]:
    return [d.code.value for d in plan.diagnostics]


# ---- which diagnostic codes the suite has produced (test_codes.py checks all of them) --------

SEEN: set[Code] = set()


def seen(plan: Plan) -> Plan:
    SEEN.update(d.code for d in plan.diagnostics)
    return plan
