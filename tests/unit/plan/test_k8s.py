"""Kubernetes clusters, project templates and snapshot policies in the plan: their entries,
their order, what the cloud's Kubernetes Service must offer them, and apply refusing them for
now."""

from __future__ import annotations

from dataclasses import replace

from app.apply.executor import unsupported
from app.cloudstack.model import Catalog, KubernetesVersion
from app.plan.model import Plan
from app.plan.order import apply_order

from .cloud import ISOLATED, actions, catalog, change, codes, edit, live, plan_of

SHA = "{SHA-256}9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
APPS = f"""\
zone: zone-a
networks:
  k8s-net: {{offering: {ISOLATED}, cidr: 10.1.0.0/24}}
kubernetes_clusters:
  apps:
    version: v1.28.4
    control_nodes: 3
    size: 10
    offering: medium
    network: k8s-net
    node_root_disk: 40GiB
templates:
  golden:
    url: https://images.example.com/golden.qcow2
    checksum: "{SHA}"
    format: QCOW2
    hypervisor: KVM
    os_type: Debian GNU/Linux 12 (64-bit)
    zones: [zone-a, zone-b]
instances:
  tools:
    offering: small
    template: golden
    networks: [k8s-net]
    snapshot_policy: {{schedule: weekly, time: "03:00", day_of_week: sunday, keep: 4}}
volumes:
  tools-data:
    offering: standard
    size: 50GiB
    attach_to: tools
    snapshot_policy: {{schedule: daily, time: "02:30", timezone: Europe/Berlin, keep: 7}}
"""
VERSIONS = {  # listKubernetesSupportedVersions as a cloud with CKS answers it
    "v1.28.4": KubernetesVersion("kv-128", "v1.28.4", "1.28.4", 2, 2048),
    "v1.15.0": KubernetesVersion("kv-115", "v1.15.0", "1.15.0", 2, 2048, supports_ha=False),
    "v1.30.1": KubernetesVersion("kv-130", "v1.30.1", "1.30.1", 4, 8192),
    "v1.27.0": KubernetesVersion("kv-127", "v1.27.0", "1.27.0", 2, 2048, enabled=False),
    "v1.29.0": KubernetesVersion("kv-129", "v1.29.0", "1.29.0", 2, 2048, zone_id="id-zone-b"),
}


def _catalog(versions: dict[str, KubernetesVersion] | None = VERSIONS) -> Catalog:
    return replace(catalog(), kubernetes_versions=versions)


def _plan(text: str = APPS, versions: dict[str, KubernetesVersion] | None = VERSIONS) -> Plan:
    return plan_of(text, state=live(cloud_catalog=_catalog(versions)), clean=False)


def _problems(plan: Plan) -> list[tuple[str, int, str]]:
    return [(d.code.value, d.location.line, d.message) for d in plan.diagnostics]


def test_a_cluster_template_and_policies_are_planned_with_their_fields() -> None:
    plan = _plan()
    assert plan.diagnostics == ()
    cluster = change(plan, "kubernetes_cluster", "apps")
    assert cluster.after == {
        "version": "v1.28.4",
        "control_nodes": 3,
        "size": 10,
        "offering": "medium",
        "network": "k8s-net",
        "ssh_key": None,
        "node_root_disk_gib": 40,
        "zone": "zone-a",
        "description": "",
        "state": "Running",
        "cpu": 2,
        "memory_mib": 4096,
        "labels": {},
        "protected": False,
    }
    assert cluster.line == 5
    template = change(plan, "template", "golden").after or {}
    assert (template["zones"], template["checksum"]) == (["zone-a", "zone-b"], SHA)
    root = change(plan, "snapshot_policy", "tools:root")
    assert root.after is not None and root.line == 25
    assert {k: root.after[k] for k in ("root_of", "interval", "schedule", "timezone", "keep")} == {
        "root_of": "tools",
        "interval": "weekly",
        "schedule": "00:03:1",
        "timezone": "UTC",
        "keep": 4,
    }
    data = change(plan, "snapshot_policy", "tools-data").after or {}
    assert (data["volume"], data["schedule"], data["timezone"]) == (
        "tools-data",
        "30:02",
        "Europe/Berlin",
    )


