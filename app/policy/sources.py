"""Which policies judge a plan: the shipped defaults (and an operator's own folders), plus the
repo's ``policies/`` read at the pull request's BASE, so a pull request cannot weaken the
rules that judge it, and kept apart so that they can only add to the platform's. Data
(``data.json``) comes only from the trusted folders."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from app.config import Settings
from app.policy.model import DATA_ROOT, PolicyFile, PolicySet

REPO_POLICIES = "policies/"
TEST_SUFFIX = "_test.rego"


def shipped_policies() -> Path:
    """The default policies: packaged beside the code, or the checkout's policies/ folder."""
    packaged = Path(__file__).resolve().parent.parent / "_policies"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "policies"


def _merge(into: dict[str, Any], more: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in more.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
    return into


def read_folder(
    folder: Path, label: str
) -> tuple[list[PolicyFile], list[PolicyFile], dict[str, Any]]:
    """Modules, tests and data of a folder of policies; names shown as ``label/relative``."""
    modules: list[PolicyFile] = []
    tests: list[PolicyFile] = []
    for path in sorted(folder.rglob("*.rego")):
        item = PolicyFile(
            f"{label}/{path.relative_to(folder).as_posix()}", path.read_text(encoding="utf-8")
        )
        (tests if path.name.endswith(TEST_SUFFIX) else modules).append(item)
    data: dict[str, Any] = {}
    for path in sorted(folder.rglob("data.json")):
        _merge(data, json.loads(path.read_text(encoding="utf-8")))
    return modules, tests, data


def repo_policies(files: Mapping[str, str]) -> tuple[list[PolicyFile], list[PolicyFile], list[str]]:
    """The repo's own policies (paths under policies/), and what is worth saying about them."""
    rego = {
        path: text
        for path, text in sorted(files.items())
        if path.startswith(REPO_POLICIES) and path.endswith(".rego")
    }
    modules = [PolicyFile(f"repo:{p}", t) for p, t in rego.items() if not p.endswith(TEST_SUFFIX)]
    tests = [PolicyFile(f"repo:{p}", t) for p, t in rego.items() if p.endswith(TEST_SUFFIX)]
    notes = []
    if any(path.startswith(REPO_POLICIES) for path in files) and not modules:
        notes.append(
            "the repo's policies/ folder has no .rego policies: only the platform's defaults apply"
        )
    tested = {test.name.removesuffix(TEST_SUFFIX) for test in tests}
    notes += [
        f"{module.name} has no tests ({module.name.removesuffix('.rego')}{TEST_SUFFIX}): "
        "it is applied, but untested"
        for module in modules
        if module.name.removesuffix(".rego") not in tested
    ]
    return modules, tests, notes


def policy_set(
    folders: Iterable[tuple[Path, str]],
    repo_files: Mapping[str, str] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> PolicySet:
    """Trusted folders (path, label) as the platform's modules, the repo's policies apart
    (they may only add: PolicySet.layers); ``settings`` (e.g. the platform group) override
    the folders' data under data.stackgate_config."""
    modules: list[PolicyFile] = []
    tests: list[PolicyFile] = []
    data: dict[str, Any] = {}
    for folder, label in folders:
        found, found_tests, found_data = read_folder(folder, label)
        modules += found
        tests += found_tests
        _merge(data, found_data)
    _merge(data, {DATA_ROOT: dict(settings or {})})
    repo_modules, repo_tests, notes = repo_policies(repo_files or {})
    return PolicySet(
        tuple(modules), tuple(tests + repo_tests), data, tuple(notes), tuple(repo_modules)
    )


def platform_policy_set(
    settings: Settings,
    added: Iterable[Path] = (),
    repo_files: Mapping[str, str] | None = None,
    defaults: bool = True,
) -> PolicySet:
    """The shipped defaults and the operator's folders (unless ``defaults`` is off), then
    ``added`` folders, then the repo's own policies."""
    trusted = (
        [(shipped_policies(), "policies"), *((d, str(d)) for d in settings.policy_dirs)]
        if defaults
        else []
    )
    return policy_set(
        [*trusted, *((d, str(d)) for d in added)], repo_files, settings.policy_settings()
    )
