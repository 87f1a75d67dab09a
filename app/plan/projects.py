"""The CloudStack project itself as a managed object: created, changed, deleted by the plan.

A project file whose project does not exist plans ``create project`` in its domain, owned
by its first Admin account member or by ``defaults.project_account``; display text and
state change in place. Only a project stackgate created for this repo (tagged
``stackgate.key=project/<name>``) is deleted, and only when its files are gone. A problem
found here stops the whole project from being planned: never a half-created project.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from app.cloudstack.inventory import TAG_KEY, TAG_PROTECTED, TAG_REPO
from app.cloudstack.model import Directory, ProjectDefaults, ProjectRef, ProjectUsage, Quota
from app.cloudstack.usage import RESOURCES
from app.plan.members import member_changes, member_problems
from app.plan.model import Action, Change, FieldChange
from app.spec.diagnostics import Code, Diagnostic, did_you_mean, error
from app.spec.model import Project, RepoSettings
from app.spec.state import SourceMap

KIND = "project"
STATES = {"Active": "active", "Suspended": "suspended"}


@dataclass
class Tenancy:
    """The project and member changes of one project, or why it cannot be planned."""

    changes: list[Change] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return any(p.is_error for p in self.problems)


def new_usage(name: str, defaults: ProjectDefaults) -> ProjectUsage:
    """A project the plan creates holds nothing yet and starts from the cloud's max.project.*
    settings; with those unread its limits are unknown (None here, and set aside by the plan)."""
    quotas = {
        key: Quota(0, defaults.limits.get(key), resource.unit)
        for key, resource in RESOURCES.items()
    }
    return ProjectUsage(name, "", quotas)


def created_here(ref: ProjectRef, repo: str) -> bool:
    return ref.tags.get(TAG_REPO) == repo and ref.tags.get(TAG_KEY) == f"{KIND}/{ref.name}"


def project_view(ref: ProjectRef, directory: Directory | None) -> dict[str, Any]:
    return {
        "domain": directory.domain_path(ref.domain_id) if directory else ref.domain_id,
        "display_text": ref.display_text,
        "state": STATES.get(ref.state, ref.state.lower()),
    }


@dataclass(frozen=True)
class TenancyPlanner:
    repo: str
    settings: RepoSettings
    sources: SourceMap

    def plan(
        self,
        project: Project,
        ref: ProjectRef | None,
        directory: Directory | None,
        members: dict[str, str],
        known: Collection[str] = (),
        roles: Collection[str] = (),
    ) -> Tenancy:
        """``known``: the cloud's project names, for a did-you-mean on a misspelt one;
        ``roles``: the project's custom project roles (a project to create has none yet)."""
        if ref is None:
            return self._create(project, directory, known)
        found = Tenancy()
        domain_id = self._same_domain(project, ref, directory, found)
        if found.blocked:
            return found
        found.changes += self._update(project, ref, directory)
        if project.members is not None and directory is not None:
            kept = self._kept(ref)
            found.problems += member_problems(
                project, directory, domain_id, self.sources, kept, roles
            )
            if not found.blocked:
                found.changes += member_changes(project, members, self.sources, kept)
        return found

    def delete(
        self, name: str, ref: ProjectRef, where: tuple[str, int], domain: str
    ) -> Change | None:
        """The project left the repo: deleted only if stackgate created it for this repo;
        ``domain``: its domain's path."""
        if not created_here(ref, self.repo):
            return None
        return Change(
            Action.DELETE,
            KIND,
            name,
            name,
            project_view(ref, None) | {"domain": domain, "domain_id": ref.domain_id},
            None,
            reason="its files were removed, and stackgate created it",
            lost="the CloudStack project (refused while anything is left in it)",
            file=where[0],
            line=where[1],
            live_id=ref.id,
            protected=ref.tags.get(TAG_PROTECTED) == "true",
        )

    def _kept(self, ref: ProjectRef) -> str:
        """The owning account of a project stackgate created from ``defaults.project_account``."""
        owner = self.settings.defaults.project_account
        return owner or "" if created_here(ref, self.repo) else ""

    def _create(
        self, project: Project, directory: Directory | None, known: Collection[str]
    ) -> Tenancy:
        found = Tenancy()
        where = self.sources.where(project.name)
        domains = directory.domains if directory else {}
        domain_id = domains.get(project.domain)
        if domain_id is None:
            hint = did_you_mean(project.name, known) or did_you_mean(project.domain, domains)
            found.problems.append(
                error(
                    Code.UNKNOWN_PROJECT,
                    f"CloudStack project '{project.name}' does not exist in cloud "
                    f"'{project.cloud}' and cannot be created there: no domain '{project.domain}'",
                    self.sources.where(project.name, "domain")
                    if (project.name, "domain") in self.sources.origins
                    else where,
                    hint or "set domain: to an existing domain path (e.g. ROOT/apps/retail)",
                )
            )
            return found
        assert directory is not None
        admins = [m.account for m in project.members or () if m.role == "Admin" and m.account]
        owner = admins[0] if admins else self.settings.defaults.project_account
        kept = "" if admins else owner or ""
        if owner is None:
            found.problems.append(
                error(
                    Code.NO_PROJECT_OWNER,
                    f"project '{project.name}' does not exist and nobody would own it",
                    where,
                    "list an account with role: Admin in members, or set "
                    "defaults.project_account in stackgate.yaml",
                )
            )
        elif (domain_id, owner) not in directory.accounts:
            found.problems.append(
                error(
                    Code.UNKNOWN_MEMBER,
                    f"account '{owner}', the new project's owner, does not exist in domain "
                    f"'{project.domain}'",
                    where,
                    "a project is owned by an account of its own domain",
                )
            )
        found.problems += member_problems(project, directory, domain_id, self.sources, kept)
        if found.blocked or owner is None:
            return found
        after = {
            "domain": project.domain,
            "display_text": project.display_text or project.name,
            "state": project.state or "active",
            "owner": owner,
            "labels": {},
            "protected": project.protected,
        }
        found.changes.append(
            Change(
                Action.CREATE,
                KIND,
                project.name,
                project.name,
                None,
                after,
                file=where.file,
                line=where.line,
            )
        )
        found.changes += member_changes(project, {f"account:{owner}": "Admin"}, self.sources, owner)
        return found

    def _same_domain(
        self, project: Project, ref: ProjectRef, directory: Directory | None, found: Tenancy
    ) -> str:
        """The existing project's domain id; an error if the file asks for another domain."""
        if directory is None or (project.name, "domain") not in self.sources.origins:
            return ref.domain_id
        if directory.domains.get(project.domain) != ref.domain_id:
            found.problems.append(
                error(
                    Code.PROJECT_ELSEWHERE,
                    f"project '{project.name}' exists in domain "
                    f"'{directory.domain_path(ref.domain_id)}', not in '{project.domain}'",
                    self.sources.where(project.name, "domain"),
                    "a project cannot move between domains: name its domain, or another project",
                )
            )
        return ref.domain_id

    def _update(
        self, project: Project, ref: ProjectRef, directory: Directory | None
    ) -> list[Change]:
        before = project_view(ref, directory)
        wanted = {"display_text": project.display_text, "state": project.state}
        changed = tuple(
            FieldChange(key, before[key], value)
            for key, value in wanted.items()
            if value is not None and before[key] != value
        )
        if not changed:
            return []
        where = self.sources.where(project.name, changed[0].field)
        after = {**before, **{c.field: c.after for c in changed}}
        return [
            Change(
                Action.UPDATE,
                KIND,
                project.name,
                project.name,
                before,
                after,
                changed,
                file=where.file,
                line=where.line,
                live_id=ref.id,
            )
        ]