def test_an_instance_on_the_projects_template_needs_no_catalog_template() -> None:
    assert "SG203" not in codes(_plan())
    assert "root_disk_gib" not in (change(_plan(), "instance", "tools").after or {})


def test_apply_order_registers_the_template_first_and_policies_after_their_disks() -> None:
    order = [(c.kind, c.name) for c in apply_order(_plan().changes)]
    assert order.index(("template", "golden")) < order.index(("instance", "tools"))
    assert order.index(("instance", "tools")) < order.index(("kubernetes_cluster", "apps"))
    assert order.index(("volume", "tools-data")) < order.index(("snapshot_policy", "tools-data"))
    assert order.index(("instance", "tools")) < order.index(("snapshot_policy", "tools:root"))


def test_apply_makes_these_kinds() -> None:
    refused = {(c.kind, c.name) for c in unsupported(_plan().changes)}
    assert ("kubernetes_cluster", "apps") not in refused  # apply makes clusters
    assert (
        not {
            ("template", "golden"),
            ("snapshot_policy", "tools:root"),
            ("snapshot_policy", "tools-data"),
        }
        & refused
    )


def test_a_cloud_without_the_kubernetes_service_is_told_at_the_cluster() -> None:
    assert _problems(_plan(versions=None)) == [
        ("SG234", 5, "cloud 'default' does not offer Kubernetes clusters")
    ]


def test_a_version_the_cloud_does_not_list_is_refused_at_its_line() -> None:
    plan = _plan(edit("v1.28.4", "v1.28.5", APPS))
    assert _problems(plan) == [("SG235", 6, "the cloud lists no Kubernetes version 'v1.28.5'")]
    assert plan.diagnostics[0].hint == "did you mean 'v1.28.4'?"


def test_a_disabled_version_or_one_of_another_zone_is_refused() -> None:
    for name in ("v1.27.0", "v1.29.0"):
        found = _problems(_plan(edit("v1.28.4", name, APPS)))
        assert found == [
            ("SG235", 6, f"Kubernetes version '{name}' is disabled or not in this zone")
        ]


def test_an_offering_below_the_versions_minimum_is_refused() -> None:
    found = _problems(_plan(edit("v1.28.4", "v1.30.1", APPS)))
    assert found == [
        (
            "SG236",
            9,
            "offering 'medium' (2 CPU, 4096 MiB) is below what version 'v1.30.1' needs"
            " (4 CPU, 8192 MiB)",
        )
    ]


def test_an_offering_below_what_cks_itself_needs_is_refused() -> None:
    """validateServiceOffering: every node needs 2 CPUs and 2048 MB, whatever the version."""
    found = _problems(_plan(edit("offering: medium", "offering: small", APPS)))
    assert [(code, line) for code, line, _ in found] == [("SG236", 9)]


def test_ha_on_a_version_without_it_is_refused_at_control_nodes() -> None:
    found = _problems(_plan(edit("v1.28.4", "v1.15.0", APPS)))
    assert found == [
        ("SG237", 7, "Kubernetes version 'v1.15.0' does not support more than one control node")
    ]
    one = edit("control_nodes: 3", "control_nodes: 1", edit("v1.28.4", "v1.15.0", APPS))
    assert _problems(_plan(one)) == []


def test_unknown_offering_and_template_zone_are_catalog_names() -> None:
    text = edit(
        "offering: medium",
        "offering: huge",
        edit("zones: [zone-a, zone-b]", "zones: [zone-a, zone-c]", APPS),
    )
    assert [(code, line) for code, line, _ in _problems(_plan(text))] == [
        ("SG202", 9),
        ("SG201", 19),
    ]


def test_a_cluster_is_created_with_its_project() -> None:
    assert ("create", "kubernetes_cluster", "apps") in actions(_plan())
