"""Objects that must follow when something they hang on is replaced.

A replaced network takes its instances, addresses and egress rules with it; a replaced SSH
key or affinity group has its instances stopped to take the new one; a replaced security
group has the groups whose rules name it name it again; a replaced address its rules and
load balancers; a replaced instance its port forwards, and its volumes,
load-balancer memberships and static NAT must be set again. A no-op on such a dependent becomes a
replace or an update that says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from app.cloudstack.model import LiveObject
from app.plan.desired import DesiredItem
from app.plan.diff import desired_view, live_view, lost_text
from app.plan.model import Action, Change, FieldChange

# parent kind → [(dependent kind, field of the dependent naming the parent, action)]
DEPENDENTS: dict[str, list[tuple[str, str, Action]]] = {
    "network": [
        ("instance", "networks", Action.REPLACE),
        ("public_ip", "network", Action.REPLACE),
        ("egress", "network", Action.REPLACE),
        ("port_forward", "tier", Action.REPLACE),
        ("load_balancer", "tier", Action.REPLACE),
    ],
    # a replaced VPC takes its tiers, ACL lists and addresses (deleteVPC refuses while tiers
    # remain, and releases its addresses and lists); a replaced ACL list takes its rules
    "vpc": [
        ("network", "vpc", Action.REPLACE),
        ("network_acl", "vpc", Action.REPLACE),
        ("public_ip", "vpc", Action.REPLACE),
    ],
    "network_acl": [("network_acl_rule", "acl", Action.REPLACE)],
    "public_ip": [
        ("firewall", "ip", Action.REPLACE),
        ("port_forward", "ip", Action.REPLACE),
        ("load_balancer", "ip", Action.REPLACE),
    ],
    "ssh_key": [("instance", "ssh_key", Action.UPDATE_STOP)],
    # deleteAffinityGroup takes the VMs out; they are stopped to join the new group
    "affinity_group": [("instance", "affinity_groups", Action.UPDATE_STOP)],
    "instance": [
        ("port_forward", "instance", Action.REPLACE),
        ("public_ip", "static_nat", Action.UPDATE),  # an expunged VM's static NAT is disabled
        ("volume", "attach_to", Action.UPDATE),
        ("load_balancer", "members", Action.UPDATE),
        ("snapshot_policy", "root_of", Action.REPLACE),  # its root disk goes with it
    ],
    # CloudStack deletes a volume's policies with it (deletePoliciesForVolume)
    "volume": [("snapshot_policy", "volume", Action.REPLACE)],
    # deleteTemplate refuses while a VM uses the template: its instances go first
    "template": [("instance", "template", Action.REPLACE)],
    # deleteSecurityGroup refuses while a rule names the group (536): the groups whose rules
    # name it revoke those first and authorize them again to the new group (app/apply/steps.py)
    "security_group": [
        ("security_group", "ingress", Action.UPDATE),
        ("security_group", "egress", Action.UPDATE),
    ],
}
Key = tuple[str, str, str]  # (project, kind, name)


def _names(value: object) -> list[str]:
    """The names a field holds: a name, a list of them, or rules naming a ``group``."""
    values = value if isinstance(value, list) else [value]
    return [str(v.get("group")) if isinstance(v, Mapping) else str(v) for v in values]


def cascade(
    changes: dict[Key, Change], items: Mapping[Key, DesiredItem], live: Mapping[Key, LiveObject]
) -> None:
    """Upgrade dependents of replaced objects in ``changes``, in place, until nothing moves."""
    queue = [key for key, change in changes.items() if change.action is Action.REPLACE]
    while queue:
        project, kind, name = queue.pop()
        for dependent_kind, field, action in DEPENDENTS.get(kind, []):
            for key, item in items.items():
                if (
                    key[0] != project
                    or key[1] != dependent_kind
                    or name not in _names(item.fields.get(field))
                ):
                    continue
                current = changes.get(key)
                if current is not None and current.action in (Action.CREATE, Action.REPLACE):
                    continue
                if current is not None and action is not Action.REPLACE:
                    continue  # already updated; it will set the field again anyway
                changes[key] = _follow(item, current, action, kind, name, live.get(key), field)
                if action is Action.REPLACE:
                    queue.append(key)


def _follow(
    item: DesiredItem,
    current: Change | None,
    action: Action,
    parent: str,
    name: str,
    live: LiveObject | None,
    field: str,
) -> Change:
    reason = f"its {parent.replace('_', ' ')} '{name}' is replaced"
    after = desired_view(item)
    before = live_view(live, item.labels) if live else None
    base = current or Change(
        action,
        item.kind,
        item.project,
        item.name,
        before,
        after,
        file=item.location.file,
        line=item.location.line,
        live_id=live.id if live else None,
        protected=live.protected if live else False,
    )
    lost = lost_text(item.kind, base.before) if action is Action.REPLACE else ""
    changed = base.changed or (FieldChange(field, after.get(field), after.get(field)),)
    return replace(base, action=action, reason=reason, lost=lost, changed=changed)
