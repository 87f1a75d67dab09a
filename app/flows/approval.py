"""A review or approval arrived: judge the approval gate again on the stored plan.

The plan and its policy decision belong to a head commit; approvals only change who signed
off, so nothing is re-planned unless the head moved since (then the whole review runs). A PR
whose locks wait for someone with write access to vouch for it takes them on such an approval.
"""

from __future__ import annotations

from app.flows import trust
from app.flows.letgo import hold
from app.flows.review import review, say
from app.flows.services import Services
from app.plan.serialize import from_dict
from app.policy.model import Decision
from app.store import plans


def reconsider(services: Services, forge_name: str, repo: str, number: int, actor: str) -> None:
    forge = services.forge(forge_name)
    pull = forge.pull_request(repo, number)
    if pull.state != "open":
        return
    with services.sessions.begin() as session:
        record = plans.current_plan(session, forge_name, repo, number)
        stored = (record.head_sha, record.plan, record.decision) if record else None
    if stored is None or stored[0] != pull.head_sha:
        review(services, forge_name, repo, number, actor)
        return
    plan, decision = from_dict(stored[1]), Decision.from_dict(stored[2])
    why = trust.needs_vouch(forge, pull)
    if not why:
        say(services, forge, pull, plan, decision)
        return
    # An approval of its head by a writer vouches for it: it takes its locks now.
    withheld = trust.withheld(services, forge, pull, why)
    with services.sessions.begin() as session:
        holders = hold(session, pull, plan, bool(withheld))
    if holders:  # other PRs hold some: the review says who, and it waits its turn
        review(services, forge_name, repo, number, actor)
        return
    say(services, forge, pull, plan, decision, withheld)
