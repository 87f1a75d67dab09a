"""A Terraform/OpenTofu state (format version 4) written by the CloudStack provider → the ids
of the objects it manages, by project, and what it holds that stackgate cannot map."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The provider's source address, on whichever registry host the tool that wrote the state
# defaults to: registry.terraform.io for Terraform, registry.opentofu.org for OpenTofu.
PROVIDER = re.compile(r'provider\["[^"/]+/cloudstack/cloudstack"\]')
KINDS = {
    "cloudstack_instance": "instance",
    "cloudstack_disk": "volume",
    "cloudstack_network": "network",
    "cloudstack_ipaddress": "public_ip",
    "cloudstack_firewall": "firewall",
    "cloudstack_egress_firewall": "egress",
    "cloudstack_port_forward": "port_forward",
    "cloudstack_loadbalancer_rule": "load_balancer",
    "cloudstack_ssh_keypair": "ssh_key",
    "cloudstack_kubernetes_cluster": "kubernetes_cluster",
}

# resources holding rules, whose own id is the id of their address or network
RULE_TYPES = ("cloudstack_firewall", "cloudstack_egress_firewall", "cloudstack_port_forward")


class BadState(ValueError):
    """The file is not a version 4 state of the CloudStack provider."""


@dataclass
class StateIds:
    """What the state manages: ids (key pairs: names) per project, and what cannot be mapped."""

    projects: dict[str, set[str]] = field(default_factory=dict)  # project name or id → ids
    addresses: dict[str, str] = field(default_factory=dict)  # id → Terraform address
    public_keys: dict[str, str] = field(default_factory=dict)  # key pair name → public key
    unmapped: list[tuple[str, str]] = field(default_factory=list)  # (address, why)


def _rule_ids(attributes: dict[str, Any]) -> list[str]:
    """A firewall resource holds many rules: their ids are the values of each rule's uuids."""
    ids = [str(f.get("uuid")) for f in attributes.get("forward") or [] if f.get("uuid")]
    for rule in attributes.get("rule") or []:
        ids += [str(value) for value in (rule.get("uuids") or {}).values() if value]
    return ids


def read_state(path: Path) -> StateIds:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise BadState(f"{path}: not a readable JSON state ({problem})") from None
    if not isinstance(state, dict) or state.get("version") != 4:
        found = state.get("version") if isinstance(state, dict) else None
        raise BadState(f"{path}: state format version {found}; only version 4 is read")
    resources = [r for r in state.get("resources") or [] if r.get("mode") == "managed"]
    if not any(_ours(resource) for resource in resources):
        raise BadState(f"{path}: no resources of the CloudStack provider (cloudstack/cloudstack)")
    ids = StateIds()
    for resource in resources:
        for instance in resource.get("instances") or []:
            _instance(ids, resource, instance)
    return ids


def _ours(resource: dict[str, Any]) -> bool:
    return PROVIDER.search(str(resource.get("provider", ""))) is not None


def _instance(ids: StateIds, resource: dict[str, Any], instance: dict[str, Any]) -> None:
    key = instance.get("index_key")
    address = f"{resource.get('module', '') + '.' if resource.get('module') else ''}"
    address += f"{resource['type']}.{resource['name']}" + (f"[{key!r}]" if key is not None else "")
    attributes = instance.get("attributes") or {}
    if resource["type"] not in KINDS or not _ours(resource):
        ids.unmapped.append((address, "a resource type stackgate does not model"))
        return
    project = attributes.get("project")
    if not project:
        ids.unmapped.append((address, "not in a CloudStack project; stackgate manages projects"))
        return
    if resource["type"] == "cloudstack_ssh_keypair" and attributes.get("public_key"):
        ids.public_keys[str(attributes["name"])] = str(attributes["public_key"])
    # A rule resource's own id is its address's or network's: only its rules' ids are its own.
    found = _rule_ids(attributes) if resource["type"] in RULE_TYPES else [str(attributes.get("id"))]
    ids.projects.setdefault(str(project), set()).update(found)
    ids.addresses.update(dict.fromkeys(found, address))
