"""SSH key pairs: registerSSHKeyPair / deleteSSHKeyPair (both sync, by name and projectid).

Key pairs take no tags, so the project records the ones stackgate registered in a
``stackgate.sshkey.<name>`` tag (value: the repo), which is how the inventory finds them.
"""

from __future__ import annotations

from typing import Any

from app.apply.operations.base import Context, Submitted
from app.apply.operations.common import Operations, Unresolved, after
from app.apply.operations.tags import project_tags, record
from app.cloudstack.inventory import SSHKEY_TAG
from app.plan.model import Action, Change


def _key(ctx: Context, change: Change) -> dict[str, Any] | None:
    rows = ctx.client.list("listSSHKeyPairs", name=change.name, projectid=ctx.project_id)
    return next((r for r in rows if r.get("name") == change.name), None)


def _same(key: dict[str, Any], change: Change) -> bool:
    return bool(key.get("fingerprint") == after(change).get("fingerprint"))


class RegisterKey:
    def submit(self, ctx: Context, change: Change) -> Submitted:
        spec = ctx.desired.ssh_keys.get(change.name) if ctx.desired else None
        if spec is None:
            raise Unresolved(ctx.client.cloud, "registerSSHKeyPair", "the public key is unknown")
        known = _key(ctx, change)
        if known is not None and _same(known, change):  # registered before a restart: adopt it
            return Submitted(resource_id=str(known["id"]))
        answer = ctx.client.request(
            "registerSSHKeyPair",
            name=change.name,
            publickey=spec.public_key,
            projectid=ctx.project_id,
        )
        return Submitted(resource_id=str(answer["keypair"]["id"]))

    def finish(
        self, ctx: Context, change: Change, submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        record(ctx, SSHKEY_TAG + change.name, ours=True)
        return submitted.resource_id

    def find(self, ctx: Context, change: Change) -> str | None:
        """Registered (same fingerprint) and recorded on the project: the create is done."""
        key = _key(ctx, change)
        recorded = project_tags(ctx).get(SSHKEY_TAG + change.name) == ctx.repo
        return str(key["id"]) if key is not None and _same(key, change) and recorded else None


class DeleteKey:
    def submit(self, ctx: Context, change: Change) -> Submitted:
        ctx.client.request("deleteSSHKeyPair", name=change.name, projectid=ctx.project_id)
        return Submitted(resource_id=change.live_id)

    def finish(
        self, ctx: Context, change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        record(ctx, SSHKEY_TAG + change.name, ours=False)
        return None

    def find(self, ctx: Context, change: Change) -> str | None:
        key = _key(ctx, change)
        return str(key["id"]) if key else None


OPERATIONS: Operations = {
    ("ssh_key", Action.CREATE): RegisterKey(),
    ("ssh_key", Action.DELETE): DeleteKey(),
}
