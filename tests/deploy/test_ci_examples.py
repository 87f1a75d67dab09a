"""The CI examples: each runs `stackgate ci` with what detect() reads from that CI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.deploy.test_deploy_files import known_variable, variables

EXAMPLES = Path(__file__).parents[2] / "examples" / "ci"
yaml = YAML(typ="safe")
KEYS = ("API", "SECRET")


def test_the_github_workflow_reviews_with_a_read_key_and_applies_on_main_only() -> None:
    text = (EXAMPLES / "github-actions.yml").read_text()
    workflow: dict[Any, Any] = yaml.load(text)
    trigger: dict[str, Any] = workflow.get("on") or workflow[True]  # YAML 1.1 reads on: as True
    assert {"pull_request", "pull_request_review", "issue_comment", "push"} <= set(trigger)
    assert trigger["push"]["branches"] == ["main"]  # the protected branch
    assert workflow["permissions"]["statuses"] == "write"
    review, apply = workflow["jobs"]["review"], workflow["jobs"]["apply"]
    for job in (review, apply):
        step = job["steps"][-1]
        assert step["run"] == "stackgate ci" and step["env"]["GITHUB_TOKEN"]
        assert step["env"]["STACKGATE_DATABASE_URL"]  # the journal outlives the job
    # the review job runs the pull request's workflow: it never holds the write key
    review_keys = {review["steps"][-1]["env"][f"STACKGATE_CLOUDSTACK_{k}_KEY"] for k in KEYS}
    apply_keys = {apply["steps"][-1]["env"][f"STACKGATE_CLOUDSTACK_{k}_KEY"] for k in KEYS}
    assert not review_keys & apply_keys
    assert apply["if"] == "github.event_name == 'push'"
    assert "github.event_name != 'push'" in review["if"]
    assert apply["environment"]  # whose secrets only the protected branch may read
    assert all(known_variable(name) for name in variables(text))


def test_the_gitlab_job_runs_for_merge_requests_and_the_default_branch() -> None:
    text = (EXAMPLES / "gitlab-ci.yml").read_text()
    job: dict[str, Any] = yaml.load(text)["stackgate"]
    rules = [rule["if"] for rule in job["rules"]]
    assert rules == [
        '$CI_PIPELINE_SOURCE == "merge_request_event"',
        "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH",
    ]
    assert job["script"][-1] == "stackgate ci" and job["resource_group"] == "stackgate"
    assert all(known_variable(name) for name in variables(text))
