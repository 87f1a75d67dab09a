"""What the gate says is still needed: one line per who and how many, with every reason."""

from __future__ import annotations

from app.flows.gate import missing_approvals
from app.policy.model import Requirement


def _members(group: str) -> set[str]:
    return {"@platform": {"pat", "quinn"}}.get(group, set())


NEW = Requirement(reason="project shop is new to the repo", count=1, from_=("@platform",))
CREATE = Requirement(
    reason="creating project shop needs the platform team", count=1, from_=("@platform",)
)
LIMITS = Requirement(reason="changes to the limits of project shop", count=1, from_=("@platform",))
OWNERS = Requirement(reason="changes to project shop need an owner", count=1, from_=("bob",))


def test_one_approval_asked_of_a_group_for_three_reasons_is_asked_once() -> None:
    missing = missing_approvals((NEW, CREATE, OWNERS, LIMITS, NEW), set(), _members)
    assert missing == [
        "1 approval from @platform: project shop is new to the repo; creating project shop "
        "needs the platform team; changes to the limits of project shop",
        "1 approval from bob: changes to project shop need an owner",
    ]


def test_a_group_member_meets_every_reason_and_another_count_stays_its_own_line() -> None:
    two = Requirement(reason="deleting needs two", count=2, from_=("@platform",))
    assert missing_approvals((NEW, CREATE, OWNERS), {"pat", "bob"}, _members) == []
    assert missing_approvals((NEW, two), set(), _members) == [
        "1 approval from @platform: project shop is new to the repo",
        "2 approvals from @platform: deleting needs two",
    ]
