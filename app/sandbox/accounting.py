"""Project resource counts and limits (ResourceLimitManagerImpl), in the API's units."""

from __future__ import annotations

from app.sandbox.errors import CS_SERVER_API, RESOURCE_ALLOCATION, ApiError
from app.sandbox.store import CloudState, Row

RESOURCE_TYPES = {
    0: "user_vm",
    1: "public_ip",
    2: "volume",
    3: "snapshot",
    4: "template",
    6: "network",
    7: "vpc",
    8: "cpu",
    9: "memory",
    10: "primary_storage",
    11: "secondary_storage",
}

# the limit fields' prefix per resource type in listProjects and listDomains answers
# (AccountJoinDaoImpl / DomainJoinDaoImpl.setResourceLimits)
PREFIXES = {
    0: "vm",
    1: "ip",
    2: "volume",
    3: "snapshot",
    4: "template",
    6: "network",
    7: "vpc",
    8: "cpu",
    9: "memory",
    10: "primarystorage",
    11: "secondarystorage",
}
TYPE_BY_NAME = {name: number for number, name in RESOURCE_TYPES.items()}
STORAGE_TYPES = (10, 11)
GONE_VM_STATES = ("Destroyed", "Expunging", "Error")
GIB = 1024**3


def live_vms(state: CloudState, project_id: str) -> list[Row]:
    return [
        vm for vm in state.table("vms").in_project(project_id) if vm["state"] not in GONE_VM_STATES
    ]


def usage(state: CloudState, project_id: str) -> dict[int, int]:
    """Current amount per resource type; storage in bytes, memory in MiB."""
    vms = live_vms(state, project_id)
    volumes = list(state.table("volumes").in_project(project_id))
    # a registered template counts once (HypervisorTemplateAdapter.create), and its size in
    # each zone's image store once downloaded (TemplateServiceImpl)
    templates = list(state.table("templates").in_project(project_id))
    return {
        0: len(vms),
        1: sum(1 for _ in state.table("ips").in_project(project_id)),
        2: len(volumes),
        3: 0,
        4: len(templates),
        6: sum(1 for _ in state.table("networks").in_project(project_id)),
        7: sum(1 for _ in state.table("vpcs").in_project(project_id)),
        8: sum(vm["cpunumber"] for vm in vms),
        9: sum(vm["memory"] for vm in vms),
        10: sum(volume["size"] for volume in volumes),
        11: sum(int(t.get("size") or 0) * len(t.get("_zones", {})) for t in templates),
    }


def limit(state: CloudState, project_id: str, kind: int) -> int:
    """The project's limit in API units (GiB for storage); -1 is unlimited."""
    return state.limits.get((project_id, kind), -1)


def require(
    state: CloudState,
    project: Row | None,
    needs: dict[int, int],
    cserrorcode: int | None = CS_SERVER_API,
) -> None:
    """Refuse with CloudStack's 535 text when any requested amount would pass the limit.

    ``needs`` is in the units of ``usage`` (bytes for storage). Checked in the server's
    order: user_vm, cpu, memory, volume, primary_storage, then the rest.
    """
    if project is None:  # resources of the caller's own account: not limited here
        return
    used = usage(state, project["id"])
    for kind in sorted(
        needs, key=lambda k: (0, 8, 9, 2, 10).index(k) if k in (0, 8, 9, 2, 10) else 99
    ):
        cap = limit(state, project["id"], kind)
        scale = GIB if kind in STORAGE_TYPES else 1
        if cap >= 0 and used[kind] + needs[kind] > cap * scale:
            raise ApiError(
                RESOURCE_ALLOCATION,
                _exceeded(state, project, kind, cap * scale, used[kind], needs[kind]),
                cserrorcode,
            )
        _check_domains(state, project, kind, needs[kind], cserrorcode)


def _check_domains(
    state: CloudState, project: Row, kind: int, needed: int, cserrorcode: int | None
) -> None:
    """checkDomainResourceLimit: the project's domain and each parent but ROOT, each counting
    what all projects in and below it hold."""
    domain = state.table("domains").get(project["domainid"])
    while domain is not None and "parentdomainid" in domain:
        cap = limit(state, domain["id"], kind)
        scale = GIB if kind in STORAGE_TYPES else 1
        if cap >= 0:
            held = domain_usage(state, domain, kind)
            if held + needed > cap * scale:
                raise ApiError(
                    RESOURCE_ALLOCATION,
                    f"Maximum domain resource limits of Type '{RESOURCE_TYPES[kind]}' for Domain "
                    f"Id = {domain['id']} is exceeded: Domain Resource Limit = "
                    f"{_amount(kind, cap * scale)}, Current Domain Resource Amount = "
                    f"{_amount(kind, held)}, Current Resource Reservation = {_amount(kind, 0)}, "
                    f"Requested Resource Amount = {_amount(kind, needed)}.",
                    cserrorcode,
                )
        domain = state.table("domains").get(domain["parentdomainid"])


def domain_usage(state: CloudState, domain: Row, kind: int) -> int:
    """A domain's resource count: what the projects in it and its sub-domains hold."""
    below = {
        row["id"]
        for row in state.table("domains")
        if row["path"] == domain["path"] or row["path"].startswith(domain["path"] + "/")
    }
    return sum(
        usage(state, project["id"])[kind]
        for project in state.table("projects")
        if project["domainid"] in below
    )


def _amount(kind: int, value: int) -> str:
    return human_size(value) if kind in STORAGE_TYPES else str(value)


def human_size(size: int) -> str:
    """NumbersUtil.toHumanReadableSize with display.human.readable.sizes on (the default)."""
    return f"{size} ({_readable(size)})"


def _readable(size: int) -> str:
    """NumbersUtil.toReadableSize."""
    if 0 <= size < 1024:
        return f"{size} bytes"
    for unit, factor, digits in (("KB", 1024, 2), ("MB", 1024**2, 2), ("GB", GIB, 2)):
        if size < factor * 1024:
            return f"{size / factor:.{digits}f} {unit}"
    return f"{size / 1024**4:.4f} TB"


def _exceeded(
    state: CloudState, project: Row, kind: int, cap: int, used: int, requested: int
) -> str:
    domain = state.table("domains").get(project["domainid"])
    number = domain["_number"] if domain else 1
    return (
        f"Maximum amount of resources of Type = '{RESOURCE_TYPES[kind]}', tag = 'null' for "
        f"Project Name = {project['name']} in Domain Id = {number} is exceeded: Account Resource "
        f"Limit = {_amount(kind, cap)}, Current Account Resource Amount = {_amount(kind, used)}, "
        f"Current Account Resource Reservation = {_amount(kind, 0)}, Requested Resource Amount = "
        f"{_amount(kind, requested)}."
    )
