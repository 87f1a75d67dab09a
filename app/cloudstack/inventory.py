"""The live state stackgate manages: tagged objects, read with one paginated list per kind.

Every object stackgate creates carries ``stackgate.repo`` and ``stackgate.key`` (kind/name).
A project is read with a handful of list calls filtered on the repo tag — never one call per
object — and each object is described in the repo format's terms (names and units, not ids).
Tag filters match objects carrying ANY of the pairs, so exactly one pair is sent and the
key is checked here. SSH key pairs take no tags; the project records the ones stackgate
registered in ``stackgate.sshkey.<name>`` tags.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.cloudstack.catalog import GIB, tag_map
from app.cloudstack.client import CloudStackClient
from app.cloudstack.model import Catalog, LiveObject, LiveProject, ProjectRef

TAG_REPO = "stackgate.repo"
TAG_KEY = "stackgate.key"
TAG_COMMIT = "stackgate.commit"
TAG_MEMBERS = "stackgate.members"
TAG_PROTECTED = "stackgate.protected"
TAG_USERDATA = "stackgate.userdata"
SSHKEY_TAG = "stackgate.sshkey."
OWN_TAGS = (TAG_REPO, TAG_KEY, TAG_COMMIT, TAG_MEMBERS, TAG_PROTECTED, TAG_USERDATA)

Row = Mapping[str, Any]


def _ports(start: Any, end: Any) -> str | None:
    if start in (None, ""):
        return None
    return str(start) if str(start) == str(end or start) else f"{start}-{end}"


def _cidrs(value: Any) -> list[str]:
    return sorted(part.strip() for part in str(value or "").split(",") if part.strip())


@dataclass
class _Reading:
    """Cross references filled while reading a project, in dependency order."""

    network_names: dict[str, str] = field(default_factory=dict)
    ip_names: dict[str, str] = field(default_factory=dict)
    root_gib: dict[str, int] = field(default_factory=dict)

    def network(self, row: Row) -> dict[str, Any]:
        self.network_names[row["id"]] = row["name"]
        text = row.get("displaytext") or ""
        return {
            "offering": row.get("networkofferingname"),
            "cidr": row.get("cidr"),
            "zone": row.get("zonename"),
            "description": "" if text == row["name"] else text,
            "state": row.get("state"),
        }

    def instance(self, row: Row) -> dict[str, Any]:
        nics = sorted(
            row.get("nic", []), key=lambda nic: (not nic.get("isdefault"), nic.get("deviceid", 0))
        )
        keys = [key for key in str(row.get("keypairs") or "").split(",") if key]
        return {
            "offering": row.get("serviceofferingname"),
            "template": row.get("templatename"),
            "networks": [nic.get("networkname") for nic in nics],
            "ssh_key": keys[0] if keys else None,
            "root_disk_gib": self.root_gib.get(row["id"]),
            "zone": row.get("zonename"),
            "state": row.get("state"),
            "cpu": row.get("cpunumber"),
            "memory_mib": row.get("memory"),
            "user_data_sha": tag_map(row).get(TAG_USERDATA),
        }

    def volume(self, row: Row) -> dict[str, Any]:
        return {
            "offering": row.get("diskofferingname"),
            "size_gib": int(row.get("size", 0)) // GIB,
            "attach_to": row.get("vmname"),
            "zone": row.get("zonename"),
            "state": row.get("state"),
        }

    def public_ip(self, row: Row) -> dict[str, Any]:
        return {"network": row.get("associatednetworkname"), "address": row.get("ipaddress")}

    def _ip(self, ip_id: Any, address: Any) -> str:
        return self.ip_names.get(str(ip_id), f"unmanaged address {address}")

    def firewall(self, row: Row) -> dict[str, Any]:
        return {
            "ip": self._ip(row.get("ipaddressid"), row.get("ipaddress")),
            **self._traffic(row),
            "cidrs": _cidrs(row.get("cidrlist")),
        }

    def egress(self, row: Row) -> dict[str, Any]:
        network = self.network_names.get(str(row.get("networkid")), str(row.get("networkid")))
        return {"network": network, **self._traffic(row), "cidrs": _cidrs(row.get("destcidrlist"))}

    @staticmethod
    def _traffic(row: Row) -> dict[str, Any]:
        return {
            "protocol": str(row.get("protocol", "")).lower(),
            "ports": _ports(row.get("startport"), row.get("endport")),
            "icmp_type": row.get("icmptype"),
            "icmp_code": row.get("icmpcode"),
        }

    def port_forward(self, row: Row) -> dict[str, Any]:
        return {
            "ip": self._ip(row.get("ipaddressid"), row.get("ipaddress")),
            "protocol": str(row.get("protocol", "")).lower(),
            "public_port": _ports(row.get("publicport"), row.get("publicendport")),
            "private_port": _ports(row.get("privateport"), row.get("privateendport")),
            "instance": row.get("virtualmachinename"),
            "cidrs": _cidrs(row.get("cidrlist")),
        }

    def load_balancer(self, row: Row) -> dict[str, Any]:
        members = tag_map(row).get(TAG_MEMBERS, "")
        return {
            "ip": self._ip(row.get("publicipid"), row.get("publicip")),
            "algorithm": row.get("algorithm"),
            "protocol": str(row.get("protocol") or "tcp").lower(),
            "public_port": int(row.get("publicport", 0)),
            "private_port": int(row.get("privateport", 0)),
            "members": sorted(m for m in members.split(",") if m),
            "cidrs": _cidrs(row.get("cidrlist")),
        }


# kind → (list command, extra parameters); read in this order so references resolve
LISTS: dict[str, tuple[str, dict[str, str]]] = {
    "network": ("listNetworks", {}),
    "public_ip": ("listPublicIpAddresses", {}),
    "instance": ("listVirtualMachines", {}),
    "volume": ("listVolumes", {"type": "DATADISK"}),
    "firewall": ("listFirewallRules", {}),
    "egress": ("listEgressFirewallRules", {}),
    "port_forward": ("listPortForwardingRules", {}),
    "load_balancer": ("listLoadBalancerRules", {}),
}


def read_project(client: CloudStackClient, repo: str, project: ProjectRef) -> LiveProject:
    """The objects of ``repo`` in one project: about ten paginated list calls."""
    calls_before, started = sum(client.calls.values()), time.monotonic()
    reading = _Reading()
    reading.root_gib = {
        str(v["virtualmachineid"]): int(v.get("size", 0)) // GIB
        for v in client.list("listVolumes", projectid=project.id, type="ROOT")
        if v.get("virtualmachineid")
    }
    objects: dict[tuple[str, str], LiveObject] = {}
    duplicates: list[LiveObject] = []
    for kind, (command, extra) in LISTS.items():
        rows = client.list(
            command, projectid=project.id, tags=[{"key": TAG_REPO, "value": repo}], **extra
        )
        describe: Callable[[Row], dict[str, Any]] = getattr(reading, kind)
        for row in rows:
            found = _managed(kind, row, repo, describe)
            if found is None:
                continue
            if kind == "public_ip":
                reading.ip_names[found.id] = found.name
            if (kind, found.name) in objects:
                duplicates.append(found)
            else:
                objects[(kind, found.name)] = found
    for found in _ssh_keys(client, repo, project):
        objects[("ssh_key", found.name)] = found
    return LiveProject(
        project.name,
        project.id,
        objects,
        tuple(duplicates),
        api_calls=sum(client.calls.values()) - calls_before,
        seconds=time.monotonic() - started,
        cloud=client.cloud,
    )


def _managed(
    kind: str, row: Row, repo: str, describe: Callable[[Row], dict[str, Any]]
) -> LiveObject | None:
    tags = tag_map(row)
    tagged_kind, _, name = tags.get(TAG_KEY, "").partition("/")
    if tags.get(TAG_REPO) != repo or tagged_kind != kind or not name:
        return None
    labels = {key: value for key, value in tags.items() if key not in OWN_TAGS}
    protected = tags.get(TAG_PROTECTED) == "true"
    return LiveObject(
        kind, name, str(row["id"]), describe(row), labels, tags.get(TAG_COMMIT), protected
    )


def managed_projects(catalog: Catalog, repo: str) -> set[str]:
    """Projects stackgate has managed for ``repo``: it tags a project when it first changes it."""
    return {
        name for name, project in catalog.projects.items() if project.tags.get(TAG_REPO) == repo
    }


def _ssh_keys(client: CloudStackClient, repo: str, project: ProjectRef) -> list[LiveObject]:
    ours = {
        key.removeprefix(SSHKEY_TAG)
        for key, value in project.tags.items()
        if key.startswith(SSHKEY_TAG) and value == repo
    }
    if not ours:
        return []
    return [
        LiveObject("ssh_key", row["name"], str(row["id"]), {"fingerprint": row.get("fingerprint")})
        for row in client.list("listSSHKeyPairs", projectid=project.id)
        if row["name"] in ours
    ]
