"""The three tools bench/peer.py compares, each set up in a folder against one sandbox: the same
instances, networks and rules as `tofu apply`, an Ansible playbook and `stackgate apply`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.clients import ansible_env, ansible_playbook, find_tool, tofu_env

FILES = Path(__file__).with_name("peers")  # the OpenTofu config and the playbook
PROJECT = "payments"
OFFERING = "DefaultIsolatedNetworkOfferingWithSourceNatService"
NO_CHANGES = 0  # `tofu plan -detailed-exitcode` and `stackgate plan`: the cloud matches


@dataclass(frozen=True)
class Size:
    instances: int
    networks: int


@dataclass(frozen=True)
class Peer:
    """One tool's apply and its no-change run, with what tells that the second changed nothing."""

    name: str
    apply: list[str]
    again: list[str]
    env: dict[str, str]
    unchanged: Callable[[int, str], bool]  # (exit code, stdout) of the no-change run


def stackgate(folder: Path, url: str, key: str, secret: str, size: Size) -> Peer:
    write_repo(folder / "repo", size)
    binary = str(Path(sys.executable).with_name("stackgate"))
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(folder),
        "STACKGATE_CLOUDSTACK_URL": url,
        "STACKGATE_CLOUDSTACK_API_KEY": key,
        "STACKGATE_CLOUDSTACK_SECRET_KEY": secret,
        "STACKGATE_DATABASE_URL": f"sqlite:///{folder}/stackgate.db",
    }
    repo = str(folder / "repo")
    return Peer(
        "stackgate",
        [binary, "apply", "--auto-approve", repo],
        [binary, "plan", repo],
        env,
        lambda code, _out: code == NO_CHANGES,
    )


def write_repo(root: Path, size: Size) -> None:
    """The project file a user would write: rules are lists, one line each."""
    nets = range(size.networks)
    lines = ["project: payments", "zone: zone-a", "networks:"]
    lines += [f"  net-{n}: {{offering: {OFFERING}, cidr: 10.{n}.0.0/22}}" for n in nets]
    instance = "{offering: small, template: ubuntu-22.04, networks: [net-%d]}"
    lines += ["instances:"]
    lines += [f"  vm-{i}: {instance % (i % size.networks)}" for i in range(size.instances)]
    lines += ["public_ips:"] + [f"  ip-{n}: {{network: net-{n}}}" for n in nets]
    lines += ["firewall:"]
    lines += [f"  - {{ip: ip-{n}, protocol: tcp, ports: 443, cidrs: [0.0.0.0/0]}}" for n in nets]
    lines += ["egress:"]
    lines += [
        f"  - {{network: net-{n}, protocol: udp, ports: 53, cidrs: [10.{n}.0.0/22]}}" for n in nets
    ]
    lines += ["port_forwards:"]
    lines += [
        f"  - {{ip: ip-{n}, protocol: tcp, public_port: 443, private_port: 8443, instance: vm-{n}}}"
        for n in nets
    ]
    (root / "projects").mkdir(parents=True)
    (root / "projects" / "payments.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def tofu(folder: Path, url: str, key: str, secret: str, size: Size) -> Peer:
    binary, provider = find_tool("tofu"), find_tool("terraform-provider-cloudstack")
    if binary is None or provider is None:
        raise FileNotFoundError("tofu and the CloudStack provider are built by `make test`")
    (folder / "main.tf").write_text((FILES / "main.tf").read_text(encoding="utf-8"))
    variables = [
        f"-var=api_url={url}",
        f"-var=api_key={key}",
        f"-var=secret_key={secret}",
        f"-var=instances={size.instances}",
        f"-var=networks={size.networks}",
    ]
    return Peer(
        "tofu",
        [str(binary), f"-chdir={folder}", "apply", "-auto-approve", "-no-color", *variables],
        [
            str(binary),
            f"-chdir={folder}",
            "plan",
            "-refresh=true",
            "-detailed-exitcode",
            "-no-color",
            *variables,
        ],
        tofu_env(folder, provider),
        lambda code, _out: code == NO_CHANGES,
    )


def ansible(folder: Path, url: str, key: str, secret: str, size: Size) -> Peer:
    run = [
        str(ansible_playbook()),
        "--inventory=localhost,",
        "--connection=local",
        f"--extra-vars=instances={size.instances} networks={size.networks}",
        str(FILES / "playbook.yml"),
    ]
    return Peer(
        "ansible",
        run,
        run,
        ansible_env(url, key, secret, folder, PROJECT),
        lambda code, out: code == 0 and " changed=0 " in out and " failed=0 " in out,
    )


PEERS = {"stackgate": stackgate, "tofu": tofu, "ansible": ansible}
