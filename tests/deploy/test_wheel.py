"""The built wheel carries what its commands read beyond the code: the default policies and
the example repo the demo starts from (a user who pip-installs it has no checkout)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WHERE = (
    "from app.demo.workspace import EXAMPLE; from app.policy.sources import shipped_policies; "
    "print(EXAMPLE); print(shipped_policies())"
)


def test_the_wheel_finds_its_examples_and_policies_inside_itself(tmp_path: Path) -> None:
    built = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(built), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = built.glob("stackgate-*.whl")
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
