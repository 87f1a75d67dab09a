"""The tenancy commands missing from the API subset, read from CloudStack's source: project
lifecycle and membership (user/project, user/account, served by ProjectManagerImpl) and the
domain, account and user lists, and the global settings behind a new project's limits;
``contract.py`` adds them as unverified commands."""

from __future__ import annotations

from typing import Any

from app.sandbox.accounting import PREFIXES

_USER = "org.apache.cloudstack.api.command.user."
_ADMIN = "org.apache.cloudstack.api.command.admin."
_SUCCESS = {"success": "Boolean", "displaytext": "String"}
_PAGE = {"keyword": "STRING", "page": "INTEGER", "pagesize": "INTEGER"}
_SCOPE = {"domainid": "UUID", "isrecursive": "BOOLEAN", "listall": "BOOLEAN", **_PAGE}
_ROLE = {"projectroleid": "UUID", "roletype": "STRING"}
_DOMAIN = {  # the parts of DomainResponse the sandbox fills
    "id": "String",
    "name": "String",
    "path": "String",
    "level": "Integer",
    "haschild": "boolean",
    "parentdomainid": "String",
    "parentdomainname": "String",
    "state": "String",
    "created": "Date",
    # ResourceLimitAndCountResponse, as DomainJoinDaoImpl.setResourceLimits fills it
    **{
        f"{prefix}{suffix}": kind
        for prefix in PREFIXES.values()
        for suffix, kind in (("limit", "String"), ("available", "String"), ("total", "Long"))
    },
    "secondarystoragetotal": "float",
}
_ACCOUNT = {  # the parts of AccountResponse the sandbox fills
    "id": "String",
    "name": "String",
    "accounttype": "Integer",
    "roletype": "String",
    "domainid": "String",
    "domain": "String",
    "domainpath": "String",
    "state": "String",
    "created": "Date",
    "isdefault": "Boolean",
}
_USER_FIELDS = {  # the parts of UserResponse the sandbox fills
    "id": "String",
    "username": "String",
    "firstname": "String",
    "lastname": "String",
    "email": "String",
    "state": "String",
    "account": "String",
    "accountid": "String",
    "accounttype": "Integer",
    "roletype": "String",
    "domainid": "String",
    "domain": "String",
    "created": "Date",
    "isdefault": "Boolean",
}
_PROJECT_ACCOUNT = {  # ProjectAccountResponse
    "projectid": "String",
    "project": "String",
    "accountid": "String",
    "account": "String",
    "username": "String",
    "accounttype": "Integer",
    "userid": "String",
    "projectroleid": "String",
    "role": "String",
    "domainid": "String",
    "domain": "String",
    "domainpath": "String",
    "user": "List<UserResponse>",
}

_PROJECT_ROLE = {  # ProjectRoleResponse
    "id": "String",
    "name": "String",
    "description": "String",
    "projectid": "String",
}

