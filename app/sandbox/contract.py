"""The API contract the sandbox serves: commands, parameters, modes and response fields.

``contract.json`` is derived from ``api-subset.json``, which was read from CloudStack's Java
source; ``build_contract`` is the derivation, and a test keeps the committed file equal to
it. A few commands stackgate needs are missing from that subset; they are added here from
the same source tree and marked ``"verified": false``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from app.sandbox.contract_cks import KUBERNETES
from app.sandbox.contract_network import NETWORKING
from app.sandbox.contract_security import SECURITY
from app.sandbox.contract_storage import STORAGE
from app.sandbox.contract_tenancy import TENANCY

CONTRACT_FILE = Path(__file__).with_name("contract.json")

_SUCCESS = {"success": "Boolean", "displaytext": "String"}


def _extra(
    cmd_class: str,
    mode: str,
    key: str | None,
    params: dict[str, str],
    required: list[str],
    response: dict[str, str] | str,
    description: str,
) -> dict[str, Any]:
    """An added command; ``response`` may name a verified command with the same response class."""
    return {
        "async": mode in ("async", "async_create"),
        "async_create": mode == "async_create",
        "list": mode == "list",
        "cmd_class": cmd_class,
        "description": description,
        "params": {
            name: {"type": kind, "required": name in required, "description": ""}
            for name, kind in params.items()
        },
        "response": response,
        "response_key": key,
        "verified": False,
    }


_LIST_PARAMS = {
    "keyword": "STRING",
    "page": "INTEGER",
    "pagesize": "INTEGER",
    "projectid": "UUID",
    "listall": "BOOLEAN",
    "account": "STRING",
    "domainid": "UUID",
    "isrecursive": "BOOLEAN",
}
_PACKAGE = "org.apache.cloudstack.api.command.user."
EXTRA_COMMANDS: dict[str, dict[str, Any]] = {
    "listEgressFirewallRules": _extra(
        _PACKAGE + "firewall.ListEgressFirewallRulesCmd",
        "list",
        "firewallrule",
        {"id": "UUID", "networkid": "UUID", "tags": "MAP", **_LIST_PARAMS},
        [],
        "listFirewallRules",  # FirewallResponse
        "Lists all egress firewall rules for network ID.",
    ),
    "deleteEgressFirewallRule": _extra(
        _PACKAGE + "firewall.DeleteEgressFirewallRuleCmd",
        "async",
        None,
        {"id": "UUID"},
        ["id"],
        _SUCCESS,
        "Deletes an egress firewall rule",
    ),
    "deleteLoadBalancerRule": _extra(
        _PACKAGE + "loadbalancer.DeleteLoadBalancerRuleCmd",
        "async",
        None,
        {"id": "UUID"},
        ["id"],
        _SUCCESS,
        "Deletes a load balancer rule.",
    ),
    "updateLoadBalancerRule": _extra(
        _PACKAGE + "loadbalancer.UpdateLoadBalancerRuleCmd",
        "async",
        "loadbalancer",
        {
            "id": "UUID",
            "algorithm": "STRING",
            "description": "STRING",
            "name": "STRING",
            "fordisplay": "BOOLEAN",
            "protocol": "STRING",
            "cidrlist": "LIST",
            "customid": "STRING",
        },
        ["id"],
        "createLoadBalancerRule",  # LoadBalancerResponse
        "Updates load balancer",
    ),
    "removeFromLoadBalancerRule": _extra(
        _PACKAGE + "loadbalancer.RemoveFromLoadBalancerRuleCmd",
        "async",
        None,
        {"id": "UUID", "virtualmachineids": "LIST"},
        ["id"],
        _SUCCESS,
        "Removes a virtual machine or a list of virtual machines from a load balancer rule.",
    ),
    "listLoadBalancerRuleInstances": _extra(
        _PACKAGE + "loadbalancer.ListLoadBalancerRuleInstancesCmd",
        "list",
        "loadbalancerruleinstance",
        {"id": "UUID", "applied": "BOOLEAN", **_LIST_PARAMS},
        ["id"],
        "listVirtualMachines",  # UserVmResponse, under the object name loadbalancerruleinstance
        "List all virtual machine instances that are assigned to a load balancer rule.",
    ),
    "listIpForwardingRules": _extra(
        _PACKAGE + "nat.ListIpForwardingRulesCmd",
        "list",
        "ipforwardingrule",
        {"id": "UUID", "ipaddressid": "UUID", "virtualmachineid": "UUID", **_LIST_PARAMS},
        [],
        # a part of IpForwardingRuleResponse; createIpForwardingRule is not served: always empty
        {"id": "String", "ipaddress": "String", "ipaddressid": "String", "state": "String"},
        "List the IP forwarding rules",
    ),
    "resetSSHKeyForVirtualMachine": _extra(
        _PACKAGE + "vm.ResetVMSSHKeyCmd",
        "async",
        "virtualmachine",
        {
            "id": "UUID",
            "keypair": "STRING",
            "keypairs": "LIST",
            "account": "STRING",
            "domainid": "UUID",
            "projectid": "UUID",
        },
        ["id"],
        "deployVirtualMachine",  # UserVmResponse
        'Resets the SSH Key for virtual machine. The virtual machine must be in a "Stopped" '
        "state. [async]",
    ),
    "listNics": _extra(
        _PACKAGE + "vm.ListNicsCmd",
        "list",
        "nic",
        {
            "virtualmachineid": "UUID",
            "nicid": "UUID",
            "networkid": "UUID",
            "fordisplay": "BOOLEAN",
            "keyword": "STRING",
            "page": "INTEGER",
            "pagesize": "INTEGER",
        },
        ["virtualmachineid"],
        {  # the NicResponse fields createNicResponse sets for an IPv4 guest NIC
            "id": "String",
            "networkid": "String",
            "networkname": "String",
            "netmask": "String",
            "gateway": "String",
            "ipaddress": "String",
            "isolationuri": "String",
            "broadcasturi": "String",
            "traffictype": "String",
            "type": "String",
            "isdefault": "Boolean",
            "macaddress": "String",
            "deviceid": "String",
            "virtualmachineid": "String",
            "secondaryip": "List<NicSecondaryIpResponse>",
            "extradhcpoption": "List<NicExtraDhcpOptionResponse>",
        },
        "list the vm nics  IP to NIC",
    ),
    "listAutoScaleVmGroups": _extra(
        _PACKAGE + "autoscale.ListAutoScaleVmGroupsCmd",
        "list",
        "autoscalevmgroup",
        {
            "id": "UUID",
            "name": "STRING",
            "lbid": "UUID",
            "vmprofileid": "UUID",
            "policyid": "UUID",
            "zoneid": "UUID",
            "fordisplay": "BOOLEAN",
            **_LIST_PARAMS,
        },
        [],
        # a part of AutoScaleVmGroupResponse: the sandbox makes no groups, so the list is empty
        {"id": "String", "name": "String", "lbruleid": "String", "state": "String"},
        "Lists autoscale vm groups.",
    ),
    "deleteSSHKeyPair": _extra(
        _PACKAGE + "ssh.DeleteSSHKeyPairCmd",
        "sync",
        None,
        {"name": "STRING", "projectid": "UUID", "account": "STRING", "domainid": "UUID"},
        ["name"],
        _SUCCESS,
        "Deletes a keypair by name",
    ),
}

EXTRA_COMMANDS.update({name: _extra(*spec) for name, spec in TENANCY.items()})
EXTRA_COMMANDS.update({name: _extra(*spec) for name, spec in NETWORKING.items()})
EXTRA_COMMANDS.update({name: _extra(*spec) for name, spec in SECURITY.items()})
EXTRA_COMMANDS.update({name: _extra(*spec) for name, spec in KUBERNETES.items()})
EXTRA_COMMANDS.update({name: _extra(*spec) for name, spec in STORAGE.items()})


def _class_name(source: str) -> str:
    """api/src/main/java/org/.../DeployVMCmd.java → org....DeployVMCmd"""
    return source.split("/java/", 1)[-1].removesuffix(".java").replace("/", ".")


def build_contract(api_subset: dict[str, Any]) -> dict[str, Any]:
    commands: dict[str, Any] = {}
    for name, spec in sorted(api_subset["commands"].items()):
        commands[name] = {
            "async": spec["async"],
            "async_create": spec["async_create"],
            "list": spec["list"],
            "cmd_class": _class_name(spec["source"]),
            "description": spec.get("description", ""),
            "params": {
                param: {
                    "type": info["type"],
                    "required": param in spec["required"],
                    "description": info.get("description", ""),
                }
                for param, info in sorted(spec["params"].items())
            },
            "response": dict(sorted(spec.get("response_field_types", {}).items())),
            "response_key": spec.get("response_key"),
            "verified": True,
        }
    for name, extra in EXTRA_COMMANDS.items():
        response = extra["response"]
        like = commands[response]["response"] if isinstance(response, str) else response
        commands[name] = {**extra, "response": dict(sorted(like.items()))}
    return {
        "source": api_subset["meta"]["verified_from"],
        "commands": dict(sorted(commands.items())),
    }


def render_contract(api_subset: dict[str, Any]) -> str:
    return json.dumps(build_contract(api_subset), indent=1, sort_keys=True) + "\n"


@cache
def contract() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(CONTRACT_FILE.read_text(encoding="utf-8"))
    return loaded


def command_spec(name: str) -> dict[str, Any] | None:
    """The contract of a command; names are matched exactly, as the server's command map does."""
    spec = contract()["commands"].get(name)
    return {**spec, "name": name} if spec else None
