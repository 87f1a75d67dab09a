"""The domain rows of the quota table: a project's limits live inside its domain's, and open
pull requests on different projects (each holding only its own projects' locks) compete there.

The rules are CloudStack's own, from ResourceLimitManagerImpl: checkDomainResourceLimit walks
from the project's domain up through each parent, never ROOT, and refuses an allocation that
would take any of them past its limit; updateResourceLimit holds a domain's limit to its
parent's. CloudStack accepts a project limit above its domain's (it only refuses the
allocation later), so the plan refuses that up front, in the words of the domain rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from app.cloudstack.model import DomainUsage, LiveState
from app.plan.model import Action, Change, QuotaLine
from app.plan.quota import RESOURCES, Pending, shown
from app.spec.diagnostics import Code, Diagnostic, Location, error, warning

# Resource.ResourceType names, as CloudStack's texts print them
TYPE_NAMES = {
    "instances": "user_vm",
    "cpu": "cpu",
    "memory": "memory",
    "volumes": "volume",
    "primary_storage": "primary_storage",
    "networks": "network",
    "public_ips": "public_ip",
}
GIB = 1024**3


@dataclass(frozen=True)
class DomainQuota:
    lines: list[QuotaLine]
    diagnostics: list[Diagnostic]


def domain_walk(live: LiveState, domain_id: str) -> list[DomainUsage]:
    """checkDomainResourceLimit's walk: the domain, then each parent; ROOT has no limits."""
    chain = []
    domain = live.domains.get(domain_id)
    while domain is not None and domain.parent_id is not None:
        chain.append(domain)
        domain = live.domains.get(domain.parent_id)
    return chain


def domain_quotas(
    lines: Iterable[QuotaLine],
    changes: Iterable[Change],
    live: LiveState,
    pending: Pending,
    where: Callable[[str], Location],
) -> DomainQuota:
    """Rows for each domain above a planned project that uses more or less of a resource, or
    whose limit the plan changes: the domain's limit, what it holds, this plan's change and
    other pull requests' pending; errors where the domain would refuse."""
    changes = list(changes)
    raised = {(c.project, c.name): c.after for c in changes if c.kind == "limits" and c.after}
    created = _created_in(changes, live)
    projects: dict[str, list[DomainUsage]] = {}
    change: dict[tuple[str, str], int] = {}
    first: dict[tuple[str, str], str] = {}  # the project whose file an error points at
    for line in sorted(lines, key=lambda q: q.project):
        usage = live.usage.get(line.project)
        domain_id = usage.domain_id if usage and usage.domain_id else created.get(line.project, "")
        walk = projects.setdefault(line.project, domain_walk(live, domain_id))
        for domain in walk:
            if line.change or (line.project, line.resource) in raised:
                key = (domain.path, line.resource)
                change[key] = change.get(key, 0) + line.change
                first.setdefault(key, line.project)
    rows: list[QuotaLine] = []
    problems: list[Diagnostic] = []
    domains = {d.path: d for walk in projects.values() for d in walk}
    for (path, resource), delta in sorted(change.items()):
        quota = domains[path].quotas.get(resource)
        if quota is None:
            continue
        held = pending.domains.get(path, {}).get(resource, 0)
        unit = RESOURCES[resource]
        row = QuotaLine(path, resource, unit, quota.used, delta, held, quota.limit, "domain")
        rows.append(row)
        problems += _judged(row, domains[path], pending, where(first[(path, resource)]))
    for (project, resource), after in sorted(raised.items()):
        for domain in projects.get(project, []):
            problems += _above(project, resource, after.get("limit"), domain, where)
    return DomainQuota(rows, problems)


def _created_in(changes: Iterable[Change], live: LiveState) -> dict[str, str]:
    """Project → domain id for the projects the plan creates: not in the cloud yet, so only
    their `create project` change names the domain (by path, from the file's `domain:`)."""
    by_path = {domain.path: domain.id for domain in live.domains.values()}
    return {
        c.project: by_path.get(str(c.after.get("domain")), "")
        for c in changes
        if c.kind == "project" and c.action is Action.CREATE and c.after
    }


def _judged(
    row: QuotaLine, domain: DomainUsage, pending: Pending, where: Location
) -> list[Diagnostic]:
    if row.limit is None or row.change <= 0 or row.status == "ok":
        return []
    name = row.resource.replace("_", " ")
    if row.status == "near":
        used = f"{shown(row.after, row.unit)} of {shown(row.limit, row.unit)}"
        return [warning(Code.QUOTA_NEAR, f"domain '{row.project}' would hold {used} {name}", where)]
    holders = pending.holders.get((row.project, row.resource), ())
    prs = ", ".join(f"#{number}" for number in holders)
    # checkDomainResourceLimit's text; the other pull requests' share is its reservation
    text = (
        f"Maximum domain resource limits of Type '{TYPE_NAMES[row.resource]}' for Domain Id = "
        f"{domain.id} is exceeded: Domain Resource Limit = {_amount(row, row.limit)}, Current "
        f"Domain Resource Amount = {_amount(row, row.used)}, Current Resource Reservation = "
        f"{_amount(row, row.pending)}, Requested Resource Amount = {_amount(row, row.change)}."
    )
    if prs:
        text += f" Open pull requests {prs} hold the reservation in domain '{row.project}'."
    hint = f"wait for {prs} to merge or close, remove something," if prs else "remove something,"
    return [
        error(
            Code.QUOTA_EXCEEDED,
            text,
            where,
            f"{hint} or ask the platform team to raise domain '{row.project}''s limit",
        )
    ]


def _above(
    project: str,
    resource: str,
    wanted: int | None,
    domain: DomainUsage,
    where: Callable[[str], Location],
) -> list[Diagnostic]:
    """A project limit above (or, unlimited, beyond) a domain's on its walk."""
    quota = domain.quotas.get(resource)
    if quota is None or quota.limit is None or (wanted is not None and wanted <= quota.limit):
        return []
    name = domain.path.rsplit("/", 1)[-1]
    return [
        error(
            Code.QUOTA_EXCEEDED,
            f"project '{project}' limit {resource} is above its domain's: Domain {name}(id: "
            f"{domain.id}) has maximum allowed resource limit {quota.limit} for "
            f"{TYPE_NAMES[resource]}, please specify a value less than or equal to {quota.limit}",
            where(project),
            f"lower 'limits: {resource}', or ask the platform team to raise domain "
            f"'{domain.path}''s limit",
        )
    ]


def _amount(row: QuotaLine, value: int) -> str:
    """As CloudStack prints it: storage as toHumanReadableSize of bytes, the rest as numbers."""
    if row.unit != "GiB":
        return str(value)
    size = value * GIB  # NumbersUtil.toReadableSize: whole GiB read as GB or TB
    if size == 0:
        return "0 (0 bytes)"
    readable = f"{size / GIB:.2f} GB" if size < GIB * 1024 else f"{size / 1024**4:.4f} TB"
    return f"{size} ({readable})"
