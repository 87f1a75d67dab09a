"""`/stackgate <verb>` comments: only people who can push may steer the bot."""

from __future__ import annotations

from app.events.model import CommandEvent
from app.flows.gate import PLAN
from app.flows.land import land
from app.flows.letgo import let_go
from app.flows.review import platform_group, review
from app.flows.services import Services
from app.forges.base import Reaction, StatusState
from app.report.review_markdown import HELP, refusal, unknown_command, unlock_refusal
from app.store import audit, plans


def command(services: Services, event: CommandEvent) -> None:
    forge = services.forge(event.forge)
    repo, number, user = event.repo, event.number, event.sender
    if not forge.can_write(repo, user):
        forge.react(repo, number, event.comment_id, Reaction.REFUSED)
        forge.comment(repo, number, refusal(user, event.verb))
        with services.sessions.begin() as session:
            audit.audit(session, event.forge, repo, number, user, "refused", event.verb)
        return
    forge.react(repo, number, event.comment_id, Reaction.SEEN)
    with services.sessions.begin() as session:
        audit.audit(session, event.forge, repo, number, user, f"command-{event.verb}"[:64])
    if event.verb == "plan":
        review(services, event.forge, repo, number, user, vouch=True)
    elif event.verb == "unlock":
        _unlock(services, event)
    elif event.verb == "apply":
        _apply(services, event)
    elif event.verb == "help":
        forge.comment(repo, number, HELP)
    else:
        forge.comment(repo, number, unknown_command(event.verb))


def _unlock(services: Services, event: CommandEvent) -> None:
    forge, repo, number, user = services.forge(event.forge), event.repo, event.number, event.sender
    pull = forge.pull_request(repo, number)
    group = platform_group(services.policies({}))
    if user != pull.author and user not in forge.group_members(repo, group):
        # Its locks guard an approved plan: not for any writer to take away from its author.
        with services.sessions.begin() as session:
            why = f"not author or {group}"
            audit.audit(session, event.forge, repo, number, user, "unlock-refused", why)
        noun = services.pr_noun(event.forge)
        forge.comment(repo, number, unlock_refusal(user, pull.author, group, noun))
        return
    with services.sessions.begin() as session:
        released = let_go(session, event.forge, repo, number)
        if released:
            # Without its locks the plan no longer holds: it must not stay green beside the
            # plan of whoever takes the projects next.
            plans.retire(session, event.forge, repo, number, plans.STALE)
            audit.audit(session, event.forge, repo, number, user, "unlocked", ", ".join(released))
    if not released:
        forge.comment(repo, number, "This pull request holds no locks.")
        return
    forge.set_status(
        repo,
        pull.head_sha,
        PLAN,
        StatusState.FAILURE,
        "Unlocked: comment /stackgate plan to plan again",
        services.settings.public_url,
    )
    names = ", ".join(f"`{project}`" for project in released)
    forge.comment(
        repo,
        number,
        f"Released the lock on {names}. Pull requests waiting for these projects are planned "
        "now; comment `/stackgate plan` here to plan this one again (it then waits its turn).",
    )


def _apply(services: Services, event: CommandEvent) -> None:
    land(services, event.forge, event.repo, event.number, event.sender, retried_by=event.sender)
