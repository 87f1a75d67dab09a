"""A pull request closed or merged: let go of its projects and settle its plan.

Applying a merged plan is the apply flow's work; until that exists the merge is recorded and
the pull request is told the apply is pending, so nobody believes the cloud changed.
"""

from __future__ import annotations

from app.flows.letgo import let_go
from app.flows.services import Services
from app.store import audit, plans


def close(
    services: Services, forge_name: str, repo: str, number: int, actor: str, merged: bool
) -> None:
    with services.sessions.begin() as session:
        released = let_go(session, forge_name, repo, number)
        record = plans.current_plan(session, forge_name, repo, number)
        if record is None and merged:  # a retry: the first attempt already settled it
            record = plans.current_plan(session, forge_name, repo, number, plans.MERGED)
        plans.retire(session, forge_name, repo, number, plans.MERGED if merged else plans.DISCARDED)
        action = "merged" if merged else "closed"
        audit.audit(session, forge_name, repo, number, actor, action, ", ".join(released))
        planned = (record.head_sha, record.plan_hash) if record else None
    if not merged:
        return
    freed = f" Released the lock on {', '.join(released)}." if released else ""
    if planned is None:
        text = "Merged. stackgate had no plan for this pull request, so there is nothing to apply."
    else:
        text = (
            f"Merged. The plan for `{planned[0][:12]}` (plan `{planned[1][:19]}`) is recorded; "
            "**applying it to CloudStack is pending**: this stackgate version does not apply "
            "changes yet, so the cloud is unchanged."
        )
    services.forge(forge_name).comment(repo, number, text + freed)
