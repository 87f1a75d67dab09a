"""Which other objects a change names: the network an instance joins, the VM a rule serves.

Apply skips a change whose named object failed; the plan's live fingerprint covers named
objects too, so that one replaced out of band under the same name is noticed at merge.
"""

from __future__ import annotations

from app.plan.model import Action, Change

REFERENCE_FIELDS = {  # field of a change's values → the kind it names
    "networks": "network",
    "network": "network",
    "ssh_key": "ssh_key",
    "ip": "public_ip",
    "instance": "instance",
    "attach_to": "instance",
    "members": "instance",
    "template": "template",  # the project's own (a catalog template is no change's address)
    "volume": "volume",
    "root_of": "instance",
}


def references(change: Change) -> set[str]:
    """Addresses this change's values name (the state it ends in, or for deletes, left)."""
    values = (change.before if change.action is Action.DELETE else change.after) or {}
    # Everything in a project needs the project: a failed createProject skips it all.
    named = set() if change.kind == "project" else {f"{change.project}/project/{change.project}"}
    for name, kind in REFERENCE_FIELDS.items():
        raw = values.get(name)
        for item in raw if isinstance(raw, list) else [raw] if raw else []:
            named.add(f"{change.project}/{kind}/{item}")
    return named
