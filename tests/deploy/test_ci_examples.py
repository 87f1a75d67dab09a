"""The CI examples: each runs `stackgate ci` with what detect() reads from that CI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.deploy.test_deploy_files import known_variable, variables

EXAMPLES = Path(__file__).parents[2] / "examples" / "ci"
yaml = YAML(typ="safe")


def test_the_github_workflow_runs_on_pull_requests_with_the_token_and_rights() -> None:
    text = (EXAMPLES / "github-actions.yml").read_text()
    workflow: dict[Any, Any] = yaml.load(text)
    trigger: dict[str, Any] = workflow.get("on") or workflow[True]  # YAML 1.1 reads on: as True
    assert "closed" in trigger["pull_request"]["types"]  # a merge is a closed pull request
    assert workflow["permissions"]["statuses"] == "write"
    step = workflow["jobs"]["stackgate"]["steps"][-1]
    assert step["run"] == "stackgate ci" and step["env"]["GITHUB_TOKEN"]
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
