"""Read every object of some projects, tagged or not: the live reader's list calls without its
tag filter, plus a look at the kinds stackgate does not model so none is dropped in silence.

Like the plan's reader, a few projects are read one by one and more in one sweep across
projects (``projectid=-1``), so the list calls grow with pages of results, not with projects.
What CloudStack only answers per project (members) or per rule (a load balancer's instances)
costs one call each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from app.cloudstack.catalog import GIB
from app.cloudstack.cks_reading import is_node, node_ids
from app.cloudstack.client import CloudStackClient
from app.cloudstack.errors import ApiError
from app.cloudstack.inventory import LISTS, PER_PROJECT_MAX, RECORDED, list_kind
from app.cloudstack.model import ProjectRef
from app.imports.backups import ROOTS, read_policies
from app.imports.mapping import ProjectRows, Row
from app.imports.model import Unmodelled

UNSUPPORTED_ACTION = 432  # CloudStack's answer to a command this cloud does not offer
SWEEP = {"projectid": "-1", "listall": "true"}
# the columns through which a rule, which shows no projectid, belongs to its project
OWNER_COLUMNS = ("ipaddressid", "publicipid", "networkid", "vpcid", "aclid")

# kinds stackgate does not model yet: (kind, list command)
OTHER_KINDS: tuple[tuple[str, str], ...] = (
    ("autoscale VM group", "listAutoScaleVmGroups"),
    ("volume snapshot", "listSnapshots"),
    ("VM snapshot", "listVMSnapshot"),
)


def read_rows(client: CloudStackClient, refs: Sequence[ProjectRef]) -> dict[str, ProjectRows]:
    """Project id → its rows."""
    if len(refs) > PER_PROJECT_MAX:
        return _read(client, refs, SWEEP)
    found: dict[str, ProjectRows] = {}
    reads = [partial(_read, client, [ref], {"projectid": ref.id}) for ref in refs]
    for rows in client.gather(reads):
        found.update(rows)
    return found


def _read(
    client: CloudStackClient, refs: Sequence[ProjectRef], scope: dict[str, str]
) -> dict[str, ProjectRows]:
    """The lists are sent side by side within the cloud's bound, then filed in the order they
    were read one after another; only the snapshot policies (by volume) and the load
    balancers' members (by rule) wait for the lists that name them."""
    found = {ref.id: ProjectRows() for ref in refs}
    reads: list[Callable[[], Any]] = [partial(client.list, "listVolumes", type="ROOT", **scope)]
    reads += [
        partial(list_kind, client, command, {**scope, **extra}) for command, extra in LISTS.values()
    ]
    reads += [partial(client.list, command, **scope) for _, command, _, _ in RECORDED]
    reads += [partial(_other_kind, client, command, scope) for _, command in OTHER_KINDS]
    roots, *listed = client.gather(reads)
    kinds, recorded = listed[: len(LISTS)], listed[len(LISTS) : len(LISTS) + len(RECORDED)]
    for root in roots:
        rows = found.get(str(root.get("projectid")))
        if rows is not None and root.get("virtualmachineid"):
            rows.root_gib[str(root["virtualmachineid"])] = int(root.get("size", 0)) // GIB
            rows.rows.setdefault(ROOTS, []).append(root)
    owner_of: dict[str, str] = {}  # network or address id → project id
    nodes: set[str] = set()  # a Kubernetes cluster's VMs are CKS's, never instances to import
    for kind, kind_rows in zip(LISTS, kinds, strict=True):
        for row in kind_rows:
            nodes.update(node_ids(row) if kind == "kubernetes_cluster" else ())
            project_id = _project_of(row, owner_of)
            if project_id in found and not (kind == "instance" and is_node(row, nodes)):
                owner_of[str(row["id"])] = project_id
                found[project_id].rows.setdefault(kind, []).append(row)
    read_policies(client, found)  # per volume: CloudStack lists them no other way
    for (kind, _, _, _), recorded_rows in zip(RECORDED, recorded, strict=True):
        for row in recorded_rows:  # key pairs and affinity groups: by projectid
            if str(row.get("projectid")) in found:
                found[str(row["projectid"])].rows.setdefault(kind, []).append(row)
    _members(client, found)
    _file_other_kinds(found, listed[len(LISTS) + len(RECORDED) :])
    return found


def _members(client: CloudStackClient, found: dict[str, ProjectRows]) -> None:
    """Each load balancer's instances, one call per rule, side by side."""
    rules = [
        (rows, str(rule["id"]), project_id)
        for project_id, rows in found.items()
        for rule in rows.rows.get("load_balancer", [])
    ]
    reads = [
        partial(client.list, "listLoadBalancerRuleInstances", id=rule, projectid=project_id)
        for _, rule, project_id in rules
    ]
    for (rows, rule, _), assigned in zip(rules, client.gather(reads), strict=True):
        rows.members[rule] = sorted(str(vm["name"]) for vm in assigned)


def _project_of(row: Row, owner_of: dict[str, str]) -> str:
    if row.get("projectid"):
        return str(row["projectid"])
    owners = (owner_of.get(str(row.get(column))) for column in OWNER_COLUMNS)
    return next(filter(None, owners), "")


def _other_kind(
    client: CloudStackClient, command: str, scope: dict[str, Any]
) -> Sequence[Row] | None:
    """A kind stackgate does not model; None where the cloud does not offer its command."""
    try:
        return client.list(command, **scope)
    except ApiError as error:
        if error.errorcode != UNSUPPORTED_ACTION:
            raise
        return None


def _file_other_kinds(
    found: dict[str, ProjectRows], answers: Sequence[Sequence[Row] | None]
) -> None:
    for (kind, command), rows in zip(OTHER_KINDS, answers, strict=True):
        if rows is None:
            for project in found.values():
                project.unchecked.append(f"{kind} (the cloud does not answer {command})")
            continue
        for row in rows:
            if str(row.get("projectid")) in found:
                name = str(row.get("name") or row["id"])
                found[str(row["projectid"])].unmodelled.append(
                    Unmodelled(kind, name, str(row["id"]))
                )
