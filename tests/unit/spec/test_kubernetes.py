"""Kubernetes clusters, snapshot policies and project templates in the repo format: what
loads, and each problem at its line before any call to a cloud."""

from __future__ import annotations

from app.spec import DesiredState, load_desired_state
from app.spec.sources import MemorySource

FILE = "projects/apps.yaml"
ISOLATED = "DefaultIsolatedNetworkOfferingWithSourceNatService"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f a@h"
SHA = "{SHA-256}9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
# A team's cluster, its golden image and backups; each test changes a piece. Lines are asserted.
APPS = f"""\
zone: zone-a
networks:
  k8s-net: {{offering: {ISOLATED}, cidr: 10.1.0.0/24}}
ssh_keys:
  ops: {{public_key: "{KEY}"}}
kubernetes_clusters:
  apps:
    version: v1.28.4
    control_nodes: 3
    size: 10
    offering: large
    network: k8s-net
    ssh_key: ops
    node_root_disk: 40GiB
templates:
  golden:
    url: https://images.example.com/golden-2026-12.qcow2
    checksum: "{SHA}"
    format: QCOW2
    hypervisor: KVM
    os_type: Debian GNU/Linux 12 (64-bit)
instances:
  tools:
    offering: small
    template: golden
    networks: [k8s-net]
    snapshot_policy: {{schedule: hourly, minute: 15, keep: 24}}
volumes:
  tools-data:
    offering: standard
    size: 50GiB
    attach_to: tools
    snapshot_policy: {{schedule: daily, time: "02:30", timezone: Europe/Berlin, keep: 7}}
"""


def _load(text: str) -> DesiredState:
    return load_desired_state(MemorySource({FILE: text.encode()}))


def _edit(old: str, new: str, text: str = APPS) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def _problems(text: str) -> list[tuple[str, int, str]]:
    return [(d.code.value, d.location.line, d.message) for d in _load(text).diagnostics]


def test_a_cluster_project_loads_end_to_end() -> None:
    state = _load(APPS)
    assert state.diagnostics == ()
    apps = state.projects["apps"]
    cluster = apps.kubernetes_clusters["apps"]
    assert (cluster.control_nodes, cluster.size, cluster.state) == (3, 10, "Running")
    assert str(cluster.node_root_disk) == "40GiB"
    assert apps.templates["golden"].format == "QCOW2"
    daily = apps.volumes["tools-data"].snapshot_policy
    hourly = apps.instances["tools"].snapshot_policy
    assert daily is not None and hourly is not None
    assert (daily.cloudstack_schedule, daily.timezone, daily.keep) == ("30:02", "Europe/Berlin", 7)
    assert (hourly.cloudstack_schedule, hourly.timezone) == ("15", "UTC")


def test_weekly_and_monthly_schedules_take_cloudstacks_day_numbers() -> None:
    weekly = '{schedule: weekly, time: "23:05", day_of_week: monday, keep: 4}'
    monthly = '{schedule: monthly, time: "01:00", day_of_month: 28, keep: 12}'
    for policy, expected in ((weekly, "05:23:2"), (monthly, "00:01:28")):
        state = _load(_edit("{schedule: hourly, minute: 15, keep: 24}", policy))
        assert state.diagnostics == ()
        found = state.projects["apps"].instances["tools"].snapshot_policy
        assert found is not None and found.cloudstack_schedule == expected


def test_two_control_nodes_load_as_cks_takes_them() -> None:
    """KubernetesClusterManagerImpl refuses fewer than one control node and HA on a version
    without it, never an even count: the format does not refuse what CloudStack makes."""
    assert _load(_edit("control_nodes: 3", "control_nodes: 2")).diagnostics == ()


def test_no_control_node_or_worker_is_refused_at_its_line() -> None:
    problems = _problems(_edit("control_nodes: 3\n    size: 10", "control_nodes: 0\n    size: 0"))
    assert [(code, line) for code, line, _ in problems] == [("SG108", 9), ("SG108", 10)]


