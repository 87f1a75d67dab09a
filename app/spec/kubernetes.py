"""Kubernetes clusters of CloudStack's Kubernetes Service (CKS): what a team may ask for, in
the terms of createKubernetesCluster. The kubeconfig is never part of the repo."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from app.spec.base import Resource
from app.spec.fields import Name, bad_value
from app.spec.units import Size

ClusterState = Literal["Running", "Stopped"]


class KubernetesCluster(Resource):
    version: str = Field(
        min_length=1, description="Kubernetes version by the name listKubernetesSupportedVersions"
    )
    # KubernetesClusterManagerImpl refuses fewer than one control node; more than one is HA,
    # which needs a version that supports it. CKS does not refuse an even count.
    control_nodes: int = Field(1, ge=1, description="Control nodes; more than one is HA")
    size: int = Field(ge=1, description="Worker nodes")
    offering: str = Field(description="Service offering of the nodes")
    network: Name = Field(description="Isolated network or VPC tier of the project")
    ssh_key: Name | None = Field(None, description="SSH key pair from ssh_keys")
    node_root_disk: Size | None = Field(None, description="Root disk of each node, whole GiB")
    zone: str | None = Field(None, description="Zone; defaults to the project's zone")
    description: str = ""
    state: ClusterState = Field("Running", description="Running, or Stopped")

    @model_validator(mode="after")
    def _whole_gib(self) -> Self:
        if self.node_root_disk is not None and self.node_root_disk.mib % 1024:
            raise bad_value("node root disks are whole GiB (noderootdisksize)", "round it")
        return self
