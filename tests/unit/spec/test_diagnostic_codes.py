"""Every diagnostic code, triggered by a fixture repo: the code, the file and the line are exact."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.spec import load_repo
from app.spec.diagnostics import Code

FIXTURES = Path(__file__).parents[2] / "fixtures" / "spec"

# fixture folder → the (code, file, line) of every diagnostic it must produce, in order
COMMITTED: dict[str, list[tuple[Code, str, int]]] = {
    "yaml_syntax": [(Code.YAML_SYNTAX, "projects/app.yaml", 5)],
    "duplicate_key": [(Code.DUPLICATE_KEY, "projects/app.yaml", 10)],
    "not_a_mapping": [(Code.NOT_A_MAPPING, "projects/app.yaml", 2)],
    "unknown_field": [(Code.UNKNOWN_FIELD, "projects/app.yaml", 7)],
    "wrong_type": [
        (Code.WRONG_TYPE, "projects/app.yaml", 4),
        (Code.WRONG_TYPE, "projects/app.yaml", 11),
    ],
    "missing_field": [(Code.MISSING_FIELD, "projects/app.yaml", 6)],
    "bad_size": [(Code.BAD_SIZE, "projects/app.yaml", 10)],
    "bad_value": [
        (Code.BAD_VALUE, "projects/app.yaml", 4),
        (Code.BAD_VALUE, "projects/app.yaml", 8),
    ],
    "dangling_reference": [(Code.DANGLING_REFERENCE, "projects/app.yaml", 9)],
    "duplicate_name": [(Code.DUPLICATE_NAME, "projects/app/two.yaml", 3)],
    "project_conflict": [(Code.PROJECT_CONFLICT, "projects/more.yaml", 2)],
    "cloud_not_allowed": [(Code.CLOUD_NOT_ALLOWED, "projects/app.yaml", 2)],
    "network_mismatch": [(Code.NETWORK_MISMATCH, "projects/app.yaml", 11)],
    "tier_overlap": [(Code.TIER_OVERLAP, "projects/app.yaml", 10)],
    "tier_outside_vpc": [(Code.TIER_OUTSIDE_VPC, "projects/app.yaml", 11)],
    "duplicate_rule_number": [(Code.DUPLICATE_RULE_NUMBER, "projects/app.yaml", 15)],
    "static_nat_exclusive": [(Code.STATIC_NAT_EXCLUSIVE, "projects/app.yaml", 10)],
    "vpc_mismatch": [(Code.VPC_MISMATCH, "projects/app.yaml", 14)],
    "cluster_network_taken": [(Code.CLUSTER_NETWORK_TAKEN, "projects/app.yaml", 11)],
    "template_not_in_zone": [(Code.TEMPLATE_NOT_IN_ZONE, "projects/app.yaml", 13)],
    "policy_on_detached_volume": [(Code.POLICY_ON_DETACHED_VOLUME, "projects/app.yaml", 15)],
    "not_utf8": [(Code.NOT_UTF8, "projects/app.yaml", 3)],
    "empty_file": [(Code.EMPTY_FILE, "projects/app.yaml", 1)],
    "alias_bomb": [(Code.ALIAS_BOMB, "projects/app.yaml", 7)],
    "no_projects": [(Code.NO_PROJECTS, "projects", 0)],
}


def _found(root: Path) -> list[tuple[Code, str, int]]:
    return [(d.code, d.location.file, d.location.line) for d in load_repo(root).diagnostics]


@pytest.mark.parametrize("case", sorted(COMMITTED))
def test_committed_fixture_reports_exactly(case: str) -> None:
    assert _found(FIXTURES / case) == COMMITTED[case]


def _write_project(root: Path, name: str, text: str) -> Path:
    path = root / "projects" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    _write_project(tmp_path, "big.yaml", "project: big\nzone: z\n" + "# padding\n" * 120_000)
    assert _found(tmp_path) == [(Code.FILE_TOO_LARGE, "projects/big.yaml", 0)]


def test_size_limit_comes_from_repo_settings(tmp_path: Path) -> None:
    (tmp_path / "stackgate.yaml").write_text("max_file_size: 2MiB\n", encoding="utf-8")
    _write_project(tmp_path, "big.yaml", "project: big\nzone: z\n" + "# padding\n" * 120_000)
    assert _found(tmp_path) == []


def test_symlink_outside_the_repo(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("project: stolen\nzone: z\n", encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / "projects").mkdir(parents=True)
    os.symlink(outside, repo / "projects" / "app.yaml")
    assert _found(repo) == [(Code.SYMLINK_OUTSIDE, "projects/app.yaml", 0)]


def test_symlinked_folder_outside_the_repo(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "a.yaml").write_text("zone: z\n", encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / "projects").mkdir(parents=True)
    os.symlink(tmp_path / "elsewhere", repo / "projects" / "app")
    assert _found(repo) == [(Code.SYMLINK_OUTSIDE, "projects/app", 0)]


def test_symlink_inside_the_repo_is_read(tmp_path: Path) -> None:
    shared = tmp_path / "shared.yaml"
    shared.write_text("project: app\nzone: z\n", encoding="utf-8")
    (tmp_path / "projects").mkdir()
    os.symlink(shared, tmp_path / "projects" / "app.yaml")
    state = load_repo(tmp_path)
    assert state.diagnostics == () and list(state.projects) == ["app"]


def test_broken_symlink_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "projects").mkdir()
    os.symlink(tmp_path / "gone.yaml", tmp_path / "projects" / "app.yaml")
    assert _found(tmp_path) == [(Code.UNREADABLE, "projects/app.yaml", 0)]


def test_nesting_too_deep(tmp_path: Path) -> None:
    _write_project(
        tmp_path, "app.yaml", "project: app\nzone: z\nlabels: " + "[" * 80 + "]" * 80 + "\n"
    )
    assert _found(tmp_path) == [(Code.TOO_DEEP, "projects/app.yaml", 3)]


def test_every_code_has_a_case() -> None:
    generated = {
        Code.FILE_TOO_LARGE,
        Code.SYMLINK_OUTSIDE,
        Code.UNREADABLE,
        Code.TOO_DEEP,
    }
    covered = {code for cases in COMMITTED.values() for code, _, _ in cases} | generated
    assert covered == {code for code in Code if code.value < "SG200"}  # SG2xx: found while planning


def test_every_code_is_documented() -> None:
    docs = Path(__file__).parents[3] / "docs"
    reference = "".join(
        (docs / name).read_text(encoding="utf-8") for name in ("repo-format.md", "plans.md")
    )
    assert [code for code in Code if f"| {code.value} |" not in reference] == []
