"""A Kubernetes cluster made by hand: `stackgate import` writes it as a `kubernetes_clusters:`
entry (its node VMs are CKS's, never instances), the plan of that file only adopts, apply
records the cluster on the project (it takes no tags) and the next plan is empty."""

from __future__ import annotations

from pathlib import Path

from cs import CloudStack

from app.spec import load_repo
from tests.apply.cloud import KEY, SECRET, env_for, stackgate
from tests.apply.test_import_groups_nat import REPO, _plan


def _build(sandbox: str) -> str:
    """A network, a VM and a cluster of one control node and two workers; the project's id."""
    cs = CloudStack(
        endpoint=f"{sandbox}/client/api", key=KEY, secret=SECRET, fetch_result=True,
        poll_interval=0.05,
    )  # fmt: skip
    (project,) = cs.listProjects(name="payments", listall=True)["project"]
    (zone,) = cs.listZones(name="zone-a")["zone"]
    offerings = cs.listNetworkOfferings()["networkoffering"]
    offering = next(o for o in offerings if o["name"].endswith("WithSourceNatService"))
    templates = cs.listTemplates(templatefilter="executable", zoneid=zone["id"])["template"]
    template = next(t for t in templates if t["name"] == "ubuntu-22.04")
    sizes = {o["name"]: o["id"] for o in cs.listServiceOfferings()["serviceoffering"]}
    (version,) = cs.listKubernetesSupportedVersions(name="v1.27.3")["kubernetessupportedversion"]
    net = cs.createNetwork(
        name="k8s-net", displaytext="k8s-net", zoneid=zone["id"], networkofferingid=offering["id"],
        projectid=project["id"], gateway="10.9.0.1", netmask="255.255.255.0",
    )["network"]  # fmt: skip
    cs.deployVirtualMachine(
        name="tools", zoneid=zone["id"], templateid=template["id"], networkids=net["id"],
        serviceofferingid=sizes["small"], projectid=project["id"],
    )  # fmt: skip
    cs.createKubernetesCluster(
        name="apps", zoneid=zone["id"], kubernetesversionid=version["id"], size=2,
        serviceofferingid=sizes["medium"], networkid=net["id"], projectid=project["id"],
        noderootdisksize=20,
    )  # fmt: skip
    return str(project["id"])


def test_a_hand_made_cluster_is_imported_adopted_and_recorded(sandbox: str, tmp_path: Path) -> None:
    project_id = _build(sandbox)
    env = env_for(sandbox, tmp_path)
    repo = tmp_path / "repo"
    done = stackgate(env, "import", "--project", "payments", "--out", str(repo))
    assert done.returncode == 0, done.stdout[-3000:]
    written = (repo / "projects" / "payments.yaml").read_text(encoding="utf-8")
    assert "Kubernetes cluster" not in written.split("\nproject:")[0]  # none left out
    (repo / "stackgate.yaml").write_text(f"version: 1\nrepo: {REPO}\n", encoding="utf-8")
    desired = load_repo(repo)
    assert desired.ok, [str(d) for d in desired.diagnostics]
    project = desired.projects["payments"]
    assert list(project.instances) == ["tools"]  # the cluster's three nodes are not instances
    cluster = project.kubernetes_clusters["apps"]
    assert (cluster.version, cluster.control_nodes, cluster.size) == ("v1.27.3", 1, 2)
    assert (cluster.offering, cluster.network, cluster.state) == ("medium", "k8s-net", "Running")
    assert cluster.node_root_disk is not None and cluster.node_root_disk.mib == 20 * 1024

    planned = _plan(env, repo)
    assert {action for action, _, _ in planned} == {"adopt"}
    assert [name for _, kind, name in planned if kind in ("instance", "kubernetes_cluster")] == [
        "tools",
        "apps",
    ]
    applied = stackgate(env, "apply", str(repo), "--auto-approve")
    assert applied.returncode == 0, applied.stdout[-3000:]
    assert _plan(env, repo) == []
    cs = CloudStack(endpoint=f"{sandbox}/client/api", key=KEY, secret=SECRET)
    (listed,) = cs.listProjects(id=project_id, listall=True)["project"]
    tags = {tag["key"]: tag["value"] for tag in listed.get("tags", [])}
    assert tags.get("stackgate.kubernetes.apps") == REPO
