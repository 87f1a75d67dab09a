"""No token or webhook secret reaches a comment, a status, a stored row, an answer or a log."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from app.store.tables import AuditEvent, Delivery, Job, PlanRecord
from tests.fakes.base import FailurePlan
from tests.scenarios.harness import SECRET, Stackgate
from tests.scenarios.test_pull_requests import LABEL, edit


def test_secrets_stay_out_of_everything_people_and_logs_see(
    fake, repo, stackgate: Stackgate, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token: str = fake.token
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    answers = [stackgate.deliver(delivery).text]
    fake.fail_next(FailurePlan(count=5, status=401))  # a bad token: the job fails and says so
    answers.append(stackgate.deliver(fake.push(repo, number, edit("web and", "web/app and"))).text)
    answers.append(stackgate.send(delivery, secret="wrong").text)
    seen = answers + [record.getMessage() for record in caplog.records]
    seen += [str(record.exc_info) for record in caplog.records if record.exc_info]
    seen += [comment.body for comment in fake.comments(repo, number)]
    seen += [s.description for s in fake.statuses(repo, fake.head_sha(repo, number)).values()]
    with stackgate.services.sessions() as session:
        for table in (Delivery, Job, PlanRecord, AuditEvent):
            seen += [repr(vars(row)) for row in session.scalars(select(table))]
    assert any("401" in text or "could not" in text for text in seen)  # the failure was told
    for text in seen:
        assert token not in text
        assert SECRET not in text
