"""queryAsyncJobResult and listAsyncJobs: the job fields as AsyncJobResponse writes them."""

from __future__ import annotations

from typing import Any

from app.sandbox.api import Ctx, command
from app.sandbox.errors import unknown_entity
from app.sandbox.listing import list_body
from app.sandbox.store import Job, Row


def job_fields(ctx: Ctx, job: Job) -> Row:
    account = ctx.state.account
    fields: Row = {
        "accountid": account.account_id,
        "account": account.name,
        "domainid": account.domain_id,
        "domainpath": "ROOT",
        "userid": account.user_id,
        "cmd": job.cmd,
        "jobprocstatus": 0,
        "jobresultcode": job.result_code,
        "jobresulttype": "object",
    }
    if job.result is not None:
        fields["jobresult"] = job.result
    if job.instance_type and job.instance_id:
        fields.update(jobinstancetype=job.instance_type, jobinstanceid=job.instance_id)
    fields.update(
        managementserverid="sandbox-ms-1", managementservername="sandbox", created=job.created
    )
    if job.completed:
        fields["completed"] = job.completed
    fields.update(jobid=job.id, jobstatus=job.status)
    return fields


@command("queryAsyncJobResult")
def query_async_job_result(ctx: Ctx) -> dict[str, Any]:
    job_id = ctx.request.require("jobid")
    job = ctx.state.jobs.get(job_id)
    if job is None:
        raise unknown_entity(ctx.request.command, "jobid", job_id)
    return job_fields(ctx, job)


@command("listAsyncJobs")
def list_async_jobs(ctx: Ctx) -> dict[str, Any]:
    since = ctx.request.get("startdate") or ""  # QueryManagerImpl: created >= startdate
    jobs = [job for job in ctx.state.jobs.values() if job.created >= since]
    rows = [{"id": job.id, **job_fields(ctx, job)} for job in jobs]
    return list_body(
        ctx.request,
        "asyncjobs",
        rows,
        render=lambda row: {k: v for k, v in row.items() if k != "id"},
    )
