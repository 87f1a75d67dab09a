"""deploy/ checked without a container engine or a cluster: the Dockerfile's final stage, the
compose file, the systemd units and the Helm chart (rendered by a real `helm`), and that every
STACKGATE_* variable they set is one stackgate reads."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from app.config import Settings

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"
CHART = DEPLOY / "helm" / "stackgate"
yaml = YAML(typ="safe")


def known_variable(name: str) -> bool:
    """A STACKGATE_* name Settings reads (named clouds are STACKGATE_CLOUDS__<NAME>__<FIELD>)."""
    if name.startswith("STACKGATE_CLOUDS__"):
        return True
    return name.removeprefix("STACKGATE_").lower() in Settings.model_fields


def variables(text: str) -> set[str]:
    return set(re.findall(r"\bSTACKGATE_[A-Z0-9_]+", text))


def test_every_variable_deploy_sets_is_a_setting() -> None:
    texts = [path.read_text() for path in DEPLOY.rglob("*") if path.is_file()]
    used = set().union(*(variables(text) for text in texts))
    assert used and sorted(name for name in used if not known_variable(name)) == []


def test_the_image_runs_as_a_user_with_a_health_check_and_serves() -> None:
    lines = [line.strip() for line in (DEPLOY / "Dockerfile").read_text().splitlines()]
    final = lines[max(i for i, line in enumerate(lines) if line.startswith("FROM ")) :]
    user = next(line.split()[1] for line in final if line.startswith("USER "))
    assert user.split(":")[0] not in ("0", "root")
    health = next(i for i, line in enumerate(final) if line.startswith("HEALTHCHECK"))
    assert "/healthz" in final[health + 1]
    assert "EXPOSE 8000" in final
    assert final[-1] == 'CMD ["stackgate", "serve", "--host", "0.0.0.0", "--port", "8000"]'
    copied = [
        line.split()[1] for line in lines if line.startswith("COPY ") and "--from" not in line
    ]
    assert all((ROOT / path).exists() for path in copied), copied


def test_compose_wires_stackgate_to_postgres_and_opa() -> None:
    compose: dict[str, Any] = yaml.load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"stackgate", "worker", "postgres", "opa"}
    web, worker = services["stackgate"], services["worker"]
    assert web["command"][:2] == ["stackgate", "serve"] and worker["command"][:2] == [
        "stackgate",
        "worker",
    ]
    env = web["environment"]
    user, db = services["postgres"]["environment"]["POSTGRES_USER"], "postgres:5432"
    assert (
        env["STACKGATE_DATABASE_URL"].startswith(f"postgresql://{user}:")
        and db in env["STACKGATE_DATABASE_URL"]
    )
    assert env["STACKGATE_OPA_URL"] == "http://opa:8181" and env["STACKGATE_WORKER_THREADS"] == "0"
    for name in ("stackgate", "worker"):
        needs = services[name]["depends_on"]
        assert {need["condition"] for need in needs.values()} == {"service_healthy"}
        assert all("healthcheck" in services[dependency] for dependency in needs)
    assert (DEPLOY / "stackgate.env.example").exists()


@pytest.mark.parametrize("unit", ["stackgate.service", "stackgate-worker.service"])
def test_systemd_units_run_stackgate_as_its_own_user(unit: str) -> None:
    parsed = configparser.ConfigParser(strict=False, interpolation=None)
    parsed.read(DEPLOY / "systemd" / unit)
    service = parsed["Service"]
    role = "worker" if "worker" in unit else "serve"
    assert service["ExecStart"].split()[1] == role
    assert service["User"] == "stackgate" and service["Restart"] == "on-failure"
    assert service["EnvironmentFile"] == "/etc/stackgate/stackgate.env"
    assert service["NoNewPrivileges"] == "true"
    assert parsed["Install"]["WantedBy"] == "multi-user.target"


def helm_binary() -> str | None:
    local = ROOT / ".tools" / "bin" / "helm"
    found = str(local) if local.exists() else shutil.which("helm")
    if found is None and os.environ.get("CI"):
        pytest.fail("helm is not installed: `make test` installs it; CI must have it")
    return found


def render(*values: str) -> list[dict[str, Any]]:
    helm = helm_binary()
    if helm is None:
        pytest.skip("helm is not installed (`make test` installs it)")
    sets = [arg for value in values for arg in ("--set", value)]
    lint = subprocess.run([helm, "lint", "--strict", str(CHART), *sets], capture_output=True)
    assert lint.returncode == 0, lint.stdout.decode() + lint.stderr.decode()
    out = subprocess.run(
        [helm, "template", "prod", str(CHART), *sets], capture_output=True, check=True
    )
    return [doc for doc in yaml.load_all(out.stdout.decode()) if doc]


def test_the_chart_renders_web_and_worker_with_probes_and_a_secret_reference() -> None:
    manifests = render()
    kinds = sorted((doc["kind"], doc["metadata"]["name"]) for doc in manifests)
    assert kinds == [
        ("ConfigMap", "prod-stackgate"),
        ("Deployment", "prod-stackgate"),
        ("Deployment", "prod-stackgate-worker"),
        ("Service", "prod-stackgate"),
    ]
    web, worker = (doc for doc in manifests if doc["kind"] == "Deployment")
    assert (web["spec"]["replicas"], worker["spec"]["replicas"]) == (2, 2)
    (container,) = web["spec"]["template"]["spec"]["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert {"secretRef": {"name": "stackgate"}} in container["envFrom"]
    assert web["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    (working,) = worker["spec"]["template"]["spec"]["containers"]
    assert working["args"][:2] == ["stackgate", "worker"]
    config = next(doc for doc in manifests if doc["kind"] == "ConfigMap")["data"]
    assert config["STACKGATE_WORKER_THREADS"] == "0"
    assert all(known_variable(name) for name in config)


def test_the_service_monitor_is_there_only_when_asked_for() -> None:
    manifests = render("serviceMonitor.enabled=true")
    (monitor,) = [doc for doc in manifests if doc["kind"] == "ServiceMonitor"]
    assert monitor["spec"]["endpoints"] == [{"port": "http", "path": "/metrics", "interval": "30s"}]
