"""Domains, accounts, users and project membership: the rows and look-ups ProjectManagerImpl
and ResourceLimitManagerImpl work on, shared by the seed and the commands."""

from __future__ import annotations

from app.sandbox.store import CloudState, Row

ROOT = "ROOT"
ACCOUNT_TYPES = {"User": 0, "Admin": 1, "DomainAdmin": 2}  # Account.Type ordinals
ROLE_TYPES = ("Admin", "Regular")  # ProjectAccount.Role


def domain_row(state: CloudState, path: str, parent: Row | None, row_id: str) -> Row:
    """A DomainResponse; ``path`` is ROOT/apps/retail as listDomains shows it."""
    row: Row = {
        "id": row_id,
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "level": path.count("/"),
        "haschild": False,
        "state": "Active",
        "created": state.timestamp(),
        "_number": state.next_number("domains"),
    }
    if parent is not None:
        parent["haschild"] = True
        row.update(parentdomainid=parent["id"], parentdomainname=parent["name"])
    return state.table("domains").add(row)


def account_row(state: CloudState, name: str, domain: Row, kind: str, row_id: str) -> Row:
    """An AccountResponse (the parts the sandbox keeps); numbered after system (1)."""
    return state.table("accounts").add(
        {
            "id": row_id,
            "name": name,
            "accounttype": ACCOUNT_TYPES[kind],
            "roletype": kind,
            "domainid": domain["id"],
            "domain": domain["name"],
            "domainpath": domain["path"],
            "state": "enabled",
            "created": state.timestamp(),
            "isdefault": False,
            "_number": state.next_number("accounts") + 1,
        }
    )


def user_row(state: CloudState, name: str, account: Row, row_id: str) -> Row:
    """A UserResponse of ``account``."""
    return state.table("users").add(
        {
            "id": row_id,
            "username": name,
            "firstname": name,
            "lastname": account["name"],
            "email": f"{name}@example.org",
            "state": "enabled",
            "account": account["name"],
            "accountid": account["id"],
            "accounttype": account["accounttype"],
            "roletype": account["roletype"],
            "domainid": account["domainid"],
            "domain": account["domain"],
            "created": state.timestamp(),
            "isdefault": False,
        }
    )


def domain_of(state: CloudState, domain_id: str) -> Row:
    row = state.table("domains").get(domain_id)
    assert row is not None, domain_id
    return row


def domain_text(domain: Row) -> str:
    """DomainVO.toString, as error texts print a domain: ReflectionToStringBuilderUtils' JSON
    of id, name, path (as the database keeps it, /apps/retail/) and uuid."""
    path = "/" + "".join(f"{part}/" for part in domain["path"].split("/")[1:])
    return (
        f'Domain {{"id":{domain["_number"]},"name":"{domain["name"]}","path":"{path}",'
        f'"uuid":"{domain["id"]}"}}'
    )


def in_domain(state: CloudState, row: Row, domain: Row | None, recursive: bool) -> bool:
    """Whether ``row`` is in ``domain`` (any when None), or below it when ``recursive``."""
    if domain is None or row["domainid"] == domain["id"]:
        return True
    below = state.table("domains").get(row["domainid"])
    return recursive and below is not None and below["path"].startswith(domain["path"] + "/")


def account_named(state: CloudState, name: str, domain_id: str) -> Row | None:
    """AccountManager.getActiveAccountByName: an account of that name in that very domain."""
    return next(
        (a for a in state.table("accounts") if a["name"] == name and a["domainid"] == domain_id),
        None,
    )


def user_named(state: CloudState, name: str, domain_id: str) -> Row | None:
    """UserDao.getUserByName(username, domainId)."""
    return next(
        (u for u in state.table("users") if u["username"] == name and u["domainid"] == domain_id),
        None,
    )


def member(account: Row, role: str, user: Row | None = None) -> Row:
    """One ProjectAccountVO: an account, or one user of it, with its project role."""
    row: Row = {"accountid": account["id"], "account": account["name"], "role": role}
    if user is not None:
        row.update(userid=user["id"], username=user["username"])
    return row


def admins(project: Row) -> list[Row]:
    return [m for m in project["_members"] if m["role"] == "Admin"]
