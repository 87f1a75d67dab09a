"""compute_plan: desired and live state in, a Plan out. Pure: no I/O, no clock, no environment."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping

from app.cloudstack.model import (
    Catalog,
    LiveObject,
    LiveProject,
    LiveState,
    ProjectDefaults,
    ProjectUsage,
)
from app.plan.adopt import adoptions
from app.plan.cascade import Key, cascade
from app.plan.checks import check_catalog
from app.plan.cost import Prices, cost_lines
from app.plan.desired import DesiredItem, desired_items
from app.plan.diff import compare, create, delete
from app.plan.domain_quota import domain_quotas
from app.plan.limits import limit_changes
from app.plan.model import Change, Plan, QuotaLine
from app.plan.order import apply_order
from app.plan.projects import TenancyPlanner, new_usage
from app.plan.quota import Pending, quota_diagnostics, quota_lines
from app.plan.references import references
from app.plan.source_nat import first_use_addresses, source_nat_diagnostics
from app.spec.diagnostics import Code, Diagnostic, Location, error, warning
from app.spec.loader import implied_project
from app.spec.model import Project
from app.spec.sources import SETTINGS_FILE
from app.spec.state import DesiredState


class _Planner:
    def __init__(self, desired: DesiredState, live: LiveState, repo: str) -> None:
        self.desired, self.live = desired, live
        self.changes: dict[Key, Change] = {}
        self.items: dict[Key, DesiredItem] = {}
        self.objects: dict[Key, LiveObject] = {}
        self.adopted: dict[Key, LiveObject] = {}  # untagged objects taken for declared ones
        self.diagnostics: list[Diagnostic] = list(desired.diagnostics)
        self.quotas: list[QuotaLine] = []
        self.broken_files = {d.location.file for d in desired.diagnostics if d.is_error}
        owned = {file for project in desired.projects.values() for file in project.files}
        # Files that could not be read at all belong to no project; the one they meant is unknown.
        self.unowned = self.broken_files - owned - {SETTINGS_FILE}
        self.tenancy = TenancyPlanner(repo, desired.settings, desired.sources)
        self.unknown_limits: set[str] = set()  # new projects whose starting limits are unknown

    def plan_project(self, name: str, pending: Pending) -> None:
        project = self.desired.projects.get(name)
        live_project = self.live.projects.get(name)
        cloud = project.cloud if project else (live_project.cloud if live_project else "")
        catalog = self.live.catalogs.get(cloud)
        if self._set_aside(name, project):
            return
        if project is None and live_project is None and self.live.unreachable:
            self.diagnostics.append(self._unread(name))
            return
        if project is not None and not self._plannable(project, catalog):
            return
        before = len(self.changes)
        if project is not None and catalog is not None and not self._tenancy(project, catalog):
            return
        where = self.desired.sources.where(name) if project else Location("")
        items = desired_items(project, self.desired.sources, catalog) if project else []
        objects = dict(live_project.objects) if live_project else {}
        untwinned: list[DesiredItem] = []
        for item in items:
            key = (name, item.kind, item.name)
            self.items[key] = item
            found = objects.pop((item.kind, item.name), None)
            if found is None:
                untwinned.append(item)
                continue
            self.objects[key] = found
            diffed = compare(item, found, catalog)
            self.diagnostics += diffed.diagnostics
            if diffed.change is not None:
                self.changes[key] = diffed.change
        self._adopt_or_create(name, untwinned, live_project, catalog)
        for (kind, object_name), found in objects.items():
            self.changes[(name, kind, object_name)] = delete(found, name, (where.file, where.line))
        for extra in live_project.duplicates if live_project else ():
            reason = "a second object with this name, left by an interrupted apply"
            twin = f"{extra.name}#{extra.id[:8]}"  # its own address, apart from the one kept
            self.changes[(name, extra.kind, twin)] = delete(
                extra, name, (where.file, where.line), reason, twin
            )
            self.diagnostics.append(
                warning(
                    Code.DUPLICATE_LIVE,
                    f"{extra.kind} '{extra.name}' exists twice in the cloud; the extra one goes",
                    where,
                )
            )
        ref = catalog.projects.get(name) if catalog else None
        if project is None and ref is not None:
            # A plan that only deletes reads no directory; the domain tree is always read.
            tree = self.live.domains.get(ref.domain_id)
            domain = tree.path if tree else ref.domain_id
            gone = self.tenancy.delete(name, ref, (where.file, where.line), domain)
            self.changes.update({(name, gone.kind, gone.name): gone} if gone else {})
        usage = self.live.usage.get(name) or (self._new(name, cloud) if ref is None else None)
        if project is not None and usage is not None:
            known = name not in self.unknown_limits
            limits, problems = limit_changes(project, usage, self.desired.sources, known)
            self.diagnostics += problems
            self.changes.update({(name, c.kind, c.name): c for c in limits})
        self._quota(name, usage, catalog, pending, where, list(self.changes.values())[before:])

    def _adopt_or_create(
        self,
        name: str,
        items: list[DesiredItem],
        live_project: LiveProject | None,
        catalog: Catalog | None,
    ) -> None:
        """Declared objects with no tagged twin: adopted where one runs untagged, else made."""
        found = adoptions(items, live_project, catalog)
        self.diagnostics += found.diagnostics
        for item in items:
            pair, key = (item.kind, item.name), (name, item.kind, item.name)
            if pair in found.objects:
                self.objects[key] = self.adopted[key] = found.objects[pair]
            if pair in found.changes:
                self.changes[key] = found.changes[pair]
            elif pair not in found.settled:
                self.changes[key] = create(item)

    def _new(self, name: str, cloud: str) -> ProjectUsage:
        """A project to create starts from its cloud's max.project.* settings; unread, they
        are unknown (a warning), and its quota rows keep only the limits its file sets."""
        defaults = self.live.project_defaults.get(cloud) or ProjectDefaults({}, "not read")
        if defaults.unread:
            self.unknown_limits.add(name)
            self.diagnostics.append(
                warning(
                    Code.PROJECT_DEFAULTS_UNREAD,
                    f"the new project's starting limits (cloud '{cloud}' max.project.* "
                    f"settings) could not be read: {defaults.unread}",
                    self.desired.sources.where(name),
                    "they are unknown, not unlimited: set the limits that matter in limits:, "
                    "or give the cloud's tenancy key the right to call listConfigurations",
                )
            )
        return new_usage(name, defaults)

    def known_quotas(self) -> list[QuotaLine]:
        """The quota rows without a new project's limits that are unknown (its domain rows,
        already computed from them, stay: what it uses there is known)."""
        limited = {(c.project, c.name) for c in self.changes.values() if c.kind == "limits"}
        return [
            line
            for line in self.quotas
            if line.scope != "project"
            or line.project not in self.unknown_limits
            or (line.project, line.resource) in limited
        ]

    def limits_at(self, name: str) -> Location:
        if name not in self.desired.projects:
            return Location("")
        return self.desired.sources.where(name, "limits")

    def _tenancy(self, project: Project, catalog: Catalog) -> bool:
        """The project's own changes and its members'; False when it cannot be planned."""
        found = self.tenancy.plan(
            project,
            catalog.projects.get(project.name),
            self.live.directories.get(project.cloud),
            dict(self.live.members.get(project.name, {})),
            catalog.projects,
            self.live.project_roles.get(project.name, ()),
        )
        self.diagnostics += found.problems
        if found.blocked:
            return False
        self.changes.update({(c.project, c.kind, c.name): c for c in found.changes})
        return True

    def _unread(self, name: str) -> Diagnostic:
        """A project that left the repo, on a cloud that could not be read: say so, plan nothing."""
        reasons = "; ".join(
            f"{cloud}: {why}" for cloud, why in sorted(self.live.unreachable.items())
        )
        return error(
            Code.CLOUD_UNAVAILABLE,
            f"project '{name}' left the repo, but its cloud could not be read ({reasons})",
            Location(""),
            "its objects are deleted once the cloud answers; plan again then",
        )

    def _set_aside(self, name: str, project: Project | None) -> bool:
        """A project that a file with errors may describe is not planned: what that file
        asks for is unknown, so its entries would show up as deletes (or, with broken repo
        settings, every object as moved to another cloud or zone)."""
        if SETTINGS_FILE in self.broken_files:
            return True
        if project is None:  # left the repo, or lives in a file that could not be read
            return bool(self.unowned)
        implied = {implied_project(file) for file in self.unowned}
        return name in implied or bool(set(project.files) & self.broken_files)

    def _plannable(self, project: Project, catalog: Catalog | None) -> bool:
        where = self.desired.sources.where(project.name)
        if catalog is None:
            reason = self.live.unreachable.get(project.cloud, "not read")
            self.diagnostics.append(
                error(
                    Code.CLOUD_UNAVAILABLE,
                    f"cloud '{project.cloud}' could not be read: {reason}",
                    where,
                    "check the cloud's settings and that it answers, then plan again",
                )
            )
            return False
        problems = check_catalog(project, catalog, self.desired.sources)
        self.diagnostics += problems
        return not any(p.code is Code.UNKNOWN_PROJECT for p in problems)

    def _quota(
        self,
        name: str,
        usage: ProjectUsage | None,
        catalog: Catalog | None,
        pending: Pending,
        where: Location,
        changes: list[Change],
    ) -> None:
        if usage is None:
            return
        first_use = first_use_addresses(changes, self.live, name)
        lines = quota_lines(name, usage, changes, catalog, pending, first_use)
        self.quotas += lines
        limits_at = self.limits_at(name) if name in self.desired.projects else where
        limits_changed = {change.name for change in changes if change.kind == "limits"}
        self.diagnostics += quota_diagnostics(lines, limits_at, limits_changed)


def live_fingerprint(
    live: LiveState, changes: Iterable[Change], adopted: Mapping[Key, LiveObject] | None = None
) -> str:
    """A hash of the live objects the changes act on or name: the guard compares it at merge.

    Objects the plan leaves alone are out of it, so that unrelated work in a project between
    plan and merge does not stop an apply; ids are in it, so that an object deleted and made
    again under the same name is noticed. An adopted object counts under the repo's name.
    """
    wanted = {address for change in changes for address in {change.address, *references(change)}}
    rows = sorted(
        (
            address,
            obj.id,
            json.dumps(dict(obj.fields), sort_keys=True, default=str),
            json.dumps(dict(obj.labels), sort_keys=True),
            obj.protected,
        )
        for name, project in live.projects.items()
        for obj in (*project.objects.values(), *project.duplicates, *_adopted(adopted, name))
        if (address := f"{name}/{obj.kind}/{obj.name}") in wanted
    )
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def _adopted(adopted: Mapping[Key, LiveObject] | None, project: str) -> list[LiveObject]:
    return [obj for key, obj in (adopted or {}).items() if key[0] == project]


def compute_plan(
    desired: DesiredState,
    live: LiveState,
    repo: str,
    projects: Collection[str] | None = None,
    pending: Pending | None = None,
    prices: Prices | None = None,
) -> Plan:
    """Plan ``projects`` (default: every project in the repo and every one it manages live)."""
    names = sorted(projects if projects is not None else set(desired.projects) | set(live.projects))
    planner = _Planner(desired, live, repo)
    for name in names:
        planner.plan_project(name, pending or Pending())
    domains = domain_quotas(
        planner.quotas, planner.changes.values(), live, pending or Pending(), planner.limits_at
    )
    planner.quotas += domains.lines
    planner.diagnostics += domains.diagnostics
    cascade(planner.changes, planner.items, planner.objects)
    planner.diagnostics += source_nat_diagnostics(planner.changes.values(), live)
    return Plan(
        repo=repo,
        projects=tuple(names),
        changes=apply_order(planner.changes.values()),
        quotas=tuple(planner.known_quotas()),
        costs=tuple(cost_lines(planner.quotas, prices)),
        diagnostics=tuple(sorted(set(planner.diagnostics), key=Diagnostic.sort_key)),
        live_fingerprint=live_fingerprint(live, planner.changes.values(), planner.adopted),
        api_calls=live.api_calls,
        read_seconds=round(live.seconds, 3),
    )
