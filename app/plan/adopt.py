"""Adoption: a declared object with no tagged twin that already runs untagged is tagged, not made
again beside it.

Named kinds (and key pairs) are matched by name. Nameless ones by what identifies them: a
public IP by its address (the key ``stackgate import`` writes for it, ``ip-203-0-113-7``), a
rule by the fields it cannot change in place (address or network, protocol, ports, CIDRs),
once the addresses the rules hang on are matched. Two untagged candidates, or an object of
the same key another repo tagged, are errors at the declaration: nothing is adopted then.
Fields that also differ are updated by the adopting step; one that would need the object
replaced is refused, since adopting means keeping what runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from app.cloudstack.model import Catalog, LiveObject, LiveProject, unmanaged_address
from app.imports.names import address_key
from app.plan.desired import DesiredItem
from app.plan.diff import REPLACED_BY, changed_fields, classify, desired_view, impossible, live_view
from app.plan.model import Action, Change, FieldChange
from app.spec.diagnostics import Code, Diagnostic, error

RULES = ("firewall", "egress", "port_forward")
TAGS = frozenset({"labels", "protected"})  # what createTags alone sets
ADOPTED = "it runs in the cloud untagged: adopted (tagged), not created again"
Pair = tuple[str, str]  # (kind, name)


@dataclass
class Adoptions:
    """What became of the declared objects with no tagged twin; the rest are created."""

    objects: dict[Pair, LiveObject] = field(default_factory=dict)  # under the repo's name
    changes: dict[Pair, Change] = field(default_factory=dict)
    settled: set[Pair] = field(default_factory=set)  # adopted, or refused with a diagnostic
    diagnostics: list[Diagnostic] = field(default_factory=list)


def adoptions(
    items: Sequence[DesiredItem], live: LiveProject | None, catalog: Catalog | None
) -> Adoptions:
    found = Adoptions()
    if live is None or not (live.untagged or live.foreign):
        return found
    foreign = {(o.kind, o.name): o for o in live.foreign}
    names: dict[str, str] = {}  # how an untagged rule names its address → the repo's name
    # Addresses first: the rules and load balancers on them are compared in the repo's names.
    for item in sorted(items, key=lambda i: (i.kind in (*RULES, "load_balancer"), i.kind)):
        pair = (item.kind, item.name)
        if pair in foreign:
            found.settled.add(pair)
            found.diagnostics.append(_foreign(item, foreign[pair]))
            continue
        candidates = [_named(o, names) for o in live.untagged if _matches(item, o, names)]
        if not candidates:
            continue
        found.settled.add(pair)
        if len(candidates) > 1:
            found.diagnostics.append(_ambiguous(item, candidates))
            continue
        obj = replace(candidates[0], name=item.name)
        if item.kind == "public_ip":
            names[unmanaged_address(obj.fields.get("address"))] = item.name
        found.objects[pair] = obj
        change, problems = adopt(item, obj, catalog)
        found.diagnostics += problems
        if change is not None:
            found.changes[pair] = change
    return found


def _matches(item: DesiredItem, obj: LiveObject, names: Mapping[str, str]) -> bool:
    if obj.kind != item.kind:
        return False
    if item.kind == "public_ip":
        return address_key(str(obj.fields.get("address"))) == item.name
    if item.kind in RULES:
        fields = _named(obj, names).fields
        identity = REPLACED_BY.get(item.kind, set())
        return all(fields.get(key) == item.fields.get(key) for key in identity)
    return obj.name == item.name


def _named(obj: LiveObject, names: Mapping[str, str]) -> LiveObject:
    """The object with the addresses it names in the repo's names, where they are adopted."""
    ip = obj.fields.get("ip")
    if ip not in names:
        return obj
    return replace(obj, fields={**obj.fields, "ip": names[str(ip)]})


def adopt(
    item: DesiredItem, obj: LiveObject, catalog: Catalog | None
) -> tuple[Change | None, tuple[Diagnostic, ...]]:
    """The adopt change: tags, plus the update of any other field that differs."""
    after, before = desired_view(item), live_view(obj, item.labels)
    changed = changed_fields(before, after)
    updated = tuple(f for f in changed if f.field not in TAGS)
    reason = ADOPTED
    problems: tuple[Diagnostic, ...] = ()
    if updated:
        action, why = classify(item.kind, updated, before, catalog)
        if action is Action.REPLACE:
            return None, (_replaced(item, obj, updated, why),)
        problems = tuple(impossible(item, updated, before, catalog))
        if any(problem.is_error for problem in problems):
            return None, problems
        stop = " (the instance is stopped and started)" if action is Action.UPDATE_STOP else ""
        reason = f"{ADOPTED}; then {_list(f.field for f in updated)} updated in place{stop}"
    change = Change(
        Action.ADOPT,
        item.kind,
        item.project,
        item.name,
        before,
        after,
        changed,
        reason,
        file=item.location.file,
        line=item.location.line,
        live_id=obj.id,
        protected=obj.protected,
    )
    return change, problems  # warnings only (a busy cluster)


def _list(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))


def _foreign(item: DesiredItem, obj: LiveObject) -> Diagnostic:
    return error(
        Code.ADOPT_FOREIGN,
        f"{item.kind} '{item.name}' is in the cloud (id {obj.id}) but another repo manages "
        f"it: {obj.repo}; it is never adopted",
        item.location,
        "take the entry out of this repo, or out of the other repo first (it then deletes it)",
    )


def _ambiguous(item: DesiredItem, candidates: Sequence[LiveObject]) -> Diagnostic:
    ids = _list(o.id for o in candidates)
    return error(
        Code.ADOPT_AMBIGUOUS,
        f"{item.kind} '{item.name}' matches {len(candidates)} untagged objects in the cloud "
        f"({ids}); which one to adopt is unclear, so none is",
        item.location,
        "remove or rename the extra ones in CloudStack, then plan again",
    )


def _replaced(
    item: DesiredItem, obj: LiveObject, updated: Sequence[FieldChange], why: str
) -> Diagnostic:
    cloud: dict[str, Any] = {
        f.field: f.before for f in updated if f.field in REPLACED_BY[item.kind]
    }
    return error(
        Code.IMPOSSIBLE_CHANGE,
        f"{item.kind} '{item.name}' runs untagged in the cloud (id {obj.id}), but adopting it "
        f"as written would replace it ({why}; the cloud has {cloud})",
        item.location,
        "write the cloud's values in the repo to adopt it as it is, then change them in "
        "another pull request; or give the entry a new name to create a new object",
    )
