"""Projects' lifecycle, membership and roles, the domain tree and domain limits, as
ProjectManagerImpl and ResourceLimitManagerImpl answer them."""

from __future__ import annotations

from typing import Any

from tests.sandbox.conftest import Catalog, CloudStackHttp, deploy, unique

RETAIL = "ROOT/apps/retail"


def _domain(api: CloudStackHttp, path: str) -> dict[str, Any]:
    return next(d for d in api.items("listDomains", listall=True) if d["path"] == path)


def _project_in(api: CloudStackHttp, path: str, account: str) -> dict[str, Any]:
    domain = _domain(api, path)
    return api.result("createProject", name=unique("team"), domainid=domain["id"], account=account)


def _members(api: CloudStackHttp, project: dict[str, Any]) -> dict[str, str]:
    rows = api.items("listProjectAccounts", projectid=project["id"])
    return {row.get("username", row["account"]): row["role"] for row in rows}


def _job_error(api: CloudStackHttp, command: str, **params: object) -> tuple[int, str]:
    job = api.run(command, **params)
    assert job["jobstatus"] == 2, job
    return job["jobresultcode"], job["jobresult"]["errortext"]


def test_the_seeded_domain_tree_its_accounts_and_users(api: CloudStackHttp) -> None:
    domains = {d["path"]: d for d in api.items("listDomains", listall=True)}
    assert sorted(domains) == ["ROOT", "ROOT/apps", "ROOT/apps/retail", "ROOT/apps/wholesale"]
    assert domains[RETAIL]["parentdomainid"] == domains["ROOT/apps"]["id"]
    assert (domains[RETAIL]["level"], domains["ROOT/apps"]["haschild"]) == (2, True)
    accounts = api.items("listAccounts", domainid=domains[RETAIL]["id"])
    assert {a["name"] for a in accounts} == {"retail-ops", "retail-dev", "retail-qa"}
    users = api.items("listUsers", domainid=domains[RETAIL]["id"])
    assert {(u["username"], u["account"]) for u in users} >= {("alice", "retail-ops")}


def test_create_project_for_an_account_of_a_domain_makes_it_the_admin(api: CloudStackHttp) -> None:
    project = _project_in(api, RETAIL, "retail-ops")
    assert (project["domain"], project["state"]) == ("retail", "Active")
    assert project["vmlimit"] == "20"  # max.project.user.vms
    assert _members(api, project) == {"retail-ops": "Admin"}


def test_create_project_refusals(api: CloudStackHttp) -> None:
    retail = _domain(api, RETAIL)
    code, body = api.fail("createProject", name=unique("x"), account="retail-ops")
    assert (code, body["errortext"]) == (
        431,
        "Account name and domain id must be specified together",
    )
    name = unique("twice")
    api.result("createProject", name=name, domainid=retail["id"], account="retail-ops")
    code, body = api.fail("createProject", name=name, domainid=retail["id"], account="retail-dev")
    assert body["errortext"] == f"Project with name {name} already exists in domain id=3"
    code, body = api.fail("createProject", name=unique("x"), domainid=retail["id"])
    assert body["errortext"] == (
        'Unable to find account stackgate in domain Domain {"id":3,"name":"retail",'
        f'"path":"/apps/retail/","uuid":"{retail["id"]}"}}'
    )
    alice = api.one("listUsers", username="alice")
    code, body = api.fail("createProject", name=unique("x"), userid=alice["id"])
    assert body["errortext"] == "Account ID and Domain ID must be specified with userID"


def test_update_project_display_text_and_member_roles(api: CloudStackHttp) -> None:
    project = _project_in(api, RETAIL, "retail-ops")
    changed = api.result("updateProject", id=project["id"], displaytext="Retail checkout")
    assert changed["displaytext"] == "Retail checkout"
    api.done("addAccountToProject", projectid=project["id"], account="retail-dev")
    api.result(
        "updateProject", id=project["id"], account="retail-dev", roletype="Admin", swapowner=False
    )
    assert _members(api, project) == {"retail-ops": "Admin", "retail-dev": "Admin"}
    api.result(
        "updateProject", id=project["id"], account="retail-ops", roletype="Regular", swapowner=False
    )
    assert _members(api, project) == {"retail-ops": "Regular", "retail-dev": "Admin"}
    assert _job_error(
        api,
        "updateProject",
        id=project["id"],
        account="retail-dev",
        roletype="Regular",
        swapowner=False,
    ) == (431, "Cannot demote the only admin of the project")
    assert _job_error(
        api,
        "updateProject",
        id=project["id"],
        account="retail-dev",
        roletype="Owner",
        swapowner=False,
    ) == (431, "Only Admin or Regular project role types are valid")


