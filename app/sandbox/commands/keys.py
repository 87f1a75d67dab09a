"""SSH key pairs: register (sync), delete, list; fingerprints are MD5, as CloudStack shows them."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from app.sandbox.api import Ctx, command
from app.sandbox.errors import invalid_parameter
from app.sandbox.listing import list_body, public, visible
from app.sandbox.store import Row

KEY_TYPES = (
    "ssh-rsa",
    "ssh-dss",
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)


def fingerprint(public_key: str) -> str | None:
    parts = public_key.split()
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        return None
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except binascii.Error:
        return None
    digest = hashlib.md5(blob).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


@command("registerSSHKeyPair")
def register_ssh_key_pair(ctx: Ctx) -> dict[str, Any]:
    name = ctx.request.require("name")
    project = ctx.project()
    printed = fingerprint(ctx.request.require("publickey"))
    if printed is None:
        raise invalid_parameter("Public key is invalid")  # InvalidParameterValueException
    owner = project["id"] if project else ""
    if any(key["name"] == name for key in ctx.state.table("keypairs").in_project(owner)):
        raise invalid_parameter(f"A key pair with name '{name}' already exists.")
    row: Row = {
        "id": ctx.state.new_id(),
        "name": name,
        "fingerprint": printed,
        **ctx.owner_fields(project),
        "hasannotations": False,
    }
    return {"keypair": public(ctx.state.table("keypairs").add(row))}


@command("deleteSSHKeyPair")
def delete_ssh_key_pair(ctx: Ctx) -> dict[str, Any]:
    name = ctx.request.require("name")
    project = ctx.project()
    owner = project["id"] if project else ""
    key = next(
        (k for k in ctx.state.table("keypairs").in_project(owner) if k["name"] == name), None
    )
    if key is None:
        account = project["projectaccountname"] if project else ctx.state.account.name
        raise invalid_parameter(
            f"A key pair with name '{name}' does not exist for account {account} "
            "in specified domain id"
        )
    ctx.state.table("keypairs").remove(key["id"])
    return {"success": True}


@command("listSSHKeyPairs")
def list_ssh_key_pairs(ctx: Ctx) -> dict[str, Any]:
    printed = ctx.request.get("fingerprint")
    rows = visible(ctx.state, ctx.request, ctx.state.table("keypairs"))
    return list_body(
        ctx.request, "sshkeypair", rows, lambda row: not printed or row["fingerprint"] == printed
    )
