"""Templates a project registers from a URL (registerTemplate): a team's golden image."""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from app.spec.base import Resource
from app.spec.fields import bad_value

# Storage.ImageFormat as registerTemplate takes it for a VM template (ISO is registerIso's).
ImageFormat = Literal["QCOW2", "RAW", "VHD", "VHDX", "OVA", "VMDK", "TAR", "ZIP"]
# How long the hex digest of each algorithm CloudStack's checksum takes ("{SHA-256}ab12...")
# is; a bare digest is MD5, as CloudStack reads it.
DIGEST_LENGTHS = {
    "MD5": 32,
    "SHA-1": 40,
    "SHA-224": 56,
    "SHA-256": 64,
    "SHA-384": 96,
    "SHA-512": 128,
}
_CHECKSUM = re.compile(r"^(?:\{(?P<algorithm>[A-Z0-9-]+)\})?(?P<digest>[0-9a-fA-F]+)$")


class Template(Resource):
    url: str = Field(description="http(s) URL CloudStack downloads the image from")
    checksum: str = Field(description='Digest of the image: "{SHA-256}<hex>" (or MD5 <hex>)')
    format: ImageFormat = Field(description="Image format, e.g. QCOW2")
    hypervisor: str = Field(min_length=1, description="Hypervisor, e.g. KVM, VMware, XenServer")
    os_type: str = Field(min_length=1, description="OS type as listOsTypes names it")
    zones: list[str] | None = Field(None, description="Zones; default: the project's zone")
    description: str = ""

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise bad_value(
                f"'{value}' is not an http(s) URL", "CloudStack downloads templates over http(s)"
            )
        return value

    @field_validator("checksum")
    @classmethod
    def _digest(cls, value: str) -> str:
        match = _CHECKSUM.match(value)
        algorithm = (match["algorithm"] or "MD5") if match else ""
        if match is None or len(match["digest"]) != DIGEST_LENGTHS.get(algorithm):
            raise bad_value(
                f"'{value}' is not a checksum",
                "write {SHA-256} and the image's hex digest, e.g. from sha256sum",
            )
        return value
