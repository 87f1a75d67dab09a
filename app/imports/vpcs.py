"""A project's VPCs, their tiers and its network ACL lists with their rules, as repo entries.

Read through the inventory's descriptions, so the plan of the written file adopts them with
nothing to change. A tier is written under its VPC's ``tiers:`` and joins the project's
network names (instances and rules name it as a network); the lists every VPC has
(``default_allow``, ``default_deny``) are never written, tiers name them as they are.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from app.imports.mapping import Mapper, Row, clean
from app.imports.model import Renamed
from app.imports.names import valid_key

RULE_FIELDS = ("number", "action", "traffic", "protocol", "ports", "icmp_type", "icmp_code")


def map_vpcs(mapper: Mapper) -> None:
    """VPCs, then ACL lists with their rules, then tiers (which name their list)."""
    for row in mapper.rows("vpc"):
        entry: dict[str, Any] = mapper.reading.vpc(row)
        mapper.put("vpcs", "vpc", str(row["name"]), row, entry)
    for row in mapper.rows("network_acl"):
        entry = mapper.reading.network_acl(row)
        problem = mapper.refer(entry, {"vpc": "vpcs"})
        if problem:
            mapper.skip("network_acl", str(row["name"]), row, problem)
            continue
        mapper.put("network_acls", "network_acl", str(row["name"]), row, entry)
    for row in sorted(mapper.rows("network_acl_rule"), key=lambda r: int(r.get("number", 0))):
        _rule(mapper, row)
    for row in mapper.rows("network"):
        if row.get("vpcid"):
            _tier(mapper, row)


def _rule(mapper: Mapper, row: Row) -> None:
    fields = mapper.reading.network_acl_rule(row)
    if not mapper.has("network_acls", fields["acl"]):
        name = f"{fields['acl']}:{fields['number']}"
        why = f"its ACL list '{fields['acl']}' is not imported"
        mapper.skip("network_acl_rule", name, row, why)
        return
    acl = mapper.sections["network_acls"][mapper.key("network_acls", fields["acl"])]
    entry = {key: fields[key] for key in RULE_FIELDS}
    acl.setdefault("rules", []).append(clean({**entry, "cidrs": fields["cidrs"]}))


def _subnet(fields: dict[str, Any]) -> dict[str, Any]:
    """The CIDR, or the gateway and netmask where the gateway is not its first host (the
    gateway the format derives from a CIDR)."""
    first = str(next(ipaddress.ip_network(str(fields["cidr"])).hosts()))
    if fields.get("gateway") in (None, first):
        return {"cidr": fields["cidr"]}
    return {"gateway": fields["gateway"], "netmask": fields["netmask"]}


def _tier(mapper: Mapper, row: Row) -> None:
    fields = mapper.reading.network(row)
    name = str(row["name"])
    problem = mapper.missing({"vpcs": fields["vpc"]})
    acl = fields["acl"]
    if not problem and acl not in ("default_allow", "default_deny"):
        problem = mapper.missing({"network_acls": acl})
    if problem:
        mapper.skip("network", name, row, problem)
        return
    renamed = valid_key("network", name)
    key = renamed[0] if renamed else name
    if mapper.has("networks", key):
        mapper.skip("network", name, row, f"a second network named '{key}' in the project")
        return
    if renamed:
        mapper.renamed.append(Renamed("network", key, name, str(row["id"]), renamed[1]))
    entry = {
        "offering": fields["offering"],
        **_subnet(fields),
        "acl": mapper.key("network_acls", acl),
        "description": fields["description"],
    }
    vpc = mapper.sections["vpcs"][mapper.key("vpcs", fields["vpc"])]
    vpc.setdefault("tiers", {})[key] = clean(entry)
    mapper.tier(name, key)
