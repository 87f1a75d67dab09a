"""Security groups through ``cs`` and plain HTTP (SecurityGroupManagerImpl, UserVmManagerImpl):
each account's ``default`` group, rules by CIDR or by group, VMs in the security group zone."""

from __future__ import annotations

from typing import Any

import pytest
from cs import CloudStackApiException

from tests.sandbox.conftest import Catalog, CloudStackHttp, deploy, tag_params, unique


def _error(call: Any, **params: object) -> tuple[int, str]:
    with pytest.raises(CloudStackApiException) as refused:
        call(**params)
    return refused.value.error["errorcode"], refused.value.error["errortext"]


def _group(cs: Any, project: dict[str, Any], name: str) -> Any:
    return cs.createSecurityGroup(name=name, projectid=project["id"])["securitygroup"]


def _listed(cs: Any, project: dict[str, Any], **params: object) -> Any:
    return cs.listSecurityGroups(projectid=project["id"], **params).get("securitygroup", [])


@pytest.fixture(scope="module")
def sg_zone(api: CloudStackHttp) -> str:
    zone = api.one("listZones", name="zone-sg")
    assert zone["securitygroupsenabled"] is True
    return str(zone["id"])


def test_every_project_has_a_default_group_it_cannot_delete(
    cs: Any, project: dict[str, Any]
) -> None:
    (default,) = _listed(cs, project)
    assert (default["name"], default["description"]) == ("default", "Default Security Group")
    assert (default["account"], default["ingressrule"], default["egressrule"]) == (
        project["projectaccountname"],
        [],
        [],
    )
    assert _error(cs.deleteSecurityGroup, name="default", projectid=project["id"]) == (
        431,
        "The network group default is reserved",
    )


def test_a_group_name_is_used_once_in_an_account(cs: Any, project: dict[str, Any]) -> None:
    web = _group(cs, project, "web")
    assert (web["name"], web["virtualmachinecount"], "description" in web) == ("web", 0, False)
    for name in ("web", "default"):
        assert _error(cs.createSecurityGroup, name=name, projectid=project["id"]) == (
            431,
            f"Unable to create security group, a group with name {name} already exists.",
        )
    assert cs.deleteSecurityGroup(id=web["id"]) == {"success": True}
    assert [g["name"] for g in _listed(cs, project)] == ["default"]


def test_rules_by_cidr_and_by_group_are_authorized_and_revoked(
    cs: Any, project: dict[str, Any]
) -> None:
    web, db = _group(cs, project, "web"), _group(cs, project, "db")
    made = cs.authorizeSecurityGroupIngress(
        securitygroupid=web["id"],
        protocol="tcp",
        startport=443,
        endport=443,
        cidrlist="0.0.0.0/0",
        fetch_result=True,
    )["securitygroup"]
    (rule,) = made["ingressrule"]
    assert (rule["protocol"], rule["startport"], rule["endport"], rule["cidr"]) == (
        "tcp",
        443,
        443,
        "0.0.0.0/0",
    )
    by_group = cs.authorizeSecurityGroupIngress(
        securitygroupname="db",
        projectid=project["id"],
        protocol="tcp",
        startport=5432,
        endport=5432,
        usersecuritygrouplist=[{"group": "web", "account": web["account"]}],
        fetch_result=True,
    )["securitygroup"]
    (allowed,) = by_group["ingressrule"]
    assert (allowed["securitygroupname"], allowed["account"], "cidr" in allowed) == (
        "web",
        web["account"],
        False,
    )
    egress = cs.authorizeSecurityGroupEgress(
        securitygroupid=web["id"], protocol="all", cidrlist="10.0.0.0/8", fetch_result=True
    )["securitygroup"]["egressrule"][0]
    assert (egress["protocol"], egress["startport"], egress["endport"]) == ("all", 0, 0)
    (shown,) = _listed(cs, project, securitygroupname="web")
    assert ([r["ruleid"] for r in shown["ingressrule"]], len(shown["egressrule"])) == (
        [rule["ruleid"]],
        1,
    )
    assert _error(cs.deleteSecurityGroup, id=web["id"]) == (
        536,
        "Cannot delete group when there are security rules that allow this group",
    )
    code, text = _error(cs.revokeSecurityGroupEgress, id=rule["ruleid"], fetch_result=True)
    assert (code, text.startswith("Mismatch in rule type for security rule SecurityGroupRule")) == (
        431,
        True,
    )
    cs.revokeSecurityGroupIngress(id=allowed["ruleid"], fetch_result=True)
    assert _listed(cs, project, id=db["id"])[0]["ingressrule"] == []
    assert cs.deleteSecurityGroup(id=web["id"]) == {"success": True}