def test_a_snapshot_schedule_that_does_not_parse_is_at_its_line() -> None:
    bad = [
        ('time: "02:30"', 'time: "25:30"', "'25:30' is not a time of day"),
        ('time: "02:30"', 'time: "2:30 am"', "'2:30 am' is not a time of day"),
        ('time: "02:30"', "day_of_week: monday", "a daily schedule needs time"),
        ("schedule: daily", "schedule: weekly", "a weekly schedule needs day_of_week"),
        ("schedule: daily", "schedule: fortnightly", "schedule: 'fortnightly' is not allowed"),
    ]
    for old, new, message in bad:
        found = _problems(_edit(old, new))
        assert len(found) == 1 and found[0][:2] == ("SG108", 33), found
        assert message in found[0][2], found


def test_an_hourly_schedule_takes_a_minute_not_a_time() -> None:
    found = _problems(_edit("minute: 15", 'time: "00:15"'))
    assert [(code, line) for code, line, _ in found] == [("SG108", 27)]
    assert "an hourly schedule needs minute" in found[0][2]


def test_an_unknown_timezone_is_refused_at_its_line() -> None:
    found = _problems(_edit("Europe/Berlin", "Europe/Bonn"))
    assert [(code, line) for code, line, _ in found] == [("SG108", 33)]
    assert "'Europe/Bonn' is not a time zone" in found[0][2]


def test_a_template_url_that_is_not_http_is_refused_at_its_line() -> None:
    for url in ("ftp://images.example.com/golden.qcow2", "file:///srv/golden.qcow2", "golden"):
        found = _problems(_edit("https://images.example.com/golden-2026-12.qcow2", url))
        assert [(code, line) for code, line, _ in found] == [("SG108", 17)], url
        assert "is not an http(s) URL" in found[0][2]


def test_a_template_without_a_checksum_is_refused() -> None:
    found = _problems(_edit(f'    checksum: "{SHA}"\n', ""))
    assert found == [("SG106", 16, "missing required field 'checksum'")]
    damaged = _problems(_edit(SHA, "{SHA-256}abc123"))
    assert [(code, line) for code, line, _ in damaged] == [("SG108", 18)]


def test_a_template_format_registerTemplate_does_not_take_is_refused() -> None:
    found = _problems(_edit("format: QCOW2", "format: ISO"))
    assert [(code, line) for code, line, _ in found] == [("SG108", 19)]


def test_unknown_references_of_a_cluster_are_at_their_lines() -> None:
    text = _edit("network: k8s-net", "network: k8s").replace("ssh_key: ops", "ssh_key: op")
    found = _problems(text)
    assert [(code, line) for code, line, _ in found] == [("SG110", 12), ("SG110", 13)]
    assert "network 'k8s' is not defined" in found[0][2]


def test_a_cluster_may_sit_on_a_vpc_tier() -> None:
    text = _edit(
        f"networks:\n  k8s-net: {{offering: {ISOLATED}, cidr: 10.1.0.0/24}}\n",
        "vpcs:\n  main:\n    offering: Default VPC offering\n    cidr: 10.1.0.0/16\n"
        "    tiers:\n      k8s-net: {offering: Tier, cidr: 10.1.0.0/24}\n",
    )
    assert _load(text).diagnostics == ()


def test_two_clusters_on_one_network_are_refused() -> None:
    second = "  other:\n    {version: v1.28.4, size: 1, offering: large, network: k8s-net}\n"
    found = _problems(_edit("templates:\n", second + "templates:\n"))
    assert [(code, line) for code, line, _ in found] == [("SG126", 16)]


def test_an_instance_on_a_project_template_outside_its_zones_is_refused() -> None:
    found = _problems(_edit("    template: golden\n", "    template: golden\n    zone: zone-b\n"))
    assert [(code, line) for code, line, _ in found] == [("SG127", 25)]
    assert "template 'golden' is not registered in zone 'zone-b'" in found[0][2]


def test_the_kubeconfig_has_no_field() -> None:
    found = _problems(_edit("    ssh_key: ops\n", "    ssh_key: ops\n    kubeconfig: x\n"))
    assert [(code, line) for code, line, _ in found] == [("SG104", 14)]
