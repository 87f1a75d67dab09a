"""Loader overhead: 10,000 resources in 200 project files, against a bare ruamel.yaml load."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ruamel.yaml import YAML

from app.spec import load_repo
from bench.measure import measure, mib

PROJECTS = 200


def project_text(index: int, network_offering: str = "isolated") -> str:
    """One project of 50 resources: 5 networks, 20 instances, 10 volumes, 5 IPs, 10 rules."""
    lines = [f"project: team-{index:03d}", "zone: zone-a", "owners: [alice]",
             "limits: {instances: 40, cpu: 80, memory: 160GiB, volumes: 40, primary_storage: 2TiB}",
             "networks:"]  # fmt: skip
    lines += [
        f"  net-{n}: {{offering: {network_offering}, cidr: 10.{n}.{index % 250}.0/24}}"
        for n in range(5)
    ]
    lines.append("instances:")
    for n in range(20):
        lines += [
            f"  vm-{n}:",
            "    offering: medium",
            "    template: ubuntu-22.04",
            f"    networks: [net-{n % 5}]",
            "    root_disk: 40GiB",
            f'    labels: {{owner: alice, cost-center: "{index}"}}',
        ]
    lines.append("volumes:")
    lines += [
        f"  data-{n}: {{offering: standard, size: 100GiB, attach_to: vm-{n}}}" for n in range(10)
    ]
    lines.append("public_ips:")
    lines += [f"  ip-{n}: {{network: net-{n}}}" for n in range(5)]
    lines.append("firewall:")
    lines += [
        f"  - {{ip: ip-{n}, protocol: tcp, ports: 443, cidrs: [0.0.0.0/0]}}" for n in range(5)
    ]
    lines.append("port_forwards:")
    lines += [
        f"  - {{ip: ip-{n}, protocol: tcp, public_port: 22, private_port: 22, instance: vm-{n}}}"
        for n in range(3)
    ]
    lines.append("load_balancers:")
    for n in range(2):
        members = f"[vm-{n}, vm-{n + 5}]"
        lines.append(
            f"  lb-{n}: {{ip: ip-{n}, public_port: 80, private_port: 8080, members: {members}}}"
        )
    return "\n".join(lines) + "\n"


def write_repo(root: Path, network_offering: str = "isolated") -> None:
    (root / "projects").mkdir()
    for index in range(PROJECTS):
        text = project_text(index, network_offering)
        (root / "projects" / f"team-{index:03d}.yaml").write_text(text, encoding="utf-8")


def bare_load(root: Path) -> list[object]:
    yaml = YAML(typ="safe")
    return [yaml.load(path) for path in sorted((root / "projects").glob("*.yaml"))]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_repo(root)
        state = load_repo(root)
        assert state.ok and state.resource_count() == PROJECTS * 50, state.diagnostics[:3]
        ours = measure(lambda: load_repo(root))
        baseline = measure(lambda: bare_load(root))
    print(f"loader: {PROJECTS} files, {state.resource_count():,} resources")
    print(f"  stackgate load   {ours.seconds * 1000:8.0f} ms   peak {mib(ours.peak_bytes)}")
    print(f"  bare ruamel.yaml {baseline.seconds * 1000:8.0f} ms   peak {mib(baseline.peak_bytes)}")
    print(f"  ratio (ours / bare): time {ours.seconds / baseline.seconds:.2f}x, "
          f"memory {ours.peak_bytes / baseline.peak_bytes:.2f}x")  # fmt: skip
