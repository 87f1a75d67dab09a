"""Rows the security group zone starts with: each account's ``default`` group
(SecurityGroupManagerImpl.createDefaultSecurityGroup) and the zone's shared guest network."""

from __future__ import annotations

import ipaddress

from app.sandbox.network_rows import network_row
from app.sandbox.store import CloudState, Row

DEFAULT_GROUP = "default"  # SecurityGroupManager.DEFAULT_GROUP_NAME
DEFAULT_DESCRIPTION = "Default Security Group"
SG_SERVICE = "SecurityGroup"


def group_row(state: CloudState, name: str, description: str | None, owner: Row) -> Row:
    """A security group as SecurityGroupResponse shows it (no description when none was
    given); its rules and VMs are joined in when it is shown."""
    row: Row = {"id": state.new_id(), "name": name}
    if description is not None:
        row["description"] = description
    row.update(owner, tags=[], _number=state.next_number("security_groups"))
    return row


def account_owner(state: CloudState, project: Row | None) -> Row:
    """The owner fields of the caller's account, or of a project's account."""
    if project is None:
        return {
            "account": state.account.name,
            "domainid": state.account.domain_id,
            "domain": state.account.domain,
        }
    return {
        "account": project["projectaccountname"],
        "domainid": project["domainid"],
        "domain": project["domain"],
        "projectid": project["id"],
        "project": project["name"],
    }


def add_default_group(state: CloudState, project: Row | None) -> Row:
    """AccountManagerImpl.createAccount makes every account's default group, a project's
    account's too (ProjectManagerImpl.createProject creates one)."""
    owner = account_owner(state, project)
    row = group_row(state, DEFAULT_GROUP, DEFAULT_DESCRIPTION, owner)
    return state.table("security_groups").add(row)


def has_security_groups(network: Row) -> bool:
    """NetworkModelImpl.isSecurityGroupSupportedInNetwork."""
    return any(service["name"] == SG_SERVICE for service in network["service"])


def add_shared_network(state: CloudState, zone: Row, offering: Row, name: str, cidr: str) -> Row:
    """The zone's shared guest network with the SecurityGroup service, domain-wide (ROOT)."""
    owner = {"domainid": state.account.domain_id, "domain": state.account.domain}
    row = network_row(state, name, name, offering, zone, owner, ipaddress.ip_network(cidr))
    row.update(acltype="Domain", state="Implemented", _number=state.next_number("networks"))
    return state.table("networks").add(row)
