"""Network ACL lists and rules through ``cs``: defaults, numbers, in-place updates, replace."""

from __future__ import annotations

from typing import Any

import pytest
from cs import CloudStackApiException

from tests.sandbox.conftest import Catalog
from tests.sandbox.test_vpcs import make_tier, make_vpc


@pytest.fixture
def vpc(cs: Any, catalog: Catalog, project: dict[str, Any]) -> Any:
    return make_vpc(cs, catalog, project)


@pytest.fixture
def acl(cs: Any, vpc: dict[str, Any]) -> Any:
    made = cs.createNetworkACLList(name="web", vpcid=vpc["id"], fetch_result=True)
    return made["networkacllist"]


def _rule(cs: Any, acl: dict[str, Any], **params: object) -> Any:
    options: dict[str, object] = {"aclid": acl["id"], "protocol": "tcp"}
    options.update(params)
    return cs.createNetworkACL(fetch_result=True, **options)["networkacl"]


def _error(call: Any, **params: object) -> tuple[int, str]:
    with pytest.raises(CloudStackApiException) as refused:
        call(**params)
    return refused.value.error["errorcode"], refused.value.error["errortext"]


def test_the_default_lists_are_listed_for_every_owner(cs: Any, vpc: dict[str, Any]) -> None:
    lists = cs.listNetworkACLLists(projectid=vpc["projectid"])["networkacllist"]
    assert {"default_allow", "default_deny"} <= {acl["name"] for acl in lists}
    deny = next(acl for acl in lists if acl["name"] == "default_deny")
    rules = cs.listNetworkACLs(aclid=deny["id"], projectid=vpc["projectid"])["networkacl"]
    assert sorted((r["number"], r["traffictype"], r["action"]) for r in rules) == [
        (1, "Ingress", "Deny"),
        (2, "Egress", "Deny"),
    ]
    assert _error(cs.createNetworkACL, aclid=deny["id"], protocol="tcp") == (
        431,
        "Default ACL cannot be modified",
    )
    code, text = _error(cs.deleteNetworkACLList, id=deny["id"], fetch_result=True)
    assert (code, text) == (431, "Default ACL cannot be removed")


def test_a_rule_has_number_action_traffic_type_ports_and_cidrs(
    cs: Any, acl: dict[str, Any]
) -> None:
    rule = _rule(
        cs,
        acl,
        number=10,
        action="deny",
        traffictype="egress",
        startport=22,
        endport=22,
        cidrlist="10.0.0.0/8,192.168.0.0/16",
    )
    assert (rule["number"], rule["action"], rule["traffictype"]) == (10, "Deny", "Egress")
    assert (rule["startport"], rule["endport"]) == ("22", "22")
    assert rule["cidrlist"] == "10.0.0.0/8,192.168.0.0/16"
    icmp = _rule(cs, acl, protocol="icmp", icmptype=8, icmpcode=0)
    assert (icmp["number"], icmp["icmptype"], icmp["icmpcode"]) == (11, 8, 0)
    assert (icmp["action"], icmp["traffictype"], icmp["cidrlist"]) == (
        "Allow",
        "Ingress",
        "0.0.0.0/0",
    )


def test_a_number_used_twice_in_a_list_is_refused(cs: Any, acl: dict[str, Any]) -> None:
    first = _rule(cs, acl, number=5)
    assert _error(cs.createNetworkACL, aclid=acl["id"], protocol="udp", number=5) == (
        431,
        f"ACL item with number 5 already exists in ACL: {acl['id']}",
    )
    second = _rule(cs, acl, number=6)
    code, text = _error(cs.updateNetworkACLItem, id=second["id"], number=5, fetch_result=True)
    assert (code, text) == (431, f"ACL item with number 5 already exists in ACL: {acl['id']}")
    assert first["id"]


def test_an_invalid_action_is_refused_in_cloudstacks_words(cs: Any, acl: dict[str, Any]) -> None:
    assert _error(cs.createNetworkACL, aclid=acl["id"], protocol="tcp", action="drop") == (
        431,
        "Invalid action [drop]. Permitted actions are Allow and Deny",
    )


def test_update_changes_the_rule_in_place_and_delete_removes_it(
    cs: Any, acl: dict[str, Any], vpc: dict[str, Any]
) -> None:
    rule = _rule(cs, acl, number=1, startport=80, endport=80)
    updated = cs.updateNetworkACLItem(id=rule["id"], startport=443, endport=443, fetch_result=True)[
        "networkacl"
    ]
    assert (updated["id"], updated["number"], updated["startport"]) == (rule["id"], 1, "443")
    cs.deleteNetworkACL(id=rule["id"], fetch_result=True)
    assert cs.listNetworkACLs(aclid=acl["id"], projectid=vpc["projectid"]) == {}


