"""The service's durable memory: what arrived, what is to do, what was planned, who holds what."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
    }


class Delivery(Base):
    """One webhook request we accepted; the unique key makes a redelivery a no-op."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("forge", "delivery_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forge: Mapped[str] = mapped_column(String(16))
    delivery_id: Mapped[str] = mapped_column(String(128))
    event: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(255))  # "queued" or why it was ignored
    received_at: Mapped[datetime]


class Job(Base):
    """Work for the worker; jobs of one pull request run in the order they were queued."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_ready", "state", "run_after"),
        Index("ix_jobs_pull", "forge", "repo", "number", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # pull_request, review, command
    forge: Mapped[str] = mapped_column(String(16))
    repo: Mapped[str] = mapped_column(String(255))
    number: Mapped[int]
    event: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[datetime]
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    worker: Mapped[str | None] = mapped_column(String(128))
    last_error: Mapped[str | None] = mapped_column(Text)
    delivery: Mapped[int | None]


class PlanRecord(Base):
    """A plan computed for one head commit, and what the gates said about it."""

    __tablename__ = "plans"
    __table_args__ = (Index("ix_plans_pull", "forge", "repo", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forge: Mapped[str] = mapped_column(String(16))
    repo: Mapped[str] = mapped_column(String(255))
    number: Mapped[int]
    head_sha: Mapped[str] = mapped_column(String(64))
    plan: Mapped[dict[str, Any]]
    plan_hash: Mapped[str] = mapped_column(String(80))
    decision: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(16), default="current")  # current, stale, …
    created_at: Mapped[datetime]


class Lock(Base):
    """A project held by the pull request that touches it, until that PR merges or closes."""

    __tablename__ = "locks"

    forge: Mapped[str] = mapped_column(String(16), primary_key=True)
    repo: Mapped[str] = mapped_column(String(255), primary_key=True)
    project: Mapped[str] = mapped_column(String(255), primary_key=True)
    number: Mapped[int]
    acquired_at: Mapped[datetime]


class LockWait(Base):
    """A pull request that found a project locked; it is planned again when the lock goes."""

    __tablename__ = "lock_waits"

    forge: Mapped[str] = mapped_column(String(16), primary_key=True)
    repo: Mapped[str] = mapped_column(String(255), primary_key=True)
    project: Mapped[str] = mapped_column(String(255), primary_key=True)
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    since: Mapped[datetime]


class ApprovalSeen(Base):
    """An approval as the forge reported it, with the commit it was given on and the plan it
    was given to: the changes digest of the plan the pull request showed when stackgate first
    saw this act of approving (``given``, the forge's id for it)."""

    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("forge", "repo", "number", "user", "commit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forge: Mapped[str] = mapped_column(String(16))
    repo: Mapped[str] = mapped_column(String(255))
    number: Mapped[int]
    user: Mapped[str] = mapped_column(String(255))
    commit: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime]
    given: Mapped[str] = mapped_column(String(64), default="", server_default="")
    digest: Mapped[str] = mapped_column(String(64), default="", server_default="")


class AuditEvent(Base):
    """Who did what to which pull request; never holds secrets."""

    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_pull", "forge", "repo", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    forge: Mapped[str] = mapped_column(String(16))
    repo: Mapped[str] = mapped_column(String(255))
    number: Mapped[int]
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")


class DriftReport(Base):
    """One reconcile run: where the cloud and the default branch disagreed, if anywhere."""

    __tablename__ = "drift_reports"
    __table_args__ = (Index("ix_drift_repo", "repo", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    repo: Mapped[str] = mapped_column(String(255))
    commit: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    plan_hash: Mapped[str] = mapped_column(String(80))
    items: Mapped[dict[str, Any]]  # {"drift": [{project, address, kind, detail}, ...]}
    problems: Mapped[int] = mapped_column(Integer, default=0)  # plan errors: drift unknown there


class ApplyRun(Base):
    """One apply of one plan; unfinished runs are resumed, never started over."""

    __tablename__ = "apply_runs"
    __table_args__ = (Index("ix_apply_runs_repo", "repo", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    repo: Mapped[str] = mapped_column(String(255))
    forge: Mapped[str] = mapped_column(String(16), default="local")
    number: Mapped[int] = mapped_column(Integer, default=0)  # 0: not from a pull request
    commit: Mapped[str] = mapped_column(String(64))
    plan_hash: Mapped[str] = mapped_column(String(80))
    plan: Mapped[dict[str, Any]]
    actor: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16), default="running")  # running, done, failed
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    reported_at: Mapped[datetime | None]  # when the PR was told; a retried job tells it once


class ApplyStep(Base):
    """One change of a run: pending → started → submitted (job id) → done, failed or skipped."""

    __tablename__ = "apply_steps"
    __table_args__ = (UniqueConstraint("run_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer, index=True)
    seq: Mapped[int]  # the change's position in the plan
    address: Mapped[str] = mapped_column(String(512))
    action: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    job_id: Mapped[str | None] = mapped_column(String(64))
    resource_id: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    # A nameless create's request and the look-alikes already there, written before it is
    # sent: what lets a resumed apply tell the object it made (app/apply/provenance.py).
    request: Mapped[dict[str, Any] | None]
    updated_at: Mapped[datetime]
