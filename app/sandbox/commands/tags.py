"""Resource tags: create and delete (async), list; how tags look on each kind of object."""

from __future__ import annotations

from typing import Any

from app.sandbox.api import Answer, Ctx, command
from app.sandbox.errors import invalid_parameter, runtime_error
from app.sandbox.listing import list_body
from app.sandbox.store import Row

TABLES = {
    "UserVm": ("vms",),
    "Volume": ("volumes",),
    "Network": ("networks",),
    "PublicIpAddress": ("ips",),
    "FirewallRule": ("firewall", "egress"),
    "PortForwardingRule": ("port_forwards",),
    "LoadBalancer": ("load_balancers",),
    "Template": ("templates",),
    "Project": ("projects",),
    "SecurityGroup": ("security_groups",),
    "SecurityGroupRule": ("security_group_rules",),
    "Vpc": ("vpcs",),
    "NetworkACL": ("acl_items",),
    "SnapshotPolicy": ("snapshot_policies",),
}
# Types CloudStack tags that the sandbox has no objects of, and types that take no tags at all
OTHER_TAGGABLE = (
    "ISO",
    "Snapshot",
    "Backup",
    "Account",
    "StaticRoute",
    "VMSnapshot",
    "RemoteAccessVpn",
    "User",
    "VpcOffering",
)
NOT_TAGGABLE = (
    "Zone",
    "ServiceOffering",
    "DiskOffering",
    "NetworkOffering",
    "Nic",
    "Domain",
    "DomainRouter",
    "Storage",
    "ObjectStore",
)
FULL_TAGS = ("UserVm", "Volume", "Template")  # join views show whole tag objects


def resource_type(given: str) -> str:
    for name in (*TABLES, *OTHER_TAGGABLE, *NOT_TAGGABLE):
        if name.lower() == given.lower():
            if name in NOT_TAGGABLE:
                raise invalid_parameter(f"The resource type {name} doesn't support resource tags")
            return name
    raise invalid_parameter(f"Invalid resource type {given}")


def find(ctx: Ctx, kind: str, resource_id: str) -> Row:
    for table in TABLES.get(kind, ()):
        row = ctx.state.table(table).get(resource_id)
        if row is not None:
            return row
    raise invalid_parameter(f"Unable to find resource by uuid {resource_id} and type {kind}")


def tag_object(ctx: Ctx, kind: str, row: Row, key: str, value: str, full: bool = False) -> Row:
    if kind not in FULL_TAGS and not full:
        return {"key": key, "value": value}
    tag: Row = {
        "key": key,
        "value": value,
        "resourcetype": kind,
        "resourceid": row["id"],
        "account": row.get("account", ctx.state.account.name),
        "domainid": ctx.state.account.domain_id,
        "domain": ctx.state.account.domain,
    }
    owner = project_of(row)
    if owner:
        project = ctx.state.table("projects").get(owner)
        tag.update(projectid=owner, project=project["name"] if project else row.get("project"))
    return tag


def project_of(row: Row) -> str:
    """The project owning a tagged object: rules keep it unlisted (their answers carry no
    project), but their tags are the project's, as in CloudStack's resource_tags."""
    return str(row.get("projectid") or row.get("_project") or "")


@command("createTags")
def create_tags(ctx: Ctx) -> Answer:
    given = ctx.request.require("resourcetype")
    ids = ctx.request.ids("resourceids")
    pairs = ctx.request.maps.get("tags", [])

    def run() -> None:  # CreateTagsCmd.execute resolves the type: its errors fail the job
        kind = resource_type(given)
        rows = [find(ctx, kind, resource_id) for resource_id in ids]
        for pair in pairs:
            if not pair.get("value"):
                raise invalid_parameter(
                    f"Value for the key {pair.get('key', '')} is either null or empty"
                )
        for row in rows:
            for pair in pairs:
                if any(tag["key"].lower() == pair["key"].lower() for tag in row["tags"]):
                    raise runtime_error(f"tag {pair['key']} already on {kind} with id {row['id']}")
                row["tags"].append(tag_object(ctx, kind, row, pair["key"], pair["value"]))

    return ctx.submit(run)


@command("deleteTags")
def delete_tags(ctx: Ctx) -> Answer:
    given = ctx.request.require("resourcetype")
    ids = ctx.request.ids("resourceids")
    pairs = ctx.request.maps.get("tags", [])

    def matches(tag: Row) -> bool:
        return not pairs or any(
            tag["key"].lower() == p.get("key", "").lower()
            and (not p.get("value") or tag["value"].lower() == p["value"].lower())
            for p in pairs
        )

    def run() -> None:
        kind = resource_type(given)
        removed = 0
        for row in (find(ctx, kind, resource_id) for resource_id in ids):
            kept = [tag for tag in row["tags"] if not matches(tag)]
            removed += len(row["tags"]) - len(kept)
            row["tags"] = kept
        if not removed:
            raise runtime_error("Failed to delete tags")

    return ctx.submit(run)


@command("listTags")
def list_tags(ctx: Ctx) -> dict[str, Any]:
    request = ctx.request
    given = request.get("resourcetype")
    wanted_type = resource_type(given) if given else None
    resource, key, value = request.get("resourceid"), request.get("key"), request.get("value")
    project = request.get("projectid")
    rows = [
        {
            **tag_object(ctx, kind, row, tag["key"], tag["value"], full=True),
            "id": f"{row['id']}/{tag['key']}",
        }
        for kind, tables in TABLES.items()
        if wanted_type in (None, kind)
        for table in tables
        for row in ctx.state.table(table)
        if (not resource or row["id"] == resource)
        and (not project or project_of(row) == project or (project == "-1" and project_of(row)))
        for tag in row.get("tags", [])
        if (not key or tag["key"] == key) and (not value or tag["value"] == value)
    ]
    return list_body(
        request, "tag", rows, render=lambda row: {k: v for k, v in row.items() if k != "id"}
    )
