"""`/stackgate <verb>` comments: only people who can push may steer the bot."""

from __future__ import annotations

from app.events.model import CommandEvent
from app.flows.letgo import let_go
from app.flows.review import review
from app.flows.services import Services
from app.forges.base import Reaction
from app.report.review_markdown import HELP, refusal, unknown_command
from app.store import audit


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
        review(services, event.forge, repo, number, user)
    elif event.verb == "unlock":
        _unlock(services, event)
    elif event.verb == "apply":
        _apply(services, event)
    elif event.verb == "help":
        forge.comment(repo, number, HELP)
    else:
        forge.comment(repo, number, unknown_command(event.verb))


def _unlock(services: Services, event: CommandEvent) -> None:
    with services.sessions.begin() as session:
        released = let_go(session, event.forge, event.repo, event.number)
    text = (
        f"Released the lock on {', '.join(f'`{p}`' for p in released)}. Pull requests waiting "
        "for these projects are planned now; this one takes the lock again when re-planned."
        if released
        else "This pull request holds no locks."
    )
    services.forge(event.forge).comment(event.repo, event.number, text)


def _apply(services: Services, event: CommandEvent) -> None:
    forge = services.forge(event.forge)
    pull = forge.pull_request(event.repo, event.number)
    text = (
        "Applying to CloudStack is pending: this stackgate version records merged plans but "
        "does not apply them yet, so there is nothing to retry."
        if pull.state == "merged"
        else "stackgate applies a change when it is merged; `/stackgate apply` is for retrying "
        "a failed apply after the merge."
    )
    forge.comment(event.repo, event.number, text)