# name → (command class, mode, response key, params, required, response, description)
TENANCY: dict[str, tuple[str, str, str | None, dict[str, str], list[str], Any, str]] = {
    "updateProject": (
        _USER + "project.UpdateProjectCmd",
        "async",
        "project",
        {
            "id": "UUID",
            "account": "STRING",
            "displaytext": "STRING",
            "userid": "UUID",
            "roletype": "STRING",
            "swapowner": "BOOLEAN",
            "name": "STRING",
        },
        ["id"],
        "createProject",  # ProjectResponse
        "Updates a project",
    ),
    "deleteProject": (
        _USER + "project.DeleteProjectCmd",
        "async",
        None,
        {"id": "UUID", "cleanup": "BOOLEAN"},
        ["id"],
        _SUCCESS,
        "Deletes a project",
    ),
    "suspendProject": (
        _USER + "project.SuspendProjectCmd",
        "async",
        "project",
        {"id": "UUID"},
        ["id"],
        "createProject",
        "Suspends a project",
    ),
    "activateProject": (
        _USER + "project.ActivateProjectCmd",
        "async",
        "project",
        {"id": "UUID"},
        ["id"],
        "createProject",
        "Activates a project",
    ),
    "addAccountToProject": (
        _USER + "account.AddAccountToProjectCmd",
        "async",
        None,
        {"projectid": "UUID", "account": "STRING", "email": "STRING", **_ROLE},
        ["projectid"],
        _SUCCESS,
        "Adds account to a project",
    ),
    "addUserToProject": (
        _USER + "account.AddUserToProjectCmd",
        "async",
        None,
        {"projectid": "UUID", "username": "STRING", "email": "STRING", **_ROLE},
        ["projectid", "username"],
        _SUCCESS,
        "Adds user to a project",
    ),
    "deleteAccountFromProject": (
        _USER + "account.DeleteAccountFromProjectCmd",
        "async",
        None,
        {"projectid": "UUID", "account": "STRING"},
        ["projectid", "account"],
        _SUCCESS,
        "Deletes account from the project",
    ),
    "deleteUserFromProject": (
        _USER + "account.DeleteUserFromProjectCmd",
        "async",
        None,
        {"projectid": "UUID", "userid": "UUID"},
        ["projectid", "userid"],
        _SUCCESS,
        "Deletes user from the project",
    ),
    "listProjectAccounts": (
        _USER + "account.ListProjectAccountsCmd",
        "list",
        "projectaccount",
        {
            "projectid": "UUID",
            "account": "STRING",
            "userid": "UUID",
            "role": "STRING",
            "projectroleid": "UUID",
            **_PAGE,
        },
        ["projectid"],
        _PROJECT_ACCOUNT,
        "Lists project's accounts",
    ),
    "listDomains": (
        _ADMIN + "domain.ListDomainsCmdByAdmin",
        "list",
        "domain",
        {
            "id": "UUID",
            "name": "STRING",
            "level": "INTEGER",
            "listall": "BOOLEAN",
            "details": "LIST",
            "showicon": "BOOLEAN",
            **_PAGE,
        },
        [],
        _DOMAIN,
        "Lists domains and provides detailed information for listed domains",
    ),
    "listAccounts": (
        _ADMIN + "account.ListAccountsCmdByAdmin",
        "list",
        "account",
        {
            "id": "UUID",
            "name": "STRING",
            "accounttype": "INTEGER",
            "state": "STRING",
            "iscleanuprequired": "BOOLEAN",
            "details": "LIST",
            "showicon": "BOOLEAN",
            **_SCOPE,
        },
        [],
        _ACCOUNT,
        "Lists accounts and provides detailed account information for listed accounts",
    ),
    "createProjectRole": (
        _ADMIN + "acl.project.CreateProjectRoleCmd",
        "sync",
        "projectrole",
        {"projectid": "UUID", "name": "STRING", "description": "STRING"},
        ["projectid", "name"],
        _PROJECT_ROLE,
        "Creates a Project role",
    ),
    "listProjectRoles": (
        _ADMIN + "acl.project.ListProjectRolesCmd",
        "list",
        "projectrole",
        {"projectroleid": "UUID", "projectid": "UUID", "name": "STRING", **_PAGE},
        ["projectid"],
        _PROJECT_ROLE,
        "Lists Project roles in CloudStack",
    ),
    "listConfigurations": (
        _ADMIN + "config.ListCfgsByCmd",
        "list",
        "configuration",
        {
            "category": "STRING",
            "name": "STRING",
            "zoneid": "UUID",
            "clusterid": "UUID",
            "storageid": "UUID",
            "accountid": "UUID",
            "domainid": "UUID",
            "imagestoreuuid": "UUID",
            "group": "STRING",
            "subgroup": "STRING",
            "parent": "STRING",
            **_PAGE,
        },
        [],
        {  # the parts of ConfigurationResponse the sandbox fills
            "category": "String",
            "name": "String",
            "value": "String",
            "defaultvalue": "String",
            "description": "String",
            "isdynamic": "Boolean",
        },
        "Lists all configurations.",
    ),
    "listUsers": (
        _ADMIN + "user.ListUsersCmd",
        "list",
        "user",
        {
            "id": "UUID",
            "username": "STRING",
            "account": "STRING",
            "accounttype": "INTEGER",
            "state": "STRING",
            "showicon": "BOOLEAN",
            **_SCOPE,
        },
        [],
        _USER_FIELDS,
        "Lists user accounts",
    ),
}
