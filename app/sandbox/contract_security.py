"""The security group commands missing from the API subset, read from CloudStack's command
classes (api/.../command/user/securitygroup/); ``contract.py`` adds them as unverified."""

from __future__ import annotations

from typing import Any

_SG = "org.apache.cloudstack.api.command.user.securitygroup."
_SUCCESS = {"success": "Boolean", "displaytext": "String"}
_OWNER = {"account": "STRING", "domainid": "UUID", "projectid": "UUID"}
SECURITY_GROUP = {  # SecurityGroupResponse
    "id": "String",
    "name": "String",
    "description": "String",
    "account": "String",
    "projectid": "String",
    "project": "String",
    "domainid": "String",
    "domain": "String",
    "domainpath": "String",
    # each rule: ruleid, protocol, icmptype/icmpcode or startport/endport, cidr or
    # securitygroupname and account, tags (SecurityGroupRuleResponse)
    "ingressrule": "Set<SecurityGroupRuleResponse>",
    "egressrule": "Set<SecurityGroupRuleResponse>",
    "tags": "Set<ResourceTagResponse>",
    "virtualmachinecount": "Integer",
    "virtualmachineids": "Set<String>",
    "jobid": "String",
    "jobstatus": "Integer",
}
_AUTHORIZE = {
    "protocol": "STRING",
    "startport": "INTEGER",
    "endport": "INTEGER",
    "icmptype": "INTEGER",
    "icmpcode": "INTEGER",
    "cidrlist": "LIST",
    "usersecuritygrouplist": "MAP",
    "securitygroupid": "UUID",
    "securitygroupname": "STRING",
    **_OWNER,
}

# name → (command class, mode, response key, params, required, response, description)
SECURITY: dict[str, tuple[str, str, str | None, dict[str, str], list[str], Any, str]] = {
    "createSecurityGroup": (
        _SG + "CreateSecurityGroupCmd",
        "sync",
        "securitygroup",
        {"name": "STRING", "description": "STRING", **_OWNER},
        ["name"],
        SECURITY_GROUP,
        "Creates a security group",
    ),
    "listSecurityGroups": (
        _SG + "ListSecurityGroupsCmd",
        "list",
        "securitygroup",
        {
            "id": "UUID",
            "securitygroupname": "STRING",
            "virtualmachineid": "UUID",
            "tags": "MAP",
            "isrecursive": "BOOLEAN",
            "listall": "BOOLEAN",
            "keyword": "STRING",
            "page": "INTEGER",
            "pagesize": "INTEGER",
            **_OWNER,
        },
        [],
        SECURITY_GROUP,
        "Lists security groups",
    ),
    "deleteSecurityGroup": (
        _SG + "DeleteSecurityGroupCmd",
        "sync",
        None,
        {"id": "UUID", "name": "STRING", **_OWNER},
        [],
        _SUCCESS,
        "Deletes security group",
    ),
    "authorizeSecurityGroupIngress": (
        _SG + "AuthorizeSecurityGroupIngressCmd",
        "async",
        "securitygroup",
        dict(_AUTHORIZE),
        [],
        SECURITY_GROUP,
        "Authorizes a particular ingress rule for this security group",
    ),
    "authorizeSecurityGroupEgress": (
        _SG + "AuthorizeSecurityGroupEgressCmd",
        "async",
        "securitygroup",
        dict(_AUTHORIZE),
        [],
        SECURITY_GROUP,
        "Authorizes a particular egress rule for this security group",
    ),
    "revokeSecurityGroupIngress": (
        _SG + "RevokeSecurityGroupIngressCmd",
        "async",
        None,
        {"id": "UUID"},
        ["id"],
        _SUCCESS,
        "Deletes a particular ingress rule from this security group",
    ),
    "revokeSecurityGroupEgress": (
        _SG + "RevokeSecurityGroupEgressCmd",
        "async",
        None,
        {"id": "UUID"},
        ["id"],
        _SUCCESS,
        "Deletes a particular egress rule from this security group",
    ),
}
