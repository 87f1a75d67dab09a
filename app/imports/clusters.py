"""Kubernetes clusters, written from CloudStack's rows in the repo's terms: by name, on the
network and with the key pair written for them. A cluster's node VMs are never instances
(cloud.py leaves them out as it reads). The repo says Running or Stopped; a cluster CKS is
still busy with, or left in Error, is not written, so that the file asks for nothing odd. The
rules CKS made for a cluster's network (and a tier address it took) are CKS's, not written
either: skipped as made by that cluster (cks_reading.CksRules)."""

from __future__ import annotations

from app.imports.mapping import Mapper, Row

SETTLED = {"Running": None, "Alert": None, "Stopped": "Stopped"}  # CKS state → the repo's


def map_clusters(mapper: Mapper) -> None:
    for row in mapper.rows("kubernetes_cluster"):
        fields = mapper.reading.kubernetes_cluster(row)
        name, state = str(row["name"]), str(fields["state"])
        # a key pair left out would read as a new key, which replaces the cluster
        problem = mapper.refer(fields, {"network": "networks"}) or mapper.missing(
            {"ssh_keys": fields["ssh_key"]}
        )
        if state not in SETTLED:
            problem = f"is {state}: import it again once CKS is done with it"
        if problem:
            mapper.skip("kubernetes_cluster", name, row, problem)
            continue
        gib = fields["node_root_disk_gib"]
        entry = {
            "version": fields["version"],
            "control_nodes": fields["control_nodes"],
            "size": fields["size"],
            "offering": fields["offering"],
            "network": fields["network"],
            "ssh_key": mapper.key("ssh_keys", fields["ssh_key"]),
            "node_root_disk": f"{gib}GiB" if gib else None,
            "zone": fields["zone"],
            "description": fields["description"],
            "state": SETTLED[state],
        }
        mapper.put("kubernetes_clusters", "kubernetes_cluster", name, row, entry)


def made_by_cluster(mapper: Mapper, kind: str, name: str, row: Row) -> bool:
    """Whether CKS made the row for a cluster; if so it is skipped, saying which."""
    cluster = mapper.reading.cks_rules.made_by(kind, row)
    if cluster is not None:
        mapper.skip(kind, name, row, f"made by Kubernetes cluster {cluster}", owned=True)
    return cluster is not None
