"""The parts of a PR comment beyond the plan: policy results, locks, failures, help."""

from __future__ import annotations

from app.forges.base import COMMENT_MARKER
from app.policy.model import Decision, Finding
from app.report.fold import folded, shared

MAX_FINDINGS = 20
POLICY_ROOM = 16_000  # a quarter of what GitHub keeps of a comment
_POLICIES = "#### Policies\n\n"
_ERRORS = "❌ A policy could not be evaluated (the gate fails closed)"
_PLAN_ERRORS = (
    "⛔ Policies cannot pass while the plan has errors: they judged only what could be planned. "
    "Fix the problems above and stackgate judges the plan again.\n"
)
_MORE = "- … and {hidden} more ({total} in all)"
HELP = """\
#### stackgate commands

Comment one of these on the pull request (you need write access to the repository):

| command | does |
|---|---|
| `/stackgate plan` | plan again against the cloud as it is now |
| `/stackgate apply` | once merged: finish a refused or failed apply (plans and gates again) |
| `/stackgate unlock` | release the projects this pull request holds (its author or platform) |
| `/stackgate help` | show this help |
"""


def _findings(title: str, lines: list[str], room: int) -> str:
    if not lines:
        return ""
    head = f"**{title}**\n\n"
    shown = folded([f"- {line}" for line in lines], MAX_FINDINGS, room - len(head), _MORE)
    return head + "\n".join(shown) + "\n"


def policy_section(decision: Decision, plan_errors: bool = False, room: int = POLICY_ROOM) -> str:
    """What the policies said, errors first, within ``room`` characters. A pass is said only
    when no policy errored and the plan they judged had no errors (``plan_errors``)."""
    said = [_PLAN_ERRORS] if plan_errors else []
    errors = [f"`{e}`" for e in decision.errors]
    blocks = shared(
        room - len(_POLICIES) - len(_PLAN_ERRORS),
        [
            (1, lambda r: _findings(_ERRORS, errors, r)),
            (1, lambda r: _findings("❌ Denied", [_finding(f) for f in decision.deny], r)),
            (1, lambda r: _findings("⚠️ Warnings", [_finding(f) for f in decision.warn], r)),
            (1, lambda r: _findings("📎 Notes", list(decision.notes), r)),
        ],
    )
    said += filter(None, blocks)
    return _POLICIES + "\n".join(said or ["✅ All policies pass.\n"])


def _finding(finding: Finding) -> str:
    rule = f" _({finding.rule})_" if finding.rule else ""
    return f"{finding.msg}{rule}"


def draft_note() -> str:
    return (
        "> [!NOTE]\n> This pull request is a draft: it is planned, but not ready to merge, and "
        "it holds no project locks until it is marked ready.\n"
    )


def fork_note() -> str:
    return (
        "> [!NOTE]\n> This pull request comes from a fork: it is judged by the base branch's "
        "policies and nothing from it is applied before it merges.\n"
    )


def vouch_note(why: str, noun: str) -> str:
    """Why this pull request holds no project locks yet (``why``: outsider or settings)."""
    whose = (
        "its author has no write access to this repository"
        if why == "outsider"
        else "it changes the repo-wide settings (`stackgate.yaml`), which reach every project"
    )
    return (
        f"> [!NOTE]\n> This {noun} is planned, but it holds no project locks, so it keeps no "
        f"other {noun} waiting: {whose}. It takes its locks once someone with write access "
        "approves its latest commit or comments `/stackgate plan`.\n"
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
        f"when the other {noun} merges or closes, or when its author or the platform team "
        "comments `/stackgate unlock` there.\n"
    )


def conflict_comment(repo: str, why: str) -> str:
    """A pull request the host cannot merge as it stands: there is no merge result to plan."""
    return f"{COMMENT_MARKER} -->\n### ⚔️ stackgate cannot plan `{repo}` yet\n\n{why}\n"


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


def unlock_refusal(user: str, author: str, group: str, noun: str) -> str:
    return (
        f"@{user} sorry, only its author (@{author}) or {group} may `/stackgate unlock` this "
        f"{noun}: its locks keep other {noun}s from changing its projects before it merges. "
        "Ask one of them."
    )


def unknown_command(verb: str) -> str:
    return f"`/stackgate {verb}` is not a command I know.\n\n{HELP}"
