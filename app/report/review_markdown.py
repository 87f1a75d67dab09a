"""The parts of a PR comment beyond the plan: policy results, locks, failures, help."""

from __future__ import annotations

from app.forges.base import COMMENT_MARKER
from app.policy.model import Decision, Finding

MAX_FINDINGS = 30
HELP = """\
#### stackgate commands

Comment one of these on the pull request (you need write access to the repository):

| command | does |
|---|---|
| `/stackgate plan` | plan again against the cloud as it is now |
| `/stackgate apply` | once merged: finish a refused or failed apply (plans and gates again) |
| `/stackgate unlock` | release the projects this pull request holds |
| `/stackgate help` | show this help |
"""


def _findings(title: str, lines: list[str]) -> str:
    shown = lines[:MAX_FINDINGS]
    if len(lines) > MAX_FINDINGS:
        shown.append(f"… and {len(lines) - MAX_FINDINGS} more")
    return f"**{title}**\n\n" + "\n".join(f"- {line}" for line in shown) + "\n"


def policy_section(decision: Decision) -> str:
    """What the policies said: errors, denials, warnings and notes, or that all pass."""
    blocks = []
    if decision.errors:
        blocks.append(
            _findings(
                "❌ Policy errors (the gate fails closed)", [f"`{e}`" for e in decision.errors]
            )
        )
    if decision.deny:
        blocks.append(_findings("❌ Denied", [_finding(f) for f in decision.deny]))
    if decision.warn:
        blocks.append(_findings("⚠️ Warnings", [_finding(f) for f in decision.warn]))
    if decision.notes:
        blocks.append(_findings("📎 Notes", list(decision.notes)))
    if not blocks:
        return "#### Policies\n\n✅ All policies pass.\n"
    return "#### Policies\n\n" + "\n".join(blocks)


def _finding(finding: Finding) -> str:
    rule = f" _({finding.rule})_" if finding.rule else ""
    return f"{finding.msg}{rule}"


def draft_note() -> str:
    return "> [!NOTE]\n> This pull request is a draft: it is planned, but not ready to merge.\n"


def fork_note() -> str:
    return (
        "> [!NOTE]\n> This pull request comes from a fork: it is judged by the base branch's "
        "policies and nothing from it is applied before it merges.\n"
    )


def holder(number: int, noun: str) -> str:
    """Who holds a project: a pull request, or (number 0) reconcile putting it back."""
    return "stackgate's reconcile, healing it" if number == 0 else f"{noun} #{number}"


def locked_comment(repo: str, holders: dict[str, int], noun: str) -> str:
    rows = "\n".join(
        f"- project `{project}` is locked by {holder(number, noun)}"
        for project, number in sorted(holders.items())
    )
    return (
        f"{COMMENT_MARKER} -->\n### 🔒 stackgate cannot plan `{repo}` yet\n\n{rows}\n\n"
        f"A project is planned and applied by one {noun} at a time. This one will be planned "
        f"when the other {noun} merges or closes, or when someone with write access comments "
        "`/stackgate unlock` there.\n"
    )


def failed_comment(what: str, message: str, job: int, attempts: int, advice: str) -> str:
    tried = f"It tried {attempts} times" if attempts > 1 else "This is not something a retry fixes"
    return (
        f"{COMMENT_MARKER} -->\n### ⚠️ stackgate could not {what}\n\n{message}\n\n"
        f"{tried} (job {job}). {advice} If this keeps happening, the platform team can find "
        "the job in the service log.\n"
    )


def refusal(user: str, verb: str) -> str:
    return (
        f"@{user} sorry, `/stackgate {verb}` needs write access to this repository. "
        "Ask a maintainer to run it for you."
    )


def unknown_command(verb: str) -> str:
    return f"`/stackgate {verb}` is not a command I know.\n\n{HELP}"
