"""Read every object of one project, tagged or not: the live reader's list calls without its
tag filter, plus a look at the kinds stackgate does not model so none is dropped in silence."""

from __future__ import annotations

from typing import Any

from app.cloudstack.catalog import GIB
from app.cloudstack.client import CloudStackClient
from app.cloudstack.errors import ApiError
from app.cloudstack.inventory import LISTS
from app.cloudstack.model import ProjectRef
from app.imports.mapping import ProjectRows
from app.imports.model import Unmodelled

UNSUPPORTED_ACTION = 432  # CloudStack's answer to a command this cloud does not offer

# kinds stackgate does not model yet: (kind, list command, extra parameters)
OTHER_KINDS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("VPC", "listVPCs", {}),
    ("autoscale VM group", "listAutoScaleVmGroups", {}),
    ("affinity group", "listAffinityGroups", {}),
    ("volume snapshot", "listSnapshots", {}),
    ("VM snapshot", "listVMSnapshot", {}),
    ("Kubernetes cluster", "listKubernetesClusters", {}),
)


def read_rows(client: CloudStackClient, project: ProjectRef) -> ProjectRows:
    """About fifteen paginated list calls, plus one per load balancer for its members."""
    scope: dict[str, Any] = {"projectid": project.id}
    found = ProjectRows()
    for root in client.list("listVolumes", type="ROOT", **scope):
        if root.get("virtualmachineid"):
            found.root_gib[str(root["virtualmachineid"])] = int(root.get("size", 0)) // GIB
    for kind, (command, extra) in LISTS.items():
        found.rows[kind] = client.list(command, **scope, **extra)
    found.rows["ssh_key"] = client.list("listSSHKeyPairs", **scope)
    for rule in found.rows["load_balancer"]:
        assigned = client.list("listLoadBalancerRuleInstances", id=rule["id"], **scope)
        found.members[str(rule["id"])] = sorted(str(vm["name"]) for vm in assigned)
    for kind, command, extra in OTHER_KINDS:
        try:
            rows = client.list(command, **scope, **extra)
        except ApiError as error:
            if error.errorcode != UNSUPPORTED_ACTION:
                raise
            found.unchecked.append(f"{kind} (the cloud does not answer {command})")
            continue
        found.unmodelled.extend(
            Unmodelled(kind, str(row.get("name") or row["id"]), str(row["id"])) for row in rows
        )
    return found
