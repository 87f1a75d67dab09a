"""Rows the seed and the commands both build: VPC offerings and the default network ACL lists."""

from __future__ import annotations

from app.sandbox.store import CloudState, Row

DEFAULT_LISTS = {  # the two global lists CloudStack's schema creates, with their two rules each
    "default_deny": ("Default Network ACL Deny All", "Deny"),
    "default_allow": ("Default Network ACL Allow All", "Allow"),
}


def default_acl_lists(state: CloudState) -> None:
    for name, (description, action) in DEFAULT_LISTS.items():
        acl = state.table("acl_lists").add(
            {
                "id": state.new_id(),
                "name": name,
                "description": description,
                "fordisplay": True,
                "_number": state.next_number("acl_lists"),
            }
        )
        for number, traffic in ((1, "Ingress"), (2, "Egress")):
            state.table("acl_items").add(acl_item(state, acl, number, traffic, action))


def acl_item(state: CloudState, acl: Row, number: int, traffic: str, action: str) -> Row:
    """A rule for all protocols from anywhere, as the default lists hold."""
    return {
        "id": state.new_id(),
        "aclid": acl["id"],
        "aclname": acl["name"],
        "number": number,
        "traffictype": traffic,
        "action": action,
        "protocol": "all",
        "cidrlist": "0.0.0.0/0",
        "state": "Active",
        "fordisplay": True,
        "tags": [],
    }


def vpc_offering_row(state: CloudState, name: str, services: list[str]) -> Row:
    """A VPC offering as VpcOfferingResponse shows it (VpcManagerImpl.createVpcOffering)."""
    return {
        "id": state.new_id(),
        "name": name,
        "displaytext": name,
        "isdefault": True,
        "state": "Enabled",
        "created": state.timestamp(),
        "distributedvpcrouter": False,
        "supportsregionLevelvpc": False,
        "fordisplay": True,
        "internetprotocol": "IPv4",
        "service": [{"name": service} for service in services],
    }
