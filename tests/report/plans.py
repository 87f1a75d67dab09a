"""Plans written as literals, for the renderers' golden tests."""

from __future__ import annotations

from app.plan.model import Action, Change, CostLine, FieldChange, Plan, QuotaLine
from app.spec.diagnostics import Code, Location, error, warning

WEB = {
    "offering": "medium",
    "template": "ubuntu-22.04",
    "networks": ["app-net"],
    "ssh_key": "ops",
    "root_disk_gib": 40,
    "zone": "zone-a",
    "user_data_sha": None,
    "labels": {"owner": "alice"},
    "protected": False,
}


def mixed_plan() -> Plan:
    """One of every action, a destructive change, tight quotas, costs and problems."""
    changes = (
        Change(
            Action.UPDATE,
            "limits",
            "payments",
            "cpu",
            {"limit": 40},
            {"limit": 64},
            (FieldChange("limit", 40, 64),),
            file="projects/payments.yaml",
            line=9,
        ),
        Change(
            Action.DELETE,
            "port_forward",
            "payments",
            "ssh-ip:tcp:22->bastion:22",
            {
                "ip": "ssh-ip",
                "protocol": "tcp",
                "public_port": "22",
                "private_port": "22",
                "instance": "bastion",
                "cidrs": [],
            },
            None,
            reason="no longer in the repo",
            lost="the rule",
            file="projects/payments.yaml",
            line=1,
            live_id="pf-1",
        ),
        Change(
            Action.CREATE,
            "network",
            "payments",
            "db-net",
            None,
            {"offering": "Isolated", "cidr": "10.1.1.0/24", "zone": "zone-a", "description": ""},
            file="projects/payments.yaml",
            line=27,
        ),
        Change(
            Action.CREATE,
            "instance",
            "payments",
            "web-3",
            None,
            WEB,
            file="projects/payments.yaml",
            line=41,
        ),
        Change(
            Action.UPDATE_STOP,
            "instance",
            "payments",
            "db-1",
            {**WEB, "offering": "medium"},
            {**WEB, "offering": "large"},
            (FieldChange("offering", "medium", "large"),),
            "the instance is stopped to change its offering, then started",
            file="projects/payments.yaml",
            line=45,
            live_id="vm-2",
        ),
        Change(
            Action.REPLACE,
            "instance",
            "payments",
            "bastion",
            {**WEB, "template": "debian-11"},
            {**WEB, "template": "debian-12"},
            (FieldChange("template", "debian-11", "debian-12"),),
            "template cannot change in place",
            "the instance and everything on its root disk",
            "projects/payments.yaml",
            52,
            "vm-3",
        ),
        Change(
            Action.UPDATE,
            "volume",
            "payments",
            "db-1-data",
            {"offering": "custom", "size_gib": 200, "attach_to": "db-1", "zone": "zone-a"},
            {"offering": "custom", "size_gib": 1024, "attach_to": "db-1", "zone": "zone-a"},
            (FieldChange("size_gib", 200, 1024),),
            file="projects/payments.yaml",
            line=60,
            live_id="vol-1",
        ),
        Change(
            Action.CREATE,
            "firewall",
            "search",
            "api-ip:tcp:9200-9201:10.0.0.0/8",
            None,
            {"ip": "api-ip", "protocol": "tcp", "ports": "9200-9201", "cidrs": ["10.0.0.0/8"]},
            file="projects/search/network.yaml",
            line=17,
        ),
    )
    quotas = (
        QuotaLine("payments", "instances", "count", 4, 1, 0, 20),
        QuotaLine("payments", "cpu", "count", 9, 4, 2, 16),
        QuotaLine("payments", "memory", "MiB", 18432, 4096, 0, 24576),
        QuotaLine("payments", "primary_storage", "GiB", 368, 864, 0, 2048),
        QuotaLine("payments", "networks", "count", 2, 1, 0, None),
        QuotaLine("search", "instances", "count", 3, 0, 0, 12),
    )
    diagnostics = (
        error(
            Code.QUOTA_EXCEEDED,
            "project 'payments' would use 15 of 16 cpu",
            Location("projects/payments.yaml", 9, 3),
        ),
        warning(
            Code.QUOTA_NEAR,
            "project 'payments' would use 22GiB of 24GiB memory (90% or more)",
            Location("projects/payments.yaml", 10, 3),
        ),
        error(
            Code.UNKNOWN_TEMPLATE,
            "unknown template in zone zone-a: 'debain-12'",
            Location("projects/payments.yaml", 53, 15),
            "did you mean 'debian-12'?",
        ),
    )
    costs = (CostLine("payments", "EUR", 410.5, 498.25), CostLine("search", "EUR", 120.0, 120.0))
    return Plan(
        "example.com/acme/infra",
        ("payments", "search"),
        changes,
        quotas,
        costs,
        diagnostics,
        "f" * 64,
        api_calls=27,
        read_seconds=0.25,
    )


def empty_plan() -> Plan:
    quotas = (QuotaLine("payments", "instances", "count", 4, 0, 0, 20),)
    return Plan("example.com/acme/infra", ("payments",), (), quotas, api_calls=16, read_seconds=0.1)


def long_plan(creates: int) -> Plan:
    changes = tuple(
        Change(
            Action.CREATE,
            "instance",
            f"team-{i % 7}",
            f"vm-{i:05d}",
            None,
            WEB,
            file=f"projects/team-{i % 7}.yaml",
            line=i + 1,
        )
        for i in range(creates)
    )
    quotas = tuple(
        QuotaLine(f"team-{p}", "instances", "count", 0, creates // 7, 0, None) for p in range(7)
    )
    return Plan("example.com/acme/infra", tuple(f"team-{p}" for p in range(7)), changes, quotas)
