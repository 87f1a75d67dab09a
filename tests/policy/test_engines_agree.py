"""Differential test: generated inputs judged by all default policies on both engines agree."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.policy.embedded import EmbeddedEngine
from app.policy.model import PolicySet
from app.policy.opa_server import OpaEngine

KINDS = [
    "instance",
    "volume",
    "network",
    "public_ip",
    "firewall",
    "egress",
    "port_forward",
    "load_balancer",
    "ssh_key",
    "limits",
]
NAMES = st.sampled_from(
    ["web-1", "db", "X", "a", "app-net", "web-ip:tcp:443:0.0.0.0/0", "very-long-" + "x" * 40]
)
CIDRS = st.sampled_from([["0.0.0.0/0"], ["10.0.0.0/8"], [], ["::/0"], ["0.0.0.0/0", "10.0.0.0/8"]])
PORTS = st.sampled_from(["22", "443", "3000-4000", "20-30", None, "8443"])
LABELS = st.dictionaries(
    st.sampled_from(["owner", "cost-center", "team"]), st.sampled_from(["alice", "4711"])
)


@st.composite
def after(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"labels": draw(LABELS), "protected": draw(st.booleans())}
    if kind == "instance":
        fields |= {
            "offering": draw(st.sampled_from(["small", "medium", "gigantic"])),
            "template": draw(st.sampled_from(["debian-12", "windows-2003"])),
            "cpu": draw(st.integers(1, 64)),
            "memory_mib": draw(st.sampled_from([2048, 65536, 131072])),
        }
    elif kind in ("volume", "network"):
        fields["offering"] = draw(
            st.sampled_from(
                ["standard", "gold", "DefaultIsolatedNetworkOfferingWithSourceNatService"]
            )
        )
    elif kind == "firewall":
        fields |= {"ports": draw(PORTS), "cidrs": draw(CIDRS), "protocol": "tcp"}
    elif kind == "port_forward":
        fields |= {
            "public_port": draw(st.sampled_from(["22", "8443", "3389"])),
            "cidrs": draw(CIDRS),
        }
    elif kind == "limits":
        fields = {"limit": draw(st.one_of(st.none(), st.integers(0, 100)))}
    return fields


@st.composite
def change(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(KINDS))
    action = draw(st.sampled_from(["create", "update", "update-stop", "replace", "delete"]))
    project, name = draw(st.sampled_from(["payments", "search"])), draw(NAMES)
    before = None if action == "create" else draw(after(kind))
    return {
        "action": action,
        "kind": kind,
        "project": project,
        "name": name,
        "address": f"{project}/{kind}/{name}",
        "before": before,
        "after": None if action == "delete" else draw(after(kind)),
        "changed": [],
        "reason": "",
        "lost": "the thing" if action in ("delete", "replace") else "",
        "destructive": action in ("delete", "replace"),
        "protected": bool(before and before.get("protected")),
        "file": "projects/x.yaml",
        "line": 1,
        "live_id": None,
    }


QUOTA = st.fixed_dictionaries(
    {
        "used": st.integers(0, 20),
        "change": st.integers(-5, 10),
        "pending": st.integers(0, 3),
        "after": st.integers(0, 40),
        "limit": st.one_of(st.none(), st.integers(0, 30)),
        "unit": st.just("count"),
    }
)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    labels = draw(st.lists(st.sampled_from(["allow-destroy", "infra", "urgent"]), unique=True))
    pull_request = draw(
        st.sampled_from(
            [
                None,
                {
                    "number": 1,
                    "author": "bob",
                    "labels": labels,
                    "base_ref": "main",
                    "head_sha": "abc",
                    "forge": "github",
                    "draft": False,
                    "approvals": [],
                },
            ]
        )
    )
    owners = st.lists(st.sampled_from(["alice", "@team", "bob"]), unique=True, max_size=2)
    return {
        "pull_request": pull_request,
        "changes": draw(st.lists(change(), max_size=8)),
        "projects": {p: {"owners": draw(owners)} for p in ("payments", "search")},
        "quotas": draw(
            st.dictionaries(
                st.sampled_from(["payments", "search"]),
                st.dictionaries(st.sampled_from(["cpu", "memory", "instances"]), QUOTA),
            )
        ),
    }


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(documents())
def test_both_engines_decide_the_same(
    embedded: EmbeddedEngine, opa: OpaEngine, defaults: PolicySet, document: dict[str, Any]
) -> None:
    ours, theirs = embedded.evaluate(defaults, document), opa.evaluate(defaults, document)
    assert ours.errors == () and theirs.errors == ()
    assert ours.as_dict() == theirs.as_dict()


def test_the_generated_inputs_reach_every_rule(
    embedded: EmbeddedEngine, defaults: PolicySet
) -> None:
    """The generator is only worth something if it makes every default rule fire somewhere."""
    seen: set[str] = set()

    # Derandomized: the same 300 documents every run, so coverage cannot flake.
    @settings(
        max_examples=300,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(documents())
    def collect(document: dict[str, Any]) -> None:
        decision = embedded.evaluate(defaults, document)
        seen.update(f.rule for f in (*decision.deny, *decision.warn))
        seen.update("approval" for _ in decision.approvals)

    collect()
    assert {
        "quota/over-limit",
        "quota/near-limit",
        "destroy/needs-label",
        "destroy/protected",
        "sizes/cpu",
        "sizes/memory_mib",
        "catalog/templates",
        "naming/pattern",
        "labels/required",
        "exposure/admin-ports",
        "exposure/public",
        "approval",
    } <= seen
