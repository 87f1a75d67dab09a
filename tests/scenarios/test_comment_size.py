"""A plan comment the hosts would refuse is never sent: a base policy that denies 900 times, each
with a long message, still gets its plan comment on each forge, folded to fit."""

from __future__ import annotations

from tests.fakes.base import ForgeFake
from tests.scenarios.harness import Stackgate, example_files
from tests.scenarios.test_pull_requests import LABEL, RED, edit, plan_comments, states

HOST_LIMIT = {"github": 65_536, "gitlab": 1_000_000}  # longest body each host keeps
LOUD = (
    "package stackgate\n\n"
    'deny contains {"msg": sprintf("check %04d says no: %s", [i, padding]), "rule": "loud"} if {\n'
    "\tsome i in numbers.range(1, 900)\n"
    "\tcount(input.changes) > 0\n"
    "}\n\n"
    # built, not written out: the in-process engine refuses a source line over 1,024 columns
    'padding := concat("", ["because " | some _ in numbers.range(1, 150)])\n'
)


def test_nine_hundred_long_denials_still_get_a_plan_comment_that_fits(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    loud = f"{repo}-loud"
    fake.create_repo(loud, example_files() | {"policies/loud.rego": LOUD.encode()})
    number, delivery = fake.open_pr(loud, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    comments = plan_comments(fake, loud, number)
    assert comments, [c.body[:300] for c in fake.comments(loud, number)]
    assert all(len(body) <= HOST_LIMIT[fake.name] for body in comments)
    assert "900 in all" in comments[0] and "check 0001 says no" in comments[0]
    assert states(fake, loud, number)["stackgate/policy"] == RED[fake.name]
