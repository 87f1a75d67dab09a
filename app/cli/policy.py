"""`stackgate policy eval|test`: the platform team's Rego policies, judged and tested by hand."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from app.cli.common import console, settings

if TYPE_CHECKING:
    from app.policy.engines import PolicyEngine
    from app.policy.model import PolicySet

policy_cli = typer.Typer(help="Evaluate and test Rego policies.", no_args_is_help=True)
PolicyDirs = Annotated[
    list[Path] | None,
    typer.Option(
        "--policies", help="A policy folder to add (repeatable), e.g. a repo's policies/."
    ),
]
OpaUrl = Annotated[
    str | None,
    typer.Option(help="Use this OPA server (default: STACKGATE_OPA_URL, else embedded)."),
]
NoDefaults = Annotated[
    bool, typer.Option("--no-defaults", help="Leave out the shipped and operator policy folders.")
]


def _policy_set(added: list[Path], defaults: bool = True) -> PolicySet:
    from app.policy.sources import platform_policy_set

    return platform_policy_set(settings(), added, defaults=defaults)


def _engine(opa_url: str | None) -> PolicyEngine:
    from app.policy.engines import engine_for

    configured = settings()
    return engine_for(opa_url or configured.opa_url, configured.policy_timeout)


@policy_cli.command("eval")
def policy_eval(
    input_file: Annotated[
        Path,
        typer.Option("--input", help="The input document (JSON).", exists=True, dir_okay=False),
    ],
    policies: PolicyDirs = None,
    opa_url: OpaUrl = None,
    no_defaults: NoDefaults = False,
) -> None:
    """Print the decision (deny, warn, approvals) for an input; exit 1 on policy errors."""
    document = json.loads(input_file.read_text(encoding="utf-8"))
    engine = _engine(opa_url)
    try:
        decision = engine.evaluate(_policy_set(policies or [], not no_defaults), document)
    finally:
        engine.close()
    typer.echo(json.dumps(decision.as_dict(), indent=2))
    raise typer.Exit(1 if decision.errors else 0)


@policy_cli.command("test")
def policy_test(
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="Policy folder to test (beside the defaults); default: the shipped policies."
        ),
    ] = None,
    opa_url: OpaUrl = None,
    no_defaults: NoDefaults = False,
) -> None:
    """Run the Rego tests (test_* rules in *_test.rego); exit 1 if any fails."""
    from app.policy.testing import run_tests

    out = console()
    policies = _policy_set([folder] if folder else [], not no_defaults)
    if folder:  # only the folder's own tests, with every policy it may rely on loaded
        policies = replace(
            policies, tests=tuple(t for t in policies.tests if t.name.startswith(f"{folder}/"))
        )
    engine = _engine(opa_url)
    try:
        results = run_tests(engine, policies)
    finally:
        engine.close()
    for result in results:
        mark = "[green]PASS[/]" if result.passed else "[red]FAIL[/]"
        detail = f" — {result.error}" if result.error else ""
        out.print(f"{mark} {result.file}:{result.line} {result.name}{detail}")
    failed = sum(not r.passed for r in results)
    out.print(f"{len(results) - failed} passed, {failed} failed ({engine.name})")
    raise typer.Exit(1 if failed or not results else 0)
