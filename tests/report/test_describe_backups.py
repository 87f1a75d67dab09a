"""Templates and snapshot policies in words, as every renderer shows them: a template by its
image, OS and zones; a policy by its disk and its schedule as a person reads it."""

from __future__ import annotations

from app.report.plan_text import describe

TEMPLATE = {
    "url": "https://images.example.com/golden.qcow2",
    "checksum": "{SHA-256}" + "9f" * 32,
    "format": "QCOW2",
    "hypervisor": "KVM",
    "os_type": "Debian GNU/Linux 12 (64-bit)",
    "zones": ["zone-a", "zone-b"],
    "description": "",
    "download_error": None,
}


def test_a_template_says_its_image_os_and_zones() -> None:
    assert describe("template", TEMPLATE) == (
        "QCOW2 for KVM · Debian GNU/Linux 12 (64-bit) · in zone-a, zone-b"
        " · from https://images.example.com/golden.qcow2"
    )
    failed = describe("template", TEMPLATE | {"download_error": "HTTP Server returned 404"})
    assert failed.endswith(" · download failed: HTTP Server returned 404")


def test_a_policy_says_its_disk_and_schedule_in_peoples_words() -> None:
    daily = {"volume": "data", "interval": "daily", "schedule": "30:02"}
    policy = daily | {"timezone": "Europe/Berlin", "keep": 7}
    assert describe("snapshot_policy", policy) == (
        "of data · daily at 02:30 Europe/Berlin · keeps 7"
    )
    root = {"root_of": "web-1", "interval": "hourly", "schedule": "15", "timezone": "UTC"}
    assert describe("snapshot_policy", root | {"keep": 4}) == (
        "of web-1's root disk · hourly at :15 UTC · keeps 4"
    )
    weekly = policy | {"interval": "weekly", "schedule": "00:03:1"}
    assert " · weekly on sunday at 03:00 Europe/Berlin · " in describe("snapshot_policy", weekly)
    monthly = policy | {"interval": "monthly", "schedule": "00:01:28"}
    assert " · monthly on day 28 at 01:00 " in describe("snapshot_policy", monthly)


def test_an_instance_on_its_projects_template_says_its_root_is_the_templates_size() -> None:
    """Unknown before the download, the root disk size is left out of the plan's fields."""
    instance = {"offering": "small", "template": "golden", "networks": ["app-net"]}
    assert describe("instance", instance).endswith(" · root as its template")
