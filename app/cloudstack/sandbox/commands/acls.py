"""Network ACL lists and their rules (NetworkACLServiceImpl), which filter a VPC tier's traffic."""

from __future__ import annotations