def test_members_added_and_removed_as_accounts_and_users(api: CloudStackHttp) -> None:
    project = _project_in(api, RETAIL, "retail-ops")
    assert api.done("addAccountToProject", projectid=project["id"], account="retail-dev") == {
        "success": True
    }
    api.done("addUserToProject", projectid=project["id"], username="grace", roletype="Admin")
    assert _members(api, project) == {
        "retail-ops": "Admin",
        "retail-dev": "Regular",
        "grace": "Admin",
    }
    grace = next(u for u in api.items("listUsers", username="grace"))
    api.done("deleteUserFromProject", projectid=project["id"], userid=grace["id"])
    api.done("deleteAccountFromProject", projectid=project["id"], account="retail-dev")
    assert _members(api, project) == {"retail-ops": "Admin"}


def test_membership_refusals(api: CloudStackHttp) -> None:
    project = _project_in(api, RETAIL, "retail-ops")
    pid = project["id"]
    assert _job_error(api, "addAccountToProject", projectid=pid, account="wholesale-ops") == (
        431,
        "Unable to find account name=wholesale-ops in specified domain id",
    )
    assert _job_error(api, "addUserToProject", projectid=pid, username="alice") == (
        431,
        # 4: the internal id of retail-ops (1 is system, 2 the caller, then the seeded accounts)
        "User belongs to account 4 which is already part of the project",
    )
    assert _job_error(api, "addUserToProject", projectid=pid, username="dave") == (
        431,
        "Invalid user ID provided",
    )
    assert _job_error(api, "deleteAccountFromProject", projectid=pid, account="retail-dev") == (
        431,
        "Account retail-dev is not assigned to the project with specified id",
    )
    assert _job_error(api, "deleteAccountFromProject", projectid=pid, account="retail-ops") == (
        431,
        "Unable to delete account retail-ops from the project with specified id as the account "
        "is the owner of the project",
    )
    api.result("suspendProject", id=pid)
    assert _job_error(api, "addAccountToProject", projectid=pid, account="retail-dev") == (
        431,
        "Can't add account to the specified project id in state=Suspended as it's no longer active",
    )


def test_suspend_and_activate(api: CloudStackHttp) -> None:
    project = _project_in(api, RETAIL, "retail-ops")
    assert api.result("suspendProject", id=project["id"])["state"] == "Suspended"
    assert api.one("listProjects", id=project["id"], listall=True)["state"] == "Suspended"
    assert api.result("activateProject", id=project["id"])["state"] == "Active"
    assert api.result("activateProject", id=project["id"])["state"] == "Active"


def test_delete_project_refused_while_resources_remain_unless_cleanup(
    api: CloudStackHttp, catalog: Catalog
) -> None:
    project = _project_in(api, RETAIL, "retail-ops")
    api.ok(
        "createNetwork",
        name="net",
        displaytext="net",
        networkofferingid=catalog.isolated,
        zoneid=catalog.zone,
        projectid=project["id"],
    )
    code, text = _job_error(api, "deleteProject", id=project["id"])
    assert (code, text) == (
        530,
        "Can't delete the project yet because it has 1 Network to clean up",
    )
    assert api.done("deleteProject", id=project["id"], cleanup=True) == {"success": True}
    assert api.items("listProjects", id=project["id"], listall=True) == []


