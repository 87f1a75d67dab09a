"""What each entry of the plan tests' BASE repo asks for, shared by the action tests."""

from __future__ import annotations

from typing import Any

from .cloud import (
    EGRESS_KEY,
    FINGERPRINT_A,
    FIREWALL_KEY,
    FORWARD_KEY,
    ISOLATED,
)

NONE: dict[str, Any] = {"labels": {}, "protected": False}
# What each entry of BASE asks for, in the inventory's terms, and the line it is written on.
WANTED: dict[str, tuple[str, int, dict[str, Any]]] = {
    "network": (
        "app-net",
        4,
        {"offering": ISOLATED, "cidr": "10.1.0.0/24", "zone": "zone-a", "description": ""},
    ),
    "instance": (
        "web-1",
        6,
        {
            "offering": "small",
            "template": "ubuntu-22.04",
            "networks": ["app-net"],
            "ssh_key": "deploy",
            "root_disk_gib": 10,  # the template's size: no root_disk written
            "zone": "zone-a",
            "user_data_sha": None,
            "cpu": 1,  # the offering's size, from the catalog
            "memory_mib": 2048,
            "affinity_groups": [],  # always written: taking the last one away is a change
        },
    ),
    "volume": (
        "data",
        8,
        {"offering": "standard", "size_gib": 20, "attach_to": "web-1", "zone": "zone-a"},
    ),
    "public_ip": ("web-ip", 10, {"network": "app-net", "static_nat": None}),
    "firewall": (
        FIREWALL_KEY,
        12,
        {
            "ip": "web-ip",
            "protocol": "tcp",
            "ports": "443",
            "icmp_type": None,
            "icmp_code": None,
            "cidrs": ["0.0.0.0/0"],
        },
    ),
    "egress": (
        EGRESS_KEY,
        14,
        {
            "network": "app-net",
            "protocol": "all",
            "ports": None,
            "icmp_type": None,
            "icmp_code": None,
            "cidrs": ["0.0.0.0/0"],
        },
    ),
    "port_forward": (
        FORWARD_KEY,
        16,
        {
            "ip": "web-ip",
            "protocol": "tcp",
            "public_port": "22",
            "private_port": "22",
            "instance": "web-1",
            "cidrs": [],
        },
    ),
    "load_balancer": (
        "web-lb",
        18,
        {
            "ip": "web-ip",
            "algorithm": "roundrobin",
            "protocol": "tcp",
            "public_port": 80,
            "private_port": 8080,
            "members": ["web-1"],
            "cidrs": [],
        },
    ),
    "ssh_key": ("deploy", 20, {"fingerprint": FINGERPRINT_A}),
}
KINDS = sorted(WANTED)
