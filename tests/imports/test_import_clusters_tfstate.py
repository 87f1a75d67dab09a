"""`stackgate import --from-tfstate` of a state holding the provider's Kubernetes cluster
(cloudstack_kubernetes_cluster, whose id is the cluster's): written as a `kubernetes_clusters:`
entry on the state's network; its node VMs, which no state names, are never instances."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from app.cli import cli
from app.spec import load_repo
from tests.imports.test_import_tfstate import _resource, _state

runner = CliRunner()


def _cluster(cs: Any) -> dict[str, str]:
    (project,) = cs.listProjects(name="payments", listall=True)["project"]
    (zone,) = cs.listZones(name="zone-a")["zone"]
    offerings = cs.listNetworkOfferings()["networkoffering"]
    offering = next(o for o in offerings if o["name"].endswith("WithSourceNatService"))
    medium = next(o for o in cs.listServiceOfferings()["serviceoffering"] if o["name"] == "medium")
    (version,) = cs.listKubernetesSupportedVersions(name="v1.28.4")["kubernetessupportedversion"]
    net = cs.createNetwork(
        name="k8s-net", displaytext="k8s-net", zoneid=zone["id"], networkofferingid=offering["id"],
        projectid=project["id"], gateway="10.7.0.1", netmask="255.255.255.0",
    )["network"]  # fmt: skip
    made = cs.createKubernetesCluster(
        name="apps", zoneid=zone["id"], kubernetesversionid=version["id"], size=1,
        serviceofferingid=medium["id"], networkid=net["id"], projectid=project["id"],
    )["kubernetescluster"]  # fmt: skip
    return {"net": net["id"], "cluster": made["id"]}


def test_the_states_cluster_is_imported_without_its_nodes(cs: Any, tmp_path: Path) -> None:
    made = _cluster(cs)
    state = _state(
        [
            _resource("cloudstack_network", "k8s", {"id": made["net"], "project": "payments"}),
            _resource(
                "cloudstack_kubernetes_cluster",
                "apps",
                {"id": made["cluster"], "project": "payments"},
            ),
        ]
    )
    (tmp_path / "terraform.tfstate").write_text(json.dumps(state), encoding="utf-8")
    out = tmp_path / "repo"
    args = ["import", "--from-tfstate", str(tmp_path / "terraform.tfstate"), "--out", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    desired = load_repo(out)
    assert desired.ok, [str(d) for d in desired.diagnostics]
    project = desired.projects["payments"]
    assert not project.instances
    cluster = project.kubernetes_clusters["apps"]
    assert (cluster.version, cluster.size, cluster.offering, cluster.network) == (
        "v1.28.4",
        1,
        "medium",
        "k8s-net",
    )