def test_domain_limits_listed_and_updated_within_the_parent(api: CloudStackHttp) -> None:
    apps, retail, root = (_domain(api, p) for p in ("ROOT/apps", RETAIL, "ROOT"))
    limits = api.items("listResourceLimits", domainid=apps["id"])
    by_type = {row["resourcetype"]: row for row in limits}
    assert by_type["0"]["max"] == 100 and by_type["0"]["domainpath"] == "ROOT/apps"
    answer = api.ok("updateResourceLimit", domainid=retail["id"], resourcetype=0, max=80)
    assert answer["resourcelimit"]["max"] == 80
    code, body = api.fail("updateResourceLimit", domainid=retail["id"], resourcetype=0, max=101)
    assert code == 431
    assert body["errortext"].startswith("Domain {") and body["errortext"].endswith(
        "has maximum allowed resource limit 100 for user_vm, please specify a value less than "
        "or equal to 100"
    )
    code, body = api.fail("updateResourceLimit", domainid=root["id"], resourcetype=0, max=5)
    assert (code, body["errortext"]) == (
        531,
        "Cannot update resource limit for ROOT domain 1, permission denied",
    )


def test_update_project_hands_ownership_over_by_default(api: CloudStackHttp) -> None:
    project = _project_in(api, RETAIL, "retail-ops")
    api.done("addAccountToProject", projectid=project["id"], account="retail-dev")
    api.result("updateProject", id=project["id"], account="retail-dev")  # swapowner=true
    assert _members(api, project) == {"retail-ops": "Regular", "retail-dev": "Admin"}
    assert _job_error(api, "updateProject", id=project["id"], account="retail-qa") == (
        431,
        "Account retail-qa doesn't belong to the project. Add it to the project first and then "
        "change the project's ownership",
    )


def test_update_project_changes_a_users_role_and_a_refusal_changes_nothing(
    api: CloudStackHttp,
) -> None:
    project = _project_in(api, RETAIL, "retail-ops")
    grace = api.one("listUsers", username="grace")
    api.done("addUserToProject", projectid=project["id"], username="grace")
    api.result(
        "updateProject", id=project["id"], userid=grace["id"], roletype="Admin", swapowner=False
    )
    assert _members(api, project)["grace"] == "Admin"
    assert _job_error(
        api,
        "updateProject",
        id=project["id"],
        account="retail-ops",
        userid=grace["id"],
        displaytext="never",
    ) == (
        431,
        "Account name and user ID are mutually exclusive. Provide either account nameto update "
        "account or user ID to update the user of the project",
    )
    assert api.one("listProjects", id=project["id"])["displaytext"] == project["displaytext"]


def test_create_project_with_a_user_as_its_admin(api: CloudStackHttp) -> None:
    retail = _domain(api, RETAIL)
    alice = api.one("listUsers", username="alice")
    ops = api.one("listAccounts", name="retail-ops", domainid=retail["id"])
    project = api.result(  # account defaults to the caller's name: CloudStack needs it too
        "createProject",
        name=unique("alice"),
        account="retail-ops",
        domainid=retail["id"],
        accountid=ops["id"],
        userid=alice["id"],
    )
    rows = api.items("listProjectAccounts", projectid=project["id"])
    assert [(r["account"], r["username"], r["role"]) for r in rows] == [
        ("retail-ops", "alice", "Admin")
    ]
    assert rows[0]["domainpath"] == RETAIL


def test_root_has_no_limits_and_a_projects_limit_is_not_held_to_its_domains(
    api: CloudStackHttp,
) -> None:
    root = _domain(api, "ROOT")
    assert {row["max"] for row in api.items("listResourceLimits", domainid=root["id"])} == {-1}
    project = _project_in(api, "ROOT/apps/wholesale", "wholesale-ops")
    answer = api.ok("updateResourceLimit", projectid=project["id"], resourcetype=0, max=500)
    assert answer["resourcelimit"]["domainpath"] == "ROOT/apps/wholesale"
    assert answer["resourcelimit"]["max"] == 500  # the domain's 40 is checked on allocation


