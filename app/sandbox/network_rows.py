"""The row of a guest network, for the commands that make one and for the seeded shared
network of the security group zone."""

from __future__ import annotations

import ipaddress

from app.sandbox.store import CloudState, Row


def network_row(
    state: CloudState,
    name: str,
    text: str,
    offering: Row,
    zone: Row,
    owner: Row,
    cidr: ipaddress.IPv4Network | ipaddress.IPv6Network,
) -> Row:
    """A guest network of ``owner`` (its account/domain/project fields) as listNetworks shows
    it, before its first use."""
    hosts = cidr.hosts()
    gateway = str(next(hosts))
    return {
        "id": state.new_id(),
        "name": name,
        "displaytext": text,
        "broadcastdomaintype": "Vlan",
        "traffictype": "Guest",
        "gateway": gateway,
        "netmask": str(cidr.netmask),
        "cidr": str(cidr),
        "zoneid": zone["id"],
        "zonename": zone["name"],
        "networkofferingid": offering["id"],
        "networkofferingname": offering["name"],
        "networkofferingdisplaytext": offering["displaytext"],
        "networkofferingconservemode": True,
        "networkofferingavailability": offering["availability"],
        "issystem": False,
        "state": "Allocated",
        "related": "",
        **{key: zone[key] for key in ("dns1", "dns2") if key in zone},  # the zone's resolvers
        "type": offering["guestiptype"],
        "acltype": "Account",
        "subdomainaccess": False,
        **owner,
        "service": offering["service"],
        "networkdomain": "cs1cloud.internal",
        "physicalnetworkid": state.account.domain_id,
        "restartrequired": False,
        "specifyipranges": False,
        "specifyvlan": False,
        "canusefordeploy": True,
        "ispersistent": False,
        "tags": [],
        "displaynetwork": True,
        "redundantrouter": False,
        "created": state.timestamp(),
        "egressdefaultpolicy": True,
        "supportsvmautoscaling": True,
        "hasannotations": False,
        "_next_host": 2,
    }
