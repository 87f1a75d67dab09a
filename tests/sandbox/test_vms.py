"""Virtual machine lifecycle (UserVmManagerImpl) as a client sees it over the API."""

from __future__ import annotations

import re
from typing import Any

from tests.sandbox.conftest import Catalog, CloudStackHttp, deploy, ssh_public_key

VM_LABEL = re.compile(
    r'^VM instance \{"id": "(\d+)", "name": "(i-2-\d+-VM)", "uuid": "([0-9a-f-]{36})", '
    r'"type"="User"\}$'
)


def _listed(api: CloudStackHttp, project: dict[str, Any], vm_id: str) -> list[dict[str, Any]]:
    return api.items("listVirtualMachines", id=vm_id, projectid=project["id"])


def _label(vm: dict[str, Any]) -> str:
    number = vm["instancename"].split("-")[2]
    return (
        f'VM instance {{"id": "{number}", "name": "{vm["instancename"]}", "uuid": "{vm["id"]}", '
        '"type"="User"}'
    )


def test_deploy_runs_the_vm_with_a_nic_and_a_root_disk(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    vm = deploy(api, catalog, project, name="web-1", displayname="Web one")
    assert (vm["name"], vm["displayname"], vm["state"]) == ("web-1", "Web one", "Running")
    assert (vm["serviceofferingname"], vm["cpunumber"], vm["memory"]) == ("small", 1, 2048)
    assert (vm["projectid"], vm["project"]) == (project["id"], project["name"])
    assert VM_LABEL.match(_label(vm))
    (nic,) = vm["nic"]
    assert nic["isdefault"] is True and nic["type"] == "Isolated"
    assert nic["ipaddress"].startswith("10.1.1.")
    (root,) = api.items("listVolumes", virtualmachineid=vm["id"], projectid=project["id"])
    assert (root["type"], root["size"], root["state"], root["deviceid"]) == (
        "ROOT",
        10 * 1024**3,
        "Ready",
        0,
    )
    assert _listed(api, project, vm["id"])[0]["state"] == "Running"


def test_deploy_without_start_leaves_it_stopped(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    vm = deploy(api, catalog, project, startvm="false")
    assert vm["state"] == "Stopped"
    network = api.one("listNetworks", id=vm["nic"][0]["networkid"], projectid=project["id"])
    assert network["state"] == "Allocated"
    assert api.items("listPublicIpAddresses", projectid=project["id"]) == []


def test_an_isolated_network_gets_a_source_nat_address(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    vm = deploy(api, catalog, project)
    network_id = vm["nic"][0]["networkid"]
    network = api.one("listNetworks", id=network_id, projectid=project["id"])
    assert network["state"] == "Implemented"
    address = api.one("listPublicIpAddresses", projectid=project["id"])
    assert address["issourcenat"] is True
    assert address["associatednetworkid"] == network_id
    assert address["state"] == "Allocated"
    assert address["ipaddress"].startswith("203.0.113.")


def test_stop_and_start(api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]) -> None:
    vm = deploy(api, catalog, project)
    assert api.result("stopVirtualMachine", id=vm["id"])["state"] == "Stopped"
    assert api.result("stopVirtualMachine", id=vm["id"])["state"] == "Stopped"  # no-op
    assert _listed(api, project, vm["id"])[0]["state"] == "Stopped"
    assert api.result("startVirtualMachine", id=vm["id"])["state"] == "Running"
    assert api.result("rebootVirtualMachine", id=vm["id"])["state"] == "Running"


def test_starting_a_running_vm_fails_the_job(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    vm = deploy(api, catalog, project)
    job = api.run("startVirtualMachine", id=vm["id"])
    assert (job["jobstatus"], job["jobresultcode"]) == (2, 431)
    assert job["jobresult"]["errortext"] == (
        f"The virtual machine {vm['id']} ({vm['name']}) is already running"
    )
    assert job["jobinstanceid"] == vm["id"]


def test_change_service_needs_a_stopped_vm(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    vm = deploy(api, catalog, project)
    status, body = api.fail(
        "changeServiceForVirtualMachine", id=vm["id"], serviceofferingid=catalog.medium
    )
    assert (status, body["cserrorcode"]) == (431, 4350)
    assert body["errortext"] == (
        f"Unable to upgrade virtual machine {_label(vm)}  in state Running; make sure the "
        "virtual machine is stopped"
    )
    api.result("stopVirtualMachine", id=vm["id"])
    answer = api.ok("changeServiceForVirtualMachine", id=vm["id"], serviceofferingid=catalog.medium)
    changed = answer["virtualmachine"]
    assert (changed["serviceofferingid"], changed["cpunumber"], changed["memory"]) == (
        catalog.medium,
        2,
        4096,
    )
    view = api.one("listProjects", id=project["id"])
    assert (view["cputotal"], view["memorytotal"]) == (2, 4096)


def test_scaling_a_running_vm_without_dynamic_scaling_fails_the_job(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    vm = deploy(api, catalog, project)
    answer = api.ok("scaleVirtualMachine", id=vm["id"], serviceofferingid=catalog.medium)
    job = api.job(answer["jobid"])
    assert (job["jobstatus"], job["jobresultcode"]) == (2, 530)
    assert job["jobresult"] == {
        "errorcode": 530,
        "errortext": f"Unable to scale {_label(vm)} as it does not have tools to support "
        "dynamic scaling.",
    }
    assert _listed(api, project, vm["id"])[0]["serviceofferingname"] == "small"


def test_scaling_between_fixed_and_dynamic_offerings_fails(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    vm = deploy(api, catalog, project)
    job = api.run("scaleVirtualMachine", id=vm["id"], serviceofferingid=catalog.dynamic)
    assert job["jobresult"] == {
        "errorcode": 431,
        "errortext": "Unable to Scale VM: since dynamic scaling enabled flag is not same for new "
        "service offering and old service offering",
    }


def test_scaling_a_stopped_vm_changes_its_offering(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    vm = deploy(api, catalog, project, startvm="false")
    scaled = api.result("scaleVirtualMachine", id=vm["id"], serviceofferingid=catalog.medium)
    assert (scaled["serviceofferingname"], scaled["cpunumber"]) == ("medium", 2)


def test_destroy_recover_and_expunge(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    vm = deploy(api, catalog, project)
    assert api.result("destroyVirtualMachine", id=vm["id"])["state"] == "Destroyed"
    assert _listed(api, project, vm["id"]) == []
    recovered = api.ok("recoverVirtualMachine", id=vm["id"])["virtualmachine"]
    assert recovered["state"] == "Stopped"
    api.result("destroyVirtualMachine", id=vm["id"], expunge="true")
    assert _listed(api, project, vm["id"]) == []
    assert api.items("listVolumes", virtualmachineid=vm["id"], projectid=project["id"]) == []
    status, _ = api.fail("startVirtualMachine", id=vm["id"])
    assert status == 431


def test_a_hostname_is_unique_in_its_network(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    vm = deploy(api, catalog, project, name="dup")
    status, body = api.fail(
        "deployVirtualMachine",
        zoneid=catalog.zone,
        serviceofferingid=catalog.small,
        templateid=catalog.template,
        projectid=project["id"],
        networkids=vm["nic"][0]["networkid"],
        name="DUP",
    )
    assert (status, body["cserrorcode"]) == (431, 4350)
    assert body["errortext"].startswith(
        "The vm with hostName DUP already exists in the network domain: cs1cloud.internal; network="
    )


def test_an_invalid_hostname_is_refused(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    status, body = api.fail(
        "deployVirtualMachine",
        zoneid=catalog.zone,
        serviceofferingid=catalog.small,
        templateid=catalog.template,
        projectid=project["id"],
        name="9-starts-with-a-digit",
    )
    assert status == 431
    assert body["errortext"].startswith("Invalid name. Vm name can contain ASCII letters")


def test_update_is_synchronous(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    vm = deploy(api, catalog, project)
    answer = api.ok("updateVirtualMachine", id=vm["id"], displayname="Renamed", haenable="true")
    assert answer["virtualmachine"]["displayname"] == "Renamed"
    assert answer["virtualmachine"]["haenable"] is True


def test_an_ssh_key_is_reset_only_on_a_stopped_vm_and_only_to_known_pairs(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    owner = {"projectid": project["id"]}
    for name, seed in (("old", 11), ("new", 12)):
        api.ok("registerSSHKeyPair", name=name, publickey=ssh_public_key(seed), **owner)
    vm = deploy(api, catalog, project, keypair="old")
    running = api.run("resetSSHKeyForVirtualMachine", id=vm["id"], keypair="new", **owner)
    assert (running["jobstatus"], running["jobresultcode"]) == (2, 431)  # checked in the job
    assert running["jobresult"]["errortext"] == (
        f"Vm {_label(vm)} should be stopped to do SSH Key reset"
    )
    api.result("stopVirtualMachine", id=vm["id"])
    unknown = api.run("resetSSHKeyForVirtualMachine", id=vm["id"], keypair="nope", **owner)
    assert unknown["jobresult"]["errortext"] == "Not all specified keypairs exist"
    unnamed = api.run("resetSSHKeyForVirtualMachine", id=vm["id"], **owner)
    assert unnamed["jobresult"]["errortext"] == "'keypair' or 'keypairs' must be specified"
    reset = api.result("resetSSHKeyForVirtualMachine", id=vm["id"], keypair="new", **owner)
    assert (reset["id"], reset["keypairs"], reset["state"]) == (vm["id"], "new", "Stopped")
    assert _listed(api, project, vm["id"])[0]["keypairs"] == "new"
