"""/metrics on each forge: what happened is counted, what the store holds is read at scrape
time, and no secret is in it."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.fakes.base import ForgeFake
from tests.scenarios.harness import SECRET, Stackgate
from tests.scenarios.test_merges import approved_pr

EVENT = {"github": "pull_request", "gitlab": "Merge Request Hook"}
ACTED_ON = {
    "github": ("pull_request", "pull_request_review", "issue_comment"),
    "gitlab": ("Merge Request Hook", "Note Hook"),
}
JOB_KINDS = ("plan", "review", "relabel", "close", "command", "reconcile")


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(stackgate: Stackgate) -> tuple[str, Samples]:
    answer = stackgate.http.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    samples = {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }
    return answer.text, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def sample(samples: Samples, name: str, **labels: str) -> float:
    """The sample's value; a missing one fails, for a family reads 0 rather than vanish."""
    key = (name, frozenset(labels.items()))
    assert key in samples, f"no sample {name}{labels}"
    return samples[key]


def test_an_empty_store_reads_zero_in_every_family(fake: ForgeFake, stackgate: Stackgate) -> None:
    forge = fake.name
    _, samples = scrape(stackgate)
    assert sample(samples, "stackgate_locks_held", forge=forge) == 0
    for kind in JOB_KINDS:
        for state in ("queued", "running"):
            assert sample(samples, "stackgate_queue_jobs", kind=kind, state=state) == 0
        assert sample(samples, "stackgate_queue_oldest_seconds", kind=kind) == 0
        assert sample(samples, "stackgate_jobs_failed", kind=kind) == 0
    for state in ("running", "done", "failed"):
        assert sample(samples, "stackgate_apply_runs", state=state) == 0
    # The counters are the process's, shared with earlier tests: present is what is asserted.
    sample(
        samples, "stackgate_deliveries_total", forge=forge, event="unverified", outcome="refused"
    )
    for event in ACTED_ON[forge]:
        for outcome in ("queued", "ignored", "duplicate", "malformed"):
            sample(samples, "stackgate_deliveries_total", forge=forge, event=event, outcome=outcome)
    sample(samples, "stackgate_plan_seconds_count", forge=forge)


def test_the_story_of_a_merge_in_numbers(fake: ForgeFake, repo: str, stackgate: Stackgate) -> None:
    forge, event = fake.name, EVENT[fake.name]
    _, before = scrape(stackgate)
    number = approved_pr(stackgate, repo)
    bad = fake.comment(repo, number, "alice", "hello")[1]
    assert stackgate.send(bad, secret="not-the-secret").status_code == 401
    _, open_pr = scrape(stackgate)
    assert sample(open_pr, "stackgate_locks_held", forge=forge) == 1
    assert value(open_pr, "stackgate_plan_seconds_count", forge=forge) > value(
        before, "stackgate_plan_seconds_count", forge=forge
    )
    merge = fake.close(repo, number, merged=True)
    stackgate.deliver(merge)
    stackgate.send(merge)  # redelivered
    text, after = scrape(stackgate)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    # Opened and merged; GitLab's approvals come as Merge Request Hooks too.
    queued = 2 if forge == "github" else 4
    assert delta("stackgate_deliveries_total", forge=forge, event=event, outcome="queued") == queued
    assert delta("stackgate_deliveries_total", forge=forge, event=event, outcome="duplicate") == 1
    refused = {"event": "unverified", "outcome": "refused"}
    assert delta("stackgate_deliveries_total", forge=forge, **refused) == 1
    deployed = {"command": "deployVirtualMachine", "outcome": "ok"}
    assert delta("stackgate_cloudstack_calls_total", cloud="dc1", **deployed) == 4  # payments' VMs
    assert value(after, "stackgate_apply_runs", state="done") == 1
    assert sample(after, "stackgate_locks_held", forge=forge) == 0  # released, not gone
    assert sample(after, "stackgate_queue_jobs", kind="close", state="queued") == 0
    token: str = fake.token  # type: ignore[attr-defined]
    assert SECRET not in text and token not in text
