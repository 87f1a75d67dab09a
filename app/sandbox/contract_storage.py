"""Snapshot policy and template registration commands missing from the API subset, read from
CloudStack's command classes (api/.../command/user/snapshot/ and user/template/, served by
SnapshotManagerImpl and TemplateManagerImpl); ``contract.py`` adds them as unverified."""

from __future__ import annotations

from typing import Any

_USER = "org.apache.cloudstack.api.command.user."
_SUCCESS = {"success": "Boolean", "displaytext": "String"}
_OWNER = {"account": "STRING", "domainid": "UUID", "projectid": "UUID"}
_PAGE = {"keyword": "STRING", "page": "INTEGER", "pagesize": "INTEGER"}
POLICY = {  # SnapshotPolicyResponse
    "id": "String",
    "volumeid": "String",
    "schedule": "String",
    "intervaltype": "short",  # DateUtil.IntervalType's ordinal: HOURLY 0 … MONTHLY 3
    "maxsnaps": "int",
    "timezone": "String",
    "fordisplay": "boolean",
    "tags": "Set<ResourceTagResponse>",
    "jobid": "String",
    "jobstatus": "Integer",
}
_TEMPLATE_PARAMS = {
    "name": "STRING",
    "displaytext": "STRING",
    "url": "STRING",
    "format": "STRING",
    "hypervisor": "STRING",
    "ostypeid": "UUID",
    "zoneid": "UUID",
    "zoneids": "LIST",
    "checksum": "STRING",
    "bits": "INTEGER",
    "isextractable": "BOOLEAN",
    "isfeatured": "BOOLEAN",
    "ispublic": "BOOLEAN",
    "passwordenabled": "BOOLEAN",
    "requireshvm": "BOOLEAN",
    "sshkeyenabled": "BOOLEAN",
    "isdynamicallyscalable": "BOOLEAN",
    "directdownload": "BOOLEAN",
    "templatetag": "STRING",
    "details": "MAP",
    **_OWNER,
}

# name → (command class, mode, response key, params, required, response, description)
STORAGE: dict[str, tuple[str, str, str | None, dict[str, str], list[str], Any, str]] = {
    "createSnapshotPolicy": (
        _USER + "snapshot.CreateSnapshotPolicyCmd",
        "sync",
        "snapshotpolicy",
        {
            "intervaltype": "STRING",
            "maxsnaps": "INTEGER",
            "schedule": "STRING",
            "timezone": "STRING",
            "volumeid": "UUID",
            "fordisplay": "BOOLEAN",
            "tags": "MAP",
        },
        ["intervaltype", "maxsnaps", "schedule", "timezone", "volumeid"],
        POLICY,
        "Creates a snapshot policy for the account.",
    ),
    "listSnapshotPolicies": (
        _USER + "snapshot.ListSnapshotPoliciesCmd",
        "list",
        "snapshotpolicy",
        {"id": "UUID", "volumeid": "UUID", "fordisplay": "BOOLEAN", **_PAGE},
        [],
        POLICY,
        "Lists snapshot policies.",
    ),
    "updateSnapshotPolicy": (
        _USER + "snapshot.UpdateSnapshotPolicyCmd",
        "async",
        "snapshotpolicy",
        {"id": "UUID", "fordisplay": "BOOLEAN", "customid": "STRING"},
        [],
        POLICY,
        "Updates the snapshot policy.",
    ),
    "deleteSnapshotPolicies": (
        _USER + "snapshot.DeleteSnapshotPoliciesCmd",
        "sync",
        None,
        {"id": "UUID", "ids": "LIST"},
        [],
        _SUCCESS,
        "Deletes snapshot policies for the account.",
    ),
    "registerTemplate": (
        _USER + "template.RegisterTemplateCmd",
        "sync",  # BaseCmd answering a ListResponse of the one template
        "template",
        _TEMPLATE_PARAMS,
        ["format", "hypervisor", "name", "url"],
        "listTemplates",  # TemplateResponse
        "Registers an existing template into the CloudStack cloud.",
    ),
    "updateTemplate": (
        _USER + "template.UpdateTemplateCmd",
        "sync",
        "template",
        {
            "id": "UUID",
            "name": "STRING",
            "displaytext": "STRING",
            "format": "STRING",
            "ostypeid": "UUID",
            "passwordenabled": "BOOLEAN",
            "sshkeyenabled": "BOOLEAN",
            "isdynamicallyscalable": "BOOLEAN",
            "requireshvm": "BOOLEAN",
            "sortkey": "INTEGER",
            "templatetag": "STRING",
        },
        ["id"],
        "listTemplates",
        "Updates attributes of a template.",
    ),
    "deleteTemplate": (
        _USER + "template.DeleteTemplateCmd",
        "async",
        None,
        {"id": "UUID", "zoneid": "UUID", "forced": "BOOLEAN"},
        ["id"],
        _SUCCESS,
        "Deletes a template",
    ),
    "listHypervisors": (
        _USER + "config.ListHypervisorsCmd",
        "list",
        "hypervisor",
        {"zoneid": "UUID"},
        [],
        {"name": "String"},  # the part of HypervisorResponse the sandbox fills
        "List hypervisors",
    ),
    "listOsTypes": (
        _USER + "guest.ListGuestOsCmd",
        "list",
        "ostype",
        {"id": "UUID", "oscategoryid": "UUID", "description": "STRING", **_PAGE},
        [],
        {
            "id": "String",
            "description": "String",
            "name": "String",
            "oscategoryid": "String",
            "oscategoryname": "String",
            "isuserdefined": "Boolean",
            "fordisplay": "Boolean",
        },
        "Lists all supported OS types for this cloud.",
    ),
}
