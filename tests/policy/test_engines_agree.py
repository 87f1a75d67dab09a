"""Differential test: generated inputs judged on both engines agree, by the default policies
(1,000 inputs) and by generated custom policies whose built-ins fail for some of those inputs."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.policy.embedded import EmbeddedEngine
from app.policy.model import PolicyFile, PolicySet
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
    max_examples=1000,
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


# Built-in calls on a change ``c``, keyed by the built-in (or operator), with the arguments to
# choose from: first a value of the change that fails for some generated changes and not for
# others (a label that is no number, no labels to divide by, a null ``before``, an offering
# that is no JSON, size, version, number or base64, a sum of labels, a count of a number, a
# negative offset), then literals that fail or not.
BUILTIN_CALLS = {
    "to_number": ("to_number({}) > 1000", ["c.after.labels.team", '"nope"', '"4711"']),
    "/": ("100 / {} > 1", ["count(c.after.labels)", "0", "4"]),
    "%": ("10 % {} == 0", ["count(c.after.labels)", "0", "3"]),
    "object.get": ('object.get({}, "protected", false) == true', ["c.before", '"text"']),
    "json.unmarshal": ("json.unmarshal({}) == 1", ["c.after.offering", '"{bad"', '"1"']),
    "units.parse_bytes": ("units.parse_bytes({}) > 1", ["c.after.offering", '"lots"', '"2KiB"']),
    "semver.compare": ('semver.compare({}, "1.0.0") > 0', ["c.after.offering", '"x"', '"2.0.0"']),
    "abs": ("abs({}) > 1", ["c.after.offering", "-3"]),
    "upper": ('upper({}) == "X"', ["c.after.limit", '"x"']),
    "count": ("count({}) > 0", ["c.after.cpu", "[1]"]),
    "base64.decode": ('base64.decode({}) == "x"', ["c.after.offering", '"!!"', '"eA=="']),
    "sum": ("sum({}) > 1", ["c.after.labels", '["a"]', "[1, 2]"]),
    "array.slice": ("count(array.slice({}, 0, 1)) > 0", ["c.after.offering", '"ab"', "[1]"]),
    "substring": ('substring(c.name, {}, 1) != ""', ["c.after.cpu - 8", "-1", "0"]),
}
HEADS = [
    'deny contains {"msg": "m", "resource": c.address, "rule": "custom/%d"}',
    'warn contains {"msg": "m", "resource": c.address, "rule": "custom/%d"}',
    'approvals contains {"count": 1, "from": ["@custom"], "reason": sprintf("%%s %d", [c.name])}',
]
CUSTOM = "repo:policies/custom.rego"


def custom_rule(n: int, head: str, call: str, helper: bool, padding: int) -> list[str]:
    """One rule of a custom policy, its call inline or (as docs/policies.md advises) in a
    function of the change; ``padding`` comment lines move it down the file."""
    lines = ["# padding"] * padding
    if helper:
        lines += [f"custom_{n}(c) if {call}", ""]
        call = f"custom_{n}(c)"
    return [*lines, f"{head % n} if {{", "\tsome c in input.changes", f"\t{call}", "}", ""]


@st.composite
def custom_policies(draw: st.DrawFn) -> tuple[str, int, bool]:
    """A repo policy of one to three rules, each on its own built-in; its rule count; whether
    a call has only literal arguments."""
    calls = draw(
        st.lists(st.sampled_from(sorted(BUILTIN_CALLS)), min_size=1, max_size=3, unique=True)
    )
    lines, literal = ["package stackgate", ""], False
    for n, name in enumerate(calls):
        template, arguments = BUILTIN_CALLS[name]
        argument = draw(st.sampled_from(arguments))
        literal |= argument != arguments[0]
        call = template.format(argument)
        head = draw(st.sampled_from(HEADS))
        helper, padding = draw(st.booleans()), draw(st.integers(0, 3))
        lines += custom_rule(n, head, call, helper, padding)
    return "\n".join(lines), len(calls), literal


def _custom(source: str) -> PolicySet:
    """The custom policy on its own: quick to compile afresh for every example."""
    return PolicySet((PolicyFile(CUSTOM, source),))


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(custom_policies(), documents())
def test_both_engines_judge_custom_policies_the_same(
    embedded: EmbeddedEngine,
    opa: OpaEngine,
    custom: tuple[str, int, bool],
    document: dict[str, Any],
) -> None:
    """A built-in that fails is an error on both engines, in the custom file; with one rule
    (nothing else could fail first), on the same line. OPA evaluates a call on literals alone
    when it compiles the policy, even where the lines before it have no solution (no changes);
    regorus only when the call is reached: a documented difference, left out here."""
    source, rules, literal = custom
    assume(document["changes"] or not literal)
    policies = _custom(source)
    ours, theirs = embedded.evaluate(policies, document), opa.evaluate(policies, document)
    assert bool(ours.errors) == bool(theirs.errors), (ours.errors, theirs.errors)
    if not ours.errors:
        assert ours.as_dict() == theirs.as_dict()
        return
    assert [e.file for e in ours.errors] == [e.file for e in theirs.errors] == [CUSTOM]
    if rules == 1:
        assert ours.errors[0].line == theirs.errors[0].line, (ours.errors, theirs.errors)


def test_every_generated_builtin_call_fails_for_some_inputs_and_not_for_others(
    embedded: EmbeddedEngine,
) -> None:
    """The custom cross-check is only worth something if each call both fails and passes."""
    outcomes: dict[str, set[bool]] = {name: set() for name in BUILTIN_CALLS}

    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(documents())
    def collect(document: dict[str, Any]) -> None:
        for name, (template, arguments) in BUILTIN_CALLS.items():
            rule = custom_rule(0, HEADS[0], template.format(arguments[0]), False, 0)
            source = "\n".join(["package stackgate", "", *rule])
            outcomes[name].add(bool(embedded.evaluate(_custom(source), document).errors))

    collect()
    assert {name: seen for name, seen in outcomes.items() if seen != {True, False}} == {}
