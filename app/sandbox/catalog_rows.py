"""Catalog rows the seed and the commands share: guest OS types and Kubernetes versions."""

from __future__ import annotations

from app.sandbox.store import CloudState, Row

MIN_HA_VERSION = (1, 16, 0)  # KubernetesClusterService.MIN_KUBERNETES_VERSION_HA_SUPPORT
MIN_AUTOSCALING_VERSION = (1, 24, 0)  # KubernetesClusterService.MIN_KUBERNETES_VERSION_...
OS_CATEGORY = "8b3b6e6a-0c5e-4a5c-9f0e-6f1b2a0c0001"  # one guest OS category, "Other"


def semantic(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def version_row(state: CloudState, name: str, version: str, min_cpu: int, min_memory: int) -> Row:
    """KubernetesVersionManagerImpl.createKubernetesSupportedVersionResponse: HA from 1.16.0,
    the binaries ISO ready in every zone (no zoneid: the version is for all zones)."""
    return {
        "id": state.new_id(),
        "name": name,
        "semanticversion": version,
        "isoid": state.new_id(),
        "isoname": f"{name}-Kubernetes-Binaries-ISO",
        "isostate": "Ready",
        "supportsha": semantic(version) >= MIN_HA_VERSION,
        "supportsautoscaling": semantic(version) >= MIN_AUTOSCALING_VERSION,
        "state": "Enabled",
        "mincpunumber": min_cpu,
        "minmemory": min_memory,
    }


def os_type(state: CloudState, description: str) -> Row:
    """The guest OS type of that description (listOsTypes), added on first use."""
    table = state.table("os_types")
    found = next((row for row in table if row["description"] == description), None)
    return found or table.add(
        {
            "id": state.new_id(),
            "name": description,
            "description": description,
            "oscategoryid": OS_CATEGORY,
            "oscategoryname": "Other",
            "isuserdefined": False,
            "fordisplay": True,
        }
    )
