"""Domains, accounts, users and members are read only when a plan needs them: for a project
to create, or one whose file names its domain or members; once per cloud, once per project."""

from __future__ import annotations

from pydantic import SecretStr

from app.cloudstack.clouds import Clouds
from app.cloudstack.live import read_live
from app.cloudstack.usage import RESOURCES
from app.config import CloudSettings, Settings
from app.sandbox.seed import PROJECT_LIMIT_DEFAULTS
from app.sandbox.server import RunningSandbox
from tests.cloudstack.conftest import API_KEY, SECRET_KEY

TENANCY_CALLS = ("listAccounts", "listUsers", "listProjectAccounts")


def _clouds(sandbox: RunningSandbox) -> Clouds:
    cloud = CloudSettings(
        url=sandbox.url, api_key=SecretStr(API_KEY), secret_key=SecretStr(SECRET_KEY)
    )
    return Clouds(Settings(clouds={"dc1": cloud}))


def _tenancy_calls(clouds: Clouds) -> int:
    return sum(clouds.client("dc1").calls[command] for command in TENANCY_CALLS)


def test_a_plan_of_existing_projects_without_members_reads_no_directory(
    sandbox: RunningSandbox,
) -> None:
    with _clouds(sandbox) as clouds:
        live = read_live(clouds, "repo", {"dc1": ["payments"]})
        assert (live.directories, live.members, _tenancy_calls(clouds)) == ({}, {}, 0)


def test_members_and_the_directory_are_read_for_the_projects_that_need_them(
    sandbox: RunningSandbox,
) -> None:
    with _clouds(sandbox) as clouds:
        live = read_live(clouds, "repo", {"dc1": ["payments", "search"]}, tenancy={"payments"})
        directory = live.directories["dc1"]
        retail = directory.domains["ROOT/apps/retail"]
        assert (retail, "retail-ops") in directory.accounts
        assert (retail, "erin") in directory.users
        assert directory.domain_path(retail) == "ROOT/apps/retail"
        assert list(live.members) == ["payments"]
        assert "Admin" in live.members["payments"].values()
        assert clouds.client("dc1").calls["listProjectAccounts"] == 1


def test_a_project_that_does_not_exist_yet_has_its_directory_read(
    sandbox: RunningSandbox,
) -> None:
    with _clouds(sandbox) as clouds:
        live = read_live(clouds, "repo", {"dc1": ["shop"]})
        assert "ROOT/apps/retail" in live.directories["dc1"].domains
        assert live.members == {} and "shop" not in live.projects


def test_a_new_projects_defaults_are_read_once_per_cloud_and_only_then(
    sandbox: RunningSandbox,
) -> None:
    with _clouds(sandbox) as clouds:
        live = read_live(clouds, "repo", {"dc1": ["payments"]})
        assert live.project_defaults == {}
        assert clouds.client("dc1").calls["listConfigurations"] == 0
        live = read_live(clouds, "repo", {"dc1": ["shop", "shop-2", "payments"]})
        defaults = live.project_defaults["dc1"]
        assert defaults.unread == ""
        assert dict(defaults.limits) == {
            key: PROJECT_LIMIT_DEFAULTS[resource.type_id] for key, resource in RESOURCES.items()
        }
        assert clouds.client("dc1").calls["listConfigurations"] == 1


def test_project_defaults_refused_are_recorded_not_raised(sandbox: RunningSandbox) -> None:
    text = "The given command does not exist or it is not available for user"
    sandbox.api.knobs.fail_next("listConfigurations", 1, 432, text, cserrorcode=9999)
    with _clouds(sandbox) as clouds:
        live = read_live(clouds, "repo", {"dc1": ["shop"]})
        defaults = live.project_defaults["dc1"]
        assert dict(defaults.limits) == {} and text in defaults.unread
        assert "dc1" not in live.unreachable
