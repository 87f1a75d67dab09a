"""Names the cloud does not know, and sizes that do not fit: SG201-SG205 and SG209."""

from __future__ import annotations

import pytest

from app.plan.model import Action
from app.spec.diagnostics import Code, Location, Severity

from .cloud import BASE, FILE, ISOLATED, actions, base_objects, edit, plan_of, swap, volume

KNOWN_OFFERINGS = (
    "known: dyn-large, dyn-medium, dyn-small, dyn-tall, dyn-wide, large, medium, small"
)

# case → (old text, new text, code, message, line, column, hint)
CASES: dict[str, tuple[str, str, Code, str, int, int, str]] = {
    "project zone, close": (
        "zone: zone-a\n",
        "zone: zone-c\n",
        Code.UNKNOWN_ZONE,
        "unknown zone 'zone-c'",
        1,
        1,
        "did you mean 'zone-b'?",
    ),
    "project zone, far": (
        "zone: zone-a\n",
        "zone: mars\n",
        Code.UNKNOWN_ZONE,
        "unknown zone 'mars'",
        1,
        1,
        "known: zone-a, zone-b",
    ),
    "network zone": (
        "cidr: 10.1.0.0/24}",
        "cidr: 10.1.0.0/24, zone: zone-bb}",
        Code.UNKNOWN_ZONE,
        "unknown zone 'zone-bb'",
        4,
        100,
        "did you mean 'zone-b'?",
    ),
    "volume zone": (
        "attach_to: web-1}",
        "attach_to: web-1, zone: zone_a}",
        Code.UNKNOWN_ZONE,
        "unknown zone 'zone_a'",
        8,
        67,
        "did you mean 'zone-a'?",
    ),
    "service offering, close": (
        "offering: small,",
        "offering: smal,",
        Code.UNKNOWN_SERVICE_OFFERING,
        "unknown service offering 'smal'",
        6,
        21,
        "did you mean 'small'?",
    ),
    "service offering, far": (
        "offering: small,",
        "offering: tiny-xyz,",
        Code.UNKNOWN_SERVICE_OFFERING,
        "unknown service offering 'tiny-xyz'",
        6,
        21,
        KNOWN_OFFERINGS,
    ),
    "template, close": (
        "template: ubuntu-22.04",
        "template: ubuntu-22.4",
        Code.UNKNOWN_TEMPLATE,
        "unknown template in zone zone-a: 'ubuntu-22.4'",
        6,
        38,
        "did you mean 'ubuntu-22.04'?",
    ),
    "template not in that zone": (
        "template: ubuntu-22.04",
        "template: rocky-9, zone: zone-b",
        Code.UNKNOWN_TEMPLATE,
        "unknown template in zone zone-b: 'rocky-9'",
        6,
        38,
        "known: debian-12, ubuntu-22.04",
    ),
    "disk offering": (
        "offering: standard,",
        "offering: standrd,",
        Code.UNKNOWN_DISK_OFFERING,
        "unknown disk offering 'standrd'",
        8,
        20,
        "did you mean 'standard'?",
    ),
    "network offering, close": (
        f"offering: {ISOLATED}",
        "offering: DefaultIsolatedNetworkOfferingWithSourceNat",
        Code.UNKNOWN_NETWORK_OFFERING,
        "unknown network offering 'DefaultIsolatedNetworkOfferingWithSourceNat'",
        4,
        23,
        f"did you mean '{ISOLATED}'?",
    ),
    "network offering, far": (
        f"offering: {ISOLATED}",
        "offering: Foo",
        Code.UNKNOWN_NETWORK_OFFERING,
        "unknown network offering 'Foo'",
        4,
        23,
        f"known: {ISOLATED}, DefaultSharedNetworkOffering",
    ),
    "custom offering without a size": (
        "size: 20GiB, ",
        "",
        Code.DISK_SIZE,
        "disk offering 'standard' needs a size",
        8,
        3,
        "add 'size:', e.g. 100GiB",
    ),
    "fixed offering with another size": (
        "offering: standard, size: 20GiB",
        "offering: small-50, size: 40GiB",
        Code.DISK_SIZE,
        "disk offering 'small-50' has a fixed size of 50GiB",
        8,
        36,
        "remove 'size:' or use a custom-size offering",
    ),
    "volume size not whole GiB": (
        "size: 20GiB",
        "size: 1500MiB",
        Code.DISK_SIZE,
        "volume sizes are whole GiB",
        8,
        36,
        "round it to whole GiB",
    ),
    "root disk not whole GiB": (
        "ssh_key: deploy}",
        "ssh_key: deploy, root_disk: 10500MiB}",
        Code.DISK_SIZE,
        "root disk sizes are whole GiB",
        6,
        101,
        "round it to whole GiB",
    ),
    "root disk smaller than its template": (
        "ssh_key: deploy}",
        "ssh_key: deploy, root_disk: 8GiB}",
        Code.DISK_SIZE,
        "root disk 8GiB is smaller than template 'ubuntu-22.04' (10GiB)",
        6,
        101,
        "use at least 10GiB, or leave 'root_disk:' out",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_catalog_problem_at_its_line_with_a_hint(case: str) -> None:
    old, new, code, message, line, column, hint = CASES[case]
    plan = plan_of(edit(old, new), [])
    (problem,) = plan.diagnostics
    assert (problem.severity, problem.code, problem.message) == (Severity.ERROR, code, message)
    assert problem.location == Location(FILE, line, column)
    assert problem.hint == hint
    assert plan.has_errors


def test_a_template_in_an_unknown_zone_is_not_also_reported() -> None:
    text = edit("template: ubuntu-22.04", "template: nope, zone: zone-x")
    assert [d.code for d in plan_of(text, []).diagnostics] == [Code.UNKNOWN_ZONE]


def test_catalog_errors_still_show_what_the_plan_would_do() -> None:
    plan = plan_of(edit("offering: small,", "offering: smal,"), base_objects())
    assert actions(plan) == [("update-stop", "instance", "web-1")]
    assert plan.has_errors


def test_a_fixed_size_offering_takes_its_size_with_or_without_size() -> None:
    found = volume(offering="small-50", size_gib=50)
    for written in ("offering: small-50", "offering: small-50, size: 50GiB"):
        text = edit("offering: standard, size: 20GiB", written)
        assert plan_of(text, swap(base_objects(), found)).changes == ()


def test_a_root_disk_at_least_the_template_size_is_fine() -> None:
    text = edit("ssh_key: deploy}", "ssh_key: deploy, root_disk: 10GiB}")
    assert plan_of(text, base_objects()).changes == ()
    text = edit("ssh_key: deploy}", "ssh_key: deploy, root_disk: 1TiB}")
    grown = plan_of(text, base_objects())
    assert [(c.action, c.changed[0].after) for c in grown.changes] == [(Action.UPDATE_STOP, 1024)]


def test_a_clean_repo_against_a_full_catalog_has_no_diagnostics() -> None:
    assert plan_of(BASE, []).diagnostics == ()
