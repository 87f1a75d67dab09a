"""An ACL list's description changes in place (updateNetworkACLList), through `stackgate apply`
on the sandbox: the plan says update, and the list, its rules and the tier on it keep their ids."""

from __future__ import annotations

from pathlib import Path

from tests.apply.cloud import env_for
from tests.apply.test_apply_vpcs import SHOP, _apply, _planned, _repo, _rows


def _web_acl(sandbox: str) -> dict[str, str]:
    (acl,) = [r for r in _rows(sandbox, "listNetworkACLLists") if r["name"] == "web-acl"]
    return acl


def _web_tier(sandbox: str) -> str:
    (tier,) = [str(r["id"]) for r in _rows(sandbox, "listNetworks") if r["name"] == "web"]
    return tier


def test_an_acl_lists_description_changes_in_place(sandbox: str, tmp_path: Path) -> None:
    env = env_for(sandbox, tmp_path)
    repo = _repo(tmp_path)
    _apply(env, repo)
    made = _web_acl(sandbox)
    rules = {r["id"] for r in _rows(sandbox, "listNetworkACLs", aclid=made["id"])}
    tier = _web_tier(sandbox)

    described = SHOP.replace("    vpc: shop\n", "    vpc: shop\n    description: the web tier\n")
    (repo / "projects" / "payments.yaml").write_text(described)
    assert _planned(env, repo) == [("update", "network_acl", "web-acl")]
    _apply(env, repo)
    now = _web_acl(sandbox)
    assert (now["id"], now["description"]) == (made["id"], "the web tier")
    assert {r["id"] for r in _rows(sandbox, "listNetworkACLs", aclid=now["id"])} == rules
    assert _web_tier(sandbox) == tier

    (repo / "projects" / "payments.yaml").write_text(SHOP)  # no description: the name again
    assert _planned(env, repo) == [("update", "network_acl", "web-acl")]
    _apply(env, repo)
    assert (_web_acl(sandbox)["id"], _web_acl(sandbox)["description"]) == (made["id"], "web-acl")
