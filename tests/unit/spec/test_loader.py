"""Loading whole repos: merging files, defaults, many problems at once, and no cascades."""

from __future__ import annotations

from pathlib import Path

from app.spec import DesiredState, load_desired_state, load_repo
from app.spec.diagnostics import Code
from app.spec.model import RESOURCE_SECTIONS
from app.spec.sources import MemorySource
from app.spec.units import Size

EXAMPLE = Path(__file__).parents[3] / "examples" / "infra"


def _load(files: dict[str, str]) -> DesiredState:
    return load_desired_state(MemorySource({k: v.encode() for k, v in files.items()}))


def test_example_repo_is_valid_and_complete() -> None:
    state = load_repo(EXAMPLE)
    assert state.diagnostics == ()
    assert sorted(state.projects) == ["analytics", "checkout", "payments", "search"]
    payments = state.projects["payments"]
    assert payments.cloud == "dc1" and payments.zone == "zone-a"
    assert payments.owners == ("alice", "@payments-leads")
    assert payments.limits.memory == Size(128 * 1024)
    assert payments.instances["web-2"] == payments.instances["web-1"]  # an alias
    assert payments.volumes["db-1-data"].size == Size(200 * 1024)
    kinds_used = {
        section
        for project in state.projects.values()
        for section in RESOURCE_SECTIONS
        if getattr(project, section)
    }
    assert len(kinds_used) == 13  # checkout: vpcs, network_acls, affinity_groups; search: a cluster


def test_a_folder_is_one_project_and_remembers_each_file() -> None:
    state = load_repo(EXAMPLE)
    search = state.projects["search"]
    assert search.files == (
        "projects/search/cluster.yaml",
        "projects/search/compute.yaml",
        "projects/search/network.yaml",
    )
    assert str(state.sources.where("search", "instances", "search-2")) == (
        "projects/search/compute.yaml:10:3"
    )
    assert str(state.sources.where("search", "firewall", 1, "icmp_type")) == (
        "projects/search/network.yaml:18:45"
    )


def test_defaults_come_from_repo_settings() -> None:
    state = _load(
        {
            "stackgate.yaml": "defaults: {cloud: dc7, zone: zone-x}\n",
            "projects/app.yaml": "owners: [a]\n",
        }
    )
    assert state.diagnostics == ()
    assert (state.projects["app"].cloud, state.projects["app"].zone) == ("dc7", "zone-x")


def test_a_projects_domain_comes_from_its_file_then_the_defaults_then_root() -> None:
    state = _load(
        {
            "stackgate.yaml": "defaults: {zone: z, domain: ROOT/apps}\n",
            "projects/own.yaml": "domain: ROOT/apps/retail\n",
            "projects/inherits.yaml": "owners: [a]\n",
        }
    )
    assert state.diagnostics == ()
    assert state.projects["own"].domain == "ROOT/apps/retail"
    assert state.projects["inherits"].domain == "ROOT/apps"
    assert _load({"projects/a.yaml": "zone: z\n"}).projects["a"].domain == "ROOT"


def test_a_domain_that_is_not_a_path_from_root_is_an_error() -> None:
    state = _load({"projects/a.yaml": "zone: z\ndomain: apps/retail\n"})
    assert [(d.code, d.location.line) for d in state.diagnostics] == [(Code.BAD_VALUE, 2)]


def test_members_name_an_account_or_a_user_with_a_role_the_cloud_has() -> None:
    """A role other than Admin or Regular may be a custom project role: the plan checks it
    against the roles the cloud lists for the project (SG226), the file alone cannot."""
    text = (
        "zone: z\nmembers:\n  - {account: ops, role: Admin}\n  - {user: erin}\n"
        "  - {user: bob, role: Owner}\n  - {account: ops, user: erin}\n"
    )
    state = _load({"projects/a.yaml": text})
    assert [(d.code, d.location.line) for d in state.diagnostics] == [(Code.BAD_VALUE, 6)]
    good = _load({"projects/a.yaml": "zone: z\nmembers: [{account: ops, role: Admin}]\n"})
    (member,) = good.projects["a"].members or ()
    assert (member.key, member.role) == ("account:ops", "Admin")


