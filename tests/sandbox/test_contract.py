"""Every answer's keys and JSON types against ``contract.json`` (derived from CloudStack's source).

The HTTP helper checks every successful answer of every test in this folder; this module also
makes one object of each kind and checks every list command over them, and shows the check
itself catches what it should.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import app.sandbox.commands  # noqa: F401 - registers the handlers
from app.sandbox.api import HANDLERS
from app.sandbox.contract import CONTRACT_FILE, contract, render_contract
from tests.sandbox.conftest import (
    Catalog,
    CloudStackHttp,
    deploy,
    ssh_public_key,
    tag_params,
)
from tests.sandbox.shapes import error_problems, json_types, problems

API_SUBSET = Path(__file__).parents[3] / "shared" / "cloudstack" / "api-subset.json"


def test_every_handler_is_in_the_contract_and_every_command_has_a_handler() -> None:
    assert sorted(HANDLERS) == sorted(contract()["commands"])


@pytest.mark.skipif(not API_SUBSET.exists(), reason="../shared/cloudstack is not beside the repo")
def test_the_committed_contract_is_derived_from_the_api_subset() -> None:
    expected = render_contract(json.loads(API_SUBSET.read_text(encoding="utf-8")))
    assert CONTRACT_FILE.read_text(encoding="utf-8") == expected


@pytest.mark.parametrize(
    ("java", "value", "fits"),
    [
        ("String", "x", True),
        ("Date", "2025-01-01T00:00:00+0000", True),
        ("Integer", 3, True),
        ("Long", True, False),  # a boolean is not a number
        ("Boolean", "true", False),
        ("boolean", False, True),
        ("float", 1, True),
        ("float", 1.5, True),
        ("Set<NicResponse>", [], True),
        ("List<ResourceTagResponse>", {}, False),
        ("Map", {}, True),
        ("Map<String, String>", [], False),
        ("ResponseObject", {"volume": {}}, True),
    ],
)
def test_java_types_map_to_json_types(java: str, value: Any, fits: bool) -> None:
    allowed = json_types(java)
    ok = isinstance(value, allowed) and not (isinstance(value, bool) and bool not in allowed)
    assert ok is fits


def test_the_check_reports_unknown_keys_wrong_types_and_bad_tags() -> None:
    answer = {
        "count": 1,
        "zone": [
            {
                "id": "z",
                "name": 7,
                "colour": "blue",
                "tags": [{"key": "k", "value": "v", "size": 1}],
            }
        ],
    }
    assert problems("listZones", answer) == [
        "zone[0].name: int 7 does not fit String",
        "zone[0].colour: not a response field of listZones",
        "zone[0].tags[0].size: not a response field of listTags",
    ]


def test_the_check_reports_envelope_mistakes() -> None:
    assert problems("listZones", {"count": 0, "zone": []}) != []
    assert problems("listZones", {"zone": [{"id": "z"}]}) != []
    assert problems("deployVirtualMachine", {"jobid": "j"}) != []
    assert problems("stopVirtualMachine", {"id": "v", "jobid": "j"}) != []
    assert problems("registerSSHKeyPair", {"sshkeypair": {"name": "k"}}) != []
    assert problems("deleteVolume", {"success": "true"}) != []
    assert error_problems({"errorcode": 431, "errortext": "x"}) == ["error.uuidList: missing"]


def test_the_check_follows_a_job_to_its_commands_result() -> None:
    job = {
        "cmd": "org.apache.cloudstack.api.command.user.volume.CreateVolumeCmd",
        "jobid": "j",
        "jobstatus": 1,
        "jobresultcode": 0,
        "jobresult": {"volume": {"id": "v", "vmname": 3}},
    }
    assert problems("queryAsyncJobResult", job) == [
        "job.jobresult.volume.vmname: int 3 does not fit String"
    ]


@pytest.fixture(scope="module")
def everything(api: CloudStackHttp, catalog: Catalog) -> dict[str, Any]:
    """One object of each kind in a new project: VM, volume, network, IP, rules, LB, key."""
    project = api.result("createProject", name="contract-check", displaytext="all kinds")
    owner = {"projectid": project["id"]}
    vm = deploy(api, catalog, project, name="shape-1")
    network_id = vm["nic"][0]["networkid"]
    volume = api.result(
        "createVolume", zoneid=catalog.zone, diskofferingid=catalog.custom_disk, size=1, **owner
    )
    api.done("attachVolume", id=volume["id"], virtualmachineid=vm["id"])
    address = api.result("associateIpAddress", networkid=network_id, **owner)
    for kind in ("UserVm", "Volume", "Network", "PublicIpAddress"):
        resource = {
            "UserVm": vm,
            "Volume": volume,
            "Network": {"id": network_id},
            "PublicIpAddress": address,
        }[kind]
        api.done(
            "createTags",
            resourcetype=kind,
            resourceids=resource["id"],
            **tag_params([("team", "core")]),
        )
    api.result("createFirewallRule", ipaddressid=address["id"], protocol="icmp")
    api.result("createEgressFirewallRule", networkid=network_id, protocol="all")
    api.result(
        "createPortForwardingRule",
        ipaddressid=address["id"],
        protocol="tcp",
        publicport=22,
        privateport=22,
        virtualmachineid=vm["id"],
    )
    balancer = api.result(
        "createLoadBalancerRule",
        publicipid=address["id"],
        name="lb",
        algorithm="leastconn",
        publicport=80,
        privateport=80,
    )
    api.done("assignToLoadBalancerRule", id=balancer["id"], virtualmachineids=vm["id"])
    api.ok("registerSSHKeyPair", name="shape", publickey=ssh_public_key(99), **owner)
    vpc = api.result(
        "createVPC",
        name="shape-vpc",
        zoneid=catalog.zone,
        cidr="10.30.0.0/16",
        vpcofferingid=catalog.vpc_offering,
        **owner,
    )
    acl = api.result("createNetworkACLList", name="shape-acl", vpcid=vpc["id"])
    rule = api.result("createNetworkACL", aclid=acl["id"], protocol="tcp", startport=22)
    api.result("updateNetworkACLItem", id=rule["id"], endport=23)
    api.ok(
        "createNetwork",
        name="shape-tier",
        aclid=acl["id"],
        zoneid=catalog.zone,
        networkofferingid=catalog.tier,
        vpcid=vpc["id"],
        gateway="10.30.1.1",
        netmask="255.255.255.0",
        **owner,
    )
    api.result("updateVPC", id=vpc["id"], displaytext="all kinds")
    api.result("associateIpAddress", vpcid=vpc["id"], **owner)
    natted = api.result("associateIpAddress", networkid=network_id, **owner)
    api.ok("enableStaticNat", ipaddressid=natted["id"], virtualmachineid=vm["id"])
    group = api.result("createAffinityGroup", name="shape", type="host affinity", **owner)
    deploy(api, catalog, project, name="shape-2", affinitygroupids=group["id"])
    version = api.items("listKubernetesSupportedVersions", name="v1.27.3")[0]
    api.result(
        "createKubernetesCluster",
        name="shape-k8s",
        zoneid=catalog.zone,
        kubernetesversionid=version["id"],
        serviceofferingid=catalog.medium,
        size=1,
        **owner,
    )
    root = api.one("listVolumes", virtualmachineid=vm["id"], type="ROOT", **owner)
    api.ok(
        "createSnapshotPolicy",
        volumeid=root["id"],
        intervaltype="DAILY",
        schedule="30:02",
        timezone="UTC",
        maxsnaps=3,
    )
    os_type = api.items("listOsTypes")[0]["id"]
    api.ok(
        "registerTemplate",
        name="shape-template",
        displaytext="shape",
        url="https://images.example.org/shape.qcow2",
        format="QCOW2",
        hypervisor="KVM",
        ostypeid=os_type,
        zoneid=catalog.zone,
        **owner,
    )
    return {
        "project": project,
        "network": network_id,
        "address": address,
        "lb": balancer,
        "volume": root,
    }


LISTS = [  # listTemplates twice: the cloud's, and the project's own (self)
    ("listZones", {}),
    ("listServiceOfferings", {}),
    ("listDiskOfferings", {}),
    ("listTemplates", {"templatefilter": "executable"}),
    ("listTemplates", {"templatefilter": "self", "project": True}),
    ("listOsTypes", {}),
    ("listKubernetesSupportedVersions", {}),
    ("listKubernetesClusters", {"project": True}),
    ("listSnapshotPolicies", {"volume": True}),
    ("listNetworkOfferings", {}),
    ("listVPCOfferings", {}),
    ("listVPCs", {"project": True}),
    ("listNetworkACLLists", {"project": True}),
    ("listNetworkACLs", {"project": True}),
    ("listAffinityGroupTypes", {}),
    ("listAffinityGroups", {"project": True}),
    ("listProjects", {}),
    ("listResourceLimits", {"project": True}),
    ("listVirtualMachines", {"project": True}),
    ("listVolumes", {"project": True}),
    ("listNetworks", {"project": True}),
    ("listPublicIpAddresses", {"project": True}),
    ("listFirewallRules", {"project": True}),
    ("listEgressFirewallRules", {"project": True}),
    ("listPortForwardingRules", {"project": True}),
    ("listLoadBalancerRules", {"project": True}),
    ("listLoadBalancerRuleInstances", {"lb": True}),
    ("listSSHKeyPairs", {"project": True}),
    ("listTags", {"project": True}),
    ("listAsyncJobs", {}),
    ("listApis", {"name": "listZones"}),
]


@pytest.mark.parametrize(("command", "options"), LISTS, ids=[name for name, _ in LISTS])
def test_every_list_fits_the_contract(
    api: CloudStackHttp, everything: dict[str, Any], command: str, options: dict[str, Any]
) -> None:
    params = {k: v for k, v in options.items() if k not in ("project", "lb", "volume")}
    if options.get("project"):
        params["projectid"] = everything["project"]["id"]
    if options.get("lb"):
        params["id"] = everything["lb"]["id"]
    if options.get("volume"):
        params["volumeid"] = everything["volume"]["id"]
    answer = api.ok(command, **params)  # ok() asserts problems(...) == []
    assert answer.get("count", 0) >= 1, answer


def test_every_command_answered_in_this_module_fitted(
    api: CloudStackHttp, everything: dict[str, Any]
) -> None:
    del everything
    answered = {command for command, _ in api.seen}
    assert {"createProject", "deployVirtualMachine", "queryAsyncJobResult"} <= answered
    for command, answer in api.seen:
        assert problems(command, answer) == [], command
