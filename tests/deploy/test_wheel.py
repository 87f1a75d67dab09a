"""The package as a user gets it: the wheel built from what deploy/Dockerfile copies into its
build stage, installed with only its declared dependencies into a fresh virtualenv, works in an
empty folder (a user who pip-installs it has no checkout)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.deploy.wheelhouse import needed, repack, requirements_of

ROOT = Path(__file__).resolve().parents[2]
WHERE = (
    "from app.demo.workspace import EXAMPLE; from app.policy.sources import shipped_policies; "
    "print(EXAMPLE); print(shipped_policies())"
)


def image_build_context(into: Path) -> Path:
    """The files the Dockerfile's build stage COPYs from the repo, laid out as it does."""
    lines = (ROOT / "deploy" / "Dockerfile").read_text().splitlines()
    stage = lines[: [i for i, line in enumerate(lines) if line.startswith("FROM ")][1]]
    for line in stage:
        if line.startswith("COPY ") and "--from" not in line:
            *sources, target = line.split()[1:]
            for source in sources:
                landed = into / target
                if target.endswith("/"):  # into a folder, under its own name
                    landed /= Path(source).name
                landed.parent.mkdir(parents=True, exist_ok=True)
                copy = shutil.copytree if (ROOT / source).is_dir() else shutil.copy
                copy(ROOT / source, landed)
    return into


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once for this file: `pip wheel .` in the image's build context."""
    context = image_build_context(tmp_path_factory.mktemp("context"))
    built = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(built)]
    done = subprocess.run([*command, str(context)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    (found,) = built.glob("stackgate-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """A fresh virtualenv with the wheel and nothing but what it declares, installed offline."""
    house, env = tmp_path_factory.mktemp("wheelhouse"), tmp_path_factory.mktemp("venv")
    for name in needed(requirements_of(wheel)):
        repack(name, house)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    pip = [sys.executable, "-m", "pip", "--python", str(env / "bin" / "python"), "install"]
    offline = ["--quiet", "--no-index", "--find-links", str(house), "--no-compile"]
    subprocess.run([*pip, *offline, str(wheel)], check=True, capture_output=True)
    return env


def run(venv: Path, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A command of the installed package, with none of this shell's stackgate settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STACKGATE_", "PYTHON"))}
    env.update(TMPDIR=str(folder.parent), VIRTUAL_ENV=str(venv))
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(args, cwd=folder, env=env, capture_output=True, text=True, check=False)


def test_the_wheel_finds_its_examples_and_policies_inside_itself(tmp_path: Path, wheel: Path):
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    env = {**os.environ, "PYTHONPATH": str(unpacked)}
    # run outside the checkout, whose app/ would otherwise be found first
    found = subprocess.run(
        [sys.executable, "-c", WHERE],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    ).stdout.split()
    example, policies = (Path(line) for line in found)
    assert example.is_relative_to(unpacked) and policies.is_relative_to(unpacked)
    assert (example / "projects" / "payments.yaml").is_file()
    assert (policies / "approvals.rego").is_file()


def test_the_installed_package_runs_the_demo_validate_plan_and_policy_tests(
    tmp_path: Path, venv: Path
) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    demo = run(venv, folder, "stackgate", "demo", "--no-serve")
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "All 8 change(s) applied" in demo.stdout
    example = run(venv, folder, "python", "-c", WHERE).stdout.split()[0]
    assert Path(example).is_relative_to(venv)
    shutil.copytree(example, folder / "infra")

    validated = run(venv, folder, "stackgate", "validate", "infra")
    assert (validated.returncode, validated.stderr) == (0, "")
    assert "infra: valid — 4 projects" in validated.stdout
    planned = run(venv, folder, "stackgate", "plan", "infra")
    assert planned.returncode == 2, planned.stdout + planned.stderr  # all to create
    assert "CloudStack API calls" in planned.stdout
    tested = run(venv, folder, "stackgate", "policy", "test")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert " 0 failed (embedded" in tested.stdout
