"""Key pairs in an imported file: CloudStack keeps only a key pair's fingerprint, never its
public key, so one the import cannot learn (from a Terraform state) is written with a
placeholder in its place. The instances using it keep their ``ssh_key``, and the validator
flags the placeholder at its line (not an OpenSSH key: paste the .pub line), so the file
cannot be merged before the key is pasted, and the adopt then keeps the key pair as it runs
instead of showing the instance's key going, which apply would refuse."""

from __future__ import annotations

from collections.abc import Mapping

from app.imports.mapping import Mapper
from app.imports.model import Skipped

PASTE = "PASTE the public key of this key pair here"
TO_PASTE = (
    "CloudStack does not return a key pair's public key: written with a placeholder; paste "
    "the whole line of its .pub file in its place before the file is merged"
)


def map_ssh_keys(mapper: Mapper, public_keys: Mapping[str, str]) -> list[Skipped]:
    """Every key pair, with its public key where ``public_keys`` (by name) has it; the ones
    written with a placeholder."""
    placeholders = []
    for row in mapper.rows("ssh_key"):
        name = str(row["name"])
        key = public_keys.get(name)
        if key is None:
            key = f"{PASTE} (CloudStack has its fingerprint {row.get('fingerprint')})"
            placeholders.append(Skipped("ssh_key", name, str(row["id"]), TO_PASTE))
        mapper.put("ssh_keys", "ssh_key", name, row, {"public_key": key})
    return placeholders
