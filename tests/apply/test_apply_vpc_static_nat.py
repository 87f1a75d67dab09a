"""Static NAT on an address of a VPC through `stackgate apply`: CloudStack's enableStaticNat
takes the tier of the instance (networkid) when the address is on no guest network yet, as a
VPC's addresses are (EnableStaticNatCmd), so the bastion of the example repo's VPC project is
reached; then moved to another instance of another tier, and turned off."""

from __future__ import annotations

from pathlib import Path

from tests.apply.cloud import env_for
from tests.apply.test_apply_affinity_nat import applied, client, edit, nat, planned
from tests.apply.test_apply_vpcs import REPO_SETTINGS, _apply

PROJECT = """\
project: payments
zone: zone-a
vpcs:
  shop:
    offering: Default VPC offering
    cidr: 10.20.0.0/16
    tiers:
      web: {offering: DefaultIsolatedNetworkOfferingForVpcNetworks, cidr: 10.20.1.0/24}
      app: {offering: DefaultIsolatedNetworkOfferingForVpcNetworks, cidr: 10.20.2.0/24}
instances:
  bastion: {offering: small, template: debian-12, networks: [web]}
  app-1: {offering: small, template: debian-12, networks: [app]}
public_ips:
  bastion-ip: {vpc: shop, static_nat: bastion}
"""


def test_static_nat_on_a_vpc_address_is_made_moved_and_turned_off(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    repo = tmp_path / "repo"
    (repo / "projects").mkdir(parents=True)
    (repo / "stackgate.yaml").write_text(REPO_SETTINGS)
    path = repo / "projects" / "payments.yaml"
    path.write_text(PROJECT)
    _apply(env, repo)
    assert list(nat(sandbox).values()) == ["bastion"]
    tiers = {
        n["name"]: n["id"]
        for n in client(sandbox).listNetworks(projectid=-1, listall=True)["network"]
    }
    (address,) = [
        ip
        for ip in client(sandbox).listPublicIpAddresses(projectid=-1, listall=True)[
            "publicipaddress"
        ]
        if ip.get("isstaticnat")
    ]
    assert address["associatednetworkid"] == tiers["web"]  # the bastion's tier

    edit(path, ("static_nat: bastion", "static_nat: app-1"))  # to an instance on another tier
    assert planned(env, repo) == [("update", "payments/public_ip/bastion-ip")]
    _apply(env, repo)
    assert list(nat(sandbox).values()) == ["app-1"]

    edit(path, (", static_nat: app-1", ""))
    applied(env, repo)
    assert list(nat(sandbox).values()) == [None]