def test_a_project_without_a_zone_is_an_error() -> None:
    state = _load({"projects/app.yaml": "owners: [a]\n"})
    assert [(d.code, d.location.file) for d in state.diagnostics] == [
        (Code.MISSING_FIELD, "projects/app.yaml")
    ]


def test_every_problem_in_a_file_is_reported() -> None:
    state = _load(
        {
            "projects/app.yaml": (
                "zone: z\n"
                "networks:\n"
                "  net: {offering: o, cidr: 10.0.0.0/33}\n"
                "instances:\n"
                "  a: {offering: o, templat: t, networks: [net]}\n"
                "  b: {offering: 5, template: t, networks: [nett]}\n"
                "  c: {offering: o, template: t, networks: [net], root_disk: 4 GB}\n"
                "colud: dc1\n"
            )
        }
    )
    assert [(d.code, d.location.line) for d in state.diagnostics] == [
        (Code.BAD_VALUE, 3),
        (Code.UNKNOWN_FIELD, 5),  # 'templat'; no second line for the 'template' it misses
        (Code.WRONG_TYPE, 6),
        (Code.BAD_SIZE, 7),
        (Code.UNKNOWN_FIELD, 8),
    ]
    assert state.diagnostics[1].hint == "did you mean 'template'?"
    assert state.diagnostics[-1].hint == "did you mean 'cloud'?"


def test_a_missing_field_without_a_misspelling_is_reported() -> None:
    state = _load({"projects/a.yaml": "zone: z\nssh_keys: {k: {key: ssh-rsa AAAA}}\n"})
    assert [(d.code, d.message) for d in state.diagnostics] == [
        (Code.MISSING_FIELD, "missing required field 'public_key'"),
        (Code.UNKNOWN_FIELD, "unknown field 'key'"),
    ]


def test_invalid_entries_do_not_cascade_into_dangling_references() -> None:
    state = _load(
        {
            "projects/app.yaml": (
                "zone: z\n"
                "networks:\n"
                "  net: {offering: o, cidr: nonsense}\n"
                "instances:\n"
                "  a: {offering: o, template: t, networks: [net]}\n"
            )
        }
    )
    assert [d.code for d in state.diagnostics] == [Code.BAD_VALUE]


def test_extension_keys_hold_anchors_and_are_ignored() -> None:
    state = _load({"projects/app.yaml": "x-notes: anything\nzone: z\n"})
    assert state.diagnostics == ()


def test_project_name_from_file_must_be_valid() -> None:
    state = _load({"projects/My App.yaml": "zone: z\n"})
    assert [(d.code, d.location.file) for d in state.diagnostics] == [
        (Code.BAD_VALUE, "projects/My App.yaml")
    ]


def test_same_settings_in_two_files_are_fine() -> None:
    state = _load({"projects/app/a.yaml": "zone: z\n", "projects/app/b.yaml": "zone: z\n"})
    assert state.diagnostics == ()


def test_files_outside_projects_are_ignored() -> None:
    state = _load({"projects/app.yaml": "zone: z\n", "docs/notes.yaml": ": not yaml ["})
    assert state.diagnostics == ()


def test_bad_repo_settings_are_reported_and_defaults_used() -> None:
    state = _load(
        {"stackgate.yaml": "defaults: {zone: z}\nclouds: dc1\n", "projects/a.yaml": "owners: []\n"}
    )
    assert [(d.code, d.location.file, d.location.line) for d in state.diagnostics] == [
        (Code.WRONG_TYPE, "stackgate.yaml", 2)
    ]
    assert state.projects["a"].zone == "z"


def test_icmp_rule_with_ports_is_refused() -> None:
    state = _load(
        {
            "projects/a.yaml": (
                "zone: z\nnetworks: {n: {offering: o, cidr: 10.0.0.0/24}}\n"
                "public_ips: {ip: {network: n}}\n"
                "firewall:\n  - {ip: ip, protocol: icmp, ports: 22, cidrs: [10.0.0.0/8]}\n"
            )
        }
    )
    assert [(d.code, d.location.line) for d in state.diagnostics] == [(Code.BAD_VALUE, 5)]
