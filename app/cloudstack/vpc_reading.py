"""VPCs, their tiers and network ACLs described in the repo format's terms, for the inventory.

listVPCs, listNetworkACLLists and listNetworkACLs are read once per project like every kind;
tiers come from listNetworks with their ``vpcid``. An ACL list takes no tags (CloudStack's
ResourceObjectType has no taggable type for it), so its VPC records the lists stackgate made
or adopted in ``stackgate.acl.<name>`` tags (value: the repo), as a project records its key
pairs; the row is given that repo and the key ``network_acl/<name>`` before it is filed, and
a list made by hand in the VPC stays untagged, never the repo's to delete. A rule's name is
``<list>:<number>``, so an untagged rule is matched (adopted, imported) by its number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.cloudstack.catalog import tag_map

Row = Mapping[str, Any]
REPO_TAG, KEY_TAG = "stackgate.repo", "stackgate.key"  # as inventory.TAG_REPO, TAG_KEY
ACL_TAG = "stackgate.acl."  # on a VPC: + a list's name → the repo that made or adopted it


def _text(row: Row, key: str) -> str:
    """A display text CloudStack filled with the name when none was given reads as none."""
    text = str(row.get(key) or "")
    return "" if text == row.get("name") else text


def _protocol(value: Any) -> str | int:
    text = str(value or "").lower()
    return int(text) if text.isdigit() else text


def _port_range(row: Row) -> str | None:
    start, end = row.get("startport"), row.get("endport")
    if start in (None, ""):
        return None
    return str(start) if str(start) == str(end or start) else f"{start}-{end}"


@dataclass
class VpcReading:
    """The names a project's VPC objects are known by, filled as they are read."""

    vpc_names: dict[str, str] = field(default_factory=dict)
    vpc_tags: dict[str, dict[str, str]] = field(default_factory=dict)
    acl_names: dict[str, str] = field(default_factory=dict)
    tier_ids: set[str] = field(default_factory=set)
    tier_vpcs: dict[str, str] = field(default_factory=dict)  # a tier's id → its VPC's name

    def vpc(self, row: Row) -> dict[str, Any]:
        self.vpc_names[str(row["id"])] = str(row["name"])
        self.vpc_tags[str(row["id"])] = tag_map(row)
        return {
            "offering": row.get("vpcofferingname"),
            "cidr": row.get("cidr"),
            "zone": row.get("zonename"),
            "description": _text(row, "displaytext"),
        }

    def network_acl(self, row: Row) -> dict[str, Any]:
        self.acl_names[str(row["id"])] = str(row["name"])
        vpc = self.vpc_names.get(str(row.get("vpcid")))
        return {"vpc": vpc, "description": _text(row, "description")}

    def network_acl_rule(self, row: Row) -> dict[str, Any]:
        icmp = str(row.get("protocol", "")).lower() == "icmp"
        cidrs = sorted(c.strip() for c in str(row.get("cidrlist") or "").split(",") if c.strip())
        return {
            "acl": self._acl(row),
            "number": int(row.get("number", 0)),
            "action": str(row.get("action", "")).lower(),
            "traffic": str(row.get("traffictype", "")).lower(),
            "protocol": _protocol(row.get("protocol")),
            "ports": _port_range(row),
            "icmp_type": row.get("icmptype") if icmp else None,
            "icmp_code": row.get("icmpcode") if icmp else None,
            "cidrs": cidrs,
        }

    def tier(self, row: Row) -> dict[str, Any]:
        """What a tier adds to a network's description (nothing for an isolated network)."""
        if not row.get("vpcid"):
            return {}
        self.tier_ids.add(str(row["id"]))
        vpc = self.vpc_names.get(str(row["vpcid"]), row.get("vpcname"))
        self.tier_vpcs[str(row["id"])] = str(vpc)
        return {
            "vpc": vpc,
            "gateway": row.get("gateway"),
            "netmask": row.get("netmask"),
            "acl": self.acl_names.get(str(row.get("aclid")), row.get("aclname")),
        }

    def on_tier(self, row: Row, names: Mapping[str, str]) -> dict[str, Any]:
        """A port forward's or load balancer's tier, when its network is one."""
        network = str(row.get("networkid"))
        return {"tier": names.get(network)} if network in self.tier_ids else {}

    def vpc_of(self, row: Row) -> dict[str, Any]:
        """A public IP's VPC, when it was associated to one."""
        vpc = row.get("vpcid")
        return {"vpc": self.vpc_names.get(str(vpc), row.get("vpcname"))} if vpc else {}

    def _acl(self, row: Row) -> str:
        return self.acl_names.get(str(row.get("aclid")), str(row.get("aclname") or ""))

    def filed(self, kind: str, row: Row) -> Row:
        """The row as the inventory files it: an ACL list with its VPC's ownership, a rule
        with its ``<list>:<number>`` name; other rows as they are."""
        if kind == "network_acl":
            owner = self.vpc_tags.get(str(row.get("vpcid")), {}).get(ACL_TAG + str(row["name"]))
            tags = [{"key": REPO_TAG, "value": owner}] if owner else []
            tags += [{"key": KEY_TAG, "value": f"network_acl/{row['name']}"}] if owner else []
            return {**row, "tags": tags}
        if kind == "network_acl_rule":
            return {**row, "name": f"{self._acl(row)}:{row.get('number')}"}
        return row