def test_allocation_is_held_to_every_domain_above_the_project(fresh: CloudStackHttp) -> None:
    """Two projects in ROOT/apps/retail share its limit; ROOT/apps's holds them both."""
    catalog = Catalog(fresh)
    retail = _domain(fresh, RETAIL)
    fresh.ok("updateResourceLimit", domainid=retail["id"], resourcetype=0, max=1)
    first, second = (_project_in(fresh, RETAIL, "retail-ops") for _ in range(2))
    deploy(fresh, catalog, first)
    code, body = fresh.fail(  # checked before the job, as the project's own limit is
        "deployVirtualMachine",
        zoneid=catalog.zone,
        serviceofferingid=catalog.small,
        templateid=catalog.template,
        projectid=second["id"],
    )
    assert code == 535
    assert body["errortext"] == (
        f"Maximum domain resource limits of Type 'user_vm' for Domain Id = {retail['id']} is "
        "exceeded: Domain Resource Limit = 1, Current Domain Resource Amount = 1, Current "
        "Resource Reservation = 0, Requested Resource Amount = 1."
    )


def test_projects_listed_by_domain(api: CloudStackHttp) -> None:
    project = _project_in(api, "ROOT/apps/wholesale", "wholesale-ops")
    apps, wholesale = _domain(api, "ROOT/apps"), _domain(api, "ROOT/apps/wholesale")
    assert project["id"] in {p["id"] for p in api.items("listProjects", domainid=wholesale["id"])}
    assert api.items("listProjects", domainid=apps["id"]) == []
    listed = api.items("listProjects", domainid=apps["id"], isrecursive=True)
    assert project["id"] in {p["id"] for p in listed}
    assert "payments" not in {p["name"] for p in listed}


def test_list_domains_carries_each_domains_limits_and_counts(fresh: CloudStackHttp) -> None:
    """DomainJoinDaoImpl.setResourceLimits: details default to all, so every domain comes with
    ``<prefix>limit``/``available`` (strings, "Unlimited" on ROOT) and ``<prefix>total``,
    counting what the projects in it and below it hold."""
    catalog = Catalog(fresh)
    project = _project_in(fresh, RETAIL, "retail-ops")
    deploy(fresh, catalog, project)
    retail, apps, root = (_domain(fresh, p) for p in (RETAIL, "ROOT/apps", "ROOT"))
    assert (retail["vmlimit"], retail["vmtotal"], retail["vmavailable"]) == ("60", 1, "59")
    assert (retail["cpulimit"], retail["cputotal"], apps["cputotal"]) == ("120", 1, 1)
    assert (apps["memorylimit"], apps["memorytotal"]) == ("409600", 2048)
    assert (retail["primarystoragelimit"], retail["primarystoragetotal"]) == ("4000", 10)
    assert (root["vmlimit"], root["vmavailable"]) == ("Unlimited", "Unlimited")


def test_custom_project_roles_are_per_project_and_given_to_members(api: CloudStackHttp) -> None:
    project, other = _project_in(api, RETAIL, "retail-ops"), _project_in(api, RETAIL, "retail-ops")
    made = api.ok("createProjectRole", projectid=project["id"], name="operator")["projectrole"]
    assert (made["name"], made["projectid"], made.get("description")) == (
        "operator",
        project["id"],
        None,
    )
    assert [r["name"] for r in api.items("listProjectRoles", projectid=project["id"])] == [
        "operator"
    ]
    assert api.items("listProjectRoles", projectid=other["id"]) == []
    assert api.items("listProjectRoles", projectid=project["id"], name="nobody") == []
    api.done(
        "addAccountToProject",
        projectid=project["id"],
        account="retail-dev",
        projectroleid=made["id"],
    )
    api.done(
        "addUserToProject", projectid=project["id"], username="grace", projectroleid=made["id"]
    )
    rows = api.items("listProjectAccounts", projectid=project["id"])
    given = {r.get("username", r["account"]): (r["role"], r.get("projectroleid")) for r in rows}
    assert given == {
        "retail-ops": ("Admin", None),
        "retail-dev": ("Regular", made["id"]),
        "grace": ("Regular", made["id"]),
    }
    assert _job_error(
        api,
        "addAccountToProject",
        projectid=other["id"],
        account="retail-dev",
        projectroleid=made["id"],
    ) == (431, "Invalid project role ID for the given project")
