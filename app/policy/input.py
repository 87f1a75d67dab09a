"""The policy input document: what a Rego policy sees. Documented in docs/policies.md and
published as a JSON Schema (policies/schemas/input.json) generated from these models."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.events.model import PullRequest
from app.plan.desired import desired_items
from app.plan.model import Plan
from app.plan.serialize import change_dict
from app.spec.state import DesiredState


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApprovalDoc(_Doc):
    user: str
    commit: str = Field(description="The head commit the approval was given on")


class PullRequestDoc(_Doc):
    number: int
    author: str
    labels: list[str]
    base_ref: str
    head_sha: str
    forge: Literal["github", "gitlab", "local"]
    draft: bool
    approvals: list[ApprovalDoc] = Field(description="Approvals, each with its commit")


class FieldChangeDoc(_Doc):
    field: str
    before: Any
    after: Any


class ChangeDoc(_Doc):
    """One change of the plan, as in the plan's JSON form."""

    action: Literal["create", "update", "update-stop", "replace", "delete", "adopt"]
    kind: str
    project: str
    name: str
    address: str = Field(description="project/kind/name")
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    changed: list[FieldChangeDoc]
    reason: str
    lost: str = Field(description="For replace and delete: what does not survive")
    destructive: bool
    protected: bool
    file: str
    line: int
    live_id: str | None


class ProjectDoc(_Doc):
    owners: list[str]
    limits: dict[str, str] = Field(
        description="The repo's limits, as written (e.g. '128GiB', 'unlimited')"
    )
    labels: dict[str, str]
    protected: bool
    cloud: str
    domain: str = Field(description="CloudStack domain path, e.g. ROOT/apps/retail")
    zone: str
    members: dict[str, str] | None = Field(
        description="'account:<name>' or 'user:<name>' → project role; null: not managed"
    )
    resources: dict[str, dict[str, dict[str, Any]]] = Field(
        description="kind → name → fields, as desired"
    )


class QuotaDoc(_Doc):
    used: int
    change: int
    pending: int
    after: int
    limit: int | None = Field(description="After this plan's own limit changes; null: unlimited")
    unit: Literal["count", "MiB", "GiB"]


class PolicyInput(_Doc):
    pull_request: PullRequestDoc | None = Field(
        description="Absent when a plan is judged outside a PR"
    )
    changes: list[ChangeDoc]
    projects: dict[str, ProjectDoc] = Field(description="The projects the plan touches")
    quotas: dict[str, dict[str, QuotaDoc]] = Field(description="project → resource → quota")
    domains: dict[str, dict[str, QuotaDoc]] = Field(
        default_factory=dict,
        description="domain path → resource → quota, for the domains above the projects the "
        "plan uses more or less of, or re-limits; pending: other open pull requests' share",
    )


def _pull_request(pr: PullRequest) -> PullRequestDoc:
    return PullRequestDoc(
        number=pr.number,
        author=pr.author,
        labels=sorted(pr.labels),
        base_ref=pr.base_ref,
        head_sha=pr.head_sha,
        forge=pr.forge,
        draft=pr.draft,
        approvals=[ApprovalDoc(user=a.user, commit=a.commit) for a in pr.approvals],
    )


def _projects(
    plan: Plan, desired: DesiredState, base: DesiredState | None
) -> dict[str, ProjectDoc]:
    documents = {}
    for name in plan.projects:
        project = desired.projects.get(name)
        if project is None:
            continue
        # Who owns a project is decided by the base: a PR cannot name its own approvers.
        before = base.projects.get(name) if base is not None else None
        owners = before.owners if before is not None else project.owners
        resources: dict[str, dict[str, dict[str, Any]]] = {}
        for item in desired_items(project, desired.sources, None):
            resources.setdefault(item.kind, {})[item.name] = {**item.fields, "labels": item.labels}
        limits = {
            key: str(raw) for key, raw in project.limits.model_dump(exclude_none=True).items()
        }
        documents[name] = ProjectDoc(
            owners=list(owners),
            limits=limits,
            labels=dict(project.labels),
            protected=project.protected,
            cloud=project.cloud,
            domain=project.domain,
            zone=project.zone,
            members=None
            if project.members is None
            else {member.key: member.role for member in project.members},
            resources=resources,
        )
    return documents


def build_input(
    plan: Plan,
    desired: DesiredState,
    pull_request: PullRequest | None = None,
    base: DesiredState | None = None,
) -> dict[str, Any]:
    """The policy input; with ``base``, owners of projects that exist there come from it."""
    quotas: dict[str, dict[str, QuotaDoc]] = {}
    domains: dict[str, dict[str, QuotaDoc]] = {}
    for line in plan.quotas:
        table = domains if line.scope == "domain" else quotas
        table.setdefault(line.project, {})[line.resource] = QuotaDoc(
            used=line.used,
            change=line.change,
            pending=line.pending,
            after=line.after,
            limit=line.limit,
            unit=line.unit,
        )
    document = PolicyInput(
        pull_request=_pull_request(pull_request) if pull_request else None,
        changes=[ChangeDoc.model_validate(change_dict(change)) for change in plan.changes],
        projects=_projects(plan, desired, base),
        quotas=quotas,
        domains=domains,
    )
    return document.model_dump(mode="json")


INPUT_SCHEMA_FILE = "policies/schemas/input.json"


def render_input_schema() -> str:
    """The input document's JSON Schema as committed: stable order, trailing newline."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **PolicyInput.model_json_schema(),
        "title": "stackgate policy input",
    }
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