def test_an_authorize_is_refused_in_cloudstacks_words(cs: Any, project: dict[str, Any]) -> None:
    web = _group(cs, project, "web")

    def refusal(**params: object) -> tuple[int, str]:
        return _error(
            cs.authorizeSecurityGroupIngress, securitygroupid=web["id"], fetch_result=True, **params
        )

    assert refusal(protocol="tcp") == (
        431,
        "At least one cidr or at least one security group needs to be specified",
    )
    assert refusal(protocol="tcp", cidrlist="10.0.0.0/8") == (
        431,
        "Invalid port range specified, startPort = null, endPort = null",
    )
    assert refusal(protocol="gre", cidrlist="10.0.0.0/8") == (431, "Invalid protocol gre")
    assert refusal(protocol="all", startport=1, endport=2, cidrlist="10.0.0.0/8") == (
        431,
        "Cannot specify startPort or endPort without specifying protocol",
    )
    assert refusal(protocol="tcp", startport=80, endport=22, cidrlist="10.0.0.0/8") == (
        431,
        "Invalid port range 80:22",
    )
    assert refusal(protocol="tcp", startport=22, endport=22, cidrlist="10.0.0.300/8") == (
        431,
        "Invalid cidr 10.0.0.300/8",
    )
    cs.authorizeSecurityGroupIngress(
        securitygroupid=web["id"],
        protocol="udp",
        startport=53,
        endport=53,
        cidrlist="10.0.0.0/8",
        fetch_result=True,
    )
    assert refusal(protocol="udp", startport=53, endport=53, cidrlist="10.0.0.0/8") == (
        530,
        "Failed to authorize security group ingress rule(s)",
    )
    code, text = _error(
        cs.authorizeSecurityGroupIngress,
        securitygroupname="nope",
        projectid=project["id"],
        cidrlist="10.0.0.0/8",
    )
    assert (code, text.startswith("Unable to find security group nope for account id=")) == (
        431,
        True,
    )


def test_a_vm_in_the_security_group_zone_joins_its_groups(
    cs: Any, api: CloudStackHttp, catalog: Catalog, project: dict[str, Any], sg_zone: str
) -> None:
    web = _group(cs, project, "web")
    plain = deploy(api, catalog, project, zoneid=sg_zone)
    assert [g["name"] for g in plain["securitygroup"]] == ["default"]
    (nic,) = plain["nic"]
    assert (nic["networkname"], nic["type"]) == ("sg-shared", "Shared")
    vm = deploy(api, catalog, project, zoneid=sg_zone, securitygroupnames="web")
    assert [g["id"] for g in vm["securitygroup"]] == [web["id"]]
    (listed,) = _listed(cs, project, virtualmachineid=vm["id"])
    assert (listed["id"], listed["virtualmachineids"]) == (web["id"], [vm["id"]])
    assert _error(cs.deleteSecurityGroup, id=web["id"]) == (
        536,
        "Cannot delete group when it's in use by virtual machines",
    )
    cs.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)
    assert cs.deleteSecurityGroup(id=web["id"]) == {"success": True}
    status, body = api.fail(
        "deployVirtualMachine",
        zoneid=sg_zone,
        serviceofferingid=catalog.small,
        templateid=catalog.template,
        projectid=project["id"],
        securitygroupnames="nope",
    )
    assert (status, body["errortext"]) == (431, "Unable to find group by name nope")


