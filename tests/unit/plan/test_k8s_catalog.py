"""The catalog's read of a cloud's Kubernetes versions, through the real client and the
sandbox: a cloud without the Kubernetes Service answers 432, and the catalog says so; the
sandbox's default cloud offers it."""

from __future__ import annotations

from pathlib import Path

from app.cloudstack.catalog import read_catalog
from app.cloudstack.client import CloudStackClient
from tests.cloudstack.conftest import API_KEY, SECRET_KEY, client, make_client, sandbox
from tests.sandbox.conftest import start_without_cks

__all__ = ["client", "sandbox"]  # the sandbox fixtures, shared with tests/cloudstack


def test_a_cloud_without_cks_has_no_kubernetes_versions(tmp_path: Path) -> None:
    running = start_without_cks(tmp_path, API_KEY, SECRET_KEY)
    without = make_client(running)
    try:
        catalog = read_catalog(without)
        assert catalog.kubernetes_versions is None
        assert without.calls["listKubernetesSupportedVersions"] == 1
    finally:
        without.close()
        running.stop()


def test_the_sandbox_offers_cks_and_the_catalog_reads_its_versions(
    client: CloudStackClient,
) -> None:
    versions = read_catalog(client).kubernetes_versions
    assert versions is not None and sorted(versions) == ["v1.15.12", "v1.27.3", "v1.28.4"]
    assert (versions["v1.15.12"].supports_ha, versions["v1.28.4"].min_memory_mib) == (False, 4096)