def test_a_tier_takes_a_list_by_aclid_or_replace_and_keeps_it_from_deletion(
    cs: Any, catalog: Catalog, vpc: dict[str, Any], acl: dict[str, Any]
) -> None:
    tier = make_tier(cs, catalog, vpc, "10.20.5.1", aclid=acl["id"])
    assert (tier["aclid"], tier["aclname"]) == (acl["id"], "web")
    code, text = _error(cs.deleteNetworkACLList, id=acl["id"], fetch_result=True)
    assert (code, text) == (
        530,
        f"ACL is still associated with 1 tier(s). Cannot delete network ACL: {acl['id']}",
    )
    other = cs.createNetworkACLList(name="app", vpcid=vpc["id"], fetch_result=True)
    cs.replaceNetworkACLList(
        aclid=other["networkacllist"]["id"], networkid=tier["id"], fetch_result=True
    )
    (listed,) = cs.listNetworks(id=tier["id"], projectid=vpc["projectid"])["network"]
    assert listed["aclname"] == "app"
    cs.deleteNetworkACLList(id=acl["id"], fetch_result=True)
    rule = _rule(cs, {"id": other["networkacllist"]["id"]})
    assert rule["aclname"] == "app"


def test_a_vpcs_lists_and_a_lists_rules_are_found_without_the_project(
    cs: Any, acl: dict[str, Any], vpc: dict[str, Any]
) -> None:
    """NetworkACLServiceImpl searches the VPC (or list) named after an access check, not the
    caller's own VPCs, as cs_network_acl and cs_network_acl_rule ask without a projectid."""
    rule = _rule(cs, acl, number=3)
    (found,) = cs.listNetworkACLLists(name="web", vpcid=vpc["id"])["networkacllist"]
    assert found["id"] == acl["id"]
    (listed,) = cs.listNetworkACLs(aclid=acl["id"])["networkacl"]
    assert listed["id"] == rule["id"]


def test_vpcs_and_acl_rules_take_tags(cs: Any, vpc: dict[str, Any], acl: dict[str, Any]) -> None:
    """ResourceTag.ResourceObjectType: Vpc and NetworkACL (an ACL rule) are taggable."""
    rule = _rule(cs, acl, number=7)
    for kind, resource in (("Vpc", vpc["id"]), ("NetworkACL", rule["id"])):
        cs.createTags(
            resourcetype=kind,
            resourceids=resource,
            fetch_result=True,
            **{"tags[0].key": "stackgate.key", "tags[0].value": f"{kind}/web"},
        )
    (shown,) = cs.listVPCs(id=vpc["id"], projectid=vpc["projectid"])["vpc"]
    assert shown["tags"] == [{"key": "stackgate.key", "value": "Vpc/web"}]
    (item,) = cs.listNetworkACLs(id=rule["id"], aclid=acl["id"])["networkacl"]
    assert item["tags"] == [{"key": "stackgate.key", "value": "NetworkACL/web"}]
    tagged = cs.listTags(resourcetype="Vpc", projectid=vpc["projectid"])["tag"]
    assert [t["resourceid"] for t in tagged] == [vpc["id"]]


def test_a_lists_name_and_description_change_in_place(
    cs: Any, acl: dict[str, Any], vpc: dict[str, Any]
) -> None:
    """updateNetworkACLList (NetworkACLServiceImpl.updateNetworkACL): the list keeps its id; a
    blank name or description leaves that field as it was."""
    updated = cs.updateNetworkACLList(id=acl["id"], description="the web tier", fetch_result=True)
    shown = updated["networkacllist"]
    assert (shown["id"], shown["name"], shown["description"]) == (acl["id"], "web", "the web tier")
    cs.updateNetworkACLList(id=acl["id"], name="front", description="", fetch_result=True)
    (listed,) = cs.listNetworkACLLists(vpcid=vpc["id"], id=acl["id"])["networkacllist"]
    assert (listed["name"], listed["description"]) == ("front", "the web tier")
    code, text = _error(cs.updateNetworkACLList, id="no-such-list", fetch_result=True)
    assert code == 431 and "Invalid parameter id value=no-such-list" in text


def test_the_root_admin_may_describe_a_default_list(fresh: Any) -> None:
    """A default list belongs to no VPC (vpc id 0, a global list): updateNetworkACL refuses it
    only to a caller who is not Root Admin ("Must be Root Admin to update a global ACL."), and
    the sandbox's caller is one. Its rules stay read-only to everyone (validateNetworkAcl)."""
    lists = fresh.items("listNetworkACLLists", listall=True)
    allow = next(acl for acl in lists if acl["name"] == "default_allow")
    shown = fresh.result("updateNetworkACLList", id=allow["id"], description="allow all")
    assert (shown["id"], shown["name"], shown["description"]) == (
        allow["id"],
        "default_allow",
        "allow all",
    )