def test_security_groups_are_refused_outside_their_zone(
    cs: Any, api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    web = _group(cs, project, "web")
    status, body = api.fail(
        "deployVirtualMachine",
        zoneid=catalog.zone,
        serviceofferingid=catalog.small,
        templateid=catalog.template,
        projectid=project["id"],
        securitygroupids=web["id"],
    )
    assert (status, body["errortext"]) == (
        431,
        "Can't create vm with security groups; security group feature is not enabled per zone",
    )
    vm = deploy(api, catalog, project, securitygroupnames="web")  # names are not read here
    assert vm["securitygroup"] == []
    api.ok("stopVirtualMachine", id=vm["id"])
    updated = cs.updateVirtualMachine(id=vm["id"], securitygroupids=web["id"])["virtualmachine"]
    assert updated["securitygroup"] == []  # checkAndUpdateSecurityGroupForVM ignores them here


def test_a_vms_groups_change_only_once_it_is_stopped(
    cs: Any, api: CloudStackHttp, catalog: Catalog, project: dict[str, Any], sg_zone: str
) -> None:
    web = _group(cs, project, "web")
    vm = deploy(api, catalog, project, zoneid=sg_zone)
    assert _error(cs.updateVirtualMachine, id=vm["id"], securitygroupids=web["id"]) == (
        431,
        f"VM {vm['id']} must be stopped prior to update security groups",
    )
    cs.stopVirtualMachine(id=vm["id"], fetch_result=True)
    updated = cs.updateVirtualMachine(id=vm["id"], securitygroupnames="web,default")
    assert [g["name"] for g in updated["virtualmachine"]["securitygroup"]] == ["web", "default"]


def test_only_shared_networks_take_vms_in_the_security_group_zone(
    cs: Any, api: CloudStackHttp, catalog: Catalog, project: dict[str, Any], sg_zone: str
) -> None:
    network = cs.createNetwork(
        name=unique("net"),
        displaytext="isolated",
        zoneid=sg_zone,
        networkofferingid=catalog.isolated,
        projectid=project["id"],
    )["network"]
    status, body = api.fail(
        "deployVirtualMachine",
        zoneid=sg_zone,
        serviceofferingid=catalog.small,
        templateid=catalog.template,
        projectid=project["id"],
        networkids=network["id"],
        securitygroupnames="default",
    )
    assert status == 431
    assert body["errortext"].startswith(
        'Network is not security group enabled or not L2 network: Network {"id": '
    )
    status, body = api.fail(
        "deployVirtualMachine",
        zoneid=sg_zone,
        serviceofferingid=catalog.small,
        templateid=catalog.template,
        projectid=project["id"],
        networkids=network["id"],
    )
    assert (status, body["errortext"]) == (
        431,
        "Can specify only Shared or L2 Guest networks when deploy vm in Advance Security Group "
        "enabled zone",
    )


def test_groups_and_their_rules_take_tags(cs: Any, project: dict[str, Any]) -> None:
    web = _group(cs, project, "web")
    (rule,) = cs.authorizeSecurityGroupIngress(
        securitygroupid=web["id"],
        protocol="icmp",
        icmptype=8,
        icmpcode=0,
        cidrlist="0.0.0.0/0",
        fetch_result=True,
    )["securitygroup"]["ingressrule"]
    assert (rule["icmptype"], rule["icmpcode"], "startport" in rule) == (8, 0, False)
    for kind, resource in (("SecurityGroup", web["id"]), ("SecurityGroupRule", rule["ruleid"])):
        cs.createTags(
            resourcetype=kind,
            resourceids=resource,
            fetch_result=True,
            **tag_params([("stackgate.key", "security_group/web")]),
        )
    (shown,) = _listed(cs, project, id=web["id"])
    assert shown["tags"][0]["value"] == "security_group/web"
    assert shown["ingressrule"][0]["tags"][0]["key"] == "stackgate.key"
    tagged = cs.listTags(resourcetype="SecurityGroupRule", projectid=project["id"])["tag"]
    assert [t["resourceid"] for t in tagged] == [rule["ruleid"]]
