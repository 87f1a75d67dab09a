"""The catalog's read of a cloud's Kubernetes versions, through the real client and the
sandbox: a cloud without the Kubernetes Service answers 432, and the catalog says so."""

from __future__ import annotations

from app.cloudstack.catalog import read_catalog
from app.cloudstack.client import CloudStackClient
from tests.cloudstack.conftest import client, sandbox

__all__ = ["client", "sandbox"]  # the sandbox fixtures, shared with tests/cloudstack


def test_a_cloud_without_cks_has_no_kubernetes_versions(client: CloudStackClient) -> None:
    catalog = read_catalog(client)
    assert catalog.kubernetes_versions is None
    assert client.calls["listKubernetesSupportedVersions"] == 1
